"""The plan of a release as pure functions over a state: which release is under way, the
preflight problems, and each step with whether it is done, why, and the commands it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import Version

from checks.boundary import own_path
from release import versions
from release.errors import Refused
from release.git import TOOL_PREFIX
from release.state import ReleaseState
from review.approval import OVERRIDES

GATE_LEVELS = {"patch": "standard", "minor": "standard", "major": "comprehensive",
               "hotfix": "quick"}
REVIEWED = ("minor", "major")  # the four reviewers' approvals; optional for a patch, left out


@dataclass(frozen=True)
class Release:
    """The release under way: its type, final version, stage (rc / final / fix) and branch."""

    kind: str
    final: Version
    stage: str
    rc: int = 0

    @property
    def version(self) -> Version:
        return versions.candidate(self.final, self.rc) if self.stage == "rc" else self.final

    @property
    def tag(self) -> str:
        return versions.tag_of(self.version)

    @property
    def branch(self) -> str:
        return f"{'hotfix' if self.kind == 'hotfix' else 'release'}/{versions.tag_of(self.final)}"

    def folder(self, root: Path) -> Path:
        """build/release/<tag>/ of the course: never through a symlink the course holds."""
        return own_path(root, "build", "release", self.tag)


@dataclass
class Observed:
    """What the runner saw outside git for this release: build output, gates, index, GitHub."""

    dists: list[Path] = field(default_factory=list)
    gates: str | None = None          # "pass", "fail", "skipped: reason" for HEAD, None if not run
    uploaded: bool | None = None      # None: no index configured for this stage
    rc_uploaded: bool | None = None
    bundle: bool = False
    published: bool | None = None     # None: no publisher available (gh missing)
    publisher_why: str = ""
    book: bool | None = None          # None: book deploy not available
    book_why: str = ""                # set when the course turned the book step off
    notes: bool = False
    review: tuple[str, str] | None = None   # (status, why) of the review or approval step
    fix_commits: list[str] = field(default_factory=list)
    index_problem: str | None = None  # the index could not be asked: the upload is unknown


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    status: str                       # done | todo | blocked | skipped | unknown
    why: str
    commands: tuple[tuple[str, ...], ...] = ()


@dataclass
class Plan:
    release: Release
    problems: list[str]
    steps: list[Step]

    @property
    def todo(self) -> list[Step]:
        return [s for s in self.steps if s.status == "todo"]

    @property
    def next(self) -> Step | None:
        for step in self.steps:
            # a blocked book deploy must not hold back the steps after it; a missing fix must
            if step.status == "blocked" and step.key != "book":
                return None
            if step.status in ("todo", "unknown"):  # unknown: applying it tells
                return step
        return None


def kind_of(final: Version) -> str:
    major, minor, micro = (list(final.release) + [0, 0, 0])[:3]
    return "patch" if micro else "minor" if minor else "major"


def identify(state: ReleaseState, kind: str, wanted: str | None = None) -> Release:
    """The release a command continues (from its branch, or the one unfinished release), or
    the one it starts (from the development branch, or the main branch for a hotfix)."""
    branch = state.branch
    if not branch.startswith(("release/v", "hotfix/v")):
        open_ones = state.open_releases
        if len(open_ones) > 1:
            raise Refused(f"several releases are under way ({', '.join(open_ones)}): check out "
                          "the one to continue, or `invoke release.abort` the others")
        if open_ones:
            branch = open_ones[0]
    if branch.startswith(("release/v", "hotfix/v")):
        return _continuing(state, branch, kind)
    if (done := _just_finished(state, kind)) is not None:
        return done  # the same command after a complete release: its plan, all done
    start = state.settings.main_branch if kind == "hotfix" else state.settings.dev_branch
    if state.branch != start:
        raise Refused(f"on branch {state.branch}: a {kind} release starts from {start} "
                      f"(git switch {start})")
    tags = [*state.tags, *state.remote.tags]
    final = versions.target_for(state.version, tags, "patch" if kind == "hotfix"
                                else kind, wanted)
    return Release(kind, final, "final" if kind == "hotfix" else "rc", 1)


def _just_finished(state: ReleaseState, kind: str) -> Release | None:
    """The newest finished release of this kind, when nothing new waits to be released."""
    if state.fragments and kind != "hotfix":
        return None
    prefix = "hotfix/v" if kind == "hotfix" else "release/v"
    finished = {v: b for b in state.branches if b.startswith(prefix)
                and (v := versions.version_of_tag(b.split("/", 1)[1])) is not None
                and (kind == "hotfix" or kind_of(v) == kind)}
    if not finished:
        return None
    newest = max(finished)
    final_tags = [v for t in state.tags
                  if (v := versions.version_of_tag(t)) is not None and not v.is_prerelease]
    if versions.tag_of(newest) not in state.remote.tags or newest != max(final_tags, default=None):
        return None
    if kind == "hotfix" and state.branch != state.settings.main_branch:
        return None
    return Release(kind, newest, "final")


def _continuing(state: ReleaseState, branch: str, kind: str) -> Release:
    final = versions.version_of_tag(branch.split("/", 1)[1])
    if final is None:
        raise Refused(f"branch {branch} does not name a version (release/vX.Y.Z)")
    if branch.startswith("hotfix/"):
        if kind != "hotfix":
            raise Refused(f"{branch} is a hotfix under way: run invoke release.hotfix")
        return Release("hotfix", final, "final")
    if kind != kind_of(final):
        raise Refused(f"{branch} is a {kind_of(final)} release under way: run "
                      f"invoke release.{kind_of(final)}")
    head = state.branches.get(branch, "")
    stated = state.committed_version(branch) if branch in state.branches else None
    if stated == final:
        return Release(kind, final, "final")
    if stated is not None and stated.pre is not None and stated.base_version == str(final):
        number = stated.pre[1]
        tag = versions.tag_of(stated)
        if tag not in state.tags:
            return Release(kind, final, "rc", number)
        if state.tags[tag] != head and not _only_overrides(state, tag, head):
            return Release(kind, final, "rc", number + 1)  # fixes were committed since
        if state.tags[tag] != head:  # approvals overridden since: the final goes on
            return Release(kind, final, "final")
        pushed = state.remote.tags.get(tag) == head and state.remote.branches.get(branch) == head
        return Release(kind, final, "final") if pushed else Release(kind, final, "rc", number)
    return Release(kind, final, "rc", 1)


def _only_overrides(state: ReleaseState, tag: str, head: str) -> bool:
    """Whether only review overrides were committed since the candidate: no code to review
    again, so no new candidate (the candidate itself must be pushed)."""
    if state.remote.tags.get(tag) != state.tags[tag]:
        return False
    changed = state.changed_files(state.tags[tag], head)
    return bool(changed) and all(path.startswith(OVERRIDES + "/") for path in changed)


def preflight(state: ReleaseState, release: Release, request_yes: bool = True) -> list[str]:
    """Every reason the release cannot go on now, each naming its fix (all are collected)."""
    problems, s = [], state.settings
    if foreign := state.foreign_changes():
        problems.append(f"the working tree has uncommitted changes ({', '.join(foreign[:5])}): "
                        "commit or stash them")
    if not state.remote.reachable:
        problems.append(f"the remote {s.remote!r} cannot be reached: check `git remote -v`")
    starting = release.branch not in state.branches
    start = s.main_branch if release.kind == "hotfix" else s.dev_branch
    if starting:
        if state.branch != start:
            problems.append(f"on branch {state.branch}: start from {start} (git switch {start})")
        remote_sha = state.remote.branches.get(start)
        if remote_sha and remote_sha != state.branches.get(start):
            problems.append(f"{start} differs from {s.remote}/{start}: pull or push first "
                            f"(git pull --ff-only {s.remote} {start})")
        final_tag = versions.tag_of(release.final)
        if final_tag in state.tags or final_tag in state.remote.tags:
            problems.append(f"the tag {final_tag} already exists: {release.final} was released; "
                            "choose the next version")
        if release.kind != "hotfix" and state.changelog and not state.fragments:
            problems.append(f"nothing to release: no changelog fragments in "
                            f"{state.changelog.directory}/ (towncrier create +NAME.feature.md)")
        if disagree := state.disagreeing():
            where = ", ".join(f"{x.path}:{x.line} says {x.value}" for x in disagree)
            problems.append(f"the course states two versions ({state.version} in pyproject.toml; "
                            f"{where}): make them agree")
    if release.kind == "major" and state.map_missing:
        problems.append(f"a major release needs every module of the course map; missing: "
                        f"{', '.join(state.map_missing)}")
    if release.stage != "rc" and state.changelog is None:
        problems.append("no [tool.towncrier] in the course's pyproject.toml: configure the "
                        "changelog (directory = \"changelog.d\")")
    return problems


def is_tool_commit(subject: str) -> bool:
    return subject.startswith(TOOL_PREFIX)


@dataclass(frozen=True)
class Request:
    """What the maintainer asked for on the command line."""

    kind: str
    version: str | None = None
    skip_gates: str | None = None
    dry_run: bool = False
    yes: bool = False


@dataclass
class Facts:
    """Facts about refs the observer reads from git for the plan."""

    version_committed: bool = False
    changelog_committed: bool = False
    merged: bool = False
    dev_bumped: bool = False


def make_plan(state: ReleaseState, release: Release, seen: Observed, facts: Facts,
              request: Request) -> Plan:
    s, b, tag = state.settings, release.branch, release.tag
    root, folder = str(state.root), release.folder(state.root)
    level = GATE_LEVELS[release.kind]
    start = s.main_branch if release.kind == "hotfix" else s.dev_branch
    steps: list[Step] = []

    def add(key: str, title: str, done: bool, why: str, *commands: tuple[str, ...],
            status: str | None = None) -> None:
        steps.append(Step(key, title, status or ("done" if done else "todo"), why, commands))

    on_branch = b in state.branches
    if release.stage != "final" or release.kind == "hotfix":
        add("branch", f"branch {b} from {start}", on_branch,
            "exists" if on_branch else "not created yet", ("git", "switch", "-c", b, start))
    reviewed = release.kind in REVIEWED
    review_state, review_why = seen.review or ("todo", "not reviewed" if not request.skip_gates
                                               else f"skipped: {request.skip_gates}")
    if reviewed and release.stage == "final":
        add("approval", "the four reviewers approved the newest candidate (or an override "
            "is committed)", False, review_why, ("python", "-m", "review", "--course", root,
                                                  "--level", level), status=review_state)
    if release.kind == "hotfix":
        fixed = bool(seen.fix_commits)
        add("fix", f"the fix committed on {b} (by you)", fixed,
            f"{len(seen.fix_commits)} commit(s) since the branch point" if fixed else
            f"commit the fix on {b}, then run invoke release.hotfix again",
            status=None if fixed else "blocked")
    final = release.stage == "final"
    add("version", f"version {release.version}" + (" and CHANGELOG.md" if final else "")
        + " committed", facts.version_committed and (not final or facts.changelog_committed),
        "committed" if facts.version_committed else "files still state "
        f"{state.committed_version(b) if on_branch else state.version}",
        ("tinyrelease", "write-version", str(release.version)),
        *((("towncrier", "build", "--yes", "--version", str(release.version)),) if final else ()),
        ("git", "commit", "-m", f"{TOOL_PREFIX}{release.version}"))
    if release.stage == "rc":
        add("notes", "draft release notes for review", seen.notes, "written" if seen.notes
            else "not drafted", ("towncrier", "build", "--draft", "--version", str(release.final)))
    gates_done = seen.gates is not None and (seen.gates == "pass" or seen.gates.startswith("skip"))
    add("gates", f"gates at level {level}" + (" and the changed modules' tests"
                                                if release.kind == "hotfix" else ""),
        gates_done,
        seen.gates or ("skipped: " + request.skip_gates if request.skip_gates else "not run"),
        ("python", "-m", "checks", "--course", root, "--level", level, "--report-dir",
         str(folder / "gates")))
    if reviewed and release.stage == "rc":
        add("review", f"pre-release review by the four reviewers (level {level})", False,
            review_why, ("python", "-m", "review", "--course", root, "--level", level, "--out",
                         str(folder / "review")), status=review_state)
    add("build", "build the sdist and wheel, twine check --strict, install and import",
        bool(seen.dists), ", ".join(p.name for p in seen.dists) or "not built",
        ("python", "-m", "build", "--sdist", "--wheel", "--outdir", str(folder / "dist"), root),
        ("twine", "check", "--strict", str(folder / "dist" / "*")))
    index = s.rc_repository if release.stage == "rc" else s.repository
    uploaded = seen.rc_uploaded if release.stage == "rc" else seen.uploaded
    if index is None:
        add("upload", "upload to the package index", False,
            f"no {'rc_' if release.stage == 'rc' else ''}repository configured", status="skipped")
    else:
        add("upload", f"upload to {index}", bool(uploaded),
            seen.index_problem or ("on the index, same hashes" if uploaded
                                   else "not on the index"),
            ("twine", "upload", "--repository-url" if "://" in index else "--repository", index,
             str(folder / "dist" / "*")), status="unknown" if seen.index_problem else None)
    add("tag", f"annotated tag {tag} (only after a complete upload)", tag in state.tags,
        "exists" if tag in state.tags else "not tagged", ("git", "tag", "-a", tag, "-m", tag, b))
    pushed = (state.remote.branches.get(b) == state.branches.get(b) and on_branch
              and tag in state.remote.tags)
    add("push", f"push {b} and {tag} to {s.remote}", pushed,
        "on the remote" if pushed else "not pushed", ("git", "push", "--atomic", s.remote, b, tag))
    if release.stage == "rc":
        return Plan(release, preflight(state, release), steps)
    merge = ("merge", f"merge {tag} into {s.main_branch} (--no-ff) and push", facts.merged,
             "merged" if facts.merged else "not merged",
             ("git", "switch", s.main_branch), ("git", "merge", "--no-ff", tag),
             ("git", "push", s.remote, s.main_branch))
    if release.kind != "hotfix":
        add(*merge[:4], *merge[4:])
    add("bundle", f"release bundle in build/release/{tag}/", seen.bundle,
        "written" if seen.bundle else "not written")
    add("publish", "GitHub release", bool(seen.published), seen.publisher_why,
        ("gh", "release", "create", tag, "--notes-file", str(folder / "notes.md")),
        status="skipped" if seen.published is None else None)
    add("book", f"book deployed to {s.book_branch}", bool(seen.book),
        seen.book_why or ("deployed" if seen.book else "book deploy not available"
                          if seen.book is None else "not deployed"),
        ("python", "-m", "book", "deploy", "--course", root, "--branch", s.book_branch),
        status="blocked" if seen.book is None else "skipped" if seen.book_why else None)
    if release.kind == "hotfix":
        add(*merge[:4], *merge[4:])
    else:
        dev = str(versions.next_dev(release.final))
        add("dev", f"{s.dev_branch} moved to {dev} and pushed", facts.dev_bumped,
            "moved" if facts.dev_bumped else "not moved", ("git", "switch", s.dev_branch),
            ("git", "merge", "--no-ff", b), ("tinyrelease", "write-version", dev),
            ("git", "push", s.remote, s.dev_branch))
    return Plan(release, preflight(state, release), steps)
