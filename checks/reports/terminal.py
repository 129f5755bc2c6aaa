"""The terminal view: a progress line per gate while it runs, findings by module, a table."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from checks.engine import GateResult, GatesReport
from checks.findings import Finding, Severity

STYLES = {"pass": "green", "fail": "bold red", "skipped": "dim"}
SEVERITY_STYLES = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class TerminalReporter:
    def __init__(self, console: Console) -> None:
        self.console = console

    def progress(self, gate: str, result: GateResult | None) -> None:
        """One line per gate as it finishes (the start is silent: static gates take ms)."""
        if result is None:
            return
        style = STYLES[result.status]
        counts = (f"{result.count(Severity.ERROR)} errors, "
                  f"{result.count(Severity.WARNING)} warnings")
        timing = "from cache" if result.cached else f"{result.duration_s:.2f} s"
        self.console.print(f"[{style}]{result.status:>7}[/] {gate:<15} {counts} "
                           f"[dim]({timing})[/]", highlight=False)

    def summary(self, report: GatesReport) -> None:
        self.findings(report.findings)
        table = Table(title=f"Gates at level {report.level}: {report.course.root.name}")
        for column in ("gate", "status", "errors", "warnings", "waived", "checks"):
            table.add_column(column, justify="left" if column in {"gate", "status"} else "right")
        for gate in report.gates:
            table.add_row(gate.name, f"[{STYLES[gate.status]}]{gate.status}[/]",
                          str(gate.count(Severity.ERROR)), str(gate.count(Severity.WARNING)),
                          str(gate.waived), f"{len(gate.checks_run)}"
                          + (f" (+{len(gate.skipped)} skipped)" if gate.skipped else ""))
        self.console.print(table)
        style = STYLES[report.status]
        self.console.print(f"[{style}]Gates {report.status.upper()}[/]", highlight=False)

    def findings(self, findings: list[Finding]) -> None:
        for module in sorted({f.module or "" for f in findings}):
            self.console.print(f"\n[bold]{escape(module or 'course')}[/]", highlight=False)
            for f in (f for f in findings if (f.module or "") == module):
                style = "dim" if f.waived else SEVERITY_STYLES[f.severity]
                waived = f" [dim](waived: {escape(f.waived)})[/]" if f.waived else ""
                self.console.print(f"  {escape(f.at())}: [{style}]{f.code}[/] "
                                   f"{escape(f.message)}{waived}", highlight=False, soft_wrap=True)
        if findings:
            self.console.print()
