"""Checklists tick exactly what the tools verified: git refs, gates, review, changelog, index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from coursebuilder import CourseFactory
from reviewhelpers import git, repository

from tinyrelease.review.checklist import keys, render, verify
from tinyrelease.review.errors import ReviewError

CHANGELOG = "# Changelog\n\n## [0.2.0] - 2025-05-01\n\n- Module 05: an optimiser.\n"


def ticked(markdown: str) -> list[str]:
    return [ln for ln in markdown.splitlines() if ln.startswith("- [x]")]


def gates_report(folder: Path, status: str, level: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps({"status": status, "level": level,
                                                     "gates": []}))
    return folder / "report.json"


def test_render_ticks_only_verified_items() -> None:
    text = render("patch", {"tag": True, "index": False}, "1.2.3")
    assert ticked(text) == ["- [x] The release is tagged `v1.2.3` — *verified*"]
    assert "- [ ] The package 1.2.3 is on the package index — *not done*" in text
    assert "- [ ] The book is deployed to the site branch — *not checked*" in text
    human = [ln for ln in text.splitlines() if ln.endswith("*(human)*")]
    assert human and all(ln.startswith("- [ ]") for ln in human)
    assert "review" not in keys("patch") and "review" in keys("minor")


def test_unknown_release_type() -> None:
    with pytest.raises(ReviewError, match="no checklist for release type 'huge'"):
        render("huge", {})


def test_minor_checklist_in_a_candidate_state(make_course: CourseFactory,
                                              tmp_path: Path) -> None:
    root = repository(make_course({"CHANGELOG.md": CHANGELOG}))
    git(root, "branch", "release/v0.2.0")
    git(root, "tag", "v0.2.0rc1")
    asked = []

    def on_index(project: str, version: str) -> bool:
        asked.append((project, version))
        return False

    found = verify(root, "minor", "0.2.0", gates_report=gates_report(tmp_path, "pass",
                                                                       "standard"),
                   on_index=on_index, project="minicourse")
    assert asked == [("minicourse", "0.2.0")]
    assert {k for k, v in found.verified.items() if v} == {"branch", "rc_tag", "changelog",
                                                           "gates"}
    assert found.verified["review"] is None and found.verified["index"] is False
    assert found.notes["changelog"] == "CHANGELOG.md:3"
    text = render("minor", found.verified, "0.2.0", found.notes)
    assert len(ticked(text)) == 4
    assert "- [ ] The book is deployed to the site branch — *not done: no gh-pages branch*" in text

    # the final release: tagged, merged into main, the book on gh-pages
    git(root, "tag", "v0.2.0")
    git(root, "checkout", "-q", "--orphan", "gh-pages")
    git(root, "rm", "-rq", "--cached", ".")
    (root / "index.html").write_text("<html></html>")
    git(root, "add", "index.html")
    git(root, "commit", "-q", "-m", "book")
    git(root, "checkout", "-q", "-f", "main")
    again = verify(root, "minor", "0.2.0", gates_report=gates_report(tmp_path, "pass",
                                                                       "standard"))
    assert {k for k, v in again.verified.items() if v} == {"branch", "rc_tag", "changelog",
                                                           "gates", "tag", "merged", "book"}


def test_major_needs_comprehensive_gates(make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course({"CHANGELOG.md": CHANGELOG.replace("0.2.0", "1.0.0rc1")})
    found = verify(root, "major", "1.0.0", gates_report=gates_report(tmp_path, "pass",
                                                                       "standard"))
    assert found.verified["gates"] is False
    assert found.notes["gates"] == "pass at level standard (needs comprehensive)"
    assert found.verified["changelog"] is False  # a candidate's heading is not the release's
    assert found.verified["tag"] is None and "not in a git repository" in \
        found.notes["tag"]
    assert re.search(r"- \[ \] The gates pass at level comprehensive", render(
        "major", found.verified, "1.0.0", found.notes))


def test_student_materials_ticked_from_a_passing_validation(make_course: CourseFactory,
                                                             tmp_path: Path) -> None:
    root = make_course()
    assert verify(root, "patch", "0.1.1").notes["assignments"] == "no student release given"
    folder = tmp_path / "assignments"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"course": str(root), "modules": [],
                                                      "validation": {"status": "pass",
                                                                     "modules": "all"}}))
    found = verify(root, "patch", "0.1.1", assignments=folder)
    assert found.verified["assignments"] is True
    text = render("patch", found.verified, "0.1.1", found.notes)
    assert "- [x] The student notebooks are built with nbgrader and validated" in text
    assert "assignments" in keys("minor") and "assignments" in keys("major")
