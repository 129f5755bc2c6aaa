"""One pre-release review of a course: gather the evidence, let the four reviewers report,
consult the external reviewer when configured, consolidate, and write build/review/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tinyrelease.checks import __version__
from tinyrelease.checks.git import Git
from tinyrelease.checks.store import open_course
from tinyrelease.review import developer, education, packaging, quality
from tinyrelease.review.approval import under_git
from tinyrelease.review.consolidate import Plan, consolidate
from tinyrelease.review.evidence import Progress, gather
from tinyrelease.review.external import consult
from tinyrelease.review.render import write

REVIEWS = (education.review, developer.review, quality.review, packaging.review)


@dataclass
class Review:
    plan: Plan
    files: list[Path]
    header: dict[str, object]


def git_state(root: Path) -> tuple[str | None, bool | None]:
    """The course's HEAD commit and whether its tree has uncommitted changes (None: no git)."""
    head = Git(root).run("rev-parse", "HEAD", check=False)
    if not head.ok or not under_git(root):
        return None, None
    status = Git(root).run("status", "--porcelain", "--untracked-files=no", "--", ".",
                           check=False)
    return head.output.strip(), bool(status.output.strip())


def run_review(course_root: Path, out: Path, execute: bool = True, level: str = "standard",
               external: bool = True, progress: Progress | None = None) -> Review:
    """Review the course at `course_root` into `out` (reports, consolidated.md, review.json).
    Raises ReviewError for a bad [tool.tinyrelease.review], CourseError for no course."""
    course = open_course(course_root)
    out = out.resolve()
    evidence = gather(course, out / "work", execute, level, progress)
    reports = [review(evidence) for review in REVIEWS]
    settings = evidence.settings
    if external and settings.external:
        if progress:
            progress(f"external reviewer: {settings.external[0]}")
        consult(reports, settings.external, settings.external_timeout, course.root)
    plan = consolidate(reports, settings.effort)
    commit, dirty = git_state(course.root)
    header: dict[str, object] = {
        "tool": {"name": "tinyrelease", "version": __version__},
        "course": str(course.root), "modules": [m.id for m in course.modules],
        "commit": commit, "dirty": dirty, "executed": execute, "level": level,
        "written": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    return Review(plan, write(plan, header, out), header)
