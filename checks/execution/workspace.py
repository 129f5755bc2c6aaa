"""A disposable copy of a course to export, test and build in (never the course itself)."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

IGNORED = shutil.ignore_patterns(".git", ".nox", ".venv", "venv", "build", "dist", "__pycache__",
                                 "*.egg-info", ".pytest_cache", "node_modules", "_build")
DISCARDED = ".discarded-"  # a folder being deleted behind the run: `<name>.discarded-<pid>-<n>`
_numbers = itertools.count()


def discard(folder: Path) -> None:
    """Delete `folder` behind the caller's back: it is renamed at once (its name is free again
    and nothing reads it by mistake), then deleted by a thread the interpreter waits for at
    exit. What a killed run leaves is swept by `sweep_discarded`. Links are not followed."""
    if not folder.is_dir() or folder.is_symlink():
        return
    doomed = folder.with_name(f"{folder.name}{DISCARDED}{os.getpid()}-{next(_numbers)}")
    try:
        folder.rename(doomed)
    except OSError:  # not renamable (a mount point, a busy folder): delete it here
        shutil.rmtree(folder, ignore_errors=True)
        return
    threading.Thread(target=shutil.rmtree, args=(doomed,), kwargs={"ignore_errors": True},
                     name=f"discard {folder.name}").start()


def sweep_discarded(parent: Path, name: str) -> None:
    """Delete what `discard` was deleting of `parent/name` when its process died."""
    for left in parent.glob(f"{name}{DISCARDED}*"):
        if left.is_dir() and not left.is_symlink():
            shutil.rmtree(left, ignore_errors=True)


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
