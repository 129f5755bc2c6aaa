"""The preflight of a plan from a snapshot built in memory: every reason a release cannot go on
now is collected, each naming its fix; a release's own half-written files are not a reason.
"""

from __future__ import annotations

from dataclasses import replace

from snapshots import DEV, MAIN, RC1, course, final, line, on_line, plan_of, rc

from tinyrelease.release.model import Kind
from tinyrelease.release.plan import preflight
from tinyrelease.release.state import RemoteRefs
from tinyrelease.release.versions import VersionSite


def test_a_clean_start_has_no_problem() -> None:
    assert preflight(course(), rc(Kind.MINOR, "0.2.0")) == []
    assert plan_of(course(), rc(Kind.MINOR, "0.2.0")).problems == []


def test_a_persons_change_is_a_problem_and_the_releases_own_files_are_not() -> None:
    own = course(dirty=("pyproject.toml", "tinynn/__init__.py", "CHANGELOG.md", "README.md",
                        "changelog.d/+optim.feature.md"))
    assert preflight(own, rc(Kind.PATCH, "0.1.1")) == []
    mine = course(dirty=("src/01_tensor/ABOUT.md", "pyproject.toml"))
    assert preflight(mine, rc(Kind.PATCH, "0.1.1")) == [
        "the working tree has uncommitted changes (src/01_tensor/ABOUT.md): commit or stash "
        "them"]


def test_every_problem_of_a_start_is_collected() -> None:
    state = course(branch="main", head=MAIN, fragments=(),
                   tags={"v0.1.0": MAIN, "v0.2.0": MAIN},
                   remote=RemoteRefs(True, {"main": MAIN, "dev": RC1}, {"v0.1.0": MAIN}),
                   sites=(VersionSite("pyproject.toml", 3, "0.1.0"),
                          VersionSite("settings.ini", 4, "0.0.9")))
    assert preflight(state, rc(Kind.MINOR, "0.2.0")) == [
        "on branch main: start from dev (git switch dev)",
        "dev differs from origin/dev: pull or push first (git pull --ff-only origin dev)",
        "the tag v0.2.0 already exists: 0.2.0 was released, and a tag is never moved or "
        "deleted; release the next version (--version)",
        "nothing to release: no changelog fragments in changelog.d/ (towncrier create "
        "+NAME.feature.md)",
        "the course states two versions (0.1.0 in pyproject.toml; settings.ini:4 says 0.0.9): "
        "make them agree"]


def test_a_release_under_way_is_not_asked_about_its_start() -> None:
    state = on_line(course(fragments=(), dirty=("pyproject.toml",)),
                    line("release/v0.2.0", RC1, "0.2.0rc1"))
    assert preflight(state, rc(Kind.MINOR, "0.2.0")) == []


def test_an_unreachable_remote_a_missing_module_and_no_changelog() -> None:
    state = course(remote=RemoteRefs(False), map_missing=("05 Optimizers",), changelog=None)
    assert preflight(state, final(Kind.MAJOR, "1.0.0")) == [
        "the remote 'origin' cannot be reached: check `git remote -v`",
        "a major release needs every module of the course map; missing: 05 Optimizers",
        "no changelog: configure towncrier ([tool.towncrier] in pyproject.toml, directory = "
        "\"changelog.d\") or keep CHANGELOG.md with an ## [Unreleased] section"]


def test_a_hotfix_needs_no_fragment_to_start() -> None:
    on_main = course(branch="main", head=MAIN, fragments=())
    assert preflight(on_main, final(Kind.HOTFIX, "0.1.1")) == []
    behind = replace(on_main, remote=replace(on_main.remote, branches={"main": DEV}))
    assert preflight(behind, final(Kind.HOTFIX, "0.1.1")) == [
        "main differs from origin/main: pull or push first (git pull --ff-only origin main)"]
