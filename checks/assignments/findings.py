"""The findings of the student release, from what nbgrader and the kernels did: each at the
`# %%` line of the cell it is about, one per cause and module, with the places it repeats.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from tinyrelease.checks.assignments.build import Build, BuiltModule, graded_cells
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.findings import Finding, Severity

_UNDEFINED = re.compile(r"name '(\w+)' is not defined")


@dataclass(frozen=True)
class Failure:
    """A cell that raised (or where the run stopped), as a finding tells it."""

    index: int
    line: int | None
    text: str
    stopped: bool = False  # the run ended there (a time-out, a dead kernel)


@dataclass
class Figures:
    """One module's points, the points a blank notebook earns (and from which tests), whether
    its instructor notebook ran through and whether its student notebook was run."""

    points: float
    free: float = 0.0
    free_tests: list[str] = field(default_factory=list)
    journey: str = "not run"
    student: str = "not built"
    seconds: float = 0.0  # the instructor notebook's wall time, its kernel's start included

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def refusals(made: Build) -> list[Finding]:
    """IMP201: the modules nbgrader would not release (or that could not be converted)."""
    found = [Finding("IMP201", "the source could not be split into notebook cells the way the "
                     "gates read it, so no student notebook was built", m.source_path, None, m.id)
             for m in made.unmapped]
    for item in (i for i in made.built if i.refusal is not None):
        assert item.refusal is not None
        quoted = item.refusal.get("cell", "").strip()
        index = next((i for i, c in enumerate(item.notebooks.release_source.cells)
                      if quoted and c.source.strip() == quoted), None)
        line = item.notebooks.line_of(index) if index is not None else None
        found.append(Finding("IMP201", "nbgrader's generate_assignment refused the module: "
                             f"{item.refusal['error']}", item.module.source_path, line,
                             item.module.id))
    return found


def leaks(item: BuiltModule, kept: list[tuple[int, str]]) -> list[Finding]:
    """IMP206: text the student notebook keeps that nbgrader should have removed."""
    if not kept:
        return []
    module = item.module
    shown = "; ".join(f"`{text[:60]}`" for _, text in kept[:3])
    return [Finding("IMP206", f"the student notebook keeps {len(kept)} line(s) that nbgrader "
                    f"should have removed (solution or hidden-test text, or a marker): {shown}",
                    module.source_path, kept[0][0], module.id,
                    places=tuple((module.source_path, line) for line, _ in kept[1:]))]


def judged(course: Course, item: BuiltModule, instructor: dict[str, Any] | None,
           student: dict[str, Any] | None, problem: str | None
           ) -> tuple[list[Finding], Figures]:
    """IMP202-IMP205 of one module, and its figures (points, points a blank notebook earns)."""
    graded = {i: (g, p) for i, g, p in graded_cells(item)}
    total = sum(p or 0 for _, p in graded.values())
    figures = Figures(total)
    findings: list[Finding] = []
    stop: int | None = None
    never = (instructor or {}).get("stopped") or {}
    if instructor is None or (never and never.get("index") is None):
        why = never.get("why") or problem or "the runner wrote nothing"
        findings.append(_at(item, "IMP202", None, f"the instructor notebook could not be run: "
                            f"{why}"))
    else:
        journey, stop = _journey(course, item, instructor, graded)
        findings += journey
        figures.journey = "fail" if any(f.code == "IMP202" for f in journey) else "pass"
        figures.seconds = float(instructor.get("seconds", 0.0))
    if student is not None and item.student is not None:
        holes = [(i, *graded[i]) for i in _passed(student) if i in graded]
        free = sum(p or 0 for _, _, p in holes)
        figures.free, figures.student = free, "run"
        figures.free_tests = [g for _, g, _ in holes]
        if holes:
            findings.append(_holes(item, holes, free, total))
        findings += _broken(item, student, instructor, graded, stop)
    return findings, figures


def _journey(course: Course, item: BuiltModule, outcome: dict[str, Any],
             graded: dict[int, tuple[str, float | None]]) -> tuple[list[Finding], int | None]:
    failures = _failures(item, outcome)
    stop = next((f for f in failures if f.index not in graded or f.stopped), None)
    found = []
    failing = [f for f in failures if f.index in graded and (stop is None or f.index < stop.index)]
    same = stop is not None and any(_error(f.text) == _error(stop.text) for f in failing)
    if failing:
        names = "; ".join(f"{_test(graded[f.index])}: {f.text}" for f in failing)
        also = [f.index for f in failing[1:]]
        if same and stop is not None:  # the tail calling a failing test: one cause
            names += (f"; the instructor notebook then stops with the same error at the cell on "
                      f"line {item.notebooks.line_of(stop.index)}")
            also.append(stop.index)
        found.append(_at(item, "IMP203", failing[0].index,
                         f"{len(failing)} graded test(s) fail on the instructor version: {names}",
                         also))
    if stop is not None and not same:
        after = [f for f in failures if f.index > stop.index and f.index in graded]
        text = stop.text + _later_module_hint(course, item.module, stop.text)
        if after:
            text += f"; {len(after)} graded test(s) after it fail too"
        found.append(_at(item, "IMP202", stop.index, f"the instructor notebook stops at the "
                         f"cell on line {item.notebooks.line_of(stop.index)}: {text}"))
    return found, stop.index if stop is not None else None


def _error(text: str) -> str:
    """An error without where it was raised (`NameError: name 'x' is not defined`)."""
    return text.split(" (line ")[0]


def _holes(item: BuiltModule, holes: list[tuple[int, str, float | None]], free: float,
           total: float) -> Finding:
    names = ", ".join(f"{g} ({p or 0:g})" for _, g, p in holes)
    idle = [g for i, g, _ in holes if _only_defines(item.notebooks.cells[i].text)]
    hint = (f"; {', '.join(idle)} only define(s) a test and never call it, so the cell cannot "
            "fail" if idle else "")
    return _at(item, "IMP204", holes[0][0], f"a blank notebook earns {free:g} of {total:g} "
               f"points: {len(holes)} graded test(s) pass with no student code: {names}{hint}",
               [i for i, _, _ in holes[1:]])


def _broken(item: BuiltModule, student: dict[str, Any], instructor: dict[str, Any] | None,
            graded: dict[int, tuple[str, float | None]], stop: int | None) -> list[Finding]:
    """IMP205: cells neither exercise nor graded test that raise in the blank notebook, when
    the student cannot fix that by doing the exercises above them: a stub raising before an
    exercise still to come stops Run All before it, anything else is the release's doing."""
    exercises = [i for i, c in enumerate(item.notebooks.release_source.cells)
                 if c.metadata.get("nbgrader", {}).get("solution") is True]
    broken_then = {f.index for f in _failures(item, instructor)} if instructor else set()
    broken = []
    for failure in _failures(item, student):
        if failure.index in graded or failure.index in exercises or failure.index in broken_then:
            continue
        if stop is not None and failure.index >= stop:
            continue  # the journey already fails there
        later = [i for i in exercises if i > failure.index]
        stub = failure.text == "NotImplementedError" or _cleared_name(item, failure.text, student)
        if stub and not later:
            continue
        why = (f"it stops Run All before the exercise on line {item.notebooks.line_of(later[0])}"
               if stub else "students cannot fix it by doing the exercises"
               + _stubbed_hint(item, failure.text, student))
        broken.append((failure, why))
    if not broken:
        return []
    first, why = broken[0]
    return [_at(item, "IMP205", first.index, f"{len(broken)} cell(s) that are neither an "
                f"exercise nor a graded test fail in the blank student notebook; the first, on "
                f"line {item.notebooks.line_of(first.index)}, raises {first.text}: {why}",
                [f.index for f, _ in broken[1:]])]


def _failures(item: BuiltModule, outcome: dict[str, Any]) -> list[Failure]:
    found = []
    for cell in outcome.get("cells", []):
        error = cell.get("error")
        if error:
            where = f" (line {error['line']} of the cell)" if error.get("line") else ""
            text = f"{error['ename']}: {error['evalue']}" if error["evalue"] else error["ename"]
            found.append(Failure(cell["index"], error.get("line"), text + where
                                 if error["ename"] != "NotImplementedError" else text))
    stopped = outcome.get("stopped")
    if stopped and stopped.get("index") is not None:
        found.append(Failure(stopped["index"], None, str(stopped["why"]), stopped=True))
    return sorted(found, key=lambda f: f.index)


def _cleared_name(item: BuiltModule, text: str, student: dict[str, Any]) -> bool:
    """A NameError for what an exercise cell defines, when that cell itself stopped only at
    its stub (a class whose body is the solution region is never created while the stub
    raises in it): doing the exercise defines it. A cell that failed for another reason (its
    base class in a cell nbgrader stubs whole) is not the student's to fix."""
    found = _UNDEFINED.search(text)
    if found is None:
        return False
    defines = _definition(found[1])
    failed = {f.index: f.text for f in _failures(item, student)}
    return any(cell.cell_type == "code" and "BEGIN SOLUTION" in cell.source
               and cell.metadata.get("nbgrader", {}).get("solution") is True
               and defines.search(cell.source)
               and failed.get(index, "NotImplementedError") == "NotImplementedError"
               for index, cell in enumerate(item.notebooks.release_source.cells))


def _definition(name: str) -> re.Pattern[str]:
    name = re.escape(name)
    return re.compile(rf"^\s*(?:(?:def|class)\s+{name}\b|{name}\s*=|import\s+(?:.*\bas\s+)?"
                      rf"{name}\b|from\s+\S+\s+import\s+.*\b{name}\b)", re.MULTILINE)


def _stubbed_hint(item: BuiltModule, text: str, student: dict[str, Any]) -> str:
    """A name the blank notebook lacks because nbgrader replaced the cell defining it whole
    (a solution cell without a region: IMP153) says which cell that was, also when the name's
    own cell failed on such a name (a class built on a base class nbgrader stubbed whole)."""
    cells = item.notebooks.release_source.cells
    failed = {f.index: f.text for f in _failures(item, student)}
    chain: list[str] = []
    seen: set[str] = set()
    found = _UNDEFINED.search(text)
    while found is not None and found[1] not in seen:
        name = found[1]
        seen.add(name)
        defines = _definition(name)
        at = [i for i, c in enumerate(cells) if c.cell_type == "code" and defines.search(c.source)]
        for index in at:
            meta = cells[index].metadata.get("nbgrader", {})
            if meta.get("solution") is True and "BEGIN SOLUTION" not in cells[index].source:
                return (f" ({''.join(chain)}{name} is defined in the cell on line "
                        f"{item.notebooks.line_of(index)}, which nbgrader replaces whole with a "
                        "stub because it has no solution region: IMP153)")
        cause = next(((i, on) for i in at if (on := _UNDEFINED.search(failed.get(i, "")))),
                     None)
        if cause is None:
            return ""
        index, found = cause
        chain.append(f"{name} is defined in the cell on line {item.notebooks.line_of(index)}, "
                     f"which fails on {found[1]}; ")
    return ""


def _passed(outcome: dict[str, Any]) -> list[int]:
    return [c["index"] for c in outcome.get("cells", []) if not c.get("error")]


def _later_module_hint(course: Course, module: Module, text: str) -> str:
    """A module that needs the package of a module after it says which one."""
    if not text.startswith("ModuleNotFoundError") or course.package is None:
        return ""
    position = course.modules.index(module)
    for later in course.modules[position:]:
        target = later.exports or ""
        dotted = target if target.startswith(course.package.name + ".") else \
            f"{course.package.name}.{target}"
        if target and f"'{dotted}'" in text:
            return (f" ({dotted} is what {later.id} exports: only the modules before "
                    f"{module.id} are exported when a student reaches it)")
    return ""


def _only_defines(text: str) -> bool:
    """Whether a test cell defines functions and calls nothing at its top level."""
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    defines = any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in body)
    return defines and not any(isinstance(inner, ast.Call) for n in body
                               if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef
                                                 | ast.ClassDef | ast.Import | ast.ImportFrom)
                               for inner in ast.walk(n))


def _test(entry: tuple[str, float | None]) -> str:
    grade_id, points = entry
    return f'"{grade_id}" ({points or 0:g} points)'


def _at(item: BuiltModule, code: str, index: int | None, message: str,
        others: list[int] | None = None) -> Finding:
    path = item.module.source_path
    line = item.notebooks.line_of(index) if index is not None else None
    places = tuple((path, item.notebooks.line_of(i)) for i in others or [])
    return Finding(code, message, path, line, item.module.id, places=places)


def totals(figures: dict[str, Figures]) -> dict[str, float]:
    return {"points": sum(f.points for f in figures.values()),
            "free": sum(f.free for f in figures.values())}


def course_total(figures: dict[str, Figures]) -> list[Finding]:
    """The course's total of points a blank notebook earns, said once (information)."""
    summed = totals(figures)
    if not summed["free"]:
        return []
    per = ", ".join(f"{m} {f.free:g}/{f.points:g}" for m, f in figures.items() if f.free)
    share = 100 * summed["free"] / summed["points"] if summed["points"] else 0
    return [Finding("IMP204", f"a blank notebook earns {summed['free']:g} of "
                    f"{summed['points']:g} points in the course ({share:.0f}%): {per}",
                    severity=Severity.INFO)]
