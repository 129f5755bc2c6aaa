"""The pre-release review inside the pipelines: the candidate's review step, the final's approval
step (the four reviewers' verdicts or committed overrides), and what the candidate's stop says.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from release import versions
from release.plan import GATE_LEVELS, REVIEWED, Facts, Release
from release.state import ReleaseState
from review.approval import approvals, overrides_file, require_approvals
from review.errors import NotApproved, ReviewError
from review.render import JSON

if TYPE_CHECKING:
    from release.steps import Context

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SKIPPED = "skipped.json"


def candidate_of(state: ReleaseState, release: Release) -> Release | None:
    """The newest candidate of the release's final version that was tagged, here or on the
    remote (a fresh CI checkout has the tags, not the build folders)."""
    numbers = [v.pre[1] for t in {*state.tags, *state.remote.tags}
               if (v := versions.version_of_tag(t)) is not None and v.pre is not None
               and v.pre[0] == "rc" and v.base_version == str(release.final)]
    return Release(release.kind, release.final, "rc", max(numbers)) if numbers else None


def review_dir(state: ReleaseState, release: Release) -> Path | None:
    """The review that decides `release`: a candidate's own, or for the final the newest
    candidate's."""
    candidate = release if release.stage == "rc" else candidate_of(state, release)
    return candidate.folder(state.root) / "review" if candidate is not None else None


def skipped_reason(folder: Path) -> str | None:
    """Why the candidate's review was skipped (recorded by --skip-gates), if it was."""
    try:
        return str(json.loads((folder / SKIPPED).read_text(encoding="utf-8"))["reason"])
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return None


def observe(state: ReleaseState, release: Release, facts: Facts) -> tuple[str, str] | None:
    """(status, why) of the review step (candidate) or the approval step (final); None when
    the candidate's review has not run."""
    if release.kind not in REVIEWED:
        return None
    folder, final_tag = review_dir(state, release), versions.tag_of(release.final)
    if release.stage == "rc":
        assert folder is not None
        return _candidate(state, release, folder, final_tag)
    if facts.version_committed:  # the version step only runs once the approvals are given
        given = f"given before {release.final} was committed"
        if folder is not None and (folder / JSON).is_file():
            return "done", f"{summary(folder, state.root, final_tag)} ({given})"
        return "done", given
    if folder is None:
        return "blocked", f"no candidate of {release.final} is tagged, so nothing was reviewed"
    try:
        return "done", require_approvals(folder, state.root, final_tag).describe()
    except NotApproved as refused:
        if not (folder / JSON).is_file():
            return "todo", f"no review of {folder.parent.name} in {folder}: it runs first"
        return "blocked", str(refused)
    except ReviewError as error:
        return "blocked", str(error)


def _candidate(state: ReleaseState, release: Release, folder: Path,
               final_tag: str) -> tuple[str, str] | None:
    head = state.branches.get(release.branch, state.head)
    try:
        data = json.loads((folder / JSON).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        reason = skipped_reason(folder)
        return ("skipped", f"skipped: {reason}") if reason is not None else None
    if isinstance(data, dict) and data.get("commit") not in (None, head):
        return "todo", f"the review in {folder} is of commit {str(data['commit'])[:12]}: " \
                       "it runs again for this candidate"
    return "done", summary(folder, state.root, final_tag)


def summary(folder: Path, root: Path, final_tag: str) -> str:
    try:
        return approvals(folder, root, final_tag).describe()
    except ReviewError as error:
        return str(error)


@contextmanager
def _tools_importable() -> Iterator[None]:
    """The course's export command runs `python -m checks...` in the course: tinyrelease must
    be importable there even when it is not installed."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), saved]))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def run(root: Path, folder: Path, kind: str) -> None:
    """The four reviewers on the course as checked out now, into `folder` (review.json last)."""
    from review.run import run_review

    with _tools_importable():
        run_review(root, folder, execute=True, level=GATE_LEVELS[kind])


def _on_branch(ctx: Context) -> None:
    if ctx.git.branch() != ctx.release.branch:
        ctx.git.run("switch", "--quiet", ctx.release.branch)


def review_step(ctx: Context) -> None:
    """The candidate's review; --skip-gates skips it too (the review runs the gates), with its
    reason recorded, and the final then reviews before it goes on."""
    folder = review_dir(ctx.state, ctx.release)
    assert folder is not None
    _on_branch(ctx)
    (folder / JSON).unlink(missing_ok=True)  # an older commit's verdicts must not stay
    if ctx.request.skip_gates:
        folder.mkdir(parents=True, exist_ok=True)
        record = {"skipped": True, "reason": ctx.request.skip_gates,
                  "commit": ctx.git.head(), "level": GATE_LEVELS[ctx.release.kind]}
        versions.write_atomic(folder / SKIPPED, json.dumps(record, indent=2))
        return
    run(ctx.state.root, folder, ctx.release.kind)


def approval_step(ctx: Context) -> None:
    """Review the newest candidate if nobody did here (a fresh checkout), then require the
    approvals: NotApproved names who is missing and the override file to commit."""
    folder = review_dir(ctx.state, ctx.release)
    final_tag = versions.tag_of(ctx.release.final)
    if folder is None:
        raise NotApproved(f"{final_tag}: no release candidate is tagged, so nothing was "
                          "reviewed: run the release command from the development branch")
    _on_branch(ctx)
    if not (folder / JSON).is_file():
        run(ctx.state.root, folder, ctx.release.kind)
    require_approvals(folder, ctx.state.root, final_tag)


def stop_message(state: ReleaseState, release: Release) -> list[str]:
    """What the candidate's stop says about the review: who approved, where the report is."""
    folder = review_dir(state, release)
    if release.kind not in REVIEWED or folder is None:
        return []
    final_tag = versions.tag_of(release.final)
    if (folder / JSON).is_file():
        lines = [f"  review:    {summary(folder, state.root, final_tag)}",
                 f"             consolidated report: {folder / 'consolidated.md'}"]
    else:
        reason = skipped_reason(folder)
        lines = [f"  review:    skipped ({reason}): the final runs it before going on"
                 if reason else f"  review:    not run ({folder})"]
    return lines + [f"The final needs all four approvals, or {overrides_file(final_tag)} "
                    "committed with a reason per reviewer."]
