"""A changelog written by hand (Keep a Changelog, as TinyTorch's is) beside towncrier's: found
on its own, `[Unreleased]` released as a dated section under a fresh one, and a minor release
with nothing under `[Unreleased]` refused before it starts.
"""

from __future__ import annotations

from pathlib import Path

from snapshots import course, rc

from tinyrelease.release import changelog
from tinyrelease.release.changelog import KEEP_A_CHANGELOG, ChangelogConfig
from tinyrelease.release.model import Kind
from tinyrelease.release.plan import preflight

BY_HAND = """# Changelog

## [Unreleased]

### Added
- Module 05: an SGD optimiser.

## [0.1.14] — 2026-09-21

### Fixed
- The installer.

[Unreleased]: https://example.org/course/compare/course-v0.1.14...HEAD
"""


def test_a_changelog_with_unreleased_and_no_towncrier_is_kept_by_hand(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(BY_HAND)
    cfg = changelog.config(tmp_path)
    assert cfg == ChangelogConfig("", "CHANGELOG.md", "", KEEP_A_CHANGELOG)
    assert changelog.pending(tmp_path, cfg) == "### Added\n- Module 05: an SGD optimiser."
    assert changelog.fragments(tmp_path, cfg) == []
    (tmp_path / "pyproject.toml").write_text('[tool.towncrier]\ndirectory = "changelog.d"\n')
    assert changelog.config(tmp_path).kind == "towncrier"  # type: ignore[union-attr]


def test_unreleased_becomes_the_dated_section_under_a_fresh_one() -> None:
    text = changelog.released(BY_HAND, "0.2.0", "course-v0.2.0", "2026-11-26")
    assert text == """# Changelog

## [Unreleased]

## [0.2.0] — 2026-11-26

### Added
- Module 05: an SGD optimiser.

## [0.1.14] — 2026-09-21

### Fixed
- The installer.

[Unreleased]: https://example.org/course/compare/course-v0.2.0...HEAD
[0.2.0]: https://example.org/course/compare/course-v0.1.14...course-v0.2.0
"""
    assert changelog.section_of(text, "0.2.0") == "### Added\n- Module 05: an SGD optimiser.\n"
    assert changelog.unreleased(text) == ""


def test_a_minor_with_nothing_under_unreleased_is_refused() -> None:
    state = course(changelog=ChangelogConfig("", "CHANGELOG.md", "", KEEP_A_CHANGELOG),
                   fragments=(), unreleased="")
    assert preflight(state, rc(Kind.MINOR, "0.2.0")) == [
        "the [Unreleased] section of CHANGELOG.md is empty: a minor release needs its notes; "
        "write them under it (### Added, ### Changed, ### Fixed) and commit"]
    assert preflight(state, rc(Kind.PATCH, "0.1.1")) == []  # a patch may carry fixes only
    written = course(changelog=state.changelog, fragments=(), unreleased="### Added\n- x")
    assert preflight(written, rc(Kind.MINOR, "0.2.0")) == []
