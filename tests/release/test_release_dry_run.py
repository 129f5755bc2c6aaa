"""`--dry-run` prints what a real run runs: a dry run and then a real run of the same stage (the
candidate, then the final) record the same commands step by step, and every one exists.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections import defaultdict

from releasehelpers import Captured, MakeCourse

from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.model import Kind, Request
from tinyrelease.release.pipelines import release
from tinyrelease.release.runner import Command
from tinyrelease.release.sandbox import PackageServer, git

NOT_GATES = "this test is about the commands"


def by_step(commands: list[Command]) -> dict[str, list[str]]:
    steps: dict[str, list[str]] = defaultdict(list)
    for command in commands:
        steps[command.step].append(command.line)
    return dict(steps)


def exists(command: Command) -> bool:
    """A program on PATH, or a module this interpreter runs with -m; an action of our own
    (no argv) is a function of ours."""
    if command.argv is None:
        return True
    if command.argv[0] == sys.executable and command.argv[1] == "-m":
        return importlib.util.find_spec(command.argv[2]) is not None
    return shutil.which(command.argv[0]) is not None


def test_the_dry_run_lists_what_the_real_run_runs(make_repo: MakeCourse,
                                                  index_server: PackageServer,
                                                  publisher: FakePublisher) -> None:
    root = make_repo()
    for stage, expected in (("rc", ["gates", "branch", "version", "notes", "build", "upload",
                                    "tag", "push"]),
                            ("final", ["gates", "version", "build", "upload", "tag", "push",
                                       "merge", "bundle", "publish", "dev"])):
        before = git(root, "for-each-ref"), git(root, "status", "--porcelain")
        rehearsed: list[Command] = []
        out = Captured()
        release(root, Request(Kind.PATCH, dry_run=True, skip_gates=NOT_GATES), out, publisher,
                record=rehearsed)
        assert (git(root, "for-each-ref"), git(root, "status", "--porcelain")) == before
        printed = out.text.split("The steps to do would run:", 1)[1]
        assert printed.split() == " ".join(f"[{c.step}] {c.line}" for c in rehearsed).split()
        assert [c.line for c in rehearsed if not exists(c)] == []
        ran: list[Command] = []
        release(root, Request(Kind.PATCH, yes=True, skip_gates=NOT_GATES), Captured(),
                publisher, record=ran)
        assert list(by_step(rehearsed)) == list(by_step(ran)) == expected, stage
        for step, lines in by_step(rehearsed).items():
            assert lines == by_step(ran)[step], (stage, step)
    tag = next(c.line for c in ran if c.step == "tag")
    assert tag == "git tag -a v0.1.1 -m 'tinynn 0.1.1' release/v0.1.1"
