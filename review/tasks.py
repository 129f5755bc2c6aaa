"""The invoke tasks `release.review` (the `review` nox session) and `release.checklist`, added
to the release collection; each body is a call and one-line errors at the boundary.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from pathlib import Path

from invoke import Collection, Context, Exit, task

from checks.errors import TinyReleaseError
from review.checklist import TYPES, render, verify
from review.errors import ReviewError
from review.render import write_atomic

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


@task(help={"type": "patch, minor or major", "course": COURSE,
            "version": "the final version (default: the course's version without rc/dev)",
            "gates_report": "gates report.json (default build/gates/report.json)",
            "review_dir": "the review's folder (default build/review)",
            "out": "where to write the checklist (default build/review/CHECKLIST-TYPE.md)"})
def checklist(c: Context, type: str = "minor", course: str = "", version: str = "",
              gates_report: str = "build/gates/report.json", review_dir: str = "build/review",
              out: str = "") -> None:
    """Render the release checklist, ticking only what the tools verified."""
    try:
        root = _course(course)
        final = version or course_version(root)
        found = verify(root, type, final, gates_report=Path(gates_report),
                       review_dir=Path(review_dir))
        path = Path(out or f"build/review/CHECKLIST-{type}.md")
        write_atomic(path, render(type, found.verified, final, found.notes))
    except TinyReleaseError as error:
        raise Exit(f"tinyrelease: error: {error}", code=error.exit_code) from None
    ticked = sum(1 for v in found.verified.values() if v)
    print(f"{path}: {ticked} of {len(found.verified)} checkable items verified "
          f"({', '.join(TYPES)} checklists exist)")


def course_version(root: Path) -> str:
    """The version the course's pyproject.toml states, without a pre- or dev-release part."""
    from packaging.version import InvalidVersion, Version

    path = root / "pyproject.toml"
    try:
        stated = tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]
        return Version(str(stated)).base_version
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, InvalidVersion) as error:
        raise ReviewError(f"{path}: no readable [project] version ({error}); pass "
                          "--version") from None


def attach(root: Collection) -> None:
    """Add release.review and release.checklist to the release collection."""
    release = root.collections["release"]
    release.add_task(review)
    release.add_task(checklist)
