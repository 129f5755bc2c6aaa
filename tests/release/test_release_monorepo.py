"""A course that is a folder of a bigger repository (a monorepo, as TinyTorch's is): its plan,
its uncommitted files named from the course, nothing of the other project read as its own, its
book deployed into its folder of the Pages branch the other project shares, and the proof
`invoke demo --monorepo` gives that the other project is as it was.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest
from releasehelpers import Captured, remote_tags

from tinyrelease.book.manifest import MANIFEST, content_sha256
from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.demo import prove_untouched
from tinyrelease.release.errors import Refused, ReleaseError
from tinyrelease.release.index import sha256
from tinyrelease.release.monorepo import CHANGE, OTHER_TAGS, monorepo
from tinyrelease.release.pipelines import release, status
from tinyrelease.release.plan import Request
from tinyrelease.release.runner import Command
from tinyrelease.release.sandbox import PackageServer, git

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


def test_the_course_deploys_into_its_folder_of_the_shared_pages_branch(tmp_path: Path) -> None:
    """The book goes into course/ of the gh-pages branch the handbook shares, with the release
    manifest the bundle carries too; every other file of the branch stays as it was."""
    repo = monorepo(EXAMPLE, tmp_path, {"tag_prefix": "course-v", "flow": "direct",
                                         "pages_folder": "course/", "github_release": "draft"})
    publisher = FakePublisher(tmp_path / "gh")
    pages_before = git(repo.top, "ls-tree", "-r", "origin/gh-pages")
    shown = Captured()
    status(repo.course, "minor", shown, publisher)
    assert ("At the final release: the book is deployed to course/ of gh-pages on origin; the "
            "GitHub release is made as a draft") in shown.text
    request = Request("minor", yes=True, skip_gates="this test is about the Pages branch")
    commands: list[Command] = []
    plan = release(repo.course, replace(request, dry_run=True), Captured(), publisher,
                   record=commands)
    steps = {s.key: s for s in plan.steps}
    assert steps["book"].title == "book deployed to course/ of gh-pages with release-manifest.json"
    assert steps["publish"].title == "GitHub release (draft)"
    book = next(c.line for c in commands if c.step == "book" and "deploy" in c.line)
    assert "--branch gh-pages --prefix course " in book
    assert ("--manifest project=tinynn --manifest version=0.2.0 --manifest tag=course-v0.2.0 "
            "--manifest 'commit=<commit>'") in book
    release(repo.course, request, Captured(), publisher)
    pages = dict(reversed(line.split("\t")) for line in
                 git(repo.top, "ls-tree", "-r", "origin/gh-pages").splitlines())
    before = dict(reversed(line.split("\t")) for line in pages_before.splitlines())
    assert {p: i for p, i in pages.items() if not p.startswith("course/")} == {
        **before, ".nojekyll": pages[".nojekyll"]}  # the root needs it for the book's _static/
    assert {"course/index.html", "course/_static/basic.css"} <= set(pages)
    site = tmp_path / "deployed"
    site.mkdir()
    with tarfile.open(fileobj=io.BytesIO(subprocess.run(
            ["git", "archive", "origin/gh-pages", "course"], cwd=repo.top, check=True,
            capture_output=True).stdout)) as tar:
        tar.extractall(site, filter="data")
    deployed = (site / "course" / MANIFEST).read_text()
    folder = repo.course / "build/release/course-v0.2.0"
    assert (folder / MANIFEST).read_text() == deployed
    assert json.loads(deployed) == {
        "project": "tinynn", "version": "0.2.0", "tag": "course-v0.2.0",
        "commit": git(repo.top, "rev-parse", "course-v0.2.0^{commit}"),
        "content_sha256": content_sha256(site / "course")}
    assert f"{sha256(folder / MANIFEST)}  {MANIFEST}" in (folder / "SHA256SUMS").read_text()
    draft = json.loads((publisher.store / "course-v0.2.0.json").read_text())
    assert draft["draft"] is True and MANIFEST in draft["assets"]
    # the handbook deploys after us: the book is still known as deployed, by its manifest
    tree = git(repo.top, "rev-parse", "origin/gh-pages^{tree}")
    theirs = git(repo.top, "commit-tree", tree, "-p", "origin/gh-pages", "-m", "Deploy handbook")
    git(repo.top, "push", "--quiet", "origin", f"{theirs}:refs/heads/gh-pages")
    again = release(repo.course, request, Captured(), publisher)
    assert {s.key: str(s.status) for s in again.steps}["book"] == "done"
    assert git(repo.top, "rev-parse", "origin/gh-pages") == theirs


def test_the_demo_proves_the_other_project_untouched_or_stops(tmp_path: Path) -> None:
    """What `invoke demo --monorepo` compares after its release: with the other project as it
    was, three ticks; with a tag of theirs moved, a page of theirs or a file outside course/
    changed, each named, and the demo stops (exit 1, the sandbox kept)."""
    repo = monorepo(EXAMPLE, tmp_path, {"book": False, "tag_prefix": "course-v",
                                         "flow": "direct"})
    before = repo.footprint()
    git(repo.top, "push", "--quiet", "origin", "dev:main")  # what the release's merge brings
    git(repo.top, "push", "--quiet", "origin", "HEAD:refs/tags/course-v0.2.0")  # the course's
    shown = Captured()
    prove_untouched(repo, before, shown)
    assert [line.split(":")[0] for line in shown.text.splitlines()[2:]] == [
        "  ✓ tags course-slides-v0.1.0, v1.1.0, v1.2.0 and branch handbook/draft",
        "  ✓ gh-pages", "  ✓ main and dev"]
    git(repo.top, "push", "--quiet", "--force", "origin", "dev:refs/tags/v1.2.0")
    git(repo.top, "push", "--quiet", "origin", "dev:refs/heads/handbook/next")
    page = git(repo.top, "commit-tree", git(repo.top, "rev-parse", "dev^{tree}"), "-p",
               "origin/gh-pages", "-m", "a page replaced")
    git(repo.top, "push", "--quiet", "origin", f"{page}:refs/heads/gh-pages")
    (repo.top / "handbook/errata.md").write_text("rewritten by a release\n")
    git(repo.top, "commit", "--quiet", "-am", "a release wrote outside its course")
    git(repo.top, "push", "--quiet", "origin", "dev")
    shown = Captured()
    with pytest.raises(ReleaseError, match=r"^the release changed the other project "
                                           r"\(refs/heads/handbook/next was absent, is now "):
        prove_untouched(repo, before, shown)
    assert [line.split(" was ")[0].split(":")[0] for line in shown.text.splitlines()[2:]] == [
        "  ✗ refs/heads/handbook/next", "  ✗ refs/tags/v1.2.0", "  ✗ refs/tags/v1.2.0^{}",
        "  ✗ gh-pages", "  ✗ dev"]  # main is still what dev was


def test_a_direct_flow_course_hotfixes_from_main_in_its_folder(
        tmp_path: Path, index_server: PackageServer, publisher: FakePublisher) -> None:
    """The direct flow has no release branches, but a hotfix still gets its own, from main:
    the fix committed there in the course's folder, with its line under [Unreleased], is
    released as course-v0.1.1 and merged into dev, then main. Both changelogs wrote below
    [Unreleased], so that merge conflicts; it is resolved as a person would: dev's entries
    stay unreleased, the hotfix's section below them. The other project is as it was."""
    repo = monorepo(EXAMPLE, tmp_path, {"tag_prefix": "course-v", "flow": "direct",
                                         "book": False, "repository": index_server.url},
                    "keepachangelog")
    before = repo.footprint(("main", "dev"))
    git(repo.top, "switch", "--quiet", "main")
    out = Captured()
    request = Request("hotfix", yes=True, skip_gates="the hotfix's gates are test_release_hotfix's")
    release(repo.course, request, out, publisher)
    assert git(repo.top, "branch", "--show-current") == "hotfix/course-v0.1.1"
    assert "Waiting for you: commit the fix on hotfix/course-v0.1.1" in out.text

    fix = repo.course / "tinynn/core/activations.py"
    fix.write_text(fix.read_text() + "\n# guard against overflow\n")
    changelog = repo.course / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace(
        "## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n- Sigmoid no longer overflows.\n", 1))
    git(repo.top, "commit", "--quiet", "-am", "Course: fix the sigmoid overflow")
    release(repo.course, request, out, publisher)

    assert remote_tags(repo.top) == sorted([*OTHER_TAGS, "course-v0.1.0", "course-v0.1.1"])
    for branch in ("main", "dev"):
        assert git(repo.origin, "merge-base", "--is-ancestor", "course-v0.1.1", branch) == ""
    assert "guard against overflow" in git(repo.origin, "show",
                                           "course-v0.1.1:course/tinynn/core/activations.py")
    notes = git(repo.origin, "show", "course-v0.1.1:course/CHANGELOG.md")
    assert notes.index("## [Unreleased]") < notes.index("## [0.1.1] — ") < \
        notes.index("Sigmoid no longer overflows") < notes.index("## [0.1.0]")
    assert index_server.files() == ["tinynn-0.1.1-py3-none-any.whl", "tinynn-0.1.1.tar.gz"]
    assert "Sigmoid no longer overflows" in json.loads(
        (publisher.store / "course-v0.1.1.json").read_text())["notes"]
    dev = git(repo.origin, "show", "dev:course/CHANGELOG.md")
    assert dev.index("## [Unreleased]") < dev.index(CHANGE) < dev.index("## [0.1.1] — ") < \
        dev.index("Sigmoid no longer overflows") < dev.index("## [0.1.0]")
    assert "guard against overflow" in git(repo.origin, "show",
                                           "dev:course/tinynn/core/activations.py")
    assert repo.footprint(("main", "dev")) == before  # the other project's refs, pages, files
    assert git(repo.top, "status", "--porcelain", "--untracked-files=all") == ""
