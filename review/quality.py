"""Quality Assurance: test results of two runs (a test failing in one of them is unstable),
coverage per module, tests of errors and boundaries, and slow tests.
"""

from __future__ import annotations

from collections import defaultdict

from tinyrelease.checks.findings import Severity
from tinyrelease.review import sourcecode
from tinyrelease.review.evidence import Evidence, TestCase
from tinyrelease.review.model import Item, Priority, Report, Table

_RUN_FINDINGS = ("TST201", "TST202")   # failures: judged from the runs themselves


def review(evidence: Evidence) -> Report:
    report = Report("quality")
    for finding in (f for f in evidence.gate("testing") if f.waived is None):
        # failures come grouped by cause from the testing gate: one item, one effort, per cause
        code = "QA101" if finding.code in _RUN_FINDINGS else "QA100"
        report.items.append(Item(code, f"{finding.code}: {finding.message}"
                                 f"{finding.also(limit=3)}", finding.path, finding.line,
                                 finding.module,
                                 None if finding.severity is Severity.ERROR else Priority.LOW))
    if not evidence.runs:
        why = ("the review ran the static checks only" if not evidence.executed
               else "the suites left no results (see the testing gate's items)")
        report.items.append(Item("QA001", f"test results not measured: {why}"))
        report.notes.append(f"No test run: {why}.")
        return report
    outcomes = _outcomes(evidence.runs)
    for test_id, cases in sorted(outcomes.items()):
        failed = [c for c in cases if c.outcome == "failed"]
        first = failed[0] if failed else cases[0]
        if failed and len(failed) < len(cases):  # failing in every run: the gate's items
            report.items.append(Item(
                "QA102", f"{test_id} failed in {len(failed)} of {len(cases)} runs ({first.message}"
                "): it depends on state, order or time; make it deterministic",
                first.file, first.line, _module_of(evidence, first.file)))
        slowest = max(c.time for c in cases)
        if slowest > evidence.settings.slow_test_s:
            report.items.append(Item("QA131", f"{test_id} takes {slowest:.1f} s (over "
                                     f"{evidence.settings.slow_test_s:g} s, review.slow_test_s)",
                                     first.file, first.line, _module_of(evidence, first.file)))
    report.tables.append(_per_module(evidence, outcomes, report))
    report.tables.append(_slowest(outcomes))
    report.notes.append(f"{len(outcomes)} tests, run {len(evidence.runs)} times; coverage of "
                        f"the package {_percent(evidence.coverage_total)} (threshold "
                        f"{evidence.threshold:g}%)")
    return report


def _outcomes(runs: list[dict[str, TestCase]]) -> dict[str, list[TestCase]]:
    found: dict[str, list[TestCase]] = defaultdict(list)
    for run in runs:
        for test_id, case in run.items():
            if case.outcome != "skipped":
                found[test_id].append(case)
    return found


def _module_of(evidence: Evidence, file: str) -> str | None:
    parts = file.split("/")
    return parts[1] if len(parts) > 2 and evidence.course.module(parts[1]) else None


def _per_module(evidence: Evidence, outcomes: dict[str, list[TestCase]], report: Report
                ) -> Table:
    table = Table("Tests per module", ["module", "tests", "failed", "unstable", "coverage",
                                       "edge-case tests"])
    course = evidence.course
    for module in course.modules:
        mine = [cases for test_id, cases in outcomes.items()
                if test_id.startswith(f"tests/{module.id}/")]
        failed = sum(1 for cases in mine if all(c.outcome == "failed" for c in cases))
        unstable = sum(1 for cases in mine if 0 < sum(c.outcome == "failed" for c in cases)
                       < len(cases))
        edge = sum(1 for t in sourcecode.module_tests(course, module) if t.edge_case)
        coverage = evidence.coverage.get(module.id)
        table.rows.append([module.id, str(len(mine)), str(failed), str(unstable),
                           _percent(coverage), str(edge)])
        if coverage is not None and coverage < evidence.threshold:
            report.items.append(Item("QA111", f"{module.id}: coverage {coverage:.0f}% of the "
                                     f"code it exports, under {evidence.threshold:g}%",
                                     f"tests/{module.id}", None, module.id))
        if mine and edge == 0:
            report.items.append(Item("QA121", f"{module.id}: none of its tests checks an error "
                                     "(pytest.raises) or a boundary value (0, -1, empty, inf)",
                                     f"tests/{module.id}", None, module.id))
    shared = [i for i in outcomes if not any(i.startswith(f"tests/{m.id}/")
                                             for m in course.modules)]
    if shared:
        table.rows.append(["(course-wide suites)", str(len(shared)), "", "", "", ""])
    return table


def _slowest(outcomes: dict[str, list[TestCase]]) -> Table:
    table = Table("Slowest tests", ["test", "seconds (slowest run)"])
    ranked = sorted(outcomes.items(), key=lambda kv: -max(c.time for c in kv[1]))
    table.rows = [[test_id, f"{max(c.time for c in cases):.3f}"] for test_id, cases in ranked[:5]]
    return table


def _percent(value: float | None) -> str:
    return f"{value:.0f}%" if value is not None else "-"
