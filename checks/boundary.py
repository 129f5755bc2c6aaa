"""The one rule of the course boundary, used by the gates, the book, the review and the
release: nothing is read, copied, published, written or deleted through a path that resolves
outside the course root (or outside a folder of our own), and a folder of our own is never a
symlink we did not make.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from tinyrelease.checks.errors import TinyReleaseError


class BoundaryError(TinyReleaseError):
    """A path we were about to write or delete leads out of where it must stay."""


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink resolved, stays inside `root`."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def leaving_links(root: Path, folder: Path) -> Iterator[Path]:
    """Every symlink below `folder` (never followed) that resolves outside `root`."""
    for current, dirs, files in os.walk(folder, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(current) / name
            if path.is_symlink() and not inside(path, root):
                yield path


def own_path(base: Path, *parts: str) -> Path:
    """`base/parts...`, a place of ours inside `base` (a course, a work dir), not created. Any
    part that exists as a symlink (a `build -> /elsewhere` a course committed) is refused
    before anything is read, written or deleted through it."""
    path = base
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise BoundaryError(f"{path} is a symlink (to {os.readlink(path)}); tinyrelease "
                                "writes its output only into a real folder: remove the link "
                                "(git rm it if it is committed)")
    return path


def own_folder(base: Path, *parts: str) -> Path:
    """`own_path`, created."""
    path = own_path(base, *parts)
    path.mkdir(parents=True, exist_ok=True)
    if not inside(path, base):
        raise BoundaryError(f"{path} leads out of {base}; not written")
    return path


def output_folder(folder: Path, root: Path) -> Path:
    """`folder`, where a command writes its output (reports, a build), checked when it lies
    inside the course `root` (a command run from the course's own folder writes `build/...`
    there): any part of it below the root that is a symlink is refused (`own_path`), or a
    committed `build -> /elsewhere` would have us write, and clear, outside the course. A
    folder outside the course is the user's own choice, links and all."""
    absolute = folder if folder.is_absolute() else Path.cwd() / folder
    try:
        base = root.resolve()
        parts = absolute.relative_to(base).parts
    except (ValueError, OSError, RuntimeError):
        return folder
    own_path(base, *parts)
    return folder
