"""`python -m checks`: judge a course with the gates, print the result, write the reports.

Exit status: 0 when no unwaived error, 1 when there is one, 2 for a usage error or a course
that cannot be read at all (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from checks import __version__
from checks.course import Course, load_course
from checks.engine import LEVELS, run_gates, select_checks
from checks.errors import TinyReleaseError, UsageError
from checks.execution.gates import Execution, affected_modules
from checks.registry import GATES, REGISTRY, all_checks
from checks.reports import write_reports
from checks.reports.terminal import TerminalReporter

DEFAULT_COURSE = Path("examples") / "tinycourse"


class UsageParser(argparse.ArgumentParser):
    """An argument parser whose errors are the one-line `UsageError` of every command."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="python -m checks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, help="course root (default: $COURSE_ROOT, "
                        "then examples/tinycourse)")
    parser.add_argument("--gate", action="append", choices=GATES, dest="gates",
                        help="run only this gate (repeatable)")
    parser.add_argument("--level", choices=LEVELS, default="standard")
    parser.add_argument("--select", action="append", metavar="PREFIX",
                        help="run only checks whose code starts with PREFIX (repeatable)")
    parser.add_argument("--report-dir", type=Path, default=Path("build") / "gates")
    parser.add_argument("--static-only", action="store_true",
                        help="run the static checks only (no tests, no builds)")
    parser.add_argument("--modules", action="append", metavar="ID[,ID]",
                        help="run the tests of these modules only (e.g. 05_autograd)")
    parser.add_argument("--changed-since", metavar="REF",
                        help="run the tests of the modules changed since the git REF and of "
                        "the modules that depend on them (the hotfix fast-track)")
    parser.add_argument("--explain", metavar="CODE", help="print a check's docs and exit")
    parser.add_argument("--list-checks", action="store_true", help="list every check and exit")
    parser.add_argument("--version", action="version", version=f"tinyrelease {__version__}")
    return parser


def course_root(given: Path | None) -> Path:
    """--course, else $COURSE_ROOT, else the bundled example course."""
    if given is not None:
        return given
    if os.environ.get("COURSE_ROOT"):
        return Path(os.environ["COURSE_ROOT"])
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (base / DEFAULT_COURSE).is_dir():
            return base / DEFAULT_COURSE
    raise UsageError("no course given: pass --course PATH or set COURSE_ROOT")


def run(argv: list[str], console: Console) -> int:
    args = build_parser().parse_args(argv)
    if args.list_checks:
        for item in all_checks():
            console.print(f"{item.code}  {item.gate:<15} {item.severity.value:<8} {item.title}",
                          highlight=False)
        return 0
    if args.explain:
        return explain(args.explain.upper(), console)
    if args.select and not select_checks(args.gates, args.select):
        raise UsageError(f"--select {' '.join(args.select)} matches no check")
    if args.report_dir.exists() and not args.report_dir.is_dir():
        raise UsageError(f"--report-dir {args.report_dir} is a file, not a folder")
    course = load_course(course_root(args.course))
    reporter = TerminalReporter(console)
    console.print(f"Checking [bold]{course.root}[/] ({course.layout.name} layout, "
                  f"{len(course.modules)} modules) at level {args.level}", highlight=False,
                  soft_wrap=True)
    execution = None if args.static_only else Execution(
        course, args.level, args.report_dir / "work", selected_modules(course, args))
    report = run_gates(course, args.gates, args.level, args.select, reporter.progress, execution)
    reporter.summary(report)
    written = write_reports(report, args.report_dir)
    console.print(f"Reports: {', '.join(str(p) for p in written)}", highlight=False,
                  soft_wrap=True)
    return 0 if report.status == "pass" else 1


def selected_modules(course: Course, args: argparse.Namespace) -> list[str] | None:
    """--modules and --changed-since as module ids (None: every module)."""
    if args.modules is None and args.changed_since is None:
        return None
    wanted = [m.strip() for group in args.modules or [] for m in group.split(",") if m.strip()]
    unknown = [m for m in wanted if course.module(m) is None]
    if unknown:
        raise UsageError(f"--modules: no module {', '.join(unknown)} in {course.root}")
    if args.changed_since:
        wanted += affected_modules(course, args.changed_since)
    return sorted(set(wanted))


def explain(code: str, console: Console) -> int:
    all_checks()
    item = REGISTRY.get(code)
    if item is None:
        raise UsageError(f"no check has the code {code} (see --list-checks)")
    console.print(f"{item.code} {item.title}\ngate: {item.gate} · severity: "
                  f"{item.severity.value}\n\n{item.docs}", highlight=False)
    return 0


def guarded(command: Callable[[list[str]], int], argv: list[str] | None) -> int:
    """Run a command line; expected failures end as one line on stderr, never a traceback."""
    try:
        return command(sys.argv[1:] if argv is None else argv)
    except TinyReleaseError as error:
        print(f"tinyrelease: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("tinyrelease: interrupted", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    console = Console(highlight=False)
    return guarded(lambda args: run(args, console), argv)
