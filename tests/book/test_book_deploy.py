"""Deploying the built book with ghp-import to a bare repository as `origin`: .nojekyll, CNAME,
`dev/` and the root kept, refusals, a dry run, and a rejected push reported as a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bookcourse import BuiltCourse, git

from tinyrelease.book.cli import main
from tinyrelease.book.deploy import DeployOptions, deploy, plan_deploy
from tinyrelease.book.errors import DeployFailed, DeployRefused


def tree(built: BuiltCourse, path: str = "") -> set[str]:
    listed = git(built.origin, "ls-tree", "--name-only", "gh-pages", *([path] if path else []))
    return set(listed.split("\n"))


def run(built: BuiltCourse, *args: str) -> int:
    return main(["deploy", "--course", str(built.root), "--out", str(built.out),
                 "--gates-report", str(built.report), *args])


def test_root_then_dev_then_root_keeps_both(built: BuiltCourse,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(built, "--cname", "course.example.org") == 0
    root = tree(built)
    assert {".nojekyll", "CNAME", "index.html", "modules", "_static"} <= root
    assert git(built.origin, "show", "gh-pages:CNAME") == "course.example.org"
    assert run(built, "--prefix", "dev") == 0
    assert root | {"dev"} == tree(built)
    assert {"dev/index.html", "dev/modules"} <= tree(built, "dev/")
    assert run(built) == 0
    assert "dev" in tree(built) and "CNAME" in tree(built)
    message = git(built.origin, "log", "-1", "--format=%s", "gh-pages")
    assert message.startswith("Deploy tinycourse 0.1.0 from ")
    published = json.loads(capsys.readouterr().out.strip().split("\n")[-1])
    assert published["commit"] == git(built.origin, "rev-parse", "gh-pages")


def test_dry_run_changes_nothing(built: BuiltCourse, capsys: pytest.CaptureFixture[str]) -> None:
    before = git(built.root, "ls-remote", "origin")
    assert run(built, "--dry-run", "--prefix", "dev") == 0
    out = capsys.readouterr().out
    assert "would publish" in out and "origin/gh-pages under dev/" in out
    assert git(built.root, "ls-remote", "origin") == before


def test_a_dirty_tree_is_refused_unless_forced(built: BuiltCourse,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    notes = built.root / "src" / "NOTES.md"
    notes.write_text("draft\n", encoding="utf-8")
    try:
        assert run(built) == 1
        error = capsys.readouterr().err.strip()
        assert error.count("\n") == 0 and "dirty tree" in error and "NOTES.md" in error
        assert "--force" in error
        assert run(built, "--force", "--prefix", "dev") == 0
    finally:
        notes.unlink()


def test_failed_gates_are_refused(built: BuiltCourse, tmp_path: Path) -> None:
    info = dict(built.result.info, gates="fail", dirty=[])
    with pytest.raises(DeployRefused, match="the gates failed: run `nox -s gates`"):
        plan_deploy(built.result.html, built.root, info, DeployOptions())


def test_a_rejected_push_is_a_failure(built: BuiltCourse) -> None:
    hook = built.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pages are frozen' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    local_before = git(built.root, "rev-parse", "--verify", "-q", "refs/heads/gh-pages")
    remote_before = git(built.root, "ls-remote", "origin", "refs/heads/gh-pages")
    try:
        plan = plan_deploy(built.result.html, built.root, dict(built.result.info, dirty=[]),
                           DeployOptions(prefix="dev"))
        with pytest.raises(DeployFailed, match="did not reach origin/gh-pages.*pre-receive"):
            deploy(plan)
    finally:
        hook.unlink()
    assert git(built.root, "ls-remote", "origin", "refs/heads/gh-pages") == remote_before
    assert git(built.root, "rev-parse", "--verify", "-q", "refs/heads/gh-pages") == local_before


def test_options_without_a_command_build_the_book(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`nox -s book -- --course PATH`, as every other session takes a course: the build runs
    (here it stops at the missing course), not argparse's "invalid choice"."""
    missing = tmp_path / "no-course"
    assert main(["--course", str(missing)]) == 2
    said = capsys.readouterr().err
    assert f"{missing}: not a directory" in said and "invalid choice" not in said
