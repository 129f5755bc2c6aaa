"""The one way a release step changes anything: a program as a list of arguments, or an action
of our own described in one line. A real run does it; a dry run records it and changes nothing.

Both runs record the same descriptions, so `--dry-run` prints what a real run runs. What
differs from run to run (a temporary folder, a commit not made yet) is shown as a placeholder.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from tinyrelease.checks.git import Git
from tinyrelease.checks.process import DEFAULT_TIMEOUT, Completed, run
from tinyrelease.release.bundle import Publisher

T = TypeVar("T")


@dataclass(frozen=True)
class Shown:
    """An argument whose value differs between runs, shown as `label` in every description."""

    value: str
    label: str


@dataclass(frozen=True)
class Files:
    """The files of `folder` matching `pattern` when the command runs (in a dry run they do not
    exist yet), or `only` those of them; shown as `folder/pattern` unless only some are meant."""

    folder: Path
    pattern: str = "*"
    only: tuple[Path, ...] | None = None

    def paths(self) -> list[Path]:
        return list(self.only) if self.only is not None else sorted(self.folder.glob(self.pattern))


Arg = str | Path | Shown | Files


@dataclass(frozen=True)
class Command:
    """One change a step makes: `argv` of a program (as shown), or None for an action of ours."""

    step: str
    line: str
    argv: tuple[str, ...] | None = None


class Runner:
    """Runs (or, dry, records) every change of a release; reads still ask git for real."""

    def __init__(self, root: Path, publisher: Publisher, dry_run: bool = False,
                 record: list[Command] | None = None) -> None:
        self.root, self.publisher, self.dry_run = root, publisher, dry_run
        self.commands: list[Command] = record if record is not None else []
        self.reads = Git(root)
        self._step = ""
        self._labels: dict[str, str] = {}
        self._branch: str | None = None  # the branch a dry run would be on by now

    @contextmanager
    def step(self, key: str) -> Iterator[None]:
        """Everything recorded inside belongs to the step `key`."""
        before, self._step = self._step, key
        try:
            yield
        finally:
            self._step = before

    def run(self, argv: Sequence[Arg], *, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = DEFAULT_TIMEOUT, trusted: bool = False) -> Completed:
        """Run a program (a dry run pretends it succeeded, with no output)."""
        shown = tuple(part for arg in argv for part in self._shown(arg))
        self.commands.append(Command(self._step, shlex.join(shown), shown))
        if self.dry_run:
            return Completed(shown, 0, "")
        values = [part for arg in argv for part in _values(arg)]
        return run(values, cwd=cwd, env=env, timeout=timeout, trusted=trusted)

    def git(self, *args: Arg, check: bool = True) -> Completed:
        """A git command that changes the course repository, through the one git wrapper."""
        shown = tuple(part for arg in ("git", *args) for part in self._shown(arg))
        self.commands.append(Command(self._step, shlex.join(shown), shown))
        if self.dry_run:
            return Completed(shown, 0, "")
        return self.reads.run(*[part for arg in args for part in _values(arg)], check=check)

    def act(self, line: str, action: Callable[[], T]) -> T | None:
        """An action of ours (writing a file, the bundle), described by `line`."""
        self.commands.append(Command(self._step, line))
        return None if self.dry_run else action()

    def confirm(self, check: Callable[[], object]) -> None:
        """What a real run checks of what it just did; a dry run did nothing to check."""
        if not self.dry_run:
            check()

    def probe(self, question: Callable[[], bool], assume: bool) -> bool:
        """A question about what this step just did: asked in a real run, and in a dry run
        answered as the run would find it."""
        return assume if self.dry_run else question()

    def branch(self) -> str:
        """The branch checked out (in a dry run: the one the run would be on by now)."""
        if self.dry_run and self._branch is not None:
            return self._branch
        return self.reads.branch()

    def switch(self, branch: str, start: str | None = None) -> None:
        """Check out `branch` (created from `start` when given), unless it is checked out."""
        if start is not None:
            self.git("switch", "--quiet", "-c", branch, start)
        elif self.branch() != branch:
            self.git("switch", "--quiet", branch)
        self._branch = branch

    @contextmanager
    def temporary(self, label: str) -> Iterator[Path]:
        """A scratch folder outside the course, shown as `<label>` in every description."""
        with tempfile.TemporaryDirectory(prefix=f"tinyrelease-{label}-") as temp:
            self._labels[temp] = f"<{label}>"
            try:
                yield Path(temp)
            finally:
                del self._labels[temp]

    def shown(self, value: Arg) -> str:
        """How `value` reads in a description."""
        return " ".join(self._shown(value))

    def _shown(self, arg: Arg) -> list[str]:
        if isinstance(arg, Shown):
            return [arg.label]
        if isinstance(arg, Files):
            if arg.only is None:
                return [self._label(str(arg.folder / arg.pattern))]
            return [self._label(str(p)) for p in arg.only]
        return [self._label(str(arg))]

    def _label(self, text: str) -> str:
        for temp, label in self._labels.items():
            text = text.replace(temp, label)
        return text


def _values(arg: Arg) -> list[str]:
    if isinstance(arg, Shown):
        return [arg.value]
    if isinstance(arg, Files):
        return [str(p) for p in arg.paths()]
    return [str(arg)]
