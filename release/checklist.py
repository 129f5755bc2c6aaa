"""The checklist every pipeline run writes: the course process's template for the release type
(review.checklist), each item ticked only when verified, then where the pipeline stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from tinyrelease.book.manifest import MANIFEST
from tinyrelease.checks.assignments.cli import (
    DEFAULT_OUT as STUDENT_RELEASE,  # what nox -s assignments wrote
)
from tinyrelease.release import bookdeploy, index, prerelease, versions
from tinyrelease.release.errors import ReleaseError
from tinyrelease.release.model import Kind, Release, Stage
from tinyrelease.release.state import ReleaseState
from tinyrelease.release.versions import write_atomic
from tinyrelease.review.checklist import IndexProbe, Verification, render, verify


class StepRow(Protocol):
    """A step of a plan as the checklist shows it."""

    @property
    def key(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def why(self) -> str: ...


def checklist_type(release: Release) -> str:
    """The template: a hotfix is checked as the patch release it is."""
    return Kind.PATCH if release.kind == Kind.HOTFIX else release.kind


def latest_report(folder: Path) -> Path | None:
    reports = sorted((folder / "gates").glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    return reports[-1] if reports else None


def _file_version(name: str) -> str | None:
    """The version in a wheel's or sdist's file name (PEP 427 / PEP 625)."""
    if name.endswith(".whl"):
        parts = name.split("-")
        return parts[1] if len(parts) >= 5 else None
    if name.endswith(".tar.gz"):
        return name.removesuffix(".tar.gz").rpartition("-")[2] or None
    return None


def index_probe(state: ReleaseState) -> IndexProbe | None:
    """Whether the configured release index has `project` `version`, asked the way the upload
    step asks it (same listing, same credentials)."""
    spec = state.settings.repository
    if spec is None:
        return None

    def on_index(project: str, version: str) -> bool:
        files = index.listing(index.resolve(spec), project)
        return any(_file_version(name) == version for name in files)

    return on_index


def verification(state: ReleaseState, release: Release) -> Verification:
    s, folder = state.settings, release.folder(state.root)
    candidate = prerelease.candidate_of(state, release) if release.stage == Stage.FINAL else release
    report = latest_report(folder) or (latest_report(candidate.folder(state.root))
                                       if candidate is not None else None)
    reviews = prerelease.review_dir(state, release)
    found = verify(state.root, checklist_type(release), str(release.final),
                   gates_report=report, review_dir=reviews, on_index=index_probe(state),
                   project=state.project, remote=s.remote, main_branch=s.main_branch,
                   book_branch=s.book_branch, assignments=STUDENT_RELEASE,
                   tag_prefix=s.tag_prefix)
    # what the template cannot know about this release: where a hotfix branches, a review
    # skipped with a reason, a book the course turned off
    if release.kind == Kind.HOTFIX:
        there = release.branch in state.branches or release.branch in state.remote.branches
        found.set("branch", there, f"{release.branch}: " + ("exists" if there else "missing"))
        found.set("rc_tag", None, "a hotfix has no candidate")
    if release.direct:
        found.set("branch", None, f"the direct flow releases from {release.branch}")
        found.set("rc_tag", None, "the direct flow has no candidate")
        if "review" in found.verified:
            found.set("review", None, "the direct flow has no candidate to review")
    if reviews is not None and "review" in found.verified and not found.verified["review"] \
            and (reason := prerelease.skipped_reason(reviews)) is not None \
            and not (reviews / prerelease.JSON).is_file():
        found.set("review", False, f"skipped ({reason}): the final reviews before going on")
    if not s.book:
        found.set("book", None, "off: book = false in [tool.tinyrelease.release]")
    elif s.pages_prefix:  # the branch's root index.html is another site's
        manifest = bookdeploy.on_branch(state.root, s.book_remote or s.remote, s.book_branch,
                                        s.pages_prefix)
        there = manifest is not None and manifest.get("tag") == release.final_tag
        found.set("book", there, f"{'' if there else 'no '}{MANIFEST} of {release.final_tag} "
                                 f"in {s.book_site}")
    return found


def checklist_text(state: ReleaseState, release: Release,
                   steps: Sequence[StepRow] | None = None,
                   problems: list[str] | None = None) -> str:
    """The checklist in Markdown: `[x]` exactly for what the tools verified; with a plan, the
    state of every step after it (no boxes: those are the checklist's alone)."""
    found = verification(state, release)
    text = render(checklist_type(release), found.verified, str(release.final), found.notes,
                  state.prefix)
    if release.kind == Kind.HOTFIX:  # the patch template names the branch a patch is made on
        text = text.replace(f"`release/{release.final_tag}`", f"`{release.branch}`")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["", "## Where the pipeline stands", "",
             f"{release.kind} {release.version}, stage {release.stage}, branch "
             f"`{release.branch}`, written {when}.", ""]
    if steps is not None:
        lines += ["| step | state | why |", "|---|---|---|"]
        lines += [f"| {s.key} | {s.status} | {s.why.replace('|', '/')} |" for s in steps]
    if problems:
        lines += ["", "Blocking problems:", ""] + [f"* {p}" for p in problems]
    return text + "\n".join(lines) + "\n"


def write_checklist(state: ReleaseState, release: Release, steps: Sequence[StepRow],
                    problems: list[str]) -> Path:
    folder = release.folder(state.root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "CHECKLIST.md"
    try:
        write_atomic(path, checklist_text(state, release, steps, problems))
    except OSError as error:
        raise ReleaseError(f"{path}: cannot write the checklist ({error})") from None
    return path


def next_version(root: Path, kind: str) -> str:
    """The final version the next `kind` release of the course gets: the bump from the last
    final tag (or from the stated version when it is final and newer), as the pipeline
    computes it."""
    from tinyrelease.release.git import Git
    from tinyrelease.release.settings import load_settings

    git = Git(root)
    prefix = load_settings(root, set(git.local_branches())).tag_prefix
    stated = versions.stated_version(root)
    tags = list(versions.ours(git.local_tags(), prefix))
    return str(versions.target_for(stated, tags, kind, None, prefix))


def render_checklist(root: Path, kind: str, version: str | None, gates_report: Path,
                     review_dir: Path, out: Path | None) -> tuple[Path, int, int, str]:
    """`invoke release.checklist`: the template of `kind` for the next release (or `version`),
    ticked from what the tools verify. Returns (path, ticked, checkable, version)."""
    from tinyrelease.review.checklist import TYPES

    if kind not in TYPES:
        raise ReleaseError(f"no checklist for release type {kind!r} (one of {', '.join(TYPES)})")
    from tinyrelease.release.git import Git
    from tinyrelease.release.settings import load_settings

    prefix = load_settings(root, set(Git(root).local_branches())).tag_prefix
    final = version or next_version(root, kind)
    found = verify(root, kind, final, gates_report=gates_report, review_dir=review_dir,
                   assignments=STUDENT_RELEASE, tag_prefix=prefix)
    path = out or Path("build") / "review" / f"CHECKLIST-{kind}.md"
    write_atomic(path, render(kind, found.verified, final, found.notes, prefix))
    return path, sum(1 for v in found.verified.values() if v), len(found.verified), final
