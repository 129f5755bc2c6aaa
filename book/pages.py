"""The generated pages of the book: learning path (table and chart data), quality dashboard
from the gates report, and the check reference with one anchor per code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinyrelease.book.chart import ModuleHours, PhaseHours
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.reports.skips import skipped_by_reason

STATUS_MARK = {"pass": "✅ pass", "fail": "❌ fail", "skipped": "⏭️ skipped",
               "partial": "⚠️ partial run, not a verdict"}


def chapter_name(module: Module) -> str:
    return f"modules/{module.id}"


def module_title(module: Module) -> str:
    meta = module.meta
    return meta.title if meta and meta.title else module.name.replace("_", " ").title()


def cell(text: object) -> str:
    """A value made safe for one cell of a Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ") if text is not None else "—"


def learning_path_table(course: Course) -> str:
    rows = ["| Module | Tier | Time | Difficulty |", "|---|---|---|---|"]
    for module in course.modules:
        meta = module.meta
        tier = module.about.tier.tier.title() if module.about and module.about.tier else "—"
        rows.append(f"| [{module.number:02d}. {cell(module_title(module))}]"
                    f"({module.id}.md) | {cell(tier)} "
                    f"| {cell(meta.time.text if meta and meta.time else None)} "
                    f"| {cell(meta.difficulty.text if meta and meta.difficulty else None)} |")
    return "\n".join(rows)


def chart_data(course: Course) -> tuple[list[ModuleHours], list[PhaseHours]]:
    """Hours per module from the front matter, and the running total at each phase's end."""
    modules: list[ModuleHours] = []
    index_of: dict[int, int] = {}
    for module in course.modules:
        time = module.meta.time if module.meta else None
        if time is None:
            continue
        index_of[module.number] = len(modules)
        modules.append(ModuleHours(f"{module.number:02d} {module_title(module)}",
                                   float(time.low), float(time.high)))
    phases, low, high = [], 0.0, 0.0
    for phase in course.learning_path.phases if course.learning_path else []:
        numbers = [e.number for e in phase.entries if e.number in index_of]
        if not numbers:
            continue
        low += sum(modules[index_of[n]].low for n in numbers)
        high += sum(modules[index_of[n]].high for n in numbers)
        phases.append(PhaseHours(f"Phase {phase.number}", index_of[max(numbers)], low, high))
    return modules, phases


def total_time(course: Course) -> str:
    times = [m.meta.time for m in course.modules if m.meta and m.meta.time]
    if not times:
        return "an unknown number of hours"
    total = times[0]
    for time in times[1:]:
        total = total + time
    return total.canonical


@dataclass(frozen=True)
class GatesSummary:
    """What the latest gates report says about this course, for the dashboard and the deploy."""

    status: str  # pass, fail, or missing / other-course when it cannot vouch for this course
    level: str | None
    report: dict[str, Any] | None
    path: Path

    @property
    def passed(self) -> bool:
        return self.status == "pass"


def read_gates(report_path: Path, course: Course) -> GatesSummary:
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return GatesSummary("missing", None, None, report_path)
    if not isinstance(report, dict) or not isinstance(report.get("gates"), list):
        return GatesSummary("missing", None, None, report_path)
    root = str((report.get("course") or {}).get("root", ""))
    if root and Path(root).resolve() != course.root.resolve():
        return GatesSummary("other-course", str(report.get("level")), report, report_path)
    return GatesSummary(str(report.get("status")), str(report.get("level")), report, report_path)


def dashboard(summary: GatesSummary) -> str:
    report = summary.report
    if report is None:
        return ("```{warning}\nNo gates report was found when this book was built. Run "
                "`nox -s gates` before building the book.\n```\n")
    lines = []
    if summary.status == "other-course":
        lines.append("```{warning}\nThe latest gates report is for another course "
                     f"(`{cell(report['course'].get('root'))}`), not this one.\n```\n")
    if report.get("partial"):
        scope = "; ".join(str(s) for s in report.get("scope") or [])
        lines.append("```{warning}\nThis gates report is of a partial run "
                     f"({cell(scope)}): it is not a release verdict. Run `nox -s gates` "
                     "for one.\n```\n")
    tool = report.get("tool") or {}
    lines += [f"**Overall: {STATUS_MARK.get(str(report.get('status')), report.get('status'))}** "
              f"at the *{cell(report.get('level'))}* level, by tinyrelease "
              f"{cell(tool.get('version'))}.", "",
              "## Gates", "", "| Gate | Status | Errors | Warnings | Waived |",
              "|---|---|---|---|---|"]
    findings: list[dict[str, Any]] = []
    for gate in report["gates"]:
        found = gate.get("findings", [])
        findings += found
        counts = {s: sum(1 for f in found if f.get("severity") == s and not f.get("waived"))
                  for s in ("error", "warning")}
        status = STATUS_MARK.get(gate.get("status"), cell(gate.get("status")))
        lines.append(f"| {cell(gate.get('name'))} | {status} "
                     f"| {counts['error']} | {counts['warning']} "
                     f"| {sum(1 for f in found if f.get('waived'))} |")
    skipped = {code: why for gate in report["gates"]
               for code, why in _skipped_of(gate).items()}
    lines += ["", "## Findings by module", ""]
    if not findings:
        lines.append("No findings in the checks that ran." if skipped
                     else "No findings: every check passed.")
    by_module: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_module.setdefault(str(finding.get("module") or "course"), []).append(finding)
    for module, found in sorted(by_module.items()):
        lines += [f"### {module}", "", "| Code | Severity | Where | Message |", "|---|---|---|---|"]
        for f in found:
            where = f"{f.get('path')}:{f.get('line')}" if f.get("line") else f.get("path")
            if f.get("places"):
                where = f"{where} (+{len(f['places'])} more)"
            severity = f"{f.get('severity')} (waived)" if f.get("waived") else f.get("severity")
            lines.append(f"| {{ref}}`{cell(f.get('code'))} <check-{str(f.get('code')).lower()}>` "
                         f"| {cell(severity)} | `{cell(where)}` | {cell(f.get('message'))} |")
        lines.append("")
    if skipped:
        lines += ["## Skipped checks", "", "| Checks | Why |", "|---|---|"]
        lines += [f"| {cell(codes)} | {cell(why)} |" for codes, why in skipped_by_reason(skipped)]
        lines.append("")
    return "\n".join(lines) + "\n"


def _skipped_of(gate: dict[str, object]) -> dict[str, str]:
    skipped = gate.get("skipped") or {}
    if isinstance(skipped, list):  # reports written before skips carried their reasons
        return {str(code): "not run" for code in skipped}
    return {str(k): str(v) for k, v in skipped.items()} if isinstance(skipped, dict) else {}


def check_reference() -> str:
    """Every check code with its title and docs, each under a `check-<code>` label."""
    from tinyrelease.checks.catalog import all_checks
    from tinyrelease.checks.registry import GATES

    lines = ["# Check reference", "",
             "Every check the quality gates run, generated from the check declarations. "
             "Findings on the [quality dashboard](quality.md) link here.", ""]
    entries = [(c.code, c.gate, c.severity.value, c.title, c.docs) for c in all_checks()]
    gate = None
    entries.sort(key=lambda e: (GATES.index(e[1]), e[0]))
    for code, gate_name, severity, title, docs in entries:
        if gate_name != gate:
            gate = gate_name
            lines += [f"## The {gate} gate", ""]
        lines += [f"(check-{code.lower()})=", f"### {code}: {title}", "",
                  f"*{severity}* · {gate_name} gate", "", docs, ""]
    return "\n".join(lines)
