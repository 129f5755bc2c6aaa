"""A run served wholly from cache, replayed from what it printed and wrote: the same output,
reports and exit status, and never a replay of a course that changed since."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from coursebuilder import CourseFactory

from tinyrelease.checks.cli import main


@pytest.fixture(autouse=True)
def outside_the_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def run(root: Path, report: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, dict]:
    code = main(["--course", str(root), "--report-dir", str(report), "--static-only"])
    out = capsys.readouterr().out
    return code, out, json.loads((report / "report.json").read_text(encoding="utf-8"))


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_a_replayed_run_prints_and_writes_what_the_served_run_did(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course()
    run(root, tmp_path / "first", capsys)
    code, served, _ = run(root, tmp_path / "r", capsys)
    written = texts(tmp_path / "r")
    (tmp_path / "r" / "report.md").unlink()
    again, replayed, _ = run(root, tmp_path / "r", capsys)
    assert (again, replayed) == (code, served)
    assert served.count("(from cache, run ") == 6
    assert texts(tmp_path / "r") == written


def test_an_edit_that_changes_a_finding_is_never_replayed(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course()
    for _ in range(2):
        code, out, _ = run(root, tmp_path / "r", capsys)
    assert code == 0 and "(from cache, run " in out
    about = root / "src/02_activations/ABOUT.md"
    about.write_text(about.read_text().replace("## Overview", "## Intro"))
    code, out, report = run(root, tmp_path / "r", capsys)
    assert code == 1 and "(from cache, run " not in out.split("educational", 1)[1].split("\n")[0]
    assert any(f["path"] == "src/02_activations/ABOUT.md" for g in report["gates"]
               for f in g["findings"])
    again, replayed, _ = run(root, tmp_path / "r", capsys)
    assert again == 1 and "src/02_activations/ABOUT.md" in replayed


def test_a_touched_but_identical_file_still_hits(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course()
    run(root, tmp_path / "r", capsys)
    _, served, _ = run(root, tmp_path / "r", capsys)
    about = root / "src/02_activations/ABOUT.md"
    os.utime(about, ns=(about.stat().st_atime_ns, about.stat().st_mtime_ns + 10**9))
    _, touched, _ = run(root, tmp_path / "r", capsys)
    assert touched == served and touched.count("(from cache, run ") == 6


def test_what_a_fresh_run_keeps_for_replay_is_what_a_served_run_makes(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A fresh run keeps its own summary and its untimed reports (Markdown, SARIF) for the
    replay of the next run: they must be what a run served from cache makes of the same
    results when it renders them all itself."""
    root = make_course()
    about = root / "src/02_activations/ABOUT.md"
    about.write_text(about.read_text().replace("## Overview", "## Intro"))
    run(root, tmp_path / "r", capsys)
    code, replayed, _ = run(root, tmp_path / "r", capsys)
    kept = texts(tmp_path / "r")
    cache = Path(os.environ["TINYRELEASE_CACHE_DIR"])
    for made in ("replay", "reports"):  # what the fresh run kept: the next run makes its own
        shutil.rmtree(cache / made)
    again, served, _ = run(root, tmp_path / "r", capsys)
    assert (again, served) == (code, replayed)
    assert code == 1 and "src/02_activations/ABOUT.md" in served
    assert served.count("(from cache, run ") == 6
    assert texts(tmp_path / "r") == kept
