"""What the release tests share besides fixtures: captured output, the remote's tags, commits,
and a killer that stops a release after every change it makes, one run at a time."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from rich.console import Console

from tinyrelease.release.pipelines import Output
from tinyrelease.release.runner import Runner
from tinyrelease.release.sandbox import git

MakeCourse = Callable[..., Path]
T = TypeVar("T")


class Captured(Output):
    """An Output whose every line is kept, to assert on what a maintainer would read."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        super().__init__(Console(file=self.buffer, width=160, highlight=False))

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


def remote_tags(root: Path) -> list[str]:
    lines = git(root, "ls-remote", "--tags", "origin").splitlines()
    return sorted({line.split("refs/tags/")[1].removesuffix("^{}") for line in lines})


def commit_file(root: Path, rel: str, text: str, message: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(root, "add", rel)
    git(root, "commit", "--quiet", "-m", message)


class Killed(BaseException):
    """A kill -9 of a release: no `except Exception` of the code under test can stop it."""


class Killer:
    """Kills a release right after one change it makes (a program run, a git command, a file
    written: everything goes through the runner) that no earlier run was killed after. The
    same change in the candidate and in the final (`stage` says which runs now) is two places
    to be killed; a run resumed after a kill repeats the changes killed after before, unharmed.
    A command `unseen` says no later run can see (a check that only reads, a write into a
    temporary folder its step removes) is no place to kill: it is the change before it.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, stage: Callable[[], str],
                 unseen: Callable[[str], bool] = lambda line: False) -> None:
        self.stage, self.unseen, self.killed = stage, unseen, list[tuple[str, str, str]]()
        for name in ("run", "git", "act"):
            monkeypatch.setattr(Runner, name, self._after(getattr(Runner, name)))

    def _after(self, change: Callable[..., T]) -> Callable[..., T]:
        def changed(runner: Runner, *args: Any, **kwargs: Any) -> T:
            stage, count = self.stage(), len(runner.commands)
            done = change(runner, *args, **kwargs)
            command = runner.commands[count]
            point = (stage, command.step, command.line)
            if point not in self.killed and not self.unseen(command.line):
                self.killed.append(point)
                raise Killed(f"killed after [{command.step}] {command.line}")
            return done
        return changed

    def steps(self, stage: str) -> list[str]:
        """The steps of `stage` it killed a release in, in order."""
        keys = [step for at, step, _ in self.killed if at == stage]
        return [k for i, k in enumerate(keys) if k not in keys[:i]]

    def until(self, run: Callable[[], object], done: Callable[[], bool], most: int = 100) -> int:
        """Run `run` again after each kill until a run ends unkilled with `done` true; the
        number of runs it took."""
        for runs in range(1, most + 1):
            try:
                run()
            except Killed:
                continue
            if done():
                return runs
        last = "\n".join(f"  {stage} [{step}] {line}" for stage, step, line in self.killed[-6:])
        raise AssertionError(f"no convergence after {most} runs; the last kills:\n{last}")
