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


MAIN = """# Changelog

## [Unreleased]

## [0.1.0] — 2026-09-01

- First release.

[Unreleased]: https://example.org/course/compare/course-v0.1.0...HEAD
"""


def test_a_hotfix_merged_into_a_dev_with_its_own_entries_keeps_both() -> None:
    """Both sides wrote below `[Unreleased]`: the hotfix's release there, dev its next entries.
    Resolved, dev's entries stay unreleased and the hotfix's section comes below them, with
    its compare link."""
    fixed = MAIN.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n- No overflow.\n")
    theirs = changelog.released(fixed, "0.1.1", "course-v0.1.1", "2026-11-26")
    ours = MAIN.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n- Optimisers.\n")
    assert changelog.merge_released(MAIN, ours, theirs, "0.1.1") == """# Changelog

## [Unreleased]

### Added
- Optimisers.

## [0.1.1] — 2026-11-26

### Fixed
- No overflow.

## [0.1.0] — 2026-09-01

- First release.

[Unreleased]: https://example.org/course/compare/course-v0.1.1...HEAD
[0.1.1]: https://example.org/course/compare/course-v0.1.0...course-v0.1.1
"""


def test_a_release_merged_back_takes_its_entries_out_of_unreleased() -> None:
    """The rc flow: the release branch moved dev's entries into `[0.2.0]` while dev added more
    under the same subheading; merged back, `[Unreleased]` keeps only the new ones."""
    base = MAIN.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n- Optimisers.\n")
    theirs = changelog.released(base, "0.2.0", "course-v0.2.0", "2026-11-26")
    ours = base.replace("- Optimisers.\n", "- Optimisers.\n- Schedulers.\n")
    merged = changelog.merge_released(base, ours, theirs, "0.2.0")
    assert merged is not None
    assert changelog.unreleased(merged) == "### Added\n- Schedulers."
    assert merged.index("## [0.2.0] — 2026-11-26\n\n### Added\n- Optimisers.\n") < \
        merged.index("## [0.1.0]")
    assert merged.count("- Optimisers.") == 1


def test_a_changelog_conflict_of_another_shape_is_left_to_a_person() -> None:
    theirs = changelog.released(MAIN.replace("- First release.", "- First release!"), "0.1.1",
                                "course-v0.1.1", "2026-11-26")
    ours = MAIN.replace("- First release.", "- The first release.")
    assert changelog.merge_released(MAIN, ours, theirs, "0.1.1") is None  # both edited a line
    assert changelog.merge_released(MAIN, theirs, theirs, "0.1.1") is None  # released already
