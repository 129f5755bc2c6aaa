"""`python -m checks` (also `tinyrelease`, and `nox -s gates --`): judge a course with the
gates, print the result, write the reports. One parser serves every entry point.

Exit status: 0 when no unwaived error, 1 when there is one, 2 for a usage error or a course
that cannot be read at all (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checks import __version__
from checks.engine import LEVELS
from checks.errors import TinyReleaseError, UsageError, redact_urls
from checks.registry import GATES

if TYPE_CHECKING:
    from rich.console import Console

    from checks.course import Course

DEFAULT_COURSE = Path("examples") / "tinycourse"
DEFAULT_REPORTS = Path("build") / "gates"


class UsageParser(argparse.ArgumentParser):
    """An argument parser whose errors are the one-line `UsageError` of every command."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser(prog: str = "python -m checks") -> argparse.ArgumentParser:
    parser = UsageParser(prog=prog, description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--course", type=Path, help="course root (default: $COURSE_ROOT, "
                        "then examples/tinycourse)")
    parser.add_argument("--gate", action="append", choices=GATES, dest="gates",
                        help="run only this gate (repeatable; a partial run)")
    parser.add_argument("--level", choices=LEVELS, default="standard")
    parser.add_argument("--select", action="append", metavar="PREFIX",
                        help="run only checks whose code starts with PREFIX (repeatable; a "
                        "partial run, execution steps included)")
    parser.add_argument("--report-dir", type=Path, help="where the reports go (default: "
                        "build/gates, and build/gates/partial for a partial run)")
    parser.add_argument("--static-only", action="store_true",
                        help="run the static checks only (no tests, no builds; a partial run)")
    parser.add_argument("--modules", action="append", metavar="ID[,ID]",
                        help="run the tests of these modules only (e.g. 05_autograd)")
    parser.add_argument("--changed-since", metavar="REF",
                        help="run the tests of the modules changed since the git REF and of "
                        "the modules that depend on them (the hotfix fast-track)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="execution gates to run at once (default: the number of cores)")
    parser.add_argument("--no-cache", action="store_true", help="ignore cached gate results")
    parser.add_argument("--cache-dir", type=Path, help="the gate cache (default: "
                        "$TINYRELEASE_CACHE_DIR, else ~/.cache/tinyrelease)")
    parser.add_argument("--isolated", action="store_true",
                        help="run the execution gates in their own nox sessions, scheduled by "
                        "nox (what nox -s gates does)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="stream each execution gate's own output (one gate at a time)")
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


def scope_of(args: argparse.Namespace) -> list[str]:
    """Why a run is partial (empty: it is a complete run of the gates at its level)."""
    scope = []
    if args.gates and set(args.gates) != set(GATES):
        scope.append("--gate " + " ".join(args.gates))
    if args.select:
        scope.append("--select " + " ".join(args.select))
    if args.modules:
        scope.append("--modules " + " ".join(args.modules))
    if args.changed_since:
        scope.append(f"--changed-since {args.changed_since}")
    if args.static_only:
        scope.append("--static-only")
    if args.level == "quick":
        scope.append("--level quick (the quick checks only)")
    return scope


def report_dir(args: argparse.Namespace) -> Path:
    """The reports of a partial run go beside the full ones, never over them."""
    if args.report_dir is not None:
        return Path(args.report_dir)
    return DEFAULT_REPORTS / "partial" if scope_of(args) else DEFAULT_REPORTS


def selected_modules(course: Course, args: argparse.Namespace) -> list[str] | None:
    """--modules and --changed-since as module ids (None: every module)."""
    from checks.execution.gates import affected_modules

    if args.modules is None and args.changed_since is None:
        return None
    wanted = [m.strip() for group in args.modules or [] for m in group.split(",") if m.strip()]
    unknown = [m for m in wanted if course.module(m) is None]
    if unknown:
        raise UsageError(f"--modules: no module {', '.join(unknown)} in {course.root}")
    if args.changed_since:
        wanted += affected_modules(course, args.changed_since)
    return sorted(set(wanted))


def run(argv: list[str], console: Console) -> int:
    if argv[:1] == ["doctor"]:
        from checks.doctor import run_doctor

        return run_doctor(argv[1:], console)
    if argv[:1] == ["gates"]:
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    if args.list_checks:
        return list_checks(console)
    if args.explain:
        return explain(args.explain.upper(), console)
    from checks.runner import run_and_report

    return run_and_report(args, console)


def list_checks(console: Console) -> int:
    from checks.registry import all_checks

    for item in all_checks():
        console.print(f"{item.code}  {item.gate:<15} {item.severity.value:<8} {item.title}",
                      highlight=False, markup=False)
    return 0


def explain(code: str, console: Console) -> int:
    from checks.registry import lookup

    item = lookup(code)
    if item is None:
        raise UsageError(f"no check has the code {code} (see --list-checks)")
    console.print(f"{item.code} {item.title}\ngate: {item.gate} · severity: "
                  f"{item.severity.value}\n\n{item.docs}", highlight=False, markup=False)
    return 0


def guarded(command: Callable[[list[str]], int], argv: list[str] | None) -> int:
    """Run a command line; expected failures end as one line on stderr, never a traceback."""
    try:
        return command(sys.argv[1:] if argv is None else argv)
    except TinyReleaseError as error:
        print(f"tinyrelease: error: {redact_urls(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("tinyrelease: interrupted", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console

    console = Console(highlight=False)
    return guarded(lambda args: run(args, console), argv)
