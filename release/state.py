"""A release's state as plain data, read once per survey: git and the course's files (settings,
branches and tags here and on the remote, the versions stated at the refs a plan asks about),
and the snapshot a plan is made from: that state, the release and what was seen outside git.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import Version

from tinyrelease.release import versions
from tinyrelease.release.changelog import ChangelogConfig
from tinyrelease.release.errors import Refused
from tinyrelease.release.evidence import Evidence
from tinyrelease.release.git import TOOL_PREFIX
from tinyrelease.release.model import Release, Stage
from tinyrelease.release.settings import Settings

__all__ = ["Observations", "ReleaseLine", "ReleaseState", "RemoteRefs", "ReviewSeen",
           "Settings", "Snapshot", "gated_commit", "gates_dir"]


@dataclass(frozen=True)
class RemoteRefs:
    """The remote's branches and tags (by `ls-remote`), and what the plan asks of them."""

    reachable: bool
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    # the version pyproject.toml states at the tip of a remote branch (the development branch)
    stated: dict[str, Version | None] = field(default_factory=dict)
    # branch -> the tags of the local release lines whose commits that remote branch contains
    contains: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReleaseLine:
    """A local release/<tag> or hotfix/<tag> branch (`release/v0.2.0`) as git has it."""

    name: str
    head: str
    stated: Version | None = None      # what pyproject.toml states at the head
    changelog: str | None = None       # the changelog file at the head
    # the files changed since the tag of the candidate the head states (when not the head)
    since_candidate: tuple[str, ...] = ()
    fork_point: str | None = None      # a hotfix: where it left the main branch
    fixes: tuple[str, ...] = ()        # a hotfix: the commits since then not made by a release
    # the direct flow's development branch: the final version its newest version commit since
    # the last release states (a release under way), and whether main holds its head
    bumped: Version | None = None
    in_main: bool = False
    subject: str = ""                  # of the head commit, and the head's first parent
    parent: str | None = None


@dataclass(frozen=True)
class ReleaseState:
    """Everything a release is identified and planned from; nothing is remembered between
    runs, and nothing here asks git again."""

    root: Path
    settings: Settings
    project: str
    package: str | None
    branch: str
    head: str
    dirty: tuple[str, ...] = ()
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    remote: RemoteRefs = field(default_factory=lambda: RemoteRefs(True))
    sites: tuple[versions.VersionSite, ...] = ()
    changelog: ChangelogConfig | None = None
    fragments: tuple[str, ...] = ()
    map_missing: tuple[str, ...] = ()
    lines: dict[str, ReleaseLine] = field(default_factory=dict)
    # the course's files changed at HEAD since its newest final release (None: never tagged)
    changed: tuple[str, ...] | None = None
    unreleased: str | None = None  # a hand-written changelog: what [Unreleased] holds

    @property
    def prefix(self) -> str:
        return self.settings.tag_prefix

    @property
    def latest(self) -> str | None:
        """The tag of the newest final release, here or on the remote."""
        return versions.latest_final([*self.tags, *self.remote.tags], self.prefix)

    def is_line(self, branch: str) -> bool:
        """Whether `branch` is a release or hotfix branch of ours: `release/<tag>`."""
        kind, _, tag = branch.partition("/")
        return kind in ("release", "hotfix") and \
            versions.version_of_tag(tag, self.prefix) is not None

    @property
    def version(self) -> Version:
        pyproject = next((s for s in self.sites if s.path == "pyproject.toml"), None)
        site = pyproject or (self.sites[0] if self.sites else None)
        if site is None:
            raise Refused(f"{self.root}: the course states no version (pyproject.toml "
                          "[project] version)")
        return versions.parse(site.value, f"{site.path}:{site.line}")

    def disagreeing(self) -> list[versions.VersionSite]:
        return [s for s in self.sites if s.value != str(self.version)]

    def owned_paths(self) -> set[str]:
        """Files a release step rewrites: left dirty by an interrupted step, they are the
        step's to finish, not a human's change."""
        owned = {s.path for s in self.sites} | {"README.md"}
        if self.changelog:
            owned.add(self.changelog.filename)
        return owned

    def foreign_changes(self) -> list[str]:
        fragment_dir = self.changelog.directory + "/" if self.changelog else "\0"
        return [p for p in self.dirty
                if p not in self.owned_paths() and not p.startswith(fragment_dir)]

    @property
    def open_releases(self) -> list[str]:
        """The local release lines whose last step is not on the remote yet."""
        return [name for name in sorted(self.branches) if not self.finished(name)]

    def finished(self, branch: str) -> bool:
        """A release branch is finished when its last step is on the remote: for a release, the
        development branch moved past its version; for a hotfix, its tag merged into main."""
        kind, _, tag = branch.partition("/")
        final = versions.version_of_tag(tag, self.prefix)
        if not self.is_line(branch) or final is None:
            return True
        if tag not in self.remote.tags:
            return False
        if kind == "hotfix":
            return tag in self.remote.contains.get(self.settings.main_branch, frozenset())
        stated = self.remote.stated.get(self.settings.dev_branch)
        return stated is not None and stated > final


@dataclass(frozen=True)
class ReviewSeen:
    """The review that decides a reviewed release, as found on disk and in the overrides
    committed at HEAD: the candidate's own, or for the final the newest candidate's."""

    folder: Path | None = None      # None: no candidate of the final is tagged
    exists: bool = False            # its review.json is there
    readable: bool = False          # and reads as JSON
    commit: str | None = None       # the commit review.json says was reviewed
    skipped: str | None = None      # why --skip-gates skipped it, when it did
    summary: str = ""               # who approved (or overridden, or why it cannot be told)
    refusal: str | None = None      # why the final may not go on; None: approved
    broken: bool = False            # the refusal is an unreadable review or override file


@dataclass(frozen=True)
class Observations:
    """What a survey saw outside git for one release."""

    dists: tuple[Path, ...] = ()        # the built wheel and sdist of this version
    gates: str | None = None            # pass, fail, partial, skipped: REASON; None: not run
    evidence: Evidence | None = None    # what those gates ran (tests, suites, gates)
    uploaded: bool | None = None        # None: not asked (no index, nothing built)
    index_problem: str | None = None    # the index could not be asked: the upload is unknown
    notes: bool = False                 # notes.md drafted
    bundle: bool = False                # SHA256SUMS written, the bundle's last file
    publisher_missing: str | None = None  # why no GitHub release can be made from here
    published: bool = False
    book_deployable: bool = True        # this checkout's book package can deploy
    book_deployed: bool = False
    review: ReviewSeen | None = None    # None: the release is not reviewed


@dataclass(frozen=True)
class Snapshot:
    """Everything a plan is computed from; the plan never asks git or the disk again."""

    state: ReleaseState
    release: Release
    seen: Observations = field(default_factory=Observations)

    @property
    def folder(self) -> Path:
        return self.release.folder(self.state.root)

    @property
    def line(self) -> ReleaseLine | None:
        """The release's branch, once it exists here."""
        return self.state.lines.get(self.release.branch)

    @property
    def head(self) -> str:
        """The commit the release is made of now: its branch's head, else HEAD."""
        return self.state.branches.get(self.release.branch, self.state.head)

    @property
    def gated(self) -> str:
        return gated_commit(self.state, self.release)

    @property
    def tagged_ref(self) -> str:
        """What the release's tag goes on, its build and book are made from: the release
        branch; in the direct flow, main once the development branch is merged into it."""
        return self.state.settings.main_branch if self.release.direct else self.release.branch

    @property
    def tagged(self) -> str:
        return self.state.branches.get(self.tagged_ref, self.state.head)

    @property
    def index(self) -> str | None:
        """Where this stage uploads: the candidates' index or the releases'."""
        s = self.state.settings
        return s.rc_repository if self.release.stage == Stage.RC else s.repository


def gates_dir(folder: Path, head: str) -> Path:
    """The gates reports of one commit of a release."""
    return folder / "gates" / head[:12]


def gated_commit(state: ReleaseState, release: Release) -> str:
    """The commit the gates judge for a release: they run before its version is committed,
    so once it is, the commit before the version commit (which changes only the version)."""
    line = state.lines.get(release.branch)
    if line is None:
        return state.branches.get(release.branch, state.head)
    own = line.subject == f"{TOOL_PREFIX}{release.version}" and line.parent is not None
    return line.parent if own and line.parent else line.head
