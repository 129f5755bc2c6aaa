"""`report.md`: the release readiness report, built only from what the gates actually found."""

from __future__ import annotations

from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.reports.skips import cached_by_run, skipped_by_reason
from tinyrelease.checks.results import GatesReport
from tinyrelease.checks.summary import CourseSummary


def render(report: GatesReport) -> str:
    course = report.course
    errors = sum(gate.count(Severity.ERROR) for gate in report.gates)
    failed = [gate.name for gate in report.gates if gate.status == "fail"]
    if failed:
        verdict = f"**NOT READY**: {errors} error(s) in the {', '.join(failed)} gate(s)."
    elif report.partial:
        verdict = ("**PARTIAL RUN, NOT A VERDICT**: nothing failed in what ran, but the run "
                   f"was partial ({_escape('; '.join(report.scope))}). Run every gate for a "
                   "release verdict.")
    else:
        verdict = "**READY**: no gate failed."
    title = "Gates report (partial run)" if report.partial else "Release readiness"
    lines = [f"# {title}: {course.root.name}", "",
             f"Level: `{report.level}` · layout: `{course.layout}` · "
             f"{len(course.modules)} modules"
             + (f" · partial: {_escape('; '.join(report.scope))}" if report.partial else ""),
             "", f"Conventions: {_escape(course.conventions_text)}",
             "", verdict, "", "## Gates", "",
             "| gate | status | errors | warnings | waived | checks run | skipped |",
             "|---|---|---|---|---|---|---|"]
    for gate in report.gates:
        lines.append(f"| {gate.name} | {gate.status} | {gate.count(Severity.ERROR)} | "
                     f"{gate.count(Severity.WARNING)} | {gate.waived} | {len(gate.checks_run)} | "
                     f"{len(gate.skipped)} |")
    lines += ["", "## Findings", ""]
    lines += _findings(report.findings) or ["No findings.", ""]
    lines += _skipped(report)
    lines += _cached(report)
    lines += ["## Module inventory", ""] + _inventory(course, report.findings)
    return "\n".join(lines) + "\n"


def _findings(findings: list[Finding]) -> list[str]:
    lines: list[str] = []
    for module in sorted({f.module or "" for f in findings}):
        lines += [f"### {module or 'Course'}", ""]
        for f in (f for f in findings if (f.module or "") == module):
            waived = f" — waived: {f.waived}" if f.waived else ""
            lines.append(f"- `{f.code}` {f.severity.value} `{f.at()}`: "
                         f"{_escape(f.message)}{_escape(f.also())}{waived}")
        lines.append("")
    return lines


def _skipped(report: GatesReport) -> list[str]:
    reasons = skipped_by_reason(report.skipped)
    steps = [step for gate in report.gates for step in gate.skipped_steps]
    if not reasons and not steps:
        return []
    lines = ["## Skipped", "", "| checks | why |", "|---|---|"]
    lines += [f"| {codes} | {_escape(reason)} |" for codes, reason in reasons]
    lines += [f"| (step) | {_escape(step)} |" for step in steps]
    return [*lines, ""]


def _cached(report: GatesReport) -> list[str]:
    lines = cached_by_run(report) + [n for gate in report.gates for n in gate.notes]
    if not lines:
        return []
    return ["## Cached and re-run", "", *(f"- {_escape(line)}" for line in lines), ""]


def _inventory(course: CourseSummary, findings: list[Finding]) -> list[str]:
    lines = ["| module | title | time | difficulty | errors | warnings |",
             "|---|---|---|---|---|---|"]
    for module in course.modules:
        own = [f for f in findings if f.module == module.id and f.waived is None]
        lines.append(
            f"| {module.id} | {_escape(module.title)} | {module.time or '?'} | "
            f"{module.difficulty or '?'} | "
            f"{sum(f.severity is Severity.ERROR for f in own)} | "
            f"{sum(f.severity is Severity.WARNING for f in own)} |")
    lines += ["", f"Total time from the modules' own estimates: {course.total_time or 'unknown'}."]
    return lines


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
