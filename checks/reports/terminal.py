"""The terminal view: a line per gate as it finishes, findings by module, a table, what was
skipped and why, and the verdict (a partial run is never a release verdict).
"""

from __future__ import annotations

from tinyrelease.checks.console import Printer, escape, table
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.reports.skips import cached_by_run, skipped_by_reason
from tinyrelease.checks.results import GateResult, GatesReport

STYLES = {"pass": "green", "fail": "bold red", "skipped": "dim", "partial": "yellow"}
SEVERITY_STYLES = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class TerminalReporter:
    def __init__(self, console: Printer) -> None:
        self.console = console

    def progress_line(self, gate: str, result: GateResult) -> str:
        style = STYLES[result.status]
        counts = (f"{result.count(Severity.ERROR)} errors, "
                  f"{result.count(Severity.WARNING)} warnings")
        if result.skipped:
            counts += f", {len(result.skipped)} skipped"
        timing = (f"from cache, run {result.ran_at.replace('T', ' ').rstrip('Z')} UTC"
                  if result.cached else f"{result.duration_s:.2f} s")
        return f"[{style}]{result.status:>7}[/] {gate:<15} {counts} [dim]({timing})[/]"

    def progress(self, gate: str, result: GateResult | None) -> None:
        """One line per gate as it finishes (the start is silent: static gates take ms)."""
        if result is not None:
            self.console.print(self.progress_line(gate, result), highlight=False)

    def summary(self, report: GatesReport) -> None:
        self.findings(report.findings)
        title = f"Gates at level {report.level}: {report.course.root.name}"
        columns = [(name, "left" if name in {"gate", "status"} else "right")
                   for name in ("gate", "status", "errors", "warnings", "waived", "checks")]
        table(self.console, title + (" (partial run)" if report.partial else ""), columns,
              [[gate.name, f"[{STYLES[gate.status]}]{gate.status}[/]",
                str(gate.count(Severity.ERROR)), str(gate.count(Severity.WARNING)),
                str(gate.waived), f"{len(gate.checks_run)}"
                + (f" (+{len(gate.skipped)} skipped)" if gate.skipped else "")]
               for gate in report.gates])
        self.skipped(report)
        self.cached(report)
        style = STYLES[report.status]
        if report.status == "partial":
            self.console.print(f"[{style}]Gates PARTIAL[/]: nothing failed, but this run was "
                               f"partial ({escape('; '.join(report.scope))}); it is not a "
                               "release verdict", highlight=False, soft_wrap=True)
        else:
            scope = f" (partial run: {escape('; '.join(report.scope))})" if report.partial else ""
            self.console.print(f"[{style}]Gates {report.status.upper()}[/]{scope}",
                               highlight=False, soft_wrap=True)

    def skipped(self, report: GatesReport) -> None:
        lines = skipped_by_reason(report.skipped)
        steps = [step for gate in report.gates for step in gate.skipped_steps]
        if not lines and not steps:
            return
        self.console.print("[dim]Skipped:[/]", highlight=False)
        for codes, reason in lines:
            self.console.print(f"  {codes}: {escape(reason)}", highlight=False, soft_wrap=True)
        for step in steps:
            self.console.print(f"  {escape(step)}", highlight=False, soft_wrap=True)

    def cached(self, report: GatesReport) -> None:
        """The steps served from cache, with when they ran, and what ran again and why."""
        lines = cached_by_run(report) + [n for gate in report.gates for n in gate.notes]
        if lines:
            self.console.print("[dim]Cached and re-run:[/]", highlight=False)
        for line in lines:
            self.console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)

    def findings(self, findings: list[Finding]) -> None:
        for module in sorted({f.module or "" for f in findings}):
            self.console.print(f"\n[bold]{escape(module or 'course')}[/]", highlight=False)
            for f in (f for f in findings if (f.module or "") == module):
                style = "dim" if f.waived else SEVERITY_STYLES[f.severity]
                waived = f" [dim](waived: {escape(f.waived)})[/]" if f.waived else ""
                self.console.print(f"  {escape(f.at())}: [{style}]{f.code}[/] "
                                   f"{escape(f.message)}{escape(f.also())}{waived}",
                                   highlight=False, soft_wrap=True)
        if findings:
            self.console.print()
