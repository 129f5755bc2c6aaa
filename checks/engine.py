"""Running the declared checks over a course: gate by gate, for a level, with selection and
waivers, into a `GatesReport` every renderer reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from checks import __version__
from checks.course import Course
from checks.execution.gates import EXECUTORS, Execution
from checks.findings import Finding, Severity
from checks.registry import GATES, PREFIXES, Check, all_checks, session_code

LEVELS = ("quick", "standard", "comprehensive")


@dataclass
class GateResult:
    name: str
    findings: list[Finding] = field(default_factory=list)
    duration_s: float = 0.0
    checks_run: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)
    artifacts: dict[str, object] = field(default_factory=dict)
    cached: bool = False

    @property
    def status(self) -> str:
        if not self.checks_run:
            return "skipped"
        return "fail" if any(f.counts for f in self.findings) else "pass"

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity and f.waived is None)

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.waived is not None)


@dataclass
class GatesReport:
    course: Course
    level: str
    gates: list[GateResult]

    @property
    def status(self) -> str:
        return "fail" if any(g.status == "fail" for g in self.gates) else "pass"

    @property
    def findings(self) -> list[Finding]:
        return [f for gate in self.gates for f in gate.findings]

    def to_json(self) -> dict[str, object]:
        course = self.course
        return {
            "tool": {"name": "tinyrelease", "version": __version__},
            "course": {"root": str(course.root), "layout": course.layout.name,
                       "modules": [m.id for m in course.modules]},
            "level": self.level,
            "status": self.status,
            "gates": [{"name": g.name, "status": g.status, "duration_s": round(g.duration_s, 4),
                       "checks": g.checks_run, "skipped": g.skipped,
                       "skipped_steps": g.skipped_steps, "artifacts": g.artifacts,
                       "cached": g.cached,
                       "findings": [f.to_json() for f in g.findings]} for g in self.gates],
        }


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
    chosen = select_checks(gates, select)
    results = []
    for gate in [g for g in GATES if not gates or g in gates]:
        if progress:
            progress(gate, None)
        result = GateResult(gate)
        started = time.perf_counter()
        for item in (c for c in chosen if c.gate == gate):
            if item.execution:
                continue
            if level == "quick" and not item.quick:
                result.skipped.append(item.code)
                continue
            result.checks_run.append(item.code)
            result.findings.extend(_waive(course, f) for f in _run_one(item, course))
        _execute(gate, result, execution, level, [c.code for c in chosen if c.execution])
        result.duration_s = time.perf_counter() - started
        result.findings.sort(key=_order)
        results.append(result)
        if progress:
            progress(gate, result)
    return GatesReport(course, level, results)


def _execute(gate: str, result: GateResult, execution: Execution | None, level: str,
             selected: list[str]) -> None:
    """The gate's execution part (tests, builds), at the standard and comprehensive levels."""
    executor = EXECUTORS.get(gate)
    codes = [code for code in selected
             if code.startswith(PREFIXES[gate]) and code != session_code(gate)]
    if executor is None or not codes:
        return
    if level == "quick" or execution is None:
        result.skipped += codes
        result.skipped_steps.append(f"{gate} execution: " + (
            "runs at the standard and comprehensive levels" if level == "quick"
            else "static checks only were asked for"))
        return
    outcome = executor(execution)
    result.checks_run += [code for code in outcome.codes if code in codes]
    result.skipped += [code for code in codes if code not in outcome.codes]
    result.findings += [_waive(execution.course, f) for f in outcome.findings
                        if f.code in codes]
    result.skipped_steps += outcome.skipped
    result.artifacts.update(outcome.artifacts)


def _run_one(item: Check, course: Course) -> list[Finding]:
    try:
        return item.run(course)
    except Exception as error:  # noqa: BLE001 - one broken check must not hide the others
        return [Finding(item.code, f"internal error in check {item.code}: "
                        f"{type(error).__name__}: {error} (please report this)")]


def _waive(course: Course, finding: Finding) -> Finding:
    per_module = course.config.module_ignore.get(finding.module or "", {})
    for table in (per_module, course.config.ignore):
        reason = next((r for code, r in table.items() if finding.code.startswith(code)), None)
        if reason is not None:
            return finding.waive(reason)
    return finding


def _order(finding: Finding) -> tuple[object, ...]:
    return (finding.module or "~", finding.path or "", finding.line or 0, finding.code)
