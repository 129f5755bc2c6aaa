"""A disposable copy of a course to export, test and build in (never the course itself)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

IGNORED = shutil.ignore_patterns(".git", ".nox", ".venv", "venv", "build", "dist", "__pycache__",
                                 "*.egg-info", ".pytest_cache", "node_modules", "_build")
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
