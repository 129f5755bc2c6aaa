"""Each notebook run's outcome kept by what the run can read, so that after editing one module
only the notebooks whose inputs changed run again (on TinyTorch the kernels are ~300 s of the
implementation gate; the build ~8 s).

A run can read its notebook, the package of the modules before it (its PYTHONPATH), and the
exported copy of the course it runs in. Of the copy, the key holds every file but the
package (the run sees it through its PYTHONPATH), the tests, and the folders of the other
modules (`src/20_capstone`, `modules/20_capstone`: a module's notebook reading another
module's folder is not modelled); with the environment, the time limit and tinyrelease's own
code. Only runs that reached their end are kept (a time-out or a dead kernel says more about
the machine than the course). Entries are JSON, in the cache folder, never in the course.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from tinyrelease.checks.cache import keep_entry, read_json_object
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.results import now

SKIPPED = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
# nbdev's index of every module's names, not code a notebook runs: renaming a function in the
# last module would otherwise run every module's notebooks again
INDEX = "/_modidx.py"


class RunCache:
    """`<folder>/notebook-runs/<key>.json`; with `reuse` False nothing is served (a fresh run)
    but what runs is kept."""

    def __init__(self, folder: Path, reuse: bool, environment: str, course: Course,
                 copy: Path) -> None:
        self.folder, self.reuse = folder / "notebook-runs", reuse
        self.environment, self.course, self.copy = environment, course, copy
        self._copy_files: list[tuple[str, str]] | None = None

    def key(self, module: Module, notebook: Path, pythonpath: Path, timeout: float) -> str:
        others = {Path(m.dir).name for m in self.course.modules if m is not module}
        parts = [self.environment, f"{timeout:g}", module.id, _digest(notebook),
                 *(f"package/{rel}\0{digest}" for rel, digest in _files(pythonpath)
                   if not rel.endswith(INDEX)),
                 *(f"{rel}\0{digest}" for rel, digest in self._copy()
                   if not others & set(rel.split("/")))]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def load(self, key: str) -> tuple[dict[str, Any], str] | None:
        """A kept outcome and when it ran."""
        entry = read_json_object(self.folder / f"{key}.json") if self.reuse else None
        if entry is None or not isinstance(entry.get("outcome"), dict) \
                or not isinstance(entry.get("ran_at"), str):
            return None
        return entry["outcome"], entry["ran_at"]

    def store(self, key: str, outcome: dict[str, Any] | None) -> None:
        if outcome is not None and outcome.get("started") and outcome.get("stopped") is None:
            keep_entry(self.folder / f"{key}.json", {"outcome": outcome, "ran_at": now()})

    def _copy(self) -> list[tuple[str, str]]:
        """The copy's files a run may read, hashed once for every module's key."""
        if self._copy_files is None:
            package = self.course.package.dir if self.course.package else None
            left_out = {p for p in (package, self.course.tests.root) if p}
            self._copy_files = [(rel, digest) for rel, digest in _files(self.copy)
                                if not any(rel == p or rel.startswith(p + "/")
                                           for p in left_out)]
        return self._copy_files


def _files(root: Path) -> list[tuple[str, str]]:
    """(relative path, hash) of every file below `root`, by name; a link by its target's
    name, never followed (the course is untrusted)."""
    found = []
    for here, dirs, files in os.walk(root):  # a linked folder is listed, never walked
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
        prefix = os.path.relpath(here, root).replace(os.sep, "/")
        for name in sorted([*files, *(d for d in dirs if os.path.islink(os.path.join(here, d)))]):
            if not name.endswith(".pyc"):
                rel = name if prefix == "." else f"{prefix}/{name}"
                found.append((rel, _digest(Path(here) / name)))
    return found


def _digest(path: Path) -> str:
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return "link:" + os.readlink(path)
        return hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(
            info.st_mode) else "not a file"
    except OSError:
        return "missing"
