"""Runs that tell the truth: a partial run never passes for a full one, every skipped check
says why in every report, `--select` narrows the execution gates, the cache notices the
machine, and `python -m checks` accepts the options `nox -s gates` does."""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.etree import ElementTree

import pytest
from coursebuilder import CourseFactory

from tinyrelease.checks import environment
from tinyrelease.checks.cache import course_digest, gate_key
from tinyrelease.checks.cli import main


def report(folder: Path) -> dict:
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a temp folder, so the default report folder is `tmp/build/gates`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_partial_run_writes_beside_the_full_reports(make_course: CourseFactory, in_tmp: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course()
    full = in_tmp / "build" / "gates"
    assert main(["--course", str(root), "--static-only", "--report-dir", str(full)]) == 0
    before = (full / "report.json").read_bytes()
    capsys.readouterr()
    assert main(["--course", str(root), "--select", "IMP101"]) == 0
    out = capsys.readouterr().out
    partial = report(full / "partial")
    assert (full / "report.json").read_bytes() == before  # the full report is untouched
    assert partial["status"] == "partial" and partial["scope"] == ["--select IMP101"]
    assert "partial run: --select IMP101" in out and "Gates PARTIAL" in out
    assert "not a release verdict" in out


def test_a_partial_report_says_so_in_every_format(make_course: CourseFactory,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "r"
    main(["--course", str(make_course()), "--gate", "systems", "--report-dir", str(out),
          "--static-only"])
    assert "PARTIAL RUN, NOT A VERDICT" in (out / "report.md").read_text(encoding="utf-8")
    junit = ElementTree.parse(out / "junit.xml").getroot()
    assert junit.get("name") == "tinyrelease gates (partial run)"
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["properties"]["partial"] is True
    assert report(out)["scope"] == ["--gate systems", "--static-only"]


def test_every_skipped_check_carries_its_reason(make_course: CourseFactory, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r"
    main(["--course", str(make_course()), "--level", "quick", "--gate", "package",
          "--report-dir", str(out)])
    terminal = capsys.readouterr().out
    skipped = report(out)["gates"][0]["skipped"]
    why = "runs the course: runs at the standard and comprehensive levels"
    assert skipped["PKG204"] == why and skipped["PKG121"].startswith("not a quick check")
    assert f"PKG201-PKG210: {why}" in terminal
    case = next(c for c in ElementTree.parse(out / "junit.xml").getroot().iter("testcase")
                if c.get("name", "").startswith("PKG204 "))
    assert case.find("skipped").get("message") == why  # type: ignore[union-attr]
    notes = json.loads((out / "report.sarif").read_text())["runs"][0]["invocations"][0][
        "toolExecutionNotifications"]
    assert {"level": "note", "descriptor": {"id": "PKG204"},
            "message": {"text": f"PKG204 skipped: {why}"}} in notes
    assert f"| PKG201-PKG210 | {why} |" in (out / "report.md").read_text(encoding="utf-8")


def test_a_skipped_changelog_check_is_not_a_passing_case(make_course: CourseFactory,
                                                         tmp_path: Path) -> None:
    """The example course has no towncrier: PKG209 is skipped with that reason, not passed."""
    out = tmp_path / "r"
    main(["--course", str(make_course()), "--gate", "package", "--select", "PKG209",
          "--report-dir", str(out)])
    gate = report(out)["gates"][0]
    assert gate["checks"] == []
    assert gate["skipped"] == {"PKG209": "the course has no [tool.towncrier] configuration"}


def test_select_narrows_the_execution_gates(make_course: CourseFactory, tmp_path: Path) -> None:
    out = tmp_path / "r"
    main(["--course", str(make_course()), "--select", "TST2", "--report-dir", str(out)])
    gates = {g["name"]: g for g in report(out)["gates"]}
    assert gates["testing"]["artifacts"]["tests"] == 4
    assert gates["package"]["status"] == "skipped" and gates["package"]["artifacts"] == {}
    assert gates["documentation"]["checks"] == []  # no book was built
    assert not (out / "work" / "package").exists() and not (out / "work" / "documentation"
                                                              / "book").exists()


def test_installing_chromium_changes_the_documentation_gates_key(
        make_course: CourseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_digest(make_course())
    fake = tmp_path / "chromium"
    monkeypatch.setattr(environment, "CHROMIUM", fake)
    without = gate_key(course, "documentation", {}, "standard")
    assert gate_key(course, "educational", {}, "standard") == gate_key(
        course, "educational", {}, "standard")
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert gate_key(course, "documentation", {}, "standard") != without
    assert environment.will_skip(["documentation"], "standard", True) == []


def test_the_gates_say_what_they_will_skip(make_course: CourseFactory, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(environment, "CHROMIUM", tmp_path / "no-chromium")
    main(["--course", str(make_course()), "--gate", "documentation", "--select", "DOC22",
          "--report-dir", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert "Will skip: DOC221-DOC223 (no Chromium: sudo apt-get install chromium)" in out
    skipped = report(tmp_path / "r")["gates"][0]["skipped"]
    assert set(skipped) == {"DOC221", "DOC222", "DOC223"}


def test_checks_accepts_the_runner_options(make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course()
    args = ["--course", str(root), "--static-only", "--report-dir", str(tmp_path / "r")]
    assert main([*args, "-j", "2", "--no-cache", "--cache-dir", str(tmp_path / "c")]) == 0
    assert main([*args, "--cache-dir", str(tmp_path / "c")]) == 0
    assert all(g["cached"] for g in report(tmp_path / "r")["gates"])
    assert list((tmp_path / "c" / "gates").glob("*.json"))


def test_a_cache_inside_the_course_is_refused(make_course: CourseFactory, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course()
    code = main(["--course", str(root), "--static-only", "--cache-dir", str(root / "cache"),
                 "--report-dir", str(tmp_path / "r")])
    assert code == 2
    assert "is inside the course" in capsys.readouterr().err


def test_a_planted_parse_cache_is_never_loaded(make_course: CourseFactory, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A pickle in the cache folder without our signature is ignored, not unpickled."""
    import pickle

    from tinyrelease.checks.cache import ParseCache

    proof = tmp_path / "executed"

    class Planted:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {proof}",))

    path = tmp_path / "c" / "parsed.pickle"
    path.parent.mkdir()
    path.write_bytes(pickle.dumps({"version": "0.1.0", "entries": {"x": Planted()}}) + b"0" * 32)
    cache = ParseCache(path)
    assert cache.entries == {} and not proof.exists()
