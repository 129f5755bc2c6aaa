"""A release trusts neither the course nor luck: one run at a time, a person's uncommitted work
kept, fragments released exactly once after a kill, no write through a symlink the course
committed, nothing left in the course tree, credentials never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from releasehelpers import Captured, MakeCourse, remote_tags

from tinyrelease.checks.boundary import BoundaryError
from tinyrelease.checks.process import Completed
from tinyrelease.release.errors import Interrupted, Refused
from tinyrelease.release.lock import release_lock
from tinyrelease.release.pipelines import release, status
from tinyrelease.release.plan import Request
from tinyrelease.release.repair import abort
from tinyrelease.release.runner import Arg, Runner
from tinyrelease.release.sandbox import PackageServer, git

NOT_GATES = "this test is not about the gates"


def test_a_second_release_is_refused_while_one_runs(make_repo: MakeCourse,
                                                    output: Captured) -> None:
    root = make_repo()
    with release_lock(root), pytest.raises(Refused, match=r"a release is already running for "
                                                          r".* \(pid \d+, since "):
        release(root, Request("patch", yes=True, skip_gates=NOT_GATES), output)
    assert "release/v0.1.1" not in git(root, "branch")


def test_abort_keeps_a_persons_edit_and_undoes_the_releases_own(make_repo: MakeCourse,
                                                               output: Captured) -> None:
    root = make_repo(repository=None, rc_repository=None)

    def stop_after_version(key: str) -> None:
        if key == "version":
            raise Interrupted("killed after the version step")

    with pytest.raises(Interrupted):
        release(root, Request("patch", yes=True, skip_gates=NOT_GATES), output, None,
                stop_after_version)
    git(root, "reset", "--quiet", "--soft", "HEAD~1")  # as if killed before its commit
    git(root, "restore", "--staged", ".")
    assert 'version = "0.1.1rc1"' in (root / "pyproject.toml").read_text()
    mine = root / "settings.ini"
    mine.write_text(mine.read_text() + "# my note, not committed yet\n")
    with pytest.raises(Refused, match=r"not the release's own \(settings.ini\)"):
        abort(root, output)
    assert "# my note" in mine.read_text()  # nothing of a person's work is discarded
    git(root, "checkout", "--", "settings.ini")
    (root / "settings.ini").write_text((root / "settings.ini").read_text().replace(
        "0.1.0", "0.1.1rc1"))
    abort(root, output)  # now every edit is the release's own: taken back
    assert 'version = "0.1.0"' in (root / "pyproject.toml").read_text()
    assert git(root, "status", "--porcelain") == ""


def test_fragments_are_released_once_after_a_kill_inside_the_version_step(
        make_repo: MakeCourse, output: Captured, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(repository=None, rc_repository=None)
    request = Request("patch", yes=True, skip_gates=NOT_GATES)
    release(root, request, output)  # the candidate
    real = Runner.run

    def killed_after_writing(runner: Runner, argv: Sequence[Arg], **how: Any) -> Completed:
        if [str(a) for a in argv[1:4]] == ["-m", "towncrier", "build"]:
            kept = ["--keep" if a == "--yes" else a for a in argv]
            real(runner, kept, **how)  # the changelog written, fragments kept
            raise Interrupted("killed inside the version step")
        return real(runner, argv, **how)

    monkeypatch.setattr(Runner, "run", killed_after_writing)
    with pytest.raises(Interrupted):
        release(root, request, output)
    monkeypatch.setattr(Runner, "run", real)
    release(root, request, output)
    assert "v0.1.1" in remote_tags(root)
    for ref in ("v0.1.1", "origin/main"):
        assert git(root, "ls-tree", "--name-only", f"{ref}:changelog.d") in ("", ".gitkeep")
        notes = git(root, "show", f"{ref}:CHANGELOG.md")
        assert notes.count("[0.1.1]") == 1 and notes.count("SGD optimiser") == 1


def test_a_committed_build_symlink_is_refused_before_any_write(make_repo: MakeCourse,
                                                               output: Captured,
                                                               tmp_path: Path) -> None:
    root = make_repo(repository=None, rc_repository=None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the course's")
    (root / "build").symlink_to(elsewhere)
    git(root, "add", "-f", "build")
    git(root, "commit", "--quiet", "-m", "a link")
    git(root, "push", "--quiet", "origin", "dev")
    with pytest.raises(BoundaryError, match=r"build is a symlink .*remove the link"):
        release(root, Request("patch", yes=True, skip_gates=NOT_GATES), output)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


def test_a_release_leaves_nothing_in_the_course_tree(make_repo: MakeCourse,
                                                     output: Captured) -> None:
    """The example course has no .gitignore: the build runs on the committed tree, our
    output folder is excluded from git, so the tree stays clean for the next command."""
    root = make_repo()
    if (root / ".gitignore").exists():  # the sandbox adds one; a course may have none
        git(root, "rm", "--quiet", ".gitignore")
        git(root, "commit", "--quiet", "-m", "no .gitignore")
        git(root, "push", "--quiet", "origin", "dev")
    release(root, Request("patch", yes=True, skip_gates=NOT_GATES), output)
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not list(root.glob("*.egg-info")) and not (root / "build" / "lib").exists()


def test_credentials_in_a_repository_url_are_used_and_never_shown(
        make_repo: MakeCourse, index_server: PackageServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWINE_USERNAME")
    monkeypatch.delenv("TWINE_PASSWORD")
    secret = index_server.password
    url = index_server.url.replace("://", f"://{index_server.username}:{secret}@")
    root = make_repo(repository=url, rc_repository=url)
    out = Captured()
    release(root, Request("patch", yes=True, skip_gates=NOT_GATES), out)
    assert index_server.files() == ["tinynn-0.1.1rc1-py3-none-any.whl", "tinynn-0.1.1rc1.tar.gz"]
    index_server.stop()
    status(root, "patch", out)
    invoke = str(Path(sys.executable).parent / "invoke")
    done = subprocess.run([invoke, "release.status", "--course", str(root)],
                          capture_output=True, text=True, env=os.environ.copy(),
                          cwd=Path(__file__).resolve().parents[2])
    shown = out.text + done.stdout + done.stderr
    assert secret not in shown and f"{index_server.username}:********@" in shown


def test_a_refused_pypirc_password_names_where_it_came_from(
        make_repo: MakeCourse, index_server: PackageServer, output: Captured,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TWINE_USERNAME")
    monkeypatch.delenv("TWINE_PASSWORD")
    pypirc = tmp_path / "pypirc"
    pypirc.write_text(f"[distutils]\nindex-servers = course\n\n[course]\nrepository = "
                      f"{index_server.url}\nusername = {index_server.username}\n"
                      "password = wrong-one-123\n")
    monkeypatch.setenv("TWINE_CONFIG_FILE", str(pypirc))
    root = make_repo(repository="course", rc_repository="course")
    with pytest.raises(Exception, match=rf"refused the credentials \(HTTP 401/403\) from "
                                        rf"\[course\] of {pypirc}"):
        release(root, Request("patch", yes=True, skip_gates=NOT_GATES), output)
    assert "wrong-one-123" not in output.text
