"""Cold parsing over the cores: what forked workers parse is what this process would parse."""

from __future__ import annotations

from pathlib import Path

import pytest
from coursebuilder import CourseFactory

from tinyrelease.checks import pool
from tinyrelease.checks.cache import ParseCache
from tinyrelease.checks.course import load_course


def test_a_course_parsed_over_the_cores_is_the_course_parsed_here(
        make_course: CourseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_course()
    here = load_course(root)
    monkeypatch.setattr(pool, "PARALLEL_BYTES", 0)  # the example course is small: fork anyway
    monkeypatch.setattr(pool, "cores", lambda: 2)
    cache = ParseCache(tmp_path / "parsed.pickle")
    spread = load_course(root, parsed=cache)
    assert [m.source for m in spread.modules] == [m.source for m in here.modules]
    assert [m.about for m in spread.modules] == [m.about for m in here.modules]
    assert spread.tests.files == here.tests.files
    # what the workers parsed counts as parsed (and is saved), not as found in the cache
    assert cache.hits == 0 and cache.misses == 17
    cache.save()
    again = ParseCache(tmp_path / "parsed.pickle")
    load_course(root, parsed=again)
    assert again.misses == 0
