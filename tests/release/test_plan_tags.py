"""Tags named by `tag_prefix`: only tags with exactly that prefix and a PEP 440 version are
releases of ours; an existing tag or a version going down is refused, naming the fix.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from packaging.version import Version
from snapshots import FINAL, MAIN, course, final, plan_of, statuses

from tinyrelease.release import versions
from tinyrelease.release.errors import Refused
from tinyrelease.release.model import Kind
from tinyrelease.release.plan import identify
from tinyrelease.release.settings import load_settings
from tinyrelease.release.state import RemoteRefs, Settings

TAGS = ["v1.2.0", "vol1-v0.3.0", "course-slides-v0.1.0", "course-v0.1.0", "course-v0.2.0rc1",
        "course-vnext", "course-v0.1.1"]


def test_only_tags_with_exactly_the_prefix_are_ours() -> None:
    shas = dict.fromkeys(TAGS, MAIN)
    assert list(versions.ours(shas, "course-v")) == ["course-v0.1.0", "course-v0.2.0rc1",
                                                     "course-v0.1.1"]
    assert list(versions.ours(shas, "v")) == ["v1.2.0"]
    assert versions.latest_final(TAGS, "course-v") == "course-v0.1.1"
    assert versions.target_for(Version("0.1.1"), TAGS, "minor", None, "course-v") == \
        Version("0.2.0")


def test_the_release_its_branch_and_tags_carry_the_prefix() -> None:
    state = course(settings=Settings(tag_prefix="course-v"), tags={"course-v0.1.0": MAIN},
                   remote=replace(course().remote, tags={"course-v0.1.0": MAIN}))
    release = identify(state, Kind.MINOR)
    assert (release.tag, release.final_tag, release.branch) == (
        "course-v0.2.0rc1", "course-v0.2.0", "release/course-v0.2.0")


def test_an_existing_tag_and_a_version_going_down_are_refused() -> None:
    tags = ["course-v0.1.0", "course-v0.2.0"]
    with pytest.raises(Refused) as existing:
        versions.target_for(Version("0.2.0"), tags, "minor", "0.2.0", "course-v")
    assert str(existing.value) == (
        "the tag course-v0.2.0 already exists: 0.2.0 was released, and a tag is never moved or "
        "deleted; release the next version (a minor release is 0.3.0)")
    with pytest.raises(Refused) as below_tag:
        versions.target_for(Version("0.2.0"), tags, "patch", "0.1.5", "course-v")
    assert str(below_tag.value) == ("--version 0.1.5 would go down from the newest release "
                                    "course-v0.2.0: a patch release after it is 0.2.1 (drop "
                                    "--version)")
    with pytest.raises(Refused) as below_files:
        versions.target_for(Version("0.10.0"), ["course-v0.1.9"], "patch", "0.1.10", "course-v")
    assert str(below_files.value) == ("--version 0.1.10 would go down from the 0.10.0 the "
                                      "course's files state: release 0.10.0 or a later version")
    # the files bumped ahead of the tags (TinyTorch's 0.10.0 after 0.1.9): released as stated
    assert versions.target_for(Version("0.10.0"), ["course-v0.1.9"], "minor", "0.10.0",
                               "course-v") == Version("0.10.0")


def test_a_tag_made_elsewhere_is_never_moved() -> None:
    state = replace(course(branch="main", head=MAIN), tags={"v0.1.0": MAIN, "v0.1.1": FINAL})
    plan = plan_of(state, final(Kind.HOTFIX, "0.1.1"))
    tag = next(s for s in plan.steps if s.key == "tag")
    assert statuses(plan)["tag"] == "blocked"
    assert tag.why == (f"the tag v0.1.1 already exists at {FINAL[:12]}, not at the release's "
                       f"commit {MAIN[:12]}: a tag is never moved or deleted; release the next "
                       "version")


@pytest.mark.parametrize(("value", "said"), [
    ('"1"', 'tag_prefix must be the text before the version in a tag, ending in a letter, '
            '"-", "_" or "/" (like "v" or "tinytorch-v")'),
    ('"release"', 'flow must be "rc" or "direct"'),
])
def test_settings_name_the_key_and_what_it_takes(tmp_path: Path, value: str, said: str) -> None:
    key = "tag_prefix" if value == '"1"' else "flow"
    (tmp_path / "tinyrelease.toml").write_text(f"[release]\n{key} = {value}\n")
    with pytest.raises(Refused) as refused:
        load_settings(tmp_path, set())
    assert str(refused.value) == f"{tmp_path / 'tinyrelease.toml'}: [tool.tinyrelease.release] " \
                                 f"{said}"


def test_a_course_without_its_prefix_tag_reads_no_release() -> None:
    state = course(settings=Settings(tag_prefix="course-v"), tags={},
                   remote=RemoteRefs(True, {"main": MAIN, "dev": course().head}, {}))
    assert state.latest is None
    assert identify(state, Kind.MINOR).final == Version("0.2.0")
