"""Approvals come from review.json, or from an override with a reason committed to the course."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from coursebuilder import CourseFactory
from reviewhelpers import git, repository

from tinyrelease.review.approval import approvals, overrides_file, require_approvals
from tinyrelease.review.errors import NotApproved, ReviewError

TAG = "v0.2.0"


def write_review(folder: Path, **verdicts: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    reviewers = {name: {"approved": verdicts.get(name, True)}
                 for name in ("education", "developer", "quality", "packaging")}
    (folder / "review.json").write_text(json.dumps({"commit": "abc", "reviewers": reviewers}))
    return folder


def test_no_review_is_not_approved(make_course: CourseFactory, tmp_path: Path) -> None:
    root = repository(make_course())
    with pytest.raises(NotApproved, match=r"v0.2.0 has no review in .*invoke release.review"):
        require_approvals(tmp_path / "nothing", root, TAG)


def test_missing_approval_then_a_committed_override(make_course: CourseFactory,
                                                    tmp_path: Path) -> None:
    root = repository(make_course())
    review = write_review(tmp_path / "review", quality=False)
    with pytest.raises(NotApproved) as refused:
        require_approvals(review, root, TAG)
    assert "not approved by Quality Assurance" in str(refused.value)
    assert overrides_file(TAG) in str(refused.value)

    override = root / overrides_file(TAG)
    override.parent.mkdir(parents=True)
    override.write_text('[quality]\nreason = "the flaky test is quarantined in #12"\n'
                        'by = "course lead"\n')
    with pytest.raises(NotApproved, match="is not committed, so it does not count"):
        require_approvals(review, root, TAG)

    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "override")
    found = require_approvals(review, root, TAG)
    assert found.approved and found.overrides["quality"].by == "course lead"
    assert "Quality Assurance: overridden (the flaky test is quarantined in #12)" in \
        found.describe()

    override.write_text('[quality]\nreason = "edited but not committed"\n')
    assert not approvals(review, root, TAG).approved


def test_override_without_a_reason_is_an_error(make_course: CourseFactory,
                                               tmp_path: Path) -> None:
    root = make_course({overrides_file(TAG): "[quality]\nby = \"me\"\n"})
    repository(root)
    with pytest.raises(ReviewError, match=r"v0.2.0.toml: \[quality\] needs a reason"):
        approvals(write_review(tmp_path / "review"), root, TAG)


def test_all_four_approved(make_course: CourseFactory, tmp_path: Path) -> None:
    found = require_approvals(write_review(tmp_path / "review"), repository(make_course()), TAG)
    assert found.approved and found.missing == [] and found.commit == "abc"
