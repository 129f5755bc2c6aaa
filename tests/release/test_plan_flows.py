"""The direct flow from snapshots built in memory: no candidate and no release branch, the
version committed on dev, dev merged into main, main tagged; what identifies a direct release
under way or just finished, and what stops one from starting.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from packaging.version import Version
from snapshots import DEV, FINAL, MAIN, RC1, course, line, plan_of, statuses

from tinyrelease.release.errors import Refused
from tinyrelease.release.model import Kind, Release, Stage
from tinyrelease.release.plan import identify, preflight, sequence
from tinyrelease.release.state import ReleaseState, RemoteRefs, Settings
from tinyrelease.release.versions import VersionSite

DIRECT = Settings(flow="direct", tag_prefix="course-v")


def direct_course(**changes: Any) -> ReleaseState:
    state = course(settings=DIRECT, tags={"course-v0.1.0": MAIN}, changed=("CHANGELOG.md",),
                   remote=RemoteRefs(True, {"main": MAIN, "dev": DEV}, {"course-v0.1.0": MAIN}),
                   lines={"dev": line("dev", DEV, "0.1.0")})
    return replace(state, **changes)


def released(version: str = "0.2.0") -> Release:
    return Release(Kind.MINOR, Version(version), Stage.FINAL, prefix="course-v", on_branch="dev")


def test_a_direct_release_has_no_candidate_and_no_branch_of_its_own() -> None:
    assert [s.key for s in sequence(released())] == [
        "gates", "version", "merge", "build", "upload", "tag", "push", "book", "bundle",
        "publish"]
    assert identify(direct_course(), Kind.MINOR) == released()
    assert released().branch == "dev" and not released().reviewed
    # a hotfix is the same in both flows: its own branch from main
    assert identify(direct_course(branch="main", head=MAIN), Kind.HOTFIX).branch == \
        "hotfix/course-v0.1.1"


def test_a_direct_release_under_way_is_known_by_its_version_commit() -> None:
    bumped = direct_course(lines={"dev": line("dev", RC1, "0.2.0", bumped=Version("0.2.0"))},
                           branch="main", branches={"main": MAIN, "dev": RC1})
    assert identify(bumped, Kind.MINOR) == released()  # from main too: it continues
    with pytest.raises(Refused, match=r"^course-v0.2.0 is a minor release under way on dev: "
                                      r"run invoke release.minor$"):
        identify(bumped, Kind.PATCH)
    assert preflight(bumped, released()) == []  # under way: its start is not asked about


def test_a_version_written_but_not_committed_is_the_release_a_killed_run_began() -> None:
    """Killed after writing 0.2.0 and the changelog, before the commit: the same 0.2.0 goes on
    (not 0.3.0 from the files' 0.2.0), its consumed fragments no reason to refuse."""
    written = direct_course(dirty=("pyproject.toml", "CHANGELOG.md", "changelog.d/+x.md"),
                            sites=(VersionSite("pyproject.toml", 3, "0.2.0"),), fragments=())
    assert identify(written, Kind.MINOR) == released()
    assert preflight(written, released()) == []
    # a person's uncommitted edit of the version that is not this release's: no release
    ahead = replace(written, sites=(VersionSite("pyproject.toml", 3, "0.5.0"),))
    assert preflight(ahead, released())[0] == (
        "nothing to release: no changelog fragments in changelog.d/ (towncrier create "
        "+NAME.feature.md)")


def test_a_tagged_direct_release_with_nothing_since_is_finished() -> None:
    tagged = direct_course(tags={"course-v0.1.0": MAIN, "course-v0.2.0": FINAL}, changed=(),
                           fragments=())
    assert identify(tagged, Kind.MINOR) == released()
    # something changed since: the next release
    assert identify(replace(tagged, changed=("src/x.py",)), Kind.MINOR) == released("0.3.0")


def test_what_stops_a_direct_release_from_starting() -> None:
    behind = direct_course(remote=RemoteRefs(True, {"main": DEV, "dev": DEV},
                                             {"course-v0.1.0": MAIN}))
    assert preflight(behind, released()) == [
        "main differs from origin/main: pull or push first (git pull --ff-only origin main)"]
    alone = direct_course(settings=replace(DIRECT, dev_branch="main"), branch="main")
    assert preflight(alone, released())[0] == (
        'flow = "direct" merges the development branch into main: create it (git switch -c '
        'dev) or set dev_branch')
    assert preflight(direct_course(changed=()), released())[-1] == (
        "nothing to release: no file of the course changed since course-v0.1.0 (commit the "
        "changes to release first)")


def test_the_push_of_a_direct_release_is_judged_by_main_holding_the_tag() -> None:
    merged = direct_course(lines={"dev": line("dev", RC1, "0.2.0", bumped=Version("0.2.0"),
                                              in_main=True)},
                           branches={"main": FINAL, "dev": RC1},
                           tags={"course-v0.1.0": MAIN, "course-v0.2.0": FINAL})
    plan = plan_of(merged, released(), gates="pass", dists=(), notes=False)
    assert statuses(plan)["merge"] == "done" and statuses(plan)["tag"] == "done"
    assert statuses(plan)["push"] == "todo"
    assert plan.steps[6].title == "push dev and main and course-v0.2.0 to origin (all or none)"
    pushed = replace(merged, remote=RemoteRefs(
        True, {"main": FINAL, "dev": RC1}, {"course-v0.1.0": MAIN, "course-v0.2.0": FINAL},
        contains={"main": frozenset({"course-v0.2.0"})}))
    assert statuses(plan_of(pushed, released(), gates="pass"))["push"] == "done"
