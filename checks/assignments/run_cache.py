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
from pathlib import Path
from typing import Any

from tinyrelease.checks.cache import keep_entry, read_json_object
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.execution.suites import SuiteInputs, file_digest, files_below
from tinyrelease.checks.results import now

# nbdev's index of every module's names, not code a notebook runs: renaming a function in the
# last module would otherwise run every module's notebooks again
INDEX = "/_modidx.py"


class RunCache:
    """`<folder>/notebook-runs/<key>.json`; with `reuse` False nothing is served (a fresh run)
    but what runs is kept."""

    def __init__(self, folder: Path, reuse: bool, environment: str, course: Course,
                 copy: Path) -> None:
        self.folder, self.reuse, self.course = folder / "notebook-runs", reuse, course
        self.inputs = SuiteInputs(course, copy, environment)  # the copy's files, hashed once
        package = course.package.dir if course.package else None
        left_out = [p for p in (package, course.tests.root) if p]
        self.readable = [rel for rel in files_below(copy)
                         if not any(rel == p or rel.startswith(p + "/") for p in left_out)]

    def key(self, module: Module, notebook: Path, pythonpath: Path, timeout: float) -> str:
        others = {Path(m.dir).name for m in self.course.modules if m is not module}
        parts = [self.inputs.environment, f"{timeout:g}", module.id,
                 file_digest(notebook, notebook.parent),
                 *(f"package/{rel}\0{file_digest(pythonpath / rel, pythonpath)}"
                   for rel in files_below(pythonpath) if not rel.endswith(INDEX)),
                 *(f"{rel}\0{self.inputs.digest(rel)}" for rel in self.readable
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
