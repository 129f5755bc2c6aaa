"""The implementation gate's checks of nbgrader metadata and solution regions, under nbgrader's
own rules (what `nbgrader generate_assignment` refuses or silently gets wrong).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.gates.common import grouped
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import BEGIN_SOLUTION, Cell, ModuleSource

GRADE_ID = re.compile(r"[A-Za-z0-9_-]+")
FLAGS = ("grade", "solution", "locked")


def _cells(course: Course) -> Iterator[tuple[Module, ModuleSource, Cell, dict[str, Any]]]:
    """Every cell with nbgrader metadata, with that metadata."""
    for module in course.modules:
        if module.source is not None:
            for cell in module.source.cells:
                if (metadata := cell.nbgrader) is not None:
                    yield module, module.source, cell, metadata


def _flags(metadata: dict[str, Any]) -> dict[str, bool] | None:
    """`grade`, `solution` and `locked` (missing means false), or None when one is not a
    boolean (IMP144 reports that, the other checks skip the cell)."""
    values = {key: metadata.get(key, False) for key in FLAGS}
    return values if all(isinstance(value, bool) for value in values.values()) else None


def _name(metadata: dict[str, Any]) -> str:
    grade_id = metadata.get("grade_id")
    return f'"{grade_id}"' if isinstance(grade_id, str) else "without grade_id"


@check("IMP141", "Cell metadata parses", quick=True)
def metadata_parses(course: Course) -> Iterator[Hit]:
    """The options of a `# %%` cell line could not be parsed, or its `nbgrader` value is not a
    JSON object.

    Why: jupytext drops metadata it cannot parse, so the cell loses its nbgrader role without a
    word: a solution is released to students, or a graded test is never graded.
    Fix: write the metadata as single-line JSON: `# %% nbgrader={"grade": false, ...}`.
    """
    for module in course.modules:
        for cell in module.source.cells if module.source else []:
            if cell.metadata_error is not None:
                yield Hit(f"cell options `{cell.metadata_error}` are not valid (nbgrader metadata "
                          "must be single-line JSON); jupytext drops them", module.source_path,
                          cell.line, module.id)
            elif "nbgrader" in cell.metadata and cell.nbgrader is None:
                shown = json.dumps(cell.metadata["nbgrader"])
                yield Hit(f"nbgrader metadata {shown} is not a JSON object", module.source_path,
                          cell.line, module.id)


@check("IMP142", "Every nbgrader cell has a valid grade_id", quick=True)
def grade_id_valid(course: Course) -> Iterator[Hit]:
    """An nbgrader cell has no `grade_id`, or one that is not made of letters, digits, `_`
    and `-`.

    Why: nbgrader identifies cells by `grade_id` when it releases, collects and grades; it
    rejects cells without one and ids it cannot use in its database.
    Fix: give the cell a unique id such as `"relu-impl"`.
    """
    for module, source, cell, metadata in _cells(course):
        grade_id = metadata.get("grade_id")
        if grade_id is None:
            yield Hit("nbgrader cell has no grade_id", source.path, cell.line, module.id)
        elif not isinstance(grade_id, str) or not GRADE_ID.fullmatch(grade_id):
            yield Hit(f"grade_id {json.dumps(grade_id)} must match [A-Za-z0-9_-]+", source.path,
                      cell.line, module.id)


@check("IMP143", "grade_id is unique in its file", quick=True)
def grade_id_unique(course: Course) -> Iterator[Hit]:
    """Two nbgrader cells of one module source share a `grade_id`.

    Why: nbgrader keeps one record per `grade_id`; the second cell overwrites the first's
    grade and points, or the release fails.
    Fix: rename one of the two ids.
    """
    first: dict[tuple[str, str], int] = {}
    for module, source, cell, metadata in _cells(course):
        grade_id = metadata.get("grade_id")
        if not isinstance(grade_id, str):
            continue
        seen = first.setdefault((source.path, grade_id), cell.line)
        if seen != cell.line:
            yield Hit(f'grade_id "{grade_id}" is already used by the cell on line {seen}',
                      source.path, cell.line, module.id)


@check("IMP144", "nbgrader flags are booleans", quick=True)
def flags_boolean(course: Course) -> Iterator[Hit]:
    """An nbgrader `grade`, `solution` or `locked` value is not `true` or `false`.

    Why: nbgrader reads a string such as `"false"` as true, so the cell takes a role it was
    not meant to have.
    Fix: write the JSON booleans `true` / `false` without quotes.
    """
    for module, source, cell, metadata in _cells(course):
        for key in FLAGS:
            if key in metadata and not isinstance(metadata[key], bool):
                yield Hit(f'nbgrader "{key}" is {json.dumps(metadata[key])}, not true or false '
                          f"(cell {_name(metadata)})", source.path, cell.line, module.id)


@check("IMP145", "Graded cells have points", quick=True)
def graded_cells_have_points(course: Course) -> Iterator[Hit]:
    """A graded cell (`grade: true`) has no `points`, or points that are not a number >= 0.

    Why: nbgrader cannot total a grade without points; it refuses to release the assignment.
    Fix: add `"points": N` to the cell's metadata.
    """
    for module, source, cell, metadata in _cells(course):
        flags = _flags(metadata)
        if flags is None or not flags["grade"]:
            continue
        points = metadata.get("points")
        if not _valid_points(points):
            found = "has no points" if points is None else f"has points {json.dumps(points)}"
            yield Hit(f"graded cell {_name(metadata)} {found}; give it a number >= 0",
                      source.path, cell.line, module.id)


def _valid_points(points: object) -> bool:
    if isinstance(points, bool) or not isinstance(points, int | float):
        return False
    return math.isfinite(points) and points >= 0


@check("IMP146", "Autograded test cells are locked", quick=True)
def test_cells_locked(course: Course) -> Iterator[Hit]:
    """A graded cell that is not a solution (`grade: true, solution: false`, an autograded test
    cell) is not `locked: true`.

    Why: an unlocked test cell can be edited by the student, who can then make it pass; nbgrader
    only restores locked cells before grading.
    Fix: set `"locked": true` on the test cell.
    """
    for module, source, cell, metadata in _cells(course):
        flags = _flags(metadata)
        if flags and flags["grade"] and not flags["solution"] and not flags["locked"]:
            yield Hit(f"autograded test cell {_name(metadata)} is not locked, so students can "
                      "edit the test", source.path, cell.line, module.id)


@check("IMP147", "Markdown answer cells are solution and grade", quick=True)
def markdown_answers(course: Course) -> Iterator[Hit]:
    """A markdown cell is a solution but not graded, or graded but not a solution.

    Why: nbgrader only knows manually graded markdown answers (`solution` and `grade` both
    true); any other combination is rejected when the assignment is generated.
    Fix: set both flags to true (a written answer) or both to false (plain text).
    """
    for module, source, cell, metadata in _cells(course):
        flags = _flags(metadata)
        if cell.kind == "markdown" and flags and flags["solution"] != flags["grade"]:
            has, lacks = ("solution", "grade") if flags["solution"] else ("grade", "solution")
            yield Hit(f"markdown cell {_name(metadata)} is {has} but not {lacks}", source.path,
                      cell.line, module.id)


@check("IMP151", "Solution regions are closed and not nested", quick=True)
def regions_balanced(course: Course) -> Iterator[Hit]:
    """A `### BEGIN SOLUTION` is never closed in its cell, is opened inside another region, or
    an `### END SOLUTION` has no matching begin.

    Why: nbgrader stops generating the student release at the first broken region, and a
    region it misreads can leak the solution.
    Fix: pair each `### BEGIN SOLUTION` with one `### END SOLUTION` in the same cell.
    """
    for module in course.modules:
        for problem in module.source.region_problems if module.source else []:
            yield Hit(problem.message, module.source_path, problem.line, module.id)


@check("IMP152", "Solution regions sit in solution cells", quick=True)
def regions_in_solution_cells(course: Course) -> Iterator[Hit]:
    """A `### BEGIN SOLUTION` region is in a cell that is not marked `solution: true`.

    Why: nbgrader refuses to release a solution region outside a solution cell (the cell needs
    an id to be tracked), and other tools would ship the solution to students.
    Fix: mark the cell `nbgrader={"grade": false, "grade_id": "...", "solution": true}`.
    """
    for module in course.modules:
        source = module.source
        cells = {cell.index: cell for cell in source.cells} if source else {}
        for region in source.regions if source else []:
            metadata = cells[region.cell].nbgrader
            flags = _flags(metadata) if metadata is not None else {"solution": False}
            if flags is not None and not flags["solution"]:
                yield Hit(f"{BEGIN_SOLUTION} in a cell that is not a solution cell (the cell "
                          f"starts on line {cells[region.cell].line})", module.source_path,
                          region.begin, module.id)


@check("IMP153", "Solution code cells have a solution region", quick=True)
def solution_cells_have_regions(course: Course) -> Iterator[Hit]:
    """A code cell marked `solution: true` has no `### BEGIN SOLUTION` region.

    Why: nbgrader then replaces the whole cell, signatures and docstrings included, with a
    `raise NotImplementedError()` stub in the student release.
    Fix: wrap only the part students write in `### BEGIN SOLUTION` / `### END SOLUTION`.
    """
    hits = []
    for module, source, cell, metadata in _cells(course):
        flags = _flags(metadata)
        if cell.kind != "code" or not flags or not flags["solution"]:
            continue
        if not any(region.cell == cell.index for region in source.regions):
            hits.append(Hit(f"solution cell {_name(metadata)} has no {BEGIN_SOLUTION} region, "
                            "so the student release replaces the whole cell with a stub",
                            source.path, cell.line, module.id))
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} solution cells have no {BEGIN_SOLUTION} region, so the student release "
        "replaces each whole cell with a stub: "
        + ", ".join(h.message.split(" has no ")[0].removeprefix("solution cell ")
                    for h in group)))
