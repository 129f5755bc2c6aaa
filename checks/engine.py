"""Running the declared checks over a course: gate by gate, for a level, with selection and
waivers, into a `GatesReport` every renderer reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tinyrelease.checks.catalog import all_checks
from tinyrelease.checks.conventions import Conventions
from tinyrelease.checks.course import Course
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.registry import GATES, PREFIXES, Check, session_code
from tinyrelease.checks.results import LEVELS, GateResult, GatesReport, now

if TYPE_CHECKING:  # the execution parts are imported only by a run that executes
    from tinyrelease.checks.execution.gates import Execution

__all__ = ["LEVELS", "GateResult", "GatesReport", "now", "run_gate", "run_gates",
           "select_checks", "waive"]
NOT_AT_QUICK = "runs at the standard and comprehensive levels"


def select_checks(gates: list[str] | None = None, select: list[str] | None = None) -> list[Check]:
    """The checks of the chosen gates whose code starts with one of the selected prefixes."""
    prefixes = tuple(p.upper() for p in select or [])
    return [c for c in all_checks()
            if (not gates or c.gate in gates) and (not prefixes or c.code.startswith(prefixes))]


def run_gates(course: Course, gates: list[str] | None = None, level: str = "standard",
              select: list[str] | None = None,
              progress: Callable[[str, GateResult | None], None] | None = None,
              execution: Execution | None = None) -> GatesReport:
    """Run every chosen gate (never stopping at a failing one); `progress` hears each start
    (with None) and each end (with the result)."""
    results = []
    for gate in [g for g in GATES if not gates or g in gates]:
        if progress:
            progress(gate, None)
        result = run_gate(course, gate, level, select, execution)
        results.append(result)
        if progress:
            progress(gate, result)
    return GatesReport(course.summary(), level, results)


def run_gate(course: Course, gate: str, level: str = "standard",
             select: list[str] | None = None, execution: Execution | None = None,
             static: bool = True) -> GateResult:
    """One gate: its static checks (unless `static` is False), then its execution part."""
    chosen = [c for c in select_checks([gate], select) if c.code != session_code(gate)]
    result = GateResult(gate)
    started = time.perf_counter()
    conventions = course.conventions
    for item in (c for c in chosen if not c.execution and static):
        if level == "quick" and not item.quick:
            result.skipped[item.code] = f"not a quick check: {NOT_AT_QUICK}"
            continue
        if item.convention and not conventions.on(item.convention):
            result.skipped[item.code] = ("checks a convention the course does not follow; "
                                         f"conventions: {conventions.describe()}")
            continue
        result.checks_run.append(item.code)
        found = _run_one(item, course)
        if item.convention:
            found = [_as_convention(f, conventions) for f in found]
        result.findings.extend(waive(course, f) for f in found)
    _execute(gate, result, execution, level, [c.code for c in chosen if c.execution])
    result.findings = _one_per_place(result.findings,
                                     {c.code for c in chosen if c.execution and c.folds},
                                     {c.code for c in chosen if c.execution and not c.folds})
    result.duration_s = time.perf_counter() - started
    result.findings.sort(key=_order)
    return result


def _execute(gate: str, result: GateResult, execution: Execution | None, level: str,
             wanted: list[str]) -> None:
    """The gate's execution part (tests, builds), at the standard and comprehensive levels;
    it runs only the steps whose codes were selected. A run that executes nothing never looks
    the executors up (an entry-point scan, and the imports of every execution part)."""
    codes = [code for code in wanted if code.startswith(PREFIXES[gate])]
    if not codes:
        return
    if level == "quick":
        result.skip(codes, f"runs the course: {NOT_AT_QUICK}")
        return
    if execution is None:
        result.skip(codes, "runs the course: --static-only was asked for")
        return
    from tinyrelease.checks.execution.gates import executors

    executor = executors().get(gate)
    if executor is None:
        result.skip(codes, f"the {gate} gate's execution part is not installed (pip install "
                    "-e . registers it)")
        return
    outcome = executor(execution, set(codes))
    result.checks_run += [code for code in codes if code in outcome.ran]
    for code in codes:
        if code not in outcome.ran:
            result.skipped[code] = outcome.skipped.get(code, "not run by this execution")
    result.findings += [waive(execution.course, f) for f in outcome.findings if f.code in codes]
    result.skipped_steps += outcome.steps_skipped
    result.cached_steps.update(outcome.steps_cached)
    result.notes += outcome.notes
    result.artifacts.update(outcome.artifacts)


def _one_per_place(findings: list[Finding], executed: set[str],
                   apart: frozenset[str] | set[str] = frozenset()) -> list[Finding]:
    """A run that fails where a static finding already points (a test file importing a module
    the sources no longer export) is the same cause: the static finding says so once. Findings
    of the `apart` codes are their own cause wherever they point."""
    static = [f for f in findings if f.code not in executed and f.code not in apart]
    where: dict[tuple[str | None, int | None], int] = {}
    for index, finding in enumerate(static):
        for place in ((finding.path, finding.line), *finding.places):
            if place[0] is not None:
                where.setdefault(place, index)
    files = {f.path: i for i, f in enumerate(static) if f.path and f.code.endswith("103")}
    kept = []
    for finding in (f for f in findings if f.code in executed):
        places = [(finding.path, finding.line), *finding.places]
        owners = {where[p] for p in places if p in where}
        if not owners and finding.path in files and "failed to import" in finding.message:
            owners = {files[finding.path]}  # a file that does not parse fails to import
            places = [p for p in places if p[0] == finding.path]
            where.update({p: files[finding.path] for p in places})
        if len(owners) == 1 and all(p in where for p in places):
            owner = owners.pop()
            if "the test run fails there too" not in static[owner].message:
                static[owner] = replace(static[owner], message=static[owner].message
                                        + f" (the test run fails there too: {finding.code})")
        else:
            kept.append(finding)
    return static + kept + [f for f in findings if f.code in apart]


def _as_convention(finding: Finding, conventions: Conventions) -> Finding:
    """A convention the course did not state (it was detected), or stated as warnings, is
    never an error: taste does not block a release unless the course says so."""
    if conventions.severity == "error" and conventions.stated:
        return finding if finding.severity is Severity.INFO else replace(
            finding, severity=Severity.ERROR)
    if finding.severity is Severity.ERROR and (not conventions.stated
                                               or conventions.severity == "warning"):
        return replace(finding, severity=Severity.WARNING)
    return finding


def _run_one(item: Check, course: Course) -> list[Finding]:
    try:
        return item.run(course)
    except Exception as error:  # noqa: BLE001 - one broken check must not hide the others
        return [Finding(item.code, f"internal error in check {item.code}: "
                        f"{type(error).__name__}: {error} (please report this)")]


def waive(course: Course, finding: Finding) -> Finding:
    per_module = course.config.module_ignore.get(finding.module or "", {})
    for table in (per_module, course.config.ignore):
        reason = next((r for code, r in table.items() if finding.code.startswith(code)), None)
        if reason is not None:
            return finding.waive(reason)
    return finding


def _order(finding: Finding) -> tuple[object, ...]:
    return (finding.module or "~", finding.path or "", finding.line or 0, finding.code)
