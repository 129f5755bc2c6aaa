"""The invoke task `release.review` (the `review` nox session), added to the release
collection; its body is a call.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from invoke import Collection, Context, task

DEFAULT_COURSE = Path(__file__).resolve().parent.parent / "examples" / "tinycourse"
COURSE = "course root (default: $COURSE_ROOT, then examples/tinycourse)"


def _course(course: str) -> Path:
    return Path(course or os.environ.get("COURSE_ROOT") or DEFAULT_COURSE)


@task(help={"course": COURSE, "out": "folder of the reports (default build/review)",
            "static_only": "no test runs and no build (QA and packaging cannot approve)"})
def review(c: Context, course: str = "", out: str = "build/review",
           static_only: bool = False) -> None:
    """Pre-release review: four reviewer reports and the consolidated plan in build/review."""
    args = ["--course", str(_course(course)), "--out", out, *(["--static-only"] * static_only)]
    c.run(shlex.join(["nox", "-s", "review", "--", *args]))


def attach(root: Collection) -> None:
    """Add release.review to the release collection."""
    root.collections["release"].add_task(review)
