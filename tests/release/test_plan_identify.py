"""Which release a command is about, from a snapshot built in memory: the one it starts from the
development branch, the candidate or final a release branch continues, the one just finished.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from packaging.version import Version
from snapshots import DEV, FINAL, MAIN, RC1, RC2, course, final, line, on_line, rc

from tinyrelease.release.errors import Refused
from tinyrelease.release.model import Kind
from tinyrelease.release.plan import identify

DRAFTED = "# Changelog\n\n## [0.2.0] - today\n\n- Module 05: SGD\n"


@pytest.mark.parametrize(("kind", "expected"), [
    (Kind.PATCH, rc(Kind.PATCH, "0.1.1")), (Kind.MINOR, rc(Kind.MINOR, "0.2.0")),
    (Kind.MAJOR, rc(Kind.MAJOR, "1.0.0"))])
def test_a_release_starts_as_its_first_candidate_from_dev(kind: Kind, expected: object) -> None:
    assert identify(course(), kind) == expected


def test_a_hotfix_starts_final_from_main() -> None:
    assert identify(course(branch="main", head=MAIN), Kind.HOTFIX) == final(Kind.HOTFIX, "0.1.1")


def test_a_release_from_the_wrong_branch_or_version_is_refused() -> None:
    with pytest.raises(Refused, match=r"on branch main: a minor release starts from dev "
                                      r"\(git switch dev\)"):
        identify(course(branch="main", head=MAIN), Kind.MINOR)
    with pytest.raises(Refused, match="--version 0.5.0 does not follow from 0.1.0: a minor "
                                      "release after 0.1.0 is 0.2.0"):
        identify(course(), Kind.MINOR, "0.5.0")


def test_the_bump_follows_the_newest_final_tag_here_or_on_the_remote() -> None:
    state = course()
    state = replace(state, remote=replace(state.remote, tags={"v0.1.0": MAIN, "v0.3.0": MAIN}))
    assert identify(state, Kind.MINOR) == rc(Kind.MINOR, "0.4.0")


def test_a_candidate_branch_continues_its_candidate_until_pushed() -> None:
    branch = line("release/v0.2.0", RC1, "0.2.0rc1")
    state = replace(on_line(course(), branch), tags={"v0.1.0": MAIN, "v0.2.0rc1": RC1})
    assert identify(state, Kind.MINOR) == rc(Kind.MINOR, "0.2.0", 1)  # tagged, not pushed
    pushed = on_line(state, branch, branches={"release/v0.2.0": RC1}, tags={"v0.2.0rc1": RC1})
    assert identify(pushed, Kind.MINOR) == final(Kind.MINOR, "0.2.0")  # reviewed: the final


def test_a_branch_whose_version_is_not_committed_yet_is_its_first_candidate() -> None:
    state = on_line(course(), line("release/v0.2.0", DEV, "0.1.0"))
    assert identify(state, Kind.MINOR) == rc(Kind.MINOR, "0.2.0", 1)


def test_fixes_after_a_candidate_make_the_next_candidate() -> None:
    branch = line("release/v0.2.0", RC2, "0.2.0rc1", since_candidate=("src/01_tensor/NOTES.md",))
    state = on_line(replace(course(), tags={"v0.1.0": MAIN, "v0.2.0rc1": RC1}), branch,
                    branches={"release/v0.2.0": RC1}, tags={"v0.2.0rc1": RC1})
    assert identify(state, Kind.MINOR) == rc(Kind.MINOR, "0.2.0", 2)


def test_overrides_alone_after_a_pushed_candidate_let_the_final_go_on() -> None:
    branch = line("release/v0.2.0", RC2, "0.2.0rc1",
                  since_candidate=("release/overrides/v0.2.0.toml",))
    state = on_line(replace(course(), tags={"v0.1.0": MAIN, "v0.2.0rc1": RC1}), branch,
                    branches={"release/v0.2.0": RC1}, tags={"v0.2.0rc1": RC1})
    assert identify(state, Kind.MINOR) == final(Kind.MINOR, "0.2.0")
    unpushed = replace(state, remote=replace(state.remote, tags={"v0.1.0": MAIN}))
    assert identify(unpushed, Kind.MINOR) == rc(Kind.MINOR, "0.2.0", 2)  # no candidate to trust


def test_a_branch_stating_the_final_version_is_the_final() -> None:
    state = on_line(course(), line("release/v0.2.0", FINAL, "0.2.0", DRAFTED))
    assert identify(state, Kind.MINOR) == final(Kind.MINOR, "0.2.0")


def test_a_release_branch_is_continued_only_by_its_own_kind() -> None:
    state = on_line(course(), line("release/v0.2.0", RC1, "0.2.0rc1"))
    with pytest.raises(Refused, match="release/v0.2.0 is a minor release under way: run "
                                      "invoke release.minor"):
        identify(state, Kind.PATCH)
    hotfix = on_line(course(), line("hotfix/v0.1.1", MAIN, "0.1.0"))
    with pytest.raises(Refused, match="hotfix/v0.1.1 is a hotfix under way: run invoke "
                                      "release.hotfix"):
        identify(hotfix, Kind.PATCH)
    assert identify(hotfix, Kind.HOTFIX) == final(Kind.HOTFIX, "0.1.1")


def test_from_dev_the_one_open_release_is_continued_and_two_are_refused() -> None:
    one = on_line(course(), line("release/v0.2.0", RC1, "0.2.0rc1"), checked_out=False)
    assert identify(one, Kind.MINOR) == rc(Kind.MINOR, "0.2.0", 1)
    two = on_line(one, line("release/v0.1.1", RC2, "0.1.1rc1"), checked_out=False)
    with pytest.raises(Refused, match=r"several releases are under way \(release/v0.1.1, "
                                      r"release/v0.2.0\): check out the one to continue"):
        identify(two, Kind.MINOR)


def test_a_release_is_finished_when_dev_moved_past_it() -> None:
    branch = line("release/v0.2.0", FINAL, "0.2.0", DRAFTED)
    done = on_line(replace(course(fragments=()), tags={"v0.1.0": MAIN, "v0.2.0": FINAL}),
                   branch, checked_out=False, tags={"v0.2.0": FINAL},
                   stated={"dev": Version("0.3.0.dev0")})
    assert done.open_releases == []
    assert identify(done, Kind.MINOR) == final(Kind.MINOR, "0.2.0")  # its plan: all done
    with_news = replace(done, fragments=("+next.feature.md",))
    assert identify(with_news, Kind.MINOR) == rc(Kind.MINOR, "0.3.0")  # the next one


def test_a_hotfix_is_finished_when_its_tag_is_on_main() -> None:
    branch = line("hotfix/v0.1.1", FINAL, "0.1.1")
    pushed = on_line(replace(course(branch="main", head=MAIN),
                             tags={"v0.1.0": MAIN, "v0.1.1": FINAL}),
                     branch, checked_out=False, tags={"v0.1.1": FINAL})
    assert pushed.open_releases == ["hotfix/v0.1.1"]
    merged = on_line(pushed, branch, checked_out=False, contains={"main": frozenset({"v0.1.1"})})
    assert merged.open_releases == []
    assert identify(merged, Kind.HOTFIX) == final(Kind.HOTFIX, "0.1.1")
