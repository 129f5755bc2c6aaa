"""The emergency path: a hotfix from main (waiting for the human's fix, fast-track validation,
release), `release.backport` onto other branches with conflicts undone, and `release.abort`.
"""

from __future__ import annotations

import pytest
from releasehelpers import Captured, MakeCourse, commit_file, remote_tags

from tinyrelease.release.errors import GitError, Interrupted
from tinyrelease.release.pipelines import release
from tinyrelease.release.plan import Request
from tinyrelease.release.repair import abort, backport
from tinyrelease.release.sandbox import PackageServer, git

FIX = "tinynn/core/activations.py"


def test_release_hotfix_then_backport(make_repo: MakeCourse, output: Captured,
                                      index_server: PackageServer) -> None:
    root = make_repo(fragments={})
    git(root, "switch", "--quiet", "-c", "release/v0.0.9-old", "main")  # an older line
    commit_file(root, FIX, (root / FIX).read_text() + "\n# old line's own edit\n", "Old edit")
    git(root, "switch", "--quiet", "main")

    plan = release(root, Request("hotfix", yes=True), output)  # quick gates + module tests
    assert git(root, "branch", "--show-current") == "hotfix/v0.1.1"
    assert "Waiting for you: commit the fix on hotfix/v0.1.1" in output.text
    assert [s.status for s in plan.steps if s.key == "fix"] == ["blocked"]

    commit_file(root, FIX, (root / FIX).read_text() + "\n# guard against overflow\n",
                "Fix the sigmoid overflow")
    commit_file(root, "changelog.d/+sigmoid.bugfix.md", "Sigmoid no longer overflows.\n",
                "Changelog for the fix")
    release(root, Request("hotfix", yes=True), output)
    assert remote_tags(root) == ["v0.1.1"]
    assert index_server.files() == ["tinynn-0.1.1-py3-none-any.whl", "tinynn-0.1.1.tar.gz"]
    assert "guard against overflow" in git(root, "show", f"origin/main:{FIX}")
    tests_run = next((root / "build/release/v0.1.1/gates").glob("*/module-tests.txt"))
    assert "passed" in tests_run.read_text()
    checklist = (root / "build/release/v0.1.1/CHECKLIST.md").read_text()
    assert checklist.startswith("# Patch release checklist: v0.1.1")  # a hotfix is a patch
    assert "- [x] The release branch `hotfix/v0.1.1` exists — *verified" in checklist
    assert "- [ ] A release candidate `v0.1.1rcN` is tagged — *not checked: a hotfix has no " \
        "candidate*" in checklist
    assert "- [ ] The gates pass at level standard — *not done: partial at level quick (needs " \
        "standard) (a partial run: --level quick (the quick checks only); not a verdict)*" \
        in checklist  # the fast track is not the patch checklist's gates

    with pytest.raises(GitError, match="backport conflicts on release/v0.0.9-old"):
        backport(root, ["dev", "release/v0.0.9-old"], None, output)
    assert "guard against overflow" in git(root, "show", f"dev:{FIX}")
    assert "Sigmoid no longer overflows" in git(root, "show", "dev:changelog.d/+sigmoid.bugfix.md")
    assert f"release/v0.0.9-old: conflict in {FIX}" in output.text
    assert git(root, "status", "--porcelain") == ""  # no branch left mid-cherry-pick
    assert not (root / ".git" / "CHERRY_PICK_HEAD").exists()
    assert git(root, "branch", "--show-current") == "main"
    picked_once = git(root, "log", "--format=%s", "dev").count("Fix the sigmoid overflow")
    backport(root, ["dev"], None, output)  # again: already carried over, nothing picked twice
    assert git(root, "log", "--format=%s", "dev").count("Fix the sigmoid overflow") == picked_once


def test_release_abort_undoes_local_effects_only(make_repo: MakeCourse, output: Captured,
                                                 index_server: PackageServer) -> None:
    root = make_repo()

    def stop_after_tag(key: str) -> None:
        if key == "tag":
            raise Interrupted("killed after tag")

    with pytest.raises(Interrupted):
        release(root, Request("minor", yes=True, skip_gates="abort test"), output, None,
                stop_after_tag)
    assert git(root, "tag") == "v0.2.0rc1"
    done = abort(root, output)
    assert git(root, "tag") == "" and "release/v0.2.0" not in git(root, "branch")
    assert git(root, "branch", "--show-current") == "dev"
    assert 'version = "0.1.0"' in (root / "pyproject.toml").read_text()
    assert done.removed == ["local tag v0.2.0rc1", "local branch release/v0.2.0"]
    assert "cannot be undone here: uploaded: tinynn-0.2.0rc1.tar.gz" in output.text
    assert index_server.files() == ["tinynn-0.2.0rc1-py3-none-any.whl", "tinynn-0.2.0rc1.tar.gz"]
    assert remote_tags(root) == []
    assert index_server.password not in output.text


def test_release_abort_keeps_what_was_pushed(make_repo: MakeCourse, output: Captured) -> None:
    root = make_repo(repository=None, rc_repository=None)
    release(root, Request("patch", yes=True, skip_gates="abort test"), output)
    assert remote_tags(root) == ["v0.1.1rc1"]
    abort(root, output)
    assert "cannot be undone here: tag v0.1.1rc1 (pushed to origin)" in output.text
    assert "cannot be undone here: branch release/v0.1.1 (pushed to origin)" in output.text
    assert git(root, "tag") == "v0.1.1rc1" and remote_tags(root) == ["v0.1.1rc1"]
