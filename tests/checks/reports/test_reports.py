"""The four reports say what the gates found, in the shapes their consumers read."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from coursebuilder import SETTINGS, CourseFactory

from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import run_gates
from tinyrelease.checks.reports import write_reports

FINDING_KEYS = {"code", "severity", "module", "path", "line", "message", "waived", "places"}


@pytest.fixture
def reports(make_course: CourseFactory, tmp_path: Path) -> Path:
    root = make_course({"settings.ini": SETTINGS.replace("version = 0.1.0", "version = 0.2.0"),
                        "src/02_activations/ABOUT.md": None})
    write_reports(run_gates(load_course(root)), tmp_path / "out")
    return tmp_path / "out"


def test_json_has_the_documented_shape(reports: Path) -> None:
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert report["tool"]["name"] == "tinyrelease"
    assert report["course"]["layout"] == "src"
    assert report["course"]["modules"][0] == "01_tensor"
    assert report["level"] == "standard" and report["status"] == "fail"
    for gate in report["gates"]:
        assert {"name", "status", "duration_s", "findings"} <= set(gate)
        for finding in gate["findings"]:
            assert set(finding) == FINDING_KEYS
    package = next(g for g in report["gates"] if g["name"] == "package")
    assert any(f["code"] == "PKG124" and f["path"] == "settings.ini" for f in package["findings"])


def test_markdown_readiness_report_is_built_from_results(reports: Path) -> None:
    text = (reports / "report.md").read_text(encoding="utf-8")
    assert "**NOT READY**" in text
    assert "| package | fail |" in text
    assert "`PKG124` error `settings.ini:6`" in text
    assert "| 01_tensor | Tensor | 2-3 hours | ⭐ |" in text
    assert "| 02_activations |  | ? | ? |" in text


def test_junit_has_a_failure_per_failing_check(reports: Path) -> None:
    root = ElementTree.parse(reports / "junit.xml").getroot()
    package = next(s for s in root if s.get("name") == "package")
    failing = [case.get("name") for case in package if case.find("failure") is not None]
    assert any(name.startswith("PKG124 ") for name in failing)
    systems = next(s for s in root if s.get("name") == "systems")
    assert systems.get("failures") == "0"


def test_sarif_locates_findings_on_lines(reports: Path) -> None:
    sarif = json.loads((reports / "report.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    result = next(r for r in run["results"] if r["ruleId"] == "PKG124")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "settings.ini"
    assert location["region"]["startLine"] == 6
    assert rule_ids[result["ruleIndex"]] == "PKG124"
    assert result["level"] == "error"


def test_a_clean_course_is_ready(make_course: CourseFactory, tmp_path: Path) -> None:
    write_reports(run_gates(load_course(make_course())), tmp_path)
    assert "**READY**: no gate failed." in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.tmp"))
