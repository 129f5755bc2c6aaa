"""`python -m review --course ROOT --out build/review`: the four reviewer reports and the
consolidated plan. Exit 0 when all four approve, 1 when one does not, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tinyrelease.checks.boundary import output_folder
from tinyrelease.checks.engine import LEVELS
from tinyrelease.checks.options import UsageParser, course_root, guarded
from tinyrelease.review.model import Priority
from tinyrelease.review.run import Review, run_review


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="python -m review", description=__doc__.split("\n\n")[0])
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


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    root = course_root(args.course)
    review = run_review(root, output_folder(args.out, root), not args.static_only, args.level,
                        not args.no_external, lambda text: print(f"… {text}", flush=True))
    print("\n".join(summary(review)))
    return 0 if review.plan.approved else 1


def main(argv: list[str] | None = None) -> int:
    return guarded(run, argv)


if __name__ == "__main__":
    sys.exit(main())
