"""`python -m checks.assignments` (`nox -s assignments`, `invoke assignments`): build every
module's student notebook into `build/assignments/<module>/` with a manifest, validated by the
implementation gate's student-release checks (static and executed), whose reports go into
`build/assignments/validation/`; exit 1 when it fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tinyrelease.checks.assignments.tiers import settings
from tinyrelease.checks.boundary import output_folder
from tinyrelease.checks.course import Course, load_course
from tinyrelease.checks.engine import GateResult, GatesReport, now, run_gate
from tinyrelease.checks.errors import TinyReleaseError
from tinyrelease.checks.execution.gates import Execution
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.options import UsageParser, course_root, guarded, selected_modules
from tinyrelease.checks.registry import REGISTRY
from tinyrelease.checks.reports import write_reports
from tinyrelease.checks.reports.terminal import TerminalReporter

DEFAULT_OUT = Path("build") / "assignments"
# the implementation gate's nbgrader checks: metadata, regions, the release's own
SELECT = ["IMP14", "IMP15", "IMP17", "IMP2"]
BUILT = "IMP201"


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="python -m checks.assignments", description=(
        "Build the student notebooks of a course with nbgrader and validate them."))
    parser.add_argument("--course", type=Path, help="course root (default: $COURSE_ROOT, "
                        "then examples/tinycourse)")
    parser.add_argument("--modules", action="append", metavar="ID[,ID]",
                        help="build and validate these modules only (a partial release)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where the student release goes (default: build/assignments)")
    parser.set_defaults(changed_since=None)
    return parser


def run(argv: list[str], console: Console) -> int:
    args = build_parser().parse_args(argv)
    course = load_course(course_root(args.course))
    output_folder(args.out, course.root)
    modules = selected_modules(course, args)
    console.print(f"Student release of [bold]{escape(str(course.root))}[/] "
                  f"({settings(course).tier.name} tier"
                  + (f", modules {', '.join(modules)}" if modules else "") + ")",
                  highlight=False, soft_wrap=True)
    with tempfile.TemporaryDirectory(prefix="tinyrelease-assignments-") as temp:
        execution = Execution(course, "standard", Path(temp), modules)
        result = run_gate(course, "implementation", "standard", SELECT, execution)
        if BUILT not in result.checks_run:
            raise TinyReleaseError(f"no student release was built: "
                                   f"{result.skipped.get(BUILT, 'nbgrader did not run')}")
        publish(Path(temp) / "assignments", args.out, validation(course, result, modules))
    scope = [f"the student release: --select {' '.join(SELECT)}",
             *([f"--modules {' '.join(modules)}"] if modules else [])]
    write_reports(GatesReport(course.summary(), "standard", [result], scope),
                  args.out / "validation")
    reporter = TerminalReporter(console)
    reporter.findings(result.findings)
    _table(console, result)
    for code, why in sorted(result.skipped.items()):
        console.print(f"[dim]skipped {code}: {escape(why)}[/]", highlight=False, soft_wrap=True)
    console.print(f"Student notebooks and manifest: {escape(str(args.out))}", highlight=False,
                  soft_wrap=True)
    style = "bold red" if result.status == "fail" else "green"
    console.print(f"[{style}]Student release {result.status.upper()}[/] "
                  f"({result.count(Severity.ERROR)} errors, "
                  f"{result.count(Severity.WARNING)} warnings)", highlight=False)
    return 1 if result.status == "fail" else 0


def validation(course: Course, result: GateResult, modules: list[str] | None
               ) -> dict[str, object]:
    """What the manifest says of the validation: a release ticks its checklist from it."""
    figures = result.artifacts.get("assignments")
    figures = figures if isinstance(figures, dict) else {}
    return {"status": result.status, "ran_at": now(), "course": str(course.root),
            "modules": modules or "all", "checks": result.checks_run,
            "skipped": {code: why for code, why in result.skipped.items()
                        if REGISTRY[code].convention is None},  # not a convention it lacks
            "errors": result.count(Severity.ERROR),
            "points": figures.get("points"), "blank_notebook_points": figures.get("free")}


def publish(built: Path, out: Path, validation: dict[str, object]) -> None:
    """Replace `out` with the built release as a whole (never half of one)."""
    manifest = built / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["validation"] = validation
    manifest.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    shutil.copytree(built, staged / "new")
    if out.exists():
        os.replace(out, staged / "old")
    os.replace(staged / "new", out)
    shutil.rmtree(staged, ignore_errors=True)


def _table(console: Console, result: GateResult) -> None:
    figures = result.artifacts.get("assignments")
    modules = figures.get("modules") if isinstance(figures, dict) else None
    if not isinstance(modules, dict) or not modules:
        return
    table = Table(title="Student notebooks")
    for column in ("module", "points", "a blank notebook earns", "instructor notebook"):
        table.add_column(column, justify="left" if column == "module" else "right")
    for module, entry in modules.items():
        table.add_row(module, f"{entry['points']:g}", f"{entry['free']:g}", entry["journey"])
    assert isinstance(figures, dict)
    table.add_row("[bold]course[/]", f"{figures['points']:g}", f"{figures['free']:g}", "")
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    console = Console(highlight=False)
    return guarded(lambda args: run(args, console), argv)
