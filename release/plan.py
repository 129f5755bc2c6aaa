"""The plan of a release as pure functions of its state: which release a command is about, the
preflight problems, and the steps in order with their status and why. Nothing here asks git,
the disk or the index: a plan is tested from a state built in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import Version

from tinyrelease.release import versions
from tinyrelease.release.errors import Refused
from tinyrelease.release.model import Kind, Release, Request, Stage, Status, kind_of
from tinyrelease.release.state import ReleaseState, Snapshot
from tinyrelease.release.steps.announcing import BookStep, BundleStep, PublishStep
from tinyrelease.release.steps.base import ReleaseStep
from tinyrelease.release.steps.branching import (
    BranchStep,
    FixStep,
    IntoMainStep,
    MergeStep,
    PushStep,
    TagStep,
)
from tinyrelease.release.steps.checking import ApprovalStep, GatesStep, ReviewStep
from tinyrelease.release.steps.packaging import BuildStep, UploadStep
from tinyrelease.release.steps.versioning import DevStep, NotesStep, VersionStep
from tinyrelease.review.approval import OVERRIDES

__all__ = ["Plan", "Request", "identify", "make_plan", "preflight", "sequence"]

def identify(state: ReleaseState, kind: Kind, wanted: str | None = None) -> Release:
    """The release a command continues (from its branch, or the one unfinished release), or
    the one it starts (from the development branch, or the main branch for a hotfix)."""
    branch = state.branch
    if not state.is_line(branch):
        open_ones = state.open_releases
        if len(open_ones) > 1:
            raise Refused(f"several releases are under way ({', '.join(open_ones)}): check out "
                          "the one to continue, or `invoke release.abort` the others")
        if open_ones:
            branch = open_ones[0]
    if state.is_line(branch):
        return _continuing(state, branch, kind)
    direct = state.settings.dev_branch if state.settings.direct and kind != Kind.HOTFIX \
        else None
    if direct and (under_way := _direct_under_way(state, kind)) is not None:
        return under_way
    if (done := _just_finished(state, kind)) is not None:
        return done  # the same command after a complete release: its plan, all done
    start = state.settings.start_of(kind)
    if state.branch != start:
        raise Refused(f"on branch {state.branch}: a {kind} release starts from {start} "
                      f"(git switch {start})")
    tags = [*state.tags, *state.remote.tags]
    final = versions.target_for(_committed(state) if direct else state.version, tags,
                                Kind.PATCH if kind == Kind.HOTFIX else kind, wanted,
                                state.prefix)
    if kind == Kind.HOTFIX or direct:
        return Release(kind, final, Stage.FINAL, prefix=state.prefix, on_branch=direct)
    return Release(kind, final, Stage.RC, 1, state.prefix)


def _committed(state: ReleaseState) -> Version:
    """The version the development branch states as committed: the files may state the next
    one already, written by a run killed before it committed them, which is no release yet."""
    line = state.lines.get(state.settings.dev_branch)
    return line.stated if line is not None and line.stated is not None else state.version


def _written(state: ReleaseState, release: Release) -> bool:
    """A direct release whose version a run killed before the commit wrote on its branch."""
    return state.branch == release.branch and "pyproject.toml" in state.dirty and \
        state.version == release.final


def _direct_under_way(state: ReleaseState, kind: Kind) -> Release | None:
    """A direct release whose version is committed on the development branch but not tagged
    yet (the tag ends it: after it, the release is the newest one, continued as finished)."""
    dev = state.settings.dev_branch
    line = state.lines.get(dev)
    if line is None or line.bumped is None:
        return None
    if kind != kind_of(line.bumped):
        raise Refused(f"{versions.tag_of(line.bumped, state.prefix)} is a "
                      f"{kind_of(line.bumped)} release under way on {dev}: run invoke "
                      f"release.{kind_of(line.bumped)}")
    return Release(kind, line.bumped, Stage.FINAL, prefix=state.prefix, on_branch=dev)


def _just_finished(state: ReleaseState, kind: Kind) -> Release | None:
    """The newest finished release of this kind, when nothing new waits to be released."""
    if (state.fragments or state.unreleased) and kind != Kind.HOTFIX:
        return None
    if state.settings.direct and kind != Kind.HOTFIX:
        newest = versions.version_of_tag(state.latest or "", state.prefix)
        if newest is None or state.changed != () or kind_of(newest) != kind:
            return None  # a direct release has no branch: its tag, and nothing since
        return Release(kind, newest, Stage.FINAL, prefix=state.prefix,
                       on_branch=state.settings.dev_branch)
    line = f"{'hotfix' if kind == Kind.HOTFIX else 'release'}/{state.prefix}"
    finished = {v: b for b in state.branches if b.startswith(line)
                and (v := versions.version_of_tag(b.split("/", 1)[1], state.prefix)) is not None
                and (kind == Kind.HOTFIX or kind_of(v) == kind)}
    if not finished:
        return None
    newest = max(finished)
    if versions.tag_of(newest, state.prefix) not in state.remote.tags or \
            versions.tag_of(newest, state.prefix) != versions.latest_final(state.tags,
                                                                           state.prefix):
        return None
    if kind == Kind.HOTFIX and state.branch != state.settings.main_branch:
        return None
    return Release(kind, newest, Stage.FINAL, prefix=state.prefix)


def _continuing(state: ReleaseState, branch: str, kind: Kind) -> Release:
    final = versions.version_of_tag(branch.split("/", 1)[1], state.prefix)
    if final is None:
        raise Refused(f"branch {branch} does not name a version (release/"
                      f"{state.prefix}X.Y.Z)")
    prefix = state.prefix
    if branch.startswith("hotfix/"):
        if kind != Kind.HOTFIX:
            raise Refused(f"{branch} is a hotfix under way: run invoke release.hotfix")
        return Release(Kind.HOTFIX, final, Stage.FINAL, prefix=prefix)
    if kind != kind_of(final):
        raise Refused(f"{branch} is a {kind_of(final)} release under way: run "
                      f"invoke release.{kind_of(final)}")
    line = state.lines.get(branch)
    stated = line.stated if line is not None else None
    if line is None or stated is None:
        return Release(kind, final, Stage.RC, 1, prefix)
    if stated == final:
        return Release(kind, final, Stage.FINAL, prefix=prefix)
    if stated.pre is None or stated.base_version != str(final):
        return Release(kind, final, Stage.RC, 1, prefix)
    number, tag = stated.pre[1], versions.tag_of(stated, prefix)
    if tag not in state.tags:
        return Release(kind, final, Stage.RC, number, prefix)
    if state.tags[tag] != line.head and not _only_overrides(state, tag, line.since_candidate):
        return Release(kind, final, Stage.RC, number + 1, prefix)  # fixes were committed since
    if state.tags[tag] != line.head:  # approvals overridden since: the final goes on
        return Release(kind, final, Stage.FINAL, prefix=prefix)
    pushed = state.remote.tags.get(tag) == line.head and \
        state.remote.branches.get(branch) == line.head
    return Release(kind, final, Stage.FINAL, prefix=prefix) if pushed else \
        Release(kind, final, Stage.RC, number, prefix)


def _only_overrides(state: ReleaseState, tag: str, changed: tuple[str, ...]) -> bool:
    """Whether only review overrides were committed since the candidate: no code to review
    again, so no new candidate (the candidate itself must be pushed)."""
    if state.remote.tags.get(tag) != state.tags[tag]:
        return False
    return bool(changed) and all(path.startswith(OVERRIDES + "/") for path in changed)


# a release's main merge comes before its bundle; a hotfix's comes last, because its tag on
# main is what says the hotfix is finished
# the gates come before the branch and the version: a release without evidence creates and
# changes nothing (a candidate's gates judge the development branch's tip, which its branch
# starts at); a hotfix's judge the fix, committed on its branch, so they come after it
# the book comes before the bundle: the bundle carries the deployed site's release manifest
_RELEASE = (ApprovalStep, GatesStep, BranchStep, VersionStep, NotesStep, ReviewStep, BuildStep,
            UploadStep, TagStep, PushStep, MergeStep, BookStep, BundleStep, PublishStep, DevStep)
_HOTFIX = (BranchStep, FixStep, GatesStep, VersionStep, BuildStep, UploadStep, TagStep, PushStep,
           BookStep, BundleStep, PublishStep, MergeStep)
# the direct flow: the version on the development branch, merged into main there, built from
# main, tagged; both branches and the tag pushed at once
_DIRECT = (GatesStep, VersionStep, IntoMainStep, BuildStep, UploadStep, TagStep, PushStep,
           BookStep, BundleStep, PublishStep)


def sequence(release: Release) -> list[type[ReleaseStep]]:
    """The steps of `release`, in the order they are applied."""
    order = _HOTFIX if release.kind == Kind.HOTFIX else _DIRECT if release.direct else _RELEASE
    return [step for step in order if step.belongs(release)]


@dataclass
class Plan:
    release: Release
    problems: list[str]
    steps: list[ReleaseStep]

    @property
    def todo(self) -> list[ReleaseStep]:
        return [s for s in self.steps if s.status == Status.TODO]

    @property
    def pending(self) -> list[ReleaseStep]:
        """The steps a run applies, in order: those to do (or unknown: applying tells) up to
        the first blocked one. A blocked book never holds back the steps after it."""
        found = []
        for step in self.steps:
            if step.status == Status.BLOCKED and not isinstance(step, BookStep):
                break
            if step.status in (Status.TODO, Status.UNKNOWN):
                found.append(step)
        return found

    @property
    def next(self) -> ReleaseStep | None:
        return next(iter(self.pending), None)

    @property
    def refusal(self) -> str | None:
        """Why the release stops here: the first blocked step that is a refusal, when no step
        to do comes before it."""
        for step in self.steps:
            if step.status == Status.BLOCKED and step.refuses:
                return step.why
            if step.status in (Status.TODO, Status.UNKNOWN):
                return None
        return None


def make_plan(snapshot: Snapshot, request: Request) -> Plan:
    """The plan of the snapshot's release: every step of it, judged, and the preflight."""
    release = snapshot.release
    return Plan(release, preflight(snapshot.state, release),
                [step(snapshot, request) for step in sequence(release)])


def preflight(state: ReleaseState, release: Release) -> list[str]:
    """Every reason the release cannot go on now, each naming its fix (all are collected)."""
    problems, s = [], state.settings
    if release.direct and s.dev_branch == s.main_branch:
        problems.append(f"flow = \"direct\" merges the development branch into "
                        f"{s.main_branch}: create it (git switch -c dev) or set dev_branch")
    if foreign := state.foreign_changes():
        problems.append(f"the working tree has uncommitted changes ({', '.join(foreign[:5])}): "
                        "commit or stash them")
    if not state.remote.reachable:
        problems.append(f"the remote {s.remote!r} cannot be reached: check `git remote -v`")
    start = s.start_of(release.kind)
    if not _under_way(state, release):  # starting: the start must be sound
        if state.branch != start:
            problems.append(f"on branch {state.branch}: start from {start} (git switch {start})")
        for branch in [start, *([s.main_branch] if release.direct else [])]:
            remote_sha = state.remote.branches.get(branch)
            if remote_sha and remote_sha != state.branches.get(branch):
                problems.append(f"{branch} differs from {s.remote}/{branch}: pull or push "
                                f"first (git pull --ff-only {s.remote} {branch})")
        final_tag = release.final_tag
        if final_tag in state.tags or final_tag in state.remote.tags:
            problems.append(f"the tag {final_tag} already exists: {release.final} was released, "
                            "and a tag is never moved or deleted; release the next version "
                            "(--version)")
        if release.kind != Kind.HOTFIX and state.changed == ():
            problems.append(f"nothing to release: no file of the course changed since "
                            f"{state.latest} (commit the changes to release first)")
        elif release.kind != Kind.HOTFIX and state.changelog and not state.changelog.by_hand \
                and not state.fragments:
            problems.append(f"nothing to release: no changelog fragments in "
                            f"{state.changelog.directory}/ (towncrier create +NAME.feature.md)")
        elif release.kind in (Kind.MINOR, Kind.MAJOR) and state.changelog and \
                state.changelog.by_hand and not state.unreleased:
            problems.append(f"the [Unreleased] section of {state.changelog.filename} is empty: a "
                            f"{release.kind} release needs its notes; write them under it "
                            "(### Added, ### Changed, ### Fixed) and commit")
        if disagree := state.disagreeing():
            where = ", ".join(x.said() for x in disagree)
            problems.append(f"the course states two versions ({state.version} in pyproject.toml; "
                            f"{where}): make them agree")
    if release.kind == Kind.MAJOR and state.map_missing:
        problems.append(f"a major release needs every module of the course map; missing: "
                        f"{', '.join(state.map_missing)}")
    if release.stage != Stage.RC and state.changelog is None:
        problems.append("no changelog: configure towncrier ([tool.towncrier] in pyproject.toml, "
                        "directory = \"changelog.d\") or keep CHANGELOG.md with an "
                        "## [Unreleased] section")
    return problems


def _under_way(state: ReleaseState, release: Release) -> bool:
    """Whether the release has begun here: its branch exists; in the direct flow, its version
    is committed on the development branch, or it is tagged."""
    if not release.direct:
        return release.branch in state.branches
    line = state.lines.get(release.branch)
    return (line is not None and line.bumped == release.final) or _written(state, release) or \
        release.final_tag in state.tags or release.final_tag in state.remote.tags
