"""A course in a folder of a monorepo, released in either flow while killed after every change
the release makes, one kill per run: the same command, run again each time, converges on the
prefixed tag with the right content, the package on the index, and the other project exactly
as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest
from releasehelpers import Captured, Killer, remote_tags

from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.model import Status
from tinyrelease.release.monorepo import CHANGE, OTHER_TAGS, monorepo
from tinyrelease.release.pipelines import release
from tinyrelease.release.plan import Request
from tinyrelease.release.runner import Command
from tinyrelease.release.sandbox import PackageServer, git

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tinycourse"
NOT_GATES = "this test is about convergence, not the gates"


class Flow(NamedTuple):
    kind: str
    version: str
    candidate: str | None
    changelog: str
    settings: dict[str, object]


# the direct flow is TinyTorch's: a hand-written changelog, the book in its folder of the
# shared gh-pages, a draft GitHub release. The rc flow releases the same minor through a
# candidate whose review --skip-gates skips, so the final reviews it with the four reviewers
# (the one run of the gates here), and leaves the book out, a build (~12 s) that the direct
# flow already kills after
FLOWS = {"direct": Flow("minor", "0.2.0", None, "keepachangelog",
                        {"pages_folder": "course", "github_release": "draft"}),
         "rc": Flow("minor", "0.2.0", "0.2.0rc1", "towncrier", {"book": False})}
# the build's commands no later run can see: the tree it builds, extracted into a temporary
# folder, and the checks of what it built (twine, an import in a venv removed after)
UNSEEN = ("git archive ", "extract <tree>/", "install the wheel into a fresh environment")


def unseen(line: str) -> bool:
    return line.startswith(UNSEEN) or " -m twine check " in line


STEPS = {"direct": {"final": ["gates", "version", "merge", "build", "upload", "tag", "push",
                              "book", "bundle", "publish"]},
         "rc": {"rc": ["gates", "branch", "version", "notes", "review", "build", "upload",
                       "tag", "push"],
                "final": ["approval", "gates", "version", "build", "upload", "tag", "push",
                          "merge", "bundle", "publish", "dev"]}}


@pytest.mark.parametrize("flow", ["direct", "rc"])
def test_a_monorepo_release_killed_after_every_change_converges(
        flow: str, tmp_path: Path, index_server: PackageServer, publisher: FakePublisher,
        monkeypatch: pytest.MonkeyPatch) -> None:
    kind, version, candidate, notes_kind, settings = FLOWS[flow]
    repo = monorepo(EXAMPLE, tmp_path, {"tag_prefix": "course-v", "flow": flow,
                                         "repository": index_server.url,
                                         "rc_repository": index_server.url, **settings},
                    notes_kind)
    before, pages = repo.footprint(), git(repo.origin, "rev-parse", "refs/heads/gh-pages")
    tag = f"course-v{version}"

    def stage() -> str:  # the candidate's push ends it: after it, the final's changes
        return "rc" if candidate and f"course-v{candidate}" not in remote_tags(repo.top) \
            else "final"

    killer = Killer(monkeypatch, stage, unseen)
    request = Request(kind, yes=True, skip_gates=NOT_GATES)
    runs = killer.until(lambda: release(repo.course, request, Captured(), publisher),
                        lambda: tag in remote_tags(repo.top))
    assert {s: killer.steps(s) for s in STEPS[flow]} == STEPS[flow]
    assert runs == len(killer.killed) + 1  # each run killed once, but the last
    monkeypatch.undo()

    again: list[Command] = []  # converged: the same command once more changes nothing
    plan = release(repo.course, request, Captured(), publisher, record=again)
    assert again == [] and plan.release.tag == tag
    assert {s.status for s in plan.steps} <= {Status.DONE, Status.SKIPPED}

    tags = [*OTHER_TAGS, "course-v0.1.0", tag, *([f"course-v{candidate}"] if candidate else [])]
    assert remote_tags(repo.top) == sorted(tags)
    tagged = git(repo.origin, "rev-parse", f"{tag}^{{commit}}")
    released = "main" if flow == "direct" else f"release/{tag}"  # what the tag is made of
    assert git(repo.origin, "rev-parse", released) == tagged
    assert git(repo.origin, "cat-file", "-t", tag) == "tag"  # annotated
    assert git(repo.origin, "merge-base", "--is-ancestor", tagged, "main") == ""
    assert f'version = "{version}"' in git(repo.origin, "show", f"{tag}:course/pyproject.toml")
    notes = git(repo.origin, "show", f"{tag}:course/CHANGELOG.md")
    assert notes.count(f"## [{version}]") == 1 and notes.count(CHANGE) == 1
    if notes_kind == "keepachangelog":  # released once, under a fresh [Unreleased]
        assert notes.index("## [Unreleased]") < notes.index(f"## [{version}] — ") < \
            notes.index(CHANGE)
    else:  # each fragment in the notes once, and gone
        assert git(repo.origin, "ls-tree", "--name-only", f"{tag}:course/changelog.d") in (
            "", ".gitkeep")
    dists = [f"tinynn-{v}{end}" for v in (version, candidate) if v
             for end in ("-py3-none-any.whl", ".tar.gz")]
    assert index_server.files() == sorted(dists)
    published = json.loads((publisher.store / f"{tag}.json").read_text())
    assert published["tag"] == tag and published["draft"] == (flow == "direct")
    assert CHANGE in (repo.course / f"build/release/{tag}/notes.md").read_text()
    if flow == "rc":  # dev moved past the release, the release merged into main once
        assert 'version = "0.3.0.dev0"' in git(repo.origin, "show", "dev:course/pyproject.toml")
        # the candidate skipped its review; the final reviewed that candidate, once, and
        # every reviewer approved it
        folder = repo.course / f"build/release/course-v{candidate}/review"
        assert json.loads((folder / "skipped.json").read_text())["reason"] == NOT_GATES
        review = json.loads((folder / "review.json").read_text())
        assert review["commit"] == git(repo.origin, "rev-parse", f"course-v{candidate}^{{commit}}")
        assert [r["approved"] for r in review["reviewers"].values()] == [True] * 4
        assert [line for _, step, line in killer.killed if "four reviewers" in line] == [
            f"review release/course-v{version} with the four reviewers into {folder} (level "
            "standard)"]
        assert git(repo.origin, "log", "--format=%s", "main").count(f"merge {tag}") == 1

    assert repo.untouched(before) == []  # tags, its branch, its files, gh-pages' handbook/
    deployed = git(repo.origin, "ls-tree", "-r", "--name-only", "refs/heads/gh-pages")
    if settings.get("book", True):  # the book in course/, the root's .nojekyll for _static/
        assert {"course/index.html", "course/release-manifest.json", ".nojekyll"} <= \
            set(deployed.split())
        assert git(repo.origin, "rev-list", "--count", f"{pages}..gh-pages") == "1"
    else:
        assert git(repo.origin, "rev-parse", "refs/heads/gh-pages") == pages
    assert git(repo.top, "status", "--porcelain", "--untracked-files=all") == ""
