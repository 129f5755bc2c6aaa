"""`python -m review --course ROOT --out build/review`: the four reviewer reports and the
consolidated plan. Exit 0 when all four approve, 1 when one does not, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from checks.cli import course_root
from checks.engine import LEVELS
from checks.errors import TinyReleaseError, UsageError
from review.model import Priority
from review.run import Review, run_review


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see python -m review --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m review", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, help="course root (default: $COURSE_ROOT, "
                        "then examples/tinycourse)")
    parser.add_argument("--out", type=Path, default=Path("build") / "review")
    parser.add_argument("--level", choices=LEVELS, default="standard")
    parser.add_argument("--static-only", action="store_true",
                        help="no test runs and no build (QA and packaging cannot approve)")
    parser.add_argument("--no-external", action="store_true",
                        help="do not consult the configured external reviewer")
    return parser


def summary(review: Review) -> list[str]:
    plan = review.plan
    lines = []
    for report in plan.reports:
        counts = ", ".join(f"{sum(i.priority is p for i in report.items)} {p.value}"
                           for p in Priority)
        verdict = "approved" if report.approved else "changes requested"
        lines.append(f"{report.title:<20} {verdict:<18} ({counts})")
    lines.append(f"{len(plan.items)} action items, {plan.effort():g} h in all "
                 f"({plan.effort(Priority.HIGH):g} h of HIGH items)")
    lines.append(f"Reports: {review.files[0].parent}/ (consolidated.md, review.json)")
    return lines


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        review = run_review(course_root(args.course), args.out, not args.static_only, args.level,
                            not args.no_external, lambda text: print(f"… {text}", flush=True))
    except TinyReleaseError as error:
        print(f"tinyrelease: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("tinyrelease: interrupted", file=sys.stderr)
        return 130
    print("\n".join(summary(review)))
    return 0 if review.plan.approved else 1


if __name__ == "__main__":
    sys.exit(main())
