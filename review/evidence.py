"""Gathering the evidence the reviewers read: the six gates (with the course's suites and its
package built for real), a second run of the suites, per-module coverage, ruff, pip check.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from xml.etree import ElementTree

from tinyrelease.checks.course import Course
from tinyrelease.checks.engine import GatesReport, run_gates
from tinyrelease.checks.execution.gates import Execution
from tinyrelease.checks.execution.testing import _module_coverage, plan_suites, run_suites
from tinyrelease.checks.process import run
from tinyrelease.review.environment import EnvironmentCheck, check_environment, requires_dist
from tinyrelease.review.model import ReviewSettings, load_settings

Progress = Callable[[str], None]
# the gates the reviewers read (documentation and systems are the gates' own business)
REVIEWED_GATES = ["educational", "implementation", "testing", "package"]


@dataclass(frozen=True)
class TestCase:
    """One test of one run, from pytest's JUnit XML."""

    id: str
    file: str
    outcome: str       # passed | failed | skipped
    time: float
    message: str = ""
    line: int | None = None


@dataclass
class Evidence:
    course: Course
    settings: ReviewSettings
    gates: GatesReport
    executed: bool = False
    runs: list[dict[str, TestCase]] = field(default_factory=list)
    coverage: dict[str, float] = field(default_factory=dict)
    coverage_total: float | None = None
    threshold: float = 80.0
    wheel: Path | None = None
    requires: list[str] = field(default_factory=list)
    environment: EnvironmentCheck | None = None
    ruff: list[dict] | None = None
    ruff_problem: str | None = None

    def gate(self, name: str) -> list:
        return next((g.findings for g in self.gates.gates if g.name == name), [])

    def skipped(self, name: str) -> dict[str, str]:
        """The checks of a gate that did not run, each with why."""
        return next((g.skipped for g in self.gates.gates if g.name == name), {})

    def artifacts(self, name: str) -> dict[str, object]:
        return next((g.artifacts for g in self.gates.gates if g.name == name), {})


def gather(course: Course, work: Path, execute: bool = True, level: str = "standard",
           progress: Progress | None = None) -> Evidence:
    """Everything the four reviewers need, measured now. Without `execute`, only the static
    checks and ruff run (the QA and packaging reviewers then say what was not measured)."""
    say = progress or (lambda _text: None)
    settings = load_settings(course)
    work = work.resolve()
    execution = Execution(course, level, work) if execute else None
    say("gates" + (" (suites and package build included)" if execute else " (static)"))
    gates = run_gates(course, REVIEWED_GATES, level=level, execution=execution)
    evidence = Evidence(course, settings, gates, executed=execute)
    evidence.ruff, evidence.ruff_problem = run_ruff(course)
    if execution is None:
        return evidence
    evidence.threshold = execution.coverage_threshold
    copy, export = execution.exported
    first = read_junit(work / "testing" / "junit.xml")
    if first is not None:
        evidence.runs.append(first)
        for again in range(2, settings.runs + 1):
            say(f"suites, run {again} of {settings.runs}")
            evidence.runs.append(_run_again(course, copy, work / f"testing-run{again}"))
    evidence.coverage, evidence.coverage_total = read_coverage(course, work / "testing")
    wheel = next(iter(sorted((work / "package" / "dist").glob("*.whl"))), None)
    if wheel is not None:
        say("fresh environment: pip install the wheel, pip check")
        evidence.wheel, evidence.requires = wheel, requires_dist(wheel)
        evidence.environment = check_environment(wheel, course.root, work / "pip-check-venv")
    return evidence


def _run_again(course: Course, copy: Path, scratch: Path) -> dict[str, TestCase]:
    scratch.mkdir(parents=True, exist_ok=True)
    suites, _ = plan_suites(course, None, False)
    if suites:
        run_suites(suites, copy, None, scratch)
    return read_junit(scratch / "junit.xml") or {}


def read_junit(path: Path) -> dict[str, TestCase] | None:
    """The tests of one pytest run by id; None when the run left no readable report."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    cases = {}
    for case in root.iter("testcase"):
        file = case.get("file") or case.get("classname", "").replace(".", "/") + ".py"
        name, classname = case.get("name", "?"), case.get("classname", "")
        test_id = f"{file}::{name}"
        if classname.count(".") > file.count("/"):  # a method of a test class
            test_id = f"{file}::{classname.rsplit('.', 1)[-1]}::{name}"
        problem = next(iter([*case.findall("failure"), *case.findall("error")]), None)
        outcome = ("failed" if problem is not None else
                   "skipped" if case.find("skipped") is not None else "passed")
        message = (problem.get("message") or "failed").split("\n")[0][:200] if problem else ""
        written = case.get("line") or ""
        line = int(written) + 1 if written.isdigit() else None
        cases[test_id] = TestCase(test_id, file, outcome, float(case.get("time") or 0), message,
                                  line)
    return cases


def read_coverage(course: Course, scratch: Path) -> tuple[dict[str, float], float | None]:
    """Coverage per module (of the file it exports to) and in total, from the testing gate."""
    try:
        data = json.loads((scratch / "coverage.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}, None
    rows = _module_coverage(course, data.get("files", {}))
    return ({module: percent for module, _, percent in rows},
            float(data.get("totals", {}).get("percent_covered", 0.0)))


def ruff_command() -> list[str] | None:
    if find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    found = shutil.which("ruff")
    return [found] if found else None


def run_ruff(course: Course) -> tuple[list[dict] | None, str | None]:
    """ruff's JSON findings on the module sources, with the course's own ruff settings."""
    command = ruff_command()
    sources = [m.source_path for m in course.modules if m.source is not None]
    if command is None:
        return None, "ruff is not installed (pip install ruff, or the review dependency group)"
    if not sources:
        return [], None
    # without a ruff config of its own, the course gets ruff's defaults, not the settings of
    # whatever project happens to contain it
    isolated = [] if _has_ruff_config(course) else ["--isolated"]
    done = run([*command, "check", *isolated, "--output-format", "json", "--no-cache",
                "--exit-zero", *sources], cwd=course.root, timeout=300)
    try:
        found = json.loads(done.output[done.output.find("["):]) if done.ok else None
    except json.JSONDecodeError:
        found = None
    if found is None:
        return None, f"ruff failed: {done.tail(2)}"
    root = str(course.root.resolve())
    for entry in found:
        entry["filename"] = str(entry.get("filename", "")).removeprefix(root + "/")
    return found, None


def _has_ruff_config(course: Course) -> bool:
    if (course.root / "ruff.toml").is_file() or (course.root / ".ruff.toml").is_file():
        return True
    data = course.pyproject.data if course.pyproject else {}
    return isinstance(data.get("tool"), dict) and "ruff" in data["tool"]
