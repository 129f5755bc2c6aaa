"""The pre-release review inside the pipelines: which candidate's review decides a release, what
a survey finds of it (verdicts, approvals, a skip), the four reviewers run on it, and what the
candidate's stop says about it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tinyrelease import IMPORT_ROOT
from tinyrelease.release import versions
from tinyrelease.release.model import GATE_LEVELS, Kind, Release, Stage
from tinyrelease.release.state import ReleaseState, ReviewSeen
from tinyrelease.review.approval import approvals, overrides_file, require_approvals
from tinyrelease.review.errors import NotApproved, ReviewError
from tinyrelease.review.render import JSON

SKIPPED = "skipped.json"


def candidate_of(state: ReleaseState, release: Release) -> Release | None:
    """The newest candidate of the release's final version that was tagged, here or on the
    remote (a fresh CI checkout has the tags, not the build folders)."""
    numbers = [v.pre[1] for t in {*state.tags, *state.remote.tags}
               if (v := versions.version_of_tag(t, release.prefix)) is not None
               and v.pre is not None and v.pre[0] == "rc"
               and v.base_version == str(release.final)]
    return Release(release.kind, release.final, Stage.RC, max(numbers), release.prefix) \
        if numbers else None


def review_dir(state: ReleaseState, release: Release) -> Path | None:
    """The review that decides `release`: a candidate's own, or for the final the newest
    candidate's."""
    candidate = release if release.stage == Stage.RC else candidate_of(state, release)
    return candidate.folder(state.root) / "review" if candidate is not None else None


def skipped_reason(folder: Path) -> str | None:
    """Why the candidate's review was skipped (recorded by --skip-gates), if it was."""
    try:
        return str(json.loads((folder / SKIPPED).read_text(encoding="utf-8"))["reason"])
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return None


def summary(folder: Path, root: Path, final_tag: str) -> str:
    try:
        return approvals(folder, root, final_tag).describe()
    except ReviewError as error:
        return str(error)


def review_seen(state: ReleaseState, release: Release) -> ReviewSeen:
    """The review that decides `release` and the approvals it holds, read once."""
    folder = review_dir(state, release)
    if folder is None:
        return ReviewSeen()
    tag, path = release.final_tag, folder / JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        readable = True
    except (OSError, json.JSONDecodeError):
        data, readable = None, False
    commit = data.get("commit") if isinstance(data, dict) else None
    refusal, broken = None, False
    if release.stage == Stage.FINAL:
        try:
            require_approvals(folder, state.root, tag)
        except NotApproved as refused:
            refusal = str(refused)
        except ReviewError as error:
            refusal, broken = str(error), True
    return ReviewSeen(folder, path.is_file(), readable, None if commit is None else str(commit),
                      skipped_reason(folder), summary(folder, state.root, tag), refusal, broken)


@contextmanager
def _tools_importable() -> Iterator[None]:
    """The course's export command runs `python -m tinyrelease.checks...` in the course:
    tinyrelease must be importable there even when it is not installed."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(IMPORT_ROOT), saved]))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def run(root: Path, folder: Path, kind: Kind) -> None:
    """The four reviewers on the course as checked out now, into `folder` (review.json last)."""
    from tinyrelease.review.run import run_review

    with _tools_importable():
        run_review(root, folder, execute=True, level=GATE_LEVELS[kind])


def stop_message(state: ReleaseState, release: Release) -> list[str]:
    """What the candidate's stop says about the review: who approved, where the report is."""
    folder = review_dir(state, release)
    if not release.reviewed or folder is None:
        return []
    final_tag = release.final_tag
    if (folder / JSON).is_file():
        lines = [f"  review:    {summary(folder, state.root, final_tag)}",
                 f"             consolidated report: {folder / 'consolidated.md'}"]
    else:
        reason = skipped_reason(folder)
        lines = [f"  review:    skipped ({reason}): the final runs it before going on"
                 if reason else f"  review:    not run ({folder})"]
    return lines + [f"The final needs all four approvals, or {overrides_file(final_tag)} "
                    "committed with a reason per reviewer."]
