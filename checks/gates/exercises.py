"""The implementation gate's checks of exercises and unit tests in the shape a course's
conventions fix (the tinytorch-2026 profile): a Markdown lead-in, the export directive, the
docstring scaffold, tests that follow, the 🧪/✅ grammar and the tail cell that runs them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import partial

from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import Cell, ModuleSource


def _sources(course: Course) -> Iterator[tuple[Module, ModuleSource]]:
    for module in course.modules:
        if module.source is not None:
            yield module, module.source


def _exercises(source: ModuleSource) -> set[int]:
    """The cells of a source that are exercises: ungraded solution cells holding a solution
    region (a solution cell without one is IMP153's finding, not a malformed exercise)."""
    regions = {region.cell for region in source.regions}
    return {cell.index for cell in source.cells if cell.index in regions and cell.kind == "code"
            and (nbgrader := cell.nbgrader) is not None and nbgrader.get("solution") is True
            and nbgrader.get("grade") is not True}


def _is_test(cell: Cell) -> bool:
    nbgrader = cell.nbgrader
    return cell.kind == "code" and bool(nbgrader and nbgrader.get("grade") is True)


def _grade_id(cell: Cell) -> str:
    nbgrader = cell.nbgrader or {}
    return str(nbgrader.get("grade_id", f"cell on line {cell.line}"))


def _first_line(cell: Cell) -> str:
    return next((line.strip() for line in cell.lines if line.strip()), "")


def _hits(module: Module, source: ModuleSource, found: list[tuple[int, str]],
          summary: str) -> Iterator[Hit]:
    """One finding per module: the first place, the others listed."""
    if found:
        shown = ", ".join(text for _, text in found[:6])
        more = f", and {len(found) - 6} more" if len(found) > 6 else ""
        yield Hit(f"{summary}: {shown}{more}", source.path, found[0][0], module.id,
                  places=tuple((source.path, line) for line, _ in found[1:]))


@check("IMP161", "Exercises are introduced by a Markdown cell", convention="exercises")
def exercise_lead_in(course: Course) -> Iterator[Hit]:
    """A solution cell (an exercise) directly follows a code cell instead of a Markdown cell
    that says what to build.

    Why: the learner meets the exercise in the notebook; without a lead-in they see a stub
    with no explanation of what it is for.
    Fix: put a Markdown cell right before the exercise (a `###` heading naming the component
    and what it does).
    """
    for module, source in _sources(course):
        exercises = _exercises(source)
        found = [(cell.line, _grade_id(cell)) for before, cell in zip(
            source.cells, source.cells[1:], strict=False)
            if cell.index in exercises and before.kind != "markdown"]
        yield from _hits(module, source, found, "exercises without a Markdown cell before them")


@check("IMP162", "Solution cells open with the export directive", convention="exercises")
def exercise_exported(course: Course) -> Iterator[Hit]:
    """The first line of a solution cell is not the course's export directive (`#| export`
    or `#| exporti`).

    Why: what a learner writes in an exercise is what the package is built from; a solution
    cell that is not exported never reaches the package, and later modules that import it fail.
    Fix: make `#| export` the cell's first line.
    """
    first_lines = list(course.conventions.get("exercises", "first_lines", ["#| export"]))
    for module, source in _sources(course):
        found = [(cell.line, f"{_grade_id(cell)} opens with {_first_line(cell)[:40]!r}")
                 for cell in source.cells if cell.index in _exercises(source)
                 and _first_line(cell) not in first_lines]
        yield from _hits(module, source, found,
                         f"solution cells not opening with {first_lines[0]}")


@check("IMP163", "Exercises carry the docstring scaffold", convention="exercises")
def exercise_scaffold(course: Course) -> Iterator[Hit]:
    """A solution cell lacks the scaffold words of the course's exercises (`TODO:` and
    `APPROACH:` in its docstring).

    Why: the scaffold is what the student sees once the solution is stripped: what to do and
    the steps to do it in. Without it the exercise is a bare stub.
    Fix: write the docstring's TODO and APPROACH sections.
    """
    words = list(course.conventions.get("exercises", "scaffold", []))
    for module, source in _sources(course):
        found = []
        exercises = _exercises(source)
        for cell in (c for c in source.cells if c.index in exercises):
            missing = [word for word in words if word not in cell.text]
            if missing:
                found.append((cell.line, f"{_grade_id(cell)} (no {', '.join(missing)})"))
        yield from _hits(module, source, found, "exercises without their scaffold")


@check("IMP164", "A graded test follows every few exercises", convention="exercises")
def exercises_tested(course: Course) -> Iterator[Hit]:
    """More exercises than the course allows (`exercises.max_before_test`, 5 in the
    tinytorch-2026 profile) follow one another with no graded test between them.

    Why: a learner should find out an exercise is wrong before building the next five on it.
    Fix: add the exercise's unit test after it, or split the run.
    """
    limit = int(course.conventions.get("exercises", "max_before_test", 5))
    for module, source in _sources(course):
        run: list[Cell] = []
        found = []
        exercises = _exercises(source)
        for cell in source.cells:
            if _is_test(cell):
                run = []
            elif cell.index in exercises:
                run.append(cell)
                if len(run) == limit + 1:
                    found.append((run[0].line, f"{len(run)} exercises from {_grade_id(run[0])}"))
        yield from _hits(module, source, found, f"runs of more than {limit} exercises "
                         "without a test")


@check("IMP165", "Unit tests are introduced by what, why and expected",
       convention="unit-tests")
def unit_test_briefing(course: Course) -> Iterator[Hit]:
    """A graded unit test is not preceded by a Markdown cell with the course's three labels
    (**What we're testing**, **Why it matters**, **Expected**), or a `### 🧪 Unit Test:` cell
    lacks them.

    Why: a learner reading a failing test needs to know what it checks and what it expects
    before reading its code.
    Fix: write the three bold labels in the Markdown cell before the test.
    """
    table = course.conventions.values.get("unit-tests", {})
    labels = [f"**{label}**" for label in table.get("labels", [])]
    exempt = set(table.get("module_test_ids", []))
    heading = str(table.get("heading", "🧪 Unit Test: "))
    for module, source in _sources(course):
        found, judged = [], set()
        for before, cell in zip(source.cells, source.cells[1:], strict=False):
            if _is_test(cell) and _grade_id(cell) not in exempt:
                judged.add(before.index)
                text = before.text if before.kind == "markdown" else ""
                if missing := [label for label in labels if label not in text]:
                    found.append((cell.line, f"{_grade_id(cell)} (no {', '.join(missing)})"))
        for cell in source.cells:  # an ungraded test's heading needs the labels too
            if cell.kind == "markdown" and cell.index not in judged and (
                    f"### {heading}" in cell.text and not _is_briefed(cell, labels)):
                found.append((cell.line, f"the unit test heading on line {cell.line}"))
        found.sort()
        yield from _hits(module, source, found, "unit tests without "
                         + " / ".join(label.strip("*") for label in labels))


def _is_briefed(cell: Cell, labels: list[str]) -> bool:
    return all(label in cell.text for label in labels)


@check("IMP166", "Unit tests use the course's test grammar", convention="unit-tests")
def unit_test_grammar(course: Course) -> Iterator[Hit]:
    """A heading naming a unit or integration test is not a `### 🧪 Unit Test: Name` heading,
    or a graded unit test does not print its `🧪 Unit Test: ...` line and a `✅` on success.

    Why: learners scan a notebook's output for 🧪 and ✅; a test that prints neither looks as
    if it never ran.
    Fix: write the heading as `### 🧪 Unit Test: Name`, and print the two lines in the test.
    """
    table = course.conventions.values.get("unit-tests", {})
    heading, level = str(table.get("heading", "🧪 Unit Test: ")), int(table.get("heading_level", 3))
    prefix, mark = str(table.get("print_prefix", heading)), str(table.get("pass_mark", "✅"))
    for module, source in _sources(course):
        found = [(h.line, f'"{"#" * h.level} {h.text}"') for h in source.headings
                 if re.search(r"\b(?:Unit|Integration) Test\b", h.text)
                 and not h.text.startswith("🧪 Module Integration Test")
                 and (h.level != level or not h.text.startswith(heading))]
        for cell in (c for c in source.cells if _is_test(c) and "module" not in _grade_id(c)):
            if f'"{prefix}' not in cell.text and f"'{prefix}" not in cell.text or (
                    mark not in cell.text):
                found.append((cell.line, f"{_grade_id(cell)} prints no {prefix.strip()} / {mark}"))
        found.sort()
        yield from _hits(module, source, found, "unit tests outside the 🧪 grammar")


@check("IMP167", "The module test runs only from the tail cell", convention="tail-cell")
def tail_cell(course: Course) -> Iterator[Hit]:
    """`test_module()` is called under `if __name__ == "__main__":` somewhere other than the
    module's last code cell, or the last code cell is not the course's runner (the main guard
    calling `test_module()` and then the module's demo).

    Why: the module test runs every unit test; run from the middle of the notebook, it runs
    before the cells it tests are defined, and the notebook fails top to bottom.
    Fix: call `test_module()` only from the last code cell, in the course's shape.
    """
    function = str(course.conventions.get("tail-cell", "function", "test_module"))
    then = str(course.conventions.get("tail-cell", "then", "demo_"))
    for module, source in _sources(course):
        if source.syntax_error is not None:
            continue
        code = [c for c in source.cells if c.kind == "code" and c.text.strip()]
        if not code:
            continue
        found = [(cell.line, f"{function}() runs from the cell on line {cell.line}")
                 for cell in code[:-1] if function in _guarded_calls(source, cell)]
        tail = _guarded_calls(source, code[-1])
        if tail[:1] != [function] or not any(name.startswith(then) for name in tail[1:]):
            found.append((code[-1].line, f"the last code cell calls {', '.join(tail) or 'nothing'}"
                          f" under the main guard, not {function}() then {then}...()"))
        yield from _hits(module, source, found, f"{function}() not run by the tail cell alone")


def _guarded_calls(source: ModuleSource, cell: Cell) -> list[str]:
    """The names a cell calls, in order, inside its top-level main guards (parsing every code
    cell costs; the answer is kept in the parse cache)."""
    calls: list[str] = source.derive(f"IMP167 guarded calls {cell.index}",
                                     partial(_parse_guarded_calls, cell))
    return calls


def _parse_guarded_calls(cell: Cell) -> list[str]:
    try:
        tree = ast.parse("\n".join(cell.lines))
    except (SyntaxError, ValueError):
        return []
    calls: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            calls += [inner.func.id for statement in node.body for inner in ast.walk(statement)
                      if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
                      and inner.func.id != "print"]
    return calls


@check("IMP155", "Solution regions carry a known role", convention="solution-roles")
def solution_roles(course: Course) -> Iterator[Hit]:
    """A `### BEGIN SOLUTION role=...` names a role the course does not know (the
    tinytorch-2026 profile knows core, scaffold, challenge and instructor; no role means
    core).

    Why: the role decides what each release tier strips; an unknown role is a typo that
    either ships the solution to students or strips scaffold they need.
    Fix: write one of the course's roles.
    """
    roles = list(course.conventions.get("solution-roles", "roles", []))
    for module, source in _sources(course):
        found = [(r.begin, f"role={r.role!r} on line {r.begin}") for r in source.regions
                 if r.role is not None and r.role not in roles]
        yield from _hits(module, source, found, f"unknown solution roles (known: "
                         f"{', '.join(roles)})")
