"""No release without evidence, from snapshots built in memory: gates that passed having run no
test, or without a gate the release needs, stop the release at its first step (before anything
is branched, bumped or tagged), with one line naming the fix; what they ran is in the step's why.
"""

from __future__ import annotations

import json
from pathlib import Path

from snapshots import course, final, plan_of, rc

from tinyrelease.release.evidence import Evidence, read_evidence
from tinyrelease.release.model import Kind

SIX = (("educational", "pass"), ("implementation", "pass"), ("testing", "pass"),
       ("package", "pass"), ("documentation", "pass"), ("systems", "pass"))
SUITES = ("tests/01_tensor", "tests/02_activations", "tests/integration")


def test_gates_that_ran_tests_are_evidence() -> None:
    evidence = Evidence("pass", "standard", gates=SIX, tests=28, passed=28, suites=SUITES)
    plan = plan_of(course(), rc(Kind.MINOR, "0.2.0"), gates="pass", evidence=evidence)
    gates = plan.steps[0]
    assert (gates.key, gates.status, gates.why) == (
        "gates", "done", "pass (28 tests passed in 3 suites, 2 modules)")
    assert plan.refusal is None


def test_gates_that_ran_no_test_stop_the_release_before_anything() -> None:
    empty = Evidence("pass", "standard", gates=SIX, tests=0, passed=0,
                     steps_skipped=("tests/01_tensor: no tests collected",))
    plan = plan_of(course(), rc(Kind.MINOR, "0.2.0"), gates="pass", evidence=empty)
    why = ("the gates passed with 0 tests run (0 collected; skipped: tests/01_tensor: no tests "
           "collected): a release needs its tests to run; make the course's suites collect and "
           "pass (python -m checks --gate testing -v), then run the release again")
    assert [(s.key, s.status) for s in plan.steps[:3]] == [
        ("gates", "blocked"), ("branch", "todo"), ("version", "todo")]
    # refused before the release branch is created: it would start at the commit judged
    assert plan.refusal == why and plan.pending == []
    direct = plan_of(course(), final(Kind.HOTFIX, "0.1.1"), gates="pass", evidence=empty)
    assert direct.refusal is None  # a hotfix's quick level runs no suites by design


def test_a_gate_missing_from_the_report_is_no_evidence() -> None:
    four = Evidence("pass", "standard", gates=SIX[:2] + SIX[3:5], tests=28, passed=28)
    plan = plan_of(course(), final(Kind.PATCH, "0.1.1"), gates="pass", evidence=four)
    assert plan.refusal == (
        "the gates report does not hold every gate a standard release needs (testing, "
        "systems): run all six gates at level standard (python -m checks --level standard), "
        "then the release again")
    skipped = Evidence("skipped", reason="gates ran on rc1")
    assert plan_of(course(), final(Kind.PATCH, "0.1.1"), gates="skipped: gates ran on rc1",
                   evidence=skipped).refusal is None  # the maintainer's skip, with its reason


def test_the_evidence_is_read_from_the_gates_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"status": "pass", "level": "standard", "partial": False,
                                  "gates": [{"name": name, "status": status, "artifacts": {
                                      "tests": 28, "passed": 27, "suites": list(SUITES)}
                                      if name == "testing" else {}} for name, status in SIX]}))
    evidence = read_evidence(report)
    assert evidence is not None and (evidence.tests, evidence.passed) == (28, 27)
    assert evidence.modules == ("01_tensor", "02_activations")
    assert evidence.record()["gates"] == dict(SIX)
    assert read_evidence(tmp_path / "none.json") is None
