"""Interrupted anywhere, the same command converges; a refused password, a differing file on
the index, a dirty tree or a wrong branch stop the release before anything is tagged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from releasehelpers import Captured, MakeCourse, commit_file, remote_tags

from tinyrelease.release import index
from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.errors import IndexRefused, Interrupted, Refused
from tinyrelease.release.pipelines import release
from tinyrelease.release.plan import Request
from tinyrelease.release.sandbox import PackageServer, git

NOT_GATES = "this test is not about the gates"
ROOT = Path(__file__).resolve().parents[2]


def test_release_interrupted_after_every_step_converges(make_repo: MakeCourse,
                                                        index_server: PackageServer,
                                                        publisher: FakePublisher) -> None:
    """Each run is killed after the first step no earlier run was killed after; the RC, then
    the final (a run after the RC's last step goes on to the final), must still converge."""
    root = make_repo()
    request = Request("patch", yes=True, skip_gates=NOT_GATES)
    interrupted: list[str] = []

    def fault(key: str) -> None:
        stage = "final" if "rc:push" in interrupted else "rc"  # push ends the candidate
        if f"{stage}:{key}" not in interrupted:
            interrupted.append(f"{stage}:{key}")
            raise Interrupted(f"killed after {key}")

    for _ in range(40):
        try:
            release(root, request, Captured(), publisher, fault)
        except Interrupted:
            continue
        if "v0.1.1" in remote_tags(root):
            break
    assert interrupted == [f"rc:{k}" for k in ("gates", "branch", "version", "notes", "build",
                                                "upload", "tag", "push")] + [
        f"final:{k}" for k in ("gates", "version", "build", "upload", "tag", "push",
                               "merge", "bundle", "publish", "dev")]
    assert remote_tags(root) == ["v0.1.1", "v0.1.1rc1"]
    assert sorted(git(root, "tag").split()) == ["v0.1.1", "v0.1.1rc1"]
    assert index_server.files() == ["tinynn-0.1.1-py3-none-any.whl", "tinynn-0.1.1.tar.gz",
                                    "tinynn-0.1.1rc1-py3-none-any.whl", "tinynn-0.1.1rc1.tar.gz"]
    assert git(root, "log", "--format=%s", "origin/main").count("release: merge v0.1.1") == 1
    assert 'version = "0.2.0.dev0"' in git(root, "show", "origin/dev:pyproject.toml")
    assert git(root, "status", "--porcelain") == ""
    assert json.loads((publisher.store / "v0.1.1.json").read_text())["tag"] == "v0.1.1"


def test_release_wrong_password_then_partial_upload(make_repo: MakeCourse, output: Captured,
                                                     index_server: PackageServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo()
    request = Request("patch", yes=True, skip_gates=NOT_GATES)
    monkeypatch.setenv("TWINE_PASSWORD", "not-the-password-x9")
    with pytest.raises(IndexRefused, match="refused the credentials .* nothing was tagged"):
        release(root, request, output, FakePublisher(root / "gh"))
    assert git(root, "tag") == "" and remote_tags(root) == [] and index_server.files() == []
    assert "not-the-password-x9" not in output.text
    monkeypatch.setenv("TWINE_PASSWORD", index_server.password)
    wheel = next((root / "build/release/v0.1.1rc1/dist").glob("*.whl"))
    index.upload(index.resolve(index_server.url), [wheel])  # killed half-way through the upload
    release(root, request, output, FakePublisher(root / "gh"))
    assert index_server.files() == ["tinynn-0.1.1rc1-py3-none-any.whl", "tinynn-0.1.1rc1.tar.gz"]
    assert remote_tags(root) == ["v0.1.1rc1"]
    assert index_server.password not in output.text


def test_release_different_file_on_index_is_a_hard_stop(make_repo: MakeCourse,
                                                        output: Captured,
                                                        index_server: PackageServer) -> None:
    root = make_repo()
    (index_server.folder / "packages" / "tinynn-0.1.1rc1.tar.gz").write_bytes(b"other bytes")
    with pytest.raises(IndexRefused, match="already has tinynn-0.1.1rc1.tar.gz with a "
                                           "different hash"):
        release(root, Request("patch", yes=True, skip_gates=NOT_GATES), output)
    assert git(root, "tag") == "" and remote_tags(root) == []


def test_release_refusals_name_the_fix(make_repo: MakeCourse, output: Captured) -> None:
    root = make_repo()
    (root / "src/01_tensor/ABOUT.md").write_text("edited\n")
    with pytest.raises(Refused, match=r"uncommitted changes \(src/01_tensor/ABOUT.md\): commit"):
        release(root, Request("minor", yes=True), output)
    git(root, "checkout", "--", ".")
    git(root, "switch", "--quiet", "main")
    with pytest.raises(Refused, match=r"a minor release starts from dev \(git switch dev\)"):
        release(root, Request("minor", yes=True), output)
    git(root, "switch", "--quiet", "dev")
    with pytest.raises(Refused, match="--version 0.5.0 does not follow from 0.1.0: a minor "
                                      "release after 0.1.0 is 0.2.0"):
        release(root, Request("minor", version="0.5.0", yes=True), output)
    assert "release/v0.2.0" not in git(root, "branch")


def test_release_major_refused_for_a_missing_module(make_repo: MakeCourse,
                                                    output: Captured) -> None:
    root = make_repo()
    path = root / "src/LEARNING_PATH.md"
    commit_file(root, "src/LEARNING_PATH.md", path.read_text() +
                "\n**Module 05: Optimizers** (2-3 hours, ⭐⭐)\n", "Plan module 05")
    git(root, "push", "--quiet", "origin", "dev")
    with pytest.raises(Refused, match="a major release needs every module of the course map; "
                                      "missing: 05 Optimizers"):
        release(root, Request("major", yes=True), output)
    assert "release/" not in git(root, "branch") and remote_tags(root) == []


def test_release_gates_failing_stop_before_any_tag(make_repo: MakeCourse,
                                                   output: Captured) -> None:
    root = make_repo()
    about = root / "src/02_activations/ABOUT.md"
    commit_file(root, "src/02_activations/ABOUT.md",
                about.read_text().replace("title:", "titel:", 1), "Break the front matter")
    git(root, "push", "--quiet", "origin", "dev")
    with pytest.raises(Refused, match="the gates fail at level standard .*--skip-gates REASON"):
        release(root, Request("minor", yes=True), output)
    assert git(root, "tag") == "" and remote_tags(root) == []


def test_release_gates_that_ran_no_test_stop_before_the_branch(make_repo: MakeCourse,
                                                                output: Captured) -> None:
    root = make_repo()
    for path in (root / "tests").rglob("test_*.py"):  # a test selection that came out empty
        path.write_text('"""Its tests were selected away."""\n')
    git(root, "commit", "--quiet", "-am", "Select no test")
    git(root, "push", "--quiet", "origin", "dev")
    fix = r"the gates passed with 0 tests run .*then run the release again$"
    with pytest.raises(Refused, match=fix):
        release(root, Request("minor", yes=True), output)
    with pytest.raises(Refused, match=fix):  # again: the report written is still no evidence
        release(root, Request("minor", yes=True), output)
    assert git(root, "tag") == "" and remote_tags(root) == []
    # nothing created: the gates judged dev's tip, where the release branch would start
    assert git(root, "branch", "--format=%(refname:short)").split() == ["dev", "main"]
    assert git(root, "status", "--porcelain") == "" and 'version = "0.1.0"' in \
        (root / "pyproject.toml").read_text()


def test_release_cli_refuses_a_course_git_does_not_track(tmp_path: Path) -> None:
    course = tmp_path / "repo" / "course"
    shutil.copytree(ROOT / "examples" / "tinycourse", course)
    outside = subprocess.run([sys.executable, "-m", "invoke", "release.status", "--course",
                              str(course)], cwd=ROOT, capture_output=True, text=True)
    assert outside.returncode == 1
    assert outside.stderr.strip().splitlines() == [
        f"tinyrelease: error: {course} is not in a git repository: a release needs the course "
        "under git (git init, commit it, add a remote; or try `invoke demo`)"]
    subprocess.run(["git", "init", "--quiet", str(tmp_path / "repo")], check=True)
    untracked = subprocess.run([sys.executable, "-m", "invoke", "release.status", "--course",
                                str(course)], cwd=ROOT, capture_output=True, text=True)
    assert untracked.returncode == 1
    assert untracked.stderr.strip().splitlines() == [
        f"tinyrelease: error: {course} is a folder git does not track in {tmp_path / 'repo'}: "
        f"commit the course first (git add {course} && git commit)"]
