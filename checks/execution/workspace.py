"""A disposable copy of a course to export, test and build in, and the subprocess runner the
execution gates share (lists of arguments, captured output, a time limit, no shell).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

IGNORED = shutil.ignore_patterns(".git", ".nox", ".venv", "venv", "build", "dist", "__pycache__",
                                 "*.egg-info", ".pytest_cache", "node_modules", "_build")
DEFAULT_TIMEOUT = 1800


@dataclass(frozen=True)
class Completed:
    """What a command did: its arguments (for messages), exit status and combined output."""

    args: tuple[str, ...]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 12) -> str:
        return "\n".join(self.output.rstrip().split("\n")[-lines:])


_STREAM = {"on": False}


@contextmanager
def streaming(on: bool) -> Iterator[None]:
    """While active, commands echo their output as it comes (`-v`), and still capture it."""
    before = _STREAM["on"]
    _STREAM["on"] = on
    try:
        yield
    finally:
        _STREAM["on"] = before


def run(args: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT) -> Completed:
    """Run a command without a shell; a missing program or a time-out is a failed `Completed`."""
    argv = tuple(str(a) for a in args)
    merged = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    if _STREAM["on"]:
        return _run_streamed(argv, cwd, merged, timeout)
    try:
        done = subprocess.run(argv, cwd=cwd, env=merged, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace",
                              timeout=timeout, check=False)
    except FileNotFoundError:
        return Completed(argv, 127, f"{argv[0]}: command not found")
    except subprocess.TimeoutExpired as expired:
        output = expired.output if isinstance(expired.output, str) else ""
        return Completed(argv, 124, f"{output}\ntimed out after {timeout:.0f} s")
    return Completed(argv, done.returncode, done.stdout)


def _run_streamed(argv: tuple[str, ...], cwd: Path, env: dict[str, str], timeout: float
                  ) -> Completed:
    print(f"$ {shlex.join(argv)}", flush=True)
    lines: list[str] = []
    try:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
    except FileNotFoundError:
        return Completed(argv, 127, f"{argv[0]}: command not found")
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        sys.stdout.write(line)
        sys.stdout.flush()
        if time.monotonic() > deadline:
            process.kill()
            lines.append(f"\ntimed out after {timeout:.0f} s")
            break
    return Completed(argv, process.wait(), "".join(lines))


@contextmanager
def workspace(course_root: Path, keep: Path | None = None) -> Iterator[Path]:
    """A temporary copy of the course (without VCS data, caches and build output)."""
    if keep is not None:
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(course_root, keep, ignore=IGNORED, symlinks=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="tinyrelease-") as temp:
        copy = Path(temp) / course_root.name
        shutil.copytree(course_root, copy, ignore=IGNORED, symlinks=True)
        yield copy
