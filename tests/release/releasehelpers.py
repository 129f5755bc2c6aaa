"""What the release tests share besides fixtures: captured output, the remote's tags, commits."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from tinyrelease.release.pipelines import Output
from tinyrelease.release.sandbox import git

MakeCourse = Callable[..., Path]


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
