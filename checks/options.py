"""The options every entry point shares (`python -m checks`, `tinyrelease`, `nox -s gates --`,
`python -m book`, `python -m review`): one parser, the course lookup, what makes a run partial,
and the one boundary that turns expected failures into one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tinyrelease.checks import __version__
from tinyrelease.checks.errors import TinyReleaseError, UsageError, redact_urls
from tinyrelease.checks.gatenames import GATES, LEVELS

if TYPE_CHECKING:
    from tinyrelease.checks.course import Course

DEFAULT_COURSE = Path("examples") / "tinycourse"
DEFAULT_REPORTS = Path("build") / "gates"
DESCRIPTION = "Judge a course with the gates, print the result, write the reports."


class UsageParser(argparse.ArgumentParser):
    """An argument parser whose errors are the one-line `UsageError` of every command."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser(prog: str = "python -m checks") -> argparse.ArgumentParser:
    parser = UsageParser(prog=prog, description=DESCRIPTION)
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
    if args.modules is None and args.changed_since is None:
        return None
    from tinyrelease.checks.execution.gates import affected_modules

    wanted = [m.strip() for group in args.modules or [] for m in group.split(",") if m.strip()]
    unknown = [m for m in wanted if course.module(m) is None]
    if unknown:
        raise UsageError(f"--modules: no module {', '.join(unknown)} in {course.root}")
    if args.changed_since:
        wanted += affected_modules(course, args.changed_since)
    return sorted(set(wanted))


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
