"""The implementation gate's static checks of the student release: graded tests that cannot
fail, markers nbgrader will not read, roles and tiers, and the bookkeeping of points and ids.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterator
from functools import partial

from tinyrelease.checks.assignments.tiers import ROLES, presolved_cells, settings
from tinyrelease.checks.course import Course
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.common import grouped
from tinyrelease.checks.gates.nbgrader import _cells, _flags, _name, _valid_points
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import Cell, ModuleSource

# the markers nbgrader reads, written as tinyrelease's parser and TinyTorch's tools expect them
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_EXACT = re.compile(r"^### (?:BEGIN SOLUTION(?:\s+role\s*=\s*[\"']?[\w-]+[\"']?)?|END SOLUTION|"
                    r"BEGIN HIDDEN TESTS|END HIDDEN TESTS)$")
_COMMENT = re.compile(r"^\s*(#+)\s*(.*?)\s*$")
_ROLE = re.compile(r"\brole\b.*$", re.IGNORECASE)
_LETTERS = re.compile(r"[A-Za-z]+")
_MARKER_WORDS = max(len(marker.split()) for marker in MARKERS)
_HARMLESS_CALLS = {"print", "log", "warn", "warning", "info", "debug"}
# what a failing test raises (the stub's NotImplementedError, an assert's AssertionError) and
# the classes above them
_FAILURES = {"NotImplementedError", "RuntimeError", "AssertionError", "Exception",
             "BaseException"}


@check("IMP171", "Graded tests do not swallow their own failures", quick=True)
def swallowed_failures(course: Course) -> Iterator[Hit]:
    """A graded test cell catches what a failing test raises and only passes, prints or
    continues: the stub's `NotImplementedError`, an assert's `AssertionError`, or a class
    above them (`RuntimeError`, `Exception`, `BaseException`, a bare `except:`).

    Why: the stub a student starts from raises `NotImplementedError`; a handler that swallows
    it turns a missing implementation into a passing test, so the points are free. The
    expected-raise idiom (`try: f(bad); assert False` with `except ValueError: pass`, also
    with `NotImplementedError` when an interface must raise it) is not reported: its test fails
    when nothing is raised, and the free points of a stub that raises the expected error are
    IMP204's, measured by running it.
    Fix: let the exception fail the test, or re-raise after printing; to test that something
    raises, catch only the exception it should raise (or use `pytest.raises`).
    """
    hits = []
    for module, source, cell, metadata in _cells(course):
        flags = _flags(metadata)
        if not flags or not flags["grade"] or flags["solution"] or cell.kind != "code":
            continue
        handlers = source.derive(f"IMP171 handlers {cell.index}", partial(_swallowed, cell))
        if not handlers:
            continue
        what = list(dict.fromkeys(caught for caught, _ in handlers))
        lines = [cell.line + line for _, line in handlers]
        hits.append(Hit(f"graded test {_name(metadata)} ({_points(metadata)}) catches "
                        f"{' / '.join(what)}" + (f" (lines {', '.join(map(str, lines))})"
                                                 if len(lines) > 1 else "")
                        + ", so a missing implementation passes", source.path, lines[0],
                        module.id, places=tuple((source.path, line) for line in lines[1:])))
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} graded tests swallow their own failures, so a missing implementation "
        "passes: " + "; ".join(h.message.split(", so")[0] for h in group)))


def _swallowed(cell: Cell) -> list[tuple[str, int]]:
    """What each swallowing handler catches and does, and its line in the cell (parsing the
    cell costs: kept in the parse cache)."""
    return [(f"{ast.unparse(h.type) if h.type else 'every exception'} and only {_doing(h)}",
             h.lineno) for h in _swallowing(cell)]


def _swallowing(cell: Cell) -> Iterator[ast.ExceptHandler]:
    if "try" not in cell.text:  # no handler without the keyword: most cells are not parsed
        return
    try:
        tree = ast.parse(cell.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try | ast.TryStar):
            continue
        expects = bool(node.body) and _fails(node.body[-1])  # `f(); assert False`: the idiom
        yield from (h for h in node.handlers
                    if _catches_failures(h.type) and all(_harmless(s) for s in h.body)
                    and not (expects and not _catches_assertions(h.type)))


def _fails(statement: ast.stmt) -> bool:
    """`assert False`, `raise AssertionError(...)` or `pytest.fail(...)`: the expected-raise
    idiom's last line, reached only when the call above it did not raise."""
    if isinstance(statement, ast.Assert):
        return isinstance(statement.test, ast.Constant) and not statement.test.value
    if isinstance(statement, ast.Raise):
        raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return _type_name(raised) == "AssertionError"
    call = statement.value if isinstance(statement, ast.Expr) else None
    return isinstance(call, ast.Call) and _type_name(call.func) == "fail"


def _catches_assertions(caught: ast.expr | None) -> bool:
    if caught is None:
        return True
    if isinstance(caught, ast.Tuple):
        return any(_catches_assertions(item) for item in caught.elts)
    return _type_name(caught) in {"AssertionError", "Exception", "BaseException"}


def _catches_failures(caught: ast.expr | None) -> bool:
    if caught is None:
        return True
    if isinstance(caught, ast.Tuple):
        return any(_catches_failures(item) for item in caught.elts)
    return _type_name(caught) in _FAILURES


def _type_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _harmless(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass | ast.Continue):
        return True
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value
    if isinstance(value, ast.Constant):
        return True
    func = value.func if isinstance(value, ast.Call) else None
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(
        func, ast.Attribute) else None
    return name in _HARMLESS_CALLS


def _doing(handler: ast.ExceptHandler) -> str:
    kinds = {"prints" if isinstance(s, ast.Expr) else "passes" for s in handler.body}
    return " and ".join(sorted(kinds))


def _points(metadata: dict[str, object]) -> str:
    points = metadata.get("points")
    return f"{points:g} points" if _valid_points(points) else "no points"


@check("IMP172", "Solution and hidden-test markers are spelled as nbgrader reads them",
       quick=True)
def near_miss_markers(course: Course) -> Iterator[Hit]:
    """A comment looks like an nbgrader marker (`### BEGIN SOLUTION`, `### END SOLUTION`,
    `### BEGIN HIDDEN TESTS`, `### END HIDDEN TESTS`) but is misspelled, in the wrong case or
    has another number of `#`.

    Why: nbgrader matches the exact words: a misspelled or lower-case marker is plain text, so
    the solution or the hidden test ships to students. A marker with another number of `#` is
    read by nbgrader but not by the other tools (the gates, TinyTorch's own), which then
    disagree about what students receive.
    Fix: write the marker exactly, three `#` and capitals: `### BEGIN SOLUTION`.
    """
    hits = [Hit(message, module.source_path, line, module.id) for module in course.modules
            if module.source is not None
            for line, message in module.source.derive("IMP172 near misses",
                                                      partial(_near_misses, module.source))]
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} comments look like nbgrader markers but are not spelled as nbgrader and "
        f"the gates read them: " + ", ".join(h.message.split(" looks like")[0] for h in group)))


def _near_misses(source: ModuleSource) -> list[tuple[int, str]]:
    """(line, message) of each comment of a code cell that nearly is a marker (comparing
    every comment costs: kept in the parse cache)."""
    found = []
    for cell in source.cells:
        if cell.kind != "code":
            continue
        for offset, line in enumerate(cell.lines, start=1):
            meant = _meant_marker(line) if "#" in line else None  # only comments can be
            if meant is not None:
                found.append((cell.line + offset, f"`{line.strip()}` looks like `### {meant}` "
                              f"but {_why_missed(line, meant)}"))
    return found


def _meant_marker(line: str) -> str | None:
    """The marker a comment line was meant to be, when it is close to one but not exact."""
    found = _COMMENT.match(line)
    if found is None or _EXACT.match(line.strip()):
        return None
    words = _LETTERS.findall(_ROLE.sub("", found[2]).upper())
    if not 0 < len(words) <= _MARKER_WORDS:  # no marker is near a longer comment
        return None
    for marker in MARKERS:
        wanted = marker.split()
        if len(words) == len(wanted) and all(_close(w, m, 0.8)
                                             for w, m in zip(words, wanted, strict=True)):
            return marker
        compact = "".join(words)
        if 0 < len(words) < len(wanted) and _close(compact, "".join(wanted), 0.9):
            return marker
    return None


def _close(text: str, other: str, cutoff: float) -> bool:
    """Whether difflib's similarity ratio reaches `cutoff`, asking its cheap upper bounds
    first, as `difflib.get_close_matches` does: most words are far from every marker's."""
    matcher = difflib.SequenceMatcher(None, text, other)
    return (matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff
            and matcher.ratio() >= cutoff)


def _why_missed(line: str, meant: str) -> str:
    found = _COMMENT.match(line)
    assert found is not None
    text = _ROLE.sub("", found[2]).strip()
    if meant in text and len(found[1]) != 3:
        return (f"has {len(found[1])} `#`: nbgrader reads it, the gates and TinyTorch's tools "
                "do not, so they disagree about what students receive")
    if meant in text:
        return "its role is not written `role=NAME`, so the marker is not read as one"
    return "nbgrader does not read it, so the text it should hide ships to students"


@check("IMP173", "Solution roles and the release tier are known", quick=True)
def roles_known(course: Course) -> Iterator[Hit]:
    """A solution region names a role other than core, scaffold, challenge or instructor, or
    `[tool.tinyrelease.assignments]` names an unknown tier or role (where the course's
    profile states its roles, the regions are IMP155's).

    Why: the tier decides what students receive from the role; an unknown role is cleared as
    if it were core (so nothing leaks), which is rarely what its author meant.
    Fix: use one of the four roles (`### BEGIN SOLUTION role=scaffold`), or fix the setting.
    """
    for problem in settings(course).problems:
        yield Hit(f"[tool.tinyrelease] {problem}", course.config.source or "pyproject.toml")
    if course.conventions.on("solution-roles"):
        return  # the course's profile states its roles: IMP155 reads the regions
    for module in course.modules:
        for region in module.source.regions if module.source else []:
            if region.role is not None and region.role not in ROLES:
                yield Hit(f'solution role "{region.role}" is not one of {", ".join(ROLES)}; '
                          "the release clears it like core", module.source_path, region.begin,
                          module.id)


@check("IMP176", "Solution cells leave something to fill in", Severity.WARNING, quick=True)
def nothing_to_fill_in(course: Course) -> Iterator[Hit]:
    """A cell marked `solution: true` has solution regions, but the release tier clears none of
    them (every region is `scaffold`, `challenge` or `instructor` in the student tier).

    Why: students find nothing to write in an exercise cell; the release ships it pre-solved
    (as a given cell, or nbgrader would replace it whole with a stub).
    Fix: mark the cell `"solution": false` (given code), or make one region `core`.
    """
    tier = settings(course).tier
    hits = []
    for module in course.modules:
        source = module.source
        for index in sorted(presolved_cells(source, tier)) if source else []:
            assert source is not None
            cell = source.cells[index]
            hits.append(Hit(f"solution cell {_name(cell.nbgrader or {})} has nothing to fill in "
                            f"for the {tier.name} tier", source.path, cell.line, module.id))
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} solution cells have nothing to fill in for the {tier.name} tier: "
        + ", ".join(h.message.split(" has nothing")[0].removeprefix("solution cell ")
                    for h in group)))


@check("IMP178", "Points add up to what the course states", quick=True)
def points_as_stated(course: Course) -> Iterator[Hit]:
    """The points of a module's graded cells do not add up to the points its ABOUT.md front
    matter (`points:`) or `[tool.tinyrelease.assignments.points]` states, or the course's
    total differs from the stated `total`.

    Why: learners and instructors weigh a module by its stated points; a total that drifted
    from the cells grades them on a scale nobody announced.
    Fix: change the points of the graded cells, or the stated number.
    """
    stated = settings(course).points
    config = course.config.source or "pyproject.toml"
    total = 0.0
    for module in course.modules:
        points = module_points(module.source) if module.source else 0.0
        total += points
        about = module.meta.mapping.get("points") if module.meta else None
        for claim, path, line in ((about, module.meta.path if module.meta else None,
                                   module.meta.line_of("points") if module.meta else None),
                                  (stated.get(module.id), config, None)):
            if _valid_points(claim) and claim != points:
                yield Hit(f"{module.id} states {claim:g} points; its graded cells total "
                          f"{points:g}", path, line, module.id)
    if "total" in stated and stated["total"] != total:
        yield Hit(f"the course states {stated['total']:g} points in all; its graded cells "
                  f"total {total:g}", config)


def module_points(source: ModuleSource) -> float:
    """The points of a module's graded cells (cells with invalid points count nothing)."""
    return float(sum(c.nbgrader.get("points", 0) for c in source.cells
                     if c.nbgrader and c.nbgrader.get("grade") is True
                     and _valid_points(c.nbgrader.get("points"))))
