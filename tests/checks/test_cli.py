"""`python -m checks` as a maintainer uses it: exit codes, terminal output, waivers, levels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from coursebuilder import SETTINGS, CourseFactory

from tinyrelease.checks.cli import main

BROKEN_VERSION = {"settings.ini": SETTINGS.replace("version = 0.1.0", "version = 0.2.0")}


def run_cli(root: Path, tmp_path: Path, *args: str, execute: bool = False) -> tuple[int, dict]:
    """Run the CLI; static checks only unless the test is about execution (builds take s)."""
    static = [] if execute else ["--static-only"]
    code = main(["--course", str(root), "--report-dir", str(tmp_path / "r"), *static, *args])
    return code, json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))


def test_clean_course_exits_zero(make_course: CourseFactory, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_cli(make_course(), tmp_path, execute=True)
    out = capsys.readouterr().out
    assert code == 0
    testing = next(g for g in report["gates"] if g["name"] == "testing")
    assert "TST201" in testing["checks"] and testing["artifacts"]["tests"] == 4
    assert report["status"] == "pass"
    assert "Gates PASS" in out
    assert [g["name"] for g in report["gates"]] == ["educational", "implementation", "testing",
                                                   "package", "documentation", "systems"]


def test_an_error_fails_with_path_and_line(make_course: CourseFactory, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_cli(make_course(BROKEN_VERSION), tmp_path)
    out = capsys.readouterr().out
    assert code == 1
    package = next(g for g in report["gates"] if g["name"] == "package")
    assert package["status"] == "fail"
    finding = next(f for f in package["findings"] if f["code"] == "PKG124")
    assert finding["path"] == "settings.ini" and finding["line"] == 6
    assert "settings.ini:6: PKG124" in out
    assert "Gates FAIL" in out


def test_every_gate_runs_after_a_failing_one(make_course: CourseFactory, tmp_path: Path) -> None:
    broken = dict(BROKEN_VERSION)
    broken["src/01_tensor/ABOUT.md"] = None
    _, report = run_cli(make_course(broken), tmp_path)
    statuses = {g["name"]: g["status"] for g in report["gates"]}
    assert statuses["educational"] == "fail" and statuses["package"] == "fail"
    assert statuses["systems"] == "pass"


def test_waiver_reports_the_finding_as_waived(make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course({**BROKEN_VERSION, "tinyrelease.toml":
                        '[ignore]\nPKG124 = "settings.ini is bumped by the release task"\n'})
    code, report = run_cli(root, tmp_path)
    waived = [f for g in report["gates"] for f in g["findings"] if f["code"] == "PKG124"]
    assert code == 0
    assert waived and all(f["waived"] == "settings.ini is bumped by the release task"
                          for f in waived)


def test_waiver_per_module_only_covers_that_module(make_course: CourseFactory,
                                                   tmp_path: Path) -> None:
    from coursebuilder import PYPROJECT, about
    broken = {f"src/0{n}_{t}/ABOUT.md": about(n).replace("## Overview", "## Summary")
              for n, t in ((1, "tensor"), (2, "activations"))}
    config = PYPROJECT + '\n[tool.tinyrelease.modules.01_tensor.ignore]\nDOC = "rewriting"\n'
    code, report = run_cli(make_course({**broken, "pyproject.toml": config}), tmp_path)
    doc = next(g for g in report["gates"] if g["name"] == "documentation")["findings"]
    assert {f["module"]: f["waived"] for f in doc} == {"01_tensor": "rewriting",
                                                       "02_activations": None}
    assert code == 1


def test_select_runs_only_matching_codes(make_course: CourseFactory, tmp_path: Path) -> None:
    _, report = run_cli(make_course(BROKEN_VERSION), tmp_path, "--select", "EDU")
    assert all(code.startswith("EDU") for g in report["gates"] for code in g["checks"])
    assert report["status"] == "partial" and report["partial"] is True
    assert report["scope"] == ["--select EDU", "--static-only"]


def test_quick_level_runs_only_quick_checks(make_course: CourseFactory, tmp_path: Path) -> None:
    from tinyrelease.checks.catalog import all_checks
    from tinyrelease.checks.registry import GATES, session_code
    _, report = run_cli(make_course(), tmp_path, "--level", "quick")
    quick = {c.code for c in all_checks() if c.quick}
    ran = {code for g in report["gates"] for code in g["checks"]}
    skipped = {code for g in report["gates"] for code in g["skipped"]}
    assert report["level"] == "quick"
    assert ran == quick and quick
    sessions = {session_code(gate) for gate in GATES}  # reported only when a session breaks
    assert skipped == {c.code for c in all_checks()} - quick - sessions


def test_one_gate(make_course: CourseFactory, tmp_path: Path) -> None:
    _, report = run_cli(make_course(BROKEN_VERSION), tmp_path, "--gate", "systems")
    assert [g["name"] for g in report["gates"]] == ["systems"]


def test_usage_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--gate", "nosuch"], ["--level", "extreme"], ["--explain", "XYZ999"],
                 ["--course", str(tmp_path / "missing")]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("tinyrelease: error:"), err


def test_explain_prints_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--explain", "edu001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("EDU001 ") and "Why:" in out and "Fix:" in out


def test_course_root_from_environment(make_course: CourseFactory, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(make_course(BROKEN_VERSION)))
    assert main(["--report-dir", str(tmp_path / "r"), "--static-only"]) == 1


def test_module_entry_point_runs_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "checks", "--course", str(tmp_path)],
                            capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no course modules found" in result.stderr
