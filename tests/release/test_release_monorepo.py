"""A course that is a folder of a bigger repository (a monorepo, as TinyTorch's is): its plan,
its uncommitted files named from the course, nothing of the other project read as its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from releasehelpers import Captured

from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.errors import Refused
from tinyrelease.release.monorepo import monorepo
from tinyrelease.release.pipelines import release, status
from tinyrelease.release.plan import Request
from tinyrelease.release.sandbox import git

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tinycourse"


def test_a_course_folder_names_its_own_changes_and_reads_its_own_tags(tmp_path: Path) -> None:
    repo = monorepo(EXAMPLE, tmp_path, {"book": False, "tag_prefix": "course-v"})
    (repo.course / "src/01_tensor/ABOUT.md").write_text("edited\n")
    (repo.top / "handbook/README.md").write_text("the other project's edit\n")
    out = Captured()
    plan = status(repo.course, "minor", out, FakePublisher(tmp_path / "gh"))
    assert plan.problems == ["the working tree has uncommitted changes "
                             "(src/01_tensor/ABOUT.md): commit or stash them"]
    # the latest release is course-v0.1.0, never the handbook's v1.2.0
    assert (plan.release.tag, plan.release.branch) == ("course-v0.2.0rc1",
                                                       "release/course-v0.2.0")
    git(repo.course, "checkout", "--", ".")
    before = git(repo.top, "for-each-ref"), git(repo.top, "status", "--porcelain")
    with pytest.raises(Refused, match="nothing changed: answer y"):
        release(repo.course, Request("minor"), Captured(), FakePublisher(tmp_path / "gh"),
                ask=lambda question: False)
    assert (git(repo.top, "for-each-ref"), git(repo.top, "status", "--porcelain")) == before
    exclude = (repo.top / ".git/info/exclude").read_text()
    assert "/course/build/" in exclude.splitlines()  # the course's output, not the top's


SITES = {"quarto/install.sh": 'COURSE_VERSION="{version}"', "README.md": "version-{version}-blue"}


def test_status_lists_every_version_site_and_a_disagreeing_one_stops_the_release(
        tmp_path: Path) -> None:
    repo = monorepo(EXAMPLE, tmp_path, {"book": False, "tag_prefix": "course-v",
                                         "flow": "direct", "version_sites": SITES})
    (repo.course / "quarto").mkdir()
    (repo.course / "quarto/install.sh").write_text('#!/bin/sh\nCOURSE_VERSION="0.1.0"\n')
    readme = repo.course / "README.md"
    readme.write_text(readme.read_text() + "\n![version](badge/version-0.0.9-blue)\n")
    git(repo.top, "add", "-A")
    git(repo.top, "commit", "--quiet", "-m", "Course: install script and badge")
    git(repo.top, "push", "--quiet", "origin", "dev")
    out = Captured()
    plan = status(repo.course, "minor", out, FakePublisher(tmp_path / "gh"))
    badge = next(n for n, text in enumerate(readme.read_text().splitlines(), 1)
                 if "badge" in text)
    assert plan.problems == [f"the course states two versions (0.1.0 in pyproject.toml; "
                             f"README.md:{badge} says 0.0.9): make them agree"]
    listed = out.text.split("Version sites (pyproject.toml states 0.1.0):\n", 1)[1].splitlines()
    assert [" ".join(line.split()) for line in listed[:5]] == [
        "pyproject.toml:7 0.1.0", "tinynn/__init__.py:3 0.1.0", "settings.ini:4 0.1.0",
        'quarto/install.sh:2 0.1.0 (COURSE_VERSION="{version}")',
        f"README.md:{badge} 0.0.9 (version-{{version}}-blue) ✗ disagrees"]
    before = git(repo.top, "for-each-ref"), git(repo.top, "status", "--porcelain")
    with pytest.raises(Refused, match=r"^the course states two versions"):
        release(repo.course, Request("minor", yes=True), Captured(),
                FakePublisher(tmp_path / "gh"))
    assert (git(repo.top, "for-each-ref"), git(repo.top, "status", "--porcelain")) == before
