"""Building the student release: each module's notebooks written, nbgrader's generate_assignment
run over them (in its own process), the student notebooks gathered into one folder with a
manifest (module, grade ids, points per graded cell, sha256 of each notebook).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from tinyrelease import IMPORT_ROOT
from tinyrelease.checks import __version__
from tinyrelease.checks.assignments.notebooks import AssignmentNotebooks, notebooks, write_notebook
from tinyrelease.checks.assignments.tiers import Tier
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.gates.nbgrader import _valid_points
from tinyrelease.checks.process import run

MANIFEST = "manifest.json"
GENERATE = "tinyrelease.checks.assignments.generate"


@dataclass
class BuiltModule:
    """One module's notebooks, its student notebook when nbgrader released it, else why not."""

    notebooks: AssignmentNotebooks
    student: Any | None = None
    refusal: dict[str, str] | None = None

    @property
    def module(self) -> Module:
        return self.notebooks.module


@dataclass
class Build:
    """The student release in `folder` (`<module>/<notebook>` and the manifest)."""

    folder: Path
    instructor: Path
    built: list[BuiltModule] = field(default_factory=list)
    unmapped: list[Module] = field(default_factory=list)  # jupytext split it differently
    failed: str | None = None  # nbgrader did not run at all

    def student_path(self, item: BuiltModule) -> Path:
        return self.folder / item.module.id / item.notebooks.name

    def instructor_path(self, item: BuiltModule) -> Path:
        return self.instructor / item.module.id / item.notebooks.name


def build(course: Course, modules: list[Module], work: Path, tier: Tier) -> Build:
    """Write every module's student notebook into `work/assignments`; nothing in the course."""
    result = Build(work / "assignments", work / "instructor")
    scratch = work / "nbgrader"
    for folder in (result.folder, result.instructor, scratch):
        shutil.rmtree(folder, ignore_errors=True)
    for module in modules:
        text = course.files.read(module.source_path, "implementation")
        made = notebooks(module, text, tier) if text is not None else None
        if made is None:
            result.unmapped.append(module)
            continue
        write_notebook(made.release_source, scratch / "source" / module.id / made.name)
        write_notebook(made.instructor, result.instructor / module.id / made.name)
        result.built.append(BuiltModule(made))
    if result.built:
        _generate(result, scratch)
    write_manifest(result, course, tier)
    return result


def _generate(result: Build, scratch: Path) -> None:
    import nbformat

    ids = [item.module.id for item in result.built]
    done = run([sys.executable, "-m", GENERATE, str(scratch), *ids], cwd=scratch, stderr=False,
               timeout=600, env=own_code())
    try:
        refusals = json.loads(done.output.strip().split("\n")[-1])
    except (ValueError, IndexError):
        result.failed = f"nbgrader's generate_assignment did not run: {done.errors or done.tail()}"
        return
    for item in result.built:
        item.refusal = refusals.get(item.module.id)
        released = scratch / "release" / item.module.id / item.notebooks.name
        if item.refusal is None and released.is_file():
            item.student = nbformat.read(str(released), as_version=4)  # type: ignore[no-untyped-call]
            write_notebook(item.student, result.student_path(item))
        elif item.refusal is None:
            item.refusal = {"error": "nbgrader wrote no student notebook", "cell": ""}


def own_code() -> dict[str, str]:
    """The environment that makes a runner process import this very tinyrelease (a checkout
    may differ from the one installed in the environment)."""
    return {"PYTHONPATH": str(IMPORT_ROOT)}


def graded_cells(item: BuiltModule) -> list[tuple[int, str, float | None]]:
    """(cell index, grade id, points) of every autograded test of the module."""
    found = []
    for index, cell in enumerate(item.notebooks.cells):
        meta = cell.nbgrader or {}
        if meta.get("grade") is True and meta.get("solution") is not True:
            points = meta.get("points")
            found.append((index, str(meta.get("grade_id")),
                          float(points) if isinstance(points, int | float)
                          and _valid_points(points) else None))
    return found


def write_manifest(result: Build, course: Course, tier: Tier) -> Path:
    """`manifest.json`: what each module's student notebook is and grades, with its hash."""
    modules, total = [], 0.0
    for item in (i for i in result.built if i.student is not None):
        path = result.student_path(item)
        cells = graded_cells(item)
        points = sum(p or 0 for _, _, p in cells)
        total += points
        modules.append({"module": item.module.id, "notebook": f"{item.module.id}/{path.name}",
                        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                        "graded": [{"grade_id": g, "points": _number(p)} for _, g, p in cells],
                        "points": _number(points)})
    manifest = {"tool": f"tinyrelease {__version__}", "nbgrader": _version("nbgrader"),
                "course": str(course.root), "tier": tier.name, "modules": modules,
                "points": _number(total)}
    path = result.folder / MANIFEST
    result.folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _number(value: float | None) -> float | int | None:
    """5.0 written as 5, as the course wrote it."""
    return int(value) if value is not None and float(value).is_integer() else value


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
