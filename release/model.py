"""The release's own words: its kinds, stages and step statuses (string enums, so plans, reports
and JSON show the same words), the release under way and what the maintainer asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from packaging.version import Version

from tinyrelease.checks.boundary import own_path
from tinyrelease.release import versions


class Kind(StrEnum):
    """The type of a release: what the version bump says, and a hotfix from the main branch."""

    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"
    HOTFIX = "hotfix"


class Stage(StrEnum):
    """A release candidate, reviewed before the final; a hotfix has only its final."""

    RC = "rc"
    FINAL = "final"


class Status(StrEnum):
    """Where a step stands. `unknown`: it cannot be told now (the index is down); applying the
    step tells."""

    DONE = "done"
    TODO = "todo"
    BLOCKED = "blocked"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


GATE_LEVELS = {Kind.PATCH: "standard", Kind.MINOR: "standard", Kind.MAJOR: "comprehensive",
               Kind.HOTFIX: "quick"}
# the four reviewers' approvals: a patch may do without them, a hotfix cannot wait for them
REVIEWED = (Kind.MINOR, Kind.MAJOR)


def kind_of(final: Version) -> Kind:
    """The kind of release a final version is: 0.2.1 a patch, 0.3.0 a minor, 1.0.0 a major."""
    major, minor, micro = (list(final.release) + [0, 0, 0])[:3]
    return Kind.PATCH if micro else Kind.MINOR if minor else Kind.MAJOR


@dataclass(frozen=True)
class Release:
    """The release under way: its type, final version, stage (rc / final) and candidate."""

    kind: Kind
    final: Version
    stage: Stage
    rc: int = 0
    prefix: str = "v"  # of its tags (`tag_prefix`); its branch is named after its final tag
    # the direct flow: no candidate and no branch of its own, the release is made on the
    # development branch (named here) and merged into main
    on_branch: str | None = None

    @property
    def direct(self) -> bool:
        return self.on_branch is not None

    @property
    def version(self) -> Version:
        return versions.candidate(self.final, self.rc) if self.stage == Stage.RC else self.final

    @property
    def tag(self) -> str:
        return versions.tag_of(self.version, self.prefix)

    @property
    def final_tag(self) -> str:
        return versions.tag_of(self.final, self.prefix)

    @property
    def branch(self) -> str:
        """The branch the release's version is committed on."""
        if self.on_branch is not None:
            return self.on_branch
        return f"{'hotfix' if self.kind == Kind.HOTFIX else 'release'}/{self.final_tag}"

    @property
    def gate_level(self) -> str:
        return GATE_LEVELS[self.kind]

    @property
    def reviewed(self) -> bool:
        """The four reviewers review a candidate: the direct flow has none."""
        return self.kind in REVIEWED and not self.direct

    def folder(self, root: Path) -> Path:
        """build/release/<tag>/ of the course: never through a symlink the course holds."""
        return own_path(root, "build", "release", self.tag)


@dataclass(frozen=True)
class Request:
    """What the maintainer asked for on the command line."""

    kind: Kind
    version: str | None = None
    skip_gates: str | None = None
    dry_run: bool = False
    yes: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))  # `Request("minor")` reads as well
