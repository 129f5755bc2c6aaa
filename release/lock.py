"""One release at a time per repository (a monorepo's courses share its working tree): a lock
in its git folder (never a tracked file), held for the whole run; a second run says who holds
it instead of failing halfway.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from tinyrelease.checks.git import Git
from tinyrelease.release.errors import Refused


def lock_path(root: Path) -> Path:
    common = Git(root).run("rev-parse", "--git-common-dir", check=False).output.strip()
    folder = (root / common) if common and not Path(common).is_absolute() else Path(common)
    return (folder if common else root) / "tinyrelease.lock"


@contextmanager
def release_lock(root: Path) -> Iterator[None]:
    """Hold the course's release lock; refuse at once, naming the holder, when it is taken.
    The operating system drops the lock of a process that dies, so it never goes stale."""
    path = lock_path(root)
    holder = path.with_suffix(".pid")
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        said = holder.read_text(encoding="utf-8").strip() if holder.is_file() else "unknown"
        raise Refused(f"a release is already running for {root} ({said}): wait for it to "
                      "finish, then run the command again") from None
    try:
        holder.write_text(f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}",
                          encoding="utf-8")
        yield
    finally:
        holder.unlink(missing_ok=True)
        lock.release()


def exclude_own_output(root: Path) -> None:
    """Our output folder (build/ of the course) is excluded through `.git/info/exclude`, so a
    course without a .gitignore still has a clean tree after a release writes reports into it.
    The pattern is anchored where the course sits in its repository."""
    exclude = lock_path(root).parent / "info" / "exclude"
    text = exclude.read_text(encoding="utf-8") if exclude.is_file() else ""
    pattern = f"/{Git(root).prefix()}build/"
    if pattern not in text.split("\n"):
        exclude.parent.mkdir(parents=True, exist_ok=True)
        exclude.write_text(text + ("" if text.endswith("\n") or not text else "\n")
                           + f"# tinyrelease's own output\n{pattern}\n", encoding="utf-8")
