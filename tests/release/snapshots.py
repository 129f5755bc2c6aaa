"""Snapshots built in memory for the plan tests: a course that released 0.1.0, on its
development branch with one changelog fragment, and whatever a test changes of it. Nothing
here exists on disk; a plan must not need it to.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.version import Version

from tinyrelease.release.changelog import MARKER, ChangelogConfig
from tinyrelease.release.model import Kind, Release, Request, Stage
from tinyrelease.release.plan import Plan, make_plan
from tinyrelease.release.state import (
    Observations,
    ReleaseLine,
    ReleaseState,
    RemoteRefs,
    ReviewSeen,
    Settings,
    Snapshot,
)
from tinyrelease.release.versions import VersionSite

ROOT = Path("/nowhere/tinynn-course")
INDEX = "https://index.example.org/legacy/"
MAIN, DEV, RC1, RC2, FINAL, FIX = (c * 40 for c in "abcdef")


def course(**changes: Any) -> ReleaseState:
    """0.1.0 released from main, dev one commit ahead with a feature fragment, all pushed."""
    state = ReleaseState(
        root=ROOT, settings=Settings(repository=INDEX, rc_repository=INDEX), project="tinynn",
        package="tinynn", branch="dev", head=DEV, branches={"main": MAIN, "dev": DEV},
        tags={"v0.1.0": MAIN},
        remote=RemoteRefs(True, {"main": MAIN, "dev": DEV}, {"v0.1.0": MAIN}),
        sites=(VersionSite("pyproject.toml", 3, "0.1.0"),
               VersionSite("tinynn/__init__.py", 1, "0.1.0")),
        changelog=ChangelogConfig("changelog.d", "CHANGELOG.md", MARKER),
        fragments=("+optim.feature.md",))
    return replace(state, **changes)


def on_line(state: ReleaseState, line: ReleaseLine, checked_out: bool = True,
            **remote: Any) -> ReleaseState:
    """`state` with the release branch `line` here (checked out), and `remote` refs added."""
    refs = state.remote
    refs = replace(refs, branches={**refs.branches, **remote.get("branches", {})},
                   tags={**refs.tags, **remote.get("tags", {})},
                   stated={**refs.stated, **remote.get("stated", {})},
                   contains={**refs.contains, **remote.get("contains", {})})
    return replace(state, branches={**state.branches, line.name: line.head},
                   lines={**state.lines, line.name: line}, remote=refs,
                   branch=line.name if checked_out else state.branch,
                   head=line.head if checked_out else state.head)


def line(name: str, head: str, stated: str | None, changelog: str | None = None,
         **facts: Any) -> ReleaseLine:
    return ReleaseLine(name, head, Version(stated) if stated else None, changelog, **facts)


def snapshot(state: ReleaseState, release: Release, **seen: Any) -> Snapshot:
    return Snapshot(state, release, Observations(**seen))


def plan_of(state: ReleaseState, release: Release, request: Request | None = None,
            **seen: Any) -> Plan:
    return make_plan(snapshot(state, release, **seen), request or Request(release.kind))


def rc(kind: Kind, final: str, number: int = 1) -> Release:
    return Release(kind, Version(final), Stage.RC, number)


def final(kind: Kind, version: str) -> Release:
    return Release(kind, Version(version), Stage.FINAL)


def statuses(plan: Plan) -> dict[str, str]:
    return {step.key: str(step.status) for step in plan.steps}


def reviewed(folder: str, **facts: Any) -> ReviewSeen:
    return ReviewSeen(ROOT / folder, **facts)
