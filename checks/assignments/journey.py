"""The student's journey through the course: before module N runs, only modules 1..N-1 are in
the package (as the course's own export wrote them), and each notebook runs in a fresh kernel
as `__main__`, from its module's folder in the exported copy of the course.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinyrelease.checks.assignments.build import own_code
from tinyrelease.checks.boundary import inside
from tinyrelease.checks.cache import read_json_object
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.process import run

KERNEL = "tinyrelease.checks.assignments.kernel"
SLACK_S = 120  # kernel starts and the runner's own imports, beyond the notebooks' limits


@dataclass(frozen=True)
class Run:
    """One notebook to run: from which folder, with which package, and where its outcome goes."""

    notebook: Path
    cwd: Path
    pythonpath: Path
    out: Path


@dataclass(frozen=True)
class Runs:
    """What running the notebooks gave: each outcome by key (None: never written), and the
    runner's own failure when it stopped."""

    outcomes: dict[str, dict[str, Any] | None]
    problem: str | None = None


def package_before(course: Course, copy: Path, module: Module, dest: Path) -> Path:
    """A folder to put on PYTHONPATH holding the exported package with only the modules before
    `module`: the files later modules export are left out, and the `__init__.py` files are
    empty (they import every module, and whether they import is PKG208's question). Links
    are left out too: nothing outside the course is copied, or emptied, through them."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    package = course.package
    if package is None or not (copy / package.dir).is_dir() or (
            copy / package.dir).is_symlink() or not inside(copy / package.dir, copy):
        return dest
    later = _targets(course, course.modules[course.modules.index(module):])
    target = dest / package.name
    shutil.copytree(copy / package.dir, target, ignore=_links_and_bytecode)
    for path in sorted(target.rglob("*.py")):
        rel = path.relative_to(target).as_posix()
        if rel in later:
            path.unlink()
        elif path.name == "__init__.py":
            path.write_text("", encoding="utf-8")
    return dest


def _links_and_bytecode(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name == "__pycache__" or name.endswith(".pyc")
            or os.path.islink(os.path.join(folder, name))}


def _targets(course: Course, modules: list[Module]) -> set[str]:
    """The files (relative to the package folder) these modules export to."""
    name = course.package.name if course.package else ""
    found = set()
    for module in modules:
        if module.exports:
            dotted = module.exports.removeprefix(name + ".")
            found.add(f"{dotted.replace('.', '/')}.py")
    return found


def run_notebooks(runs: dict[str, Run], timeout: float, jobs: int, work: Path) -> Runs:
    """Run the notebooks, `jobs` at a time, each in a fresh kernel, in one runner process (its
    imports take seconds: once is enough)."""
    job = work / "job.json"
    work.mkdir(parents=True, exist_ok=True)
    for item in runs.values():
        item.out.unlink(missing_ok=True)
    job.write_text(json.dumps({"timeout": timeout, "jobs": jobs, "runs": [
        {"notebook": str(r.notebook), "cwd": str(r.cwd), "pythonpath": str(r.pythonpath),
         "out": str(r.out)} for r in runs.values()]}), encoding="utf-8")
    rounds = -(-len(runs) // max(1, jobs))
    done = run([sys.executable, "-m", KERNEL, str(job)], cwd=work,
               timeout=rounds * timeout + SLACK_S, env=own_code())
    outcomes = {key: read_json_object(item.out) for key, item in runs.items()}
    return Runs(outcomes, None if done.ok else f"the notebook runner stopped: {done.tail(3)}")


