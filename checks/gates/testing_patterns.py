"""The implementation gate's checks of the tests inside module sources: `test_unit_*` functions
and one `test_module()`, run under the main guard, marked 🔬 / 🧪, never exported.
"""

from __future__ import annotations

from collections.abc import Iterator

from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.common import cannot_fail, grouped, listed
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import Function, ModuleSource, Runner

UNIT_PREFIX = "test_unit_"
INTEGRATION_TEST = "test_module"
MAIN_GUARD = 'if __name__ == "__main__":'
NAME_ERROR = ": running the notebook top to bottom raises NameError there"


def _sources(course: Course) -> Iterator[tuple[Module, ModuleSource]]:
    """Module sources Python could parse (a syntax error is reported on its own)."""
    for module in course.modules:
        if module.source is not None and module.source.syntax_error is None:
            yield module, module.source


def _tests(course: Course) -> Iterator[tuple[Module, ModuleSource, Function]]:
    """Top-level `test_*` functions; methods of classes are not tests of the module."""
    for module, source in _sources(course):
        for function in source.functions:
            if not function.in_class and function.name.startswith("test_"):
                yield module, source, function


def _kind(function: Function) -> str | None:
    if function.name == INTEGRATION_TEST:
        return "integration"
    return "unit" if function.name.startswith(UNIT_PREFIX) else None


@check("IMP121", "Tests are named test_unit_* or test_module", quick=True,
       convention="test-grammar")
def tests_named(course: Course) -> Iterator[Hit]:
    """A module source defines a top-level `test_*` function that is neither `test_unit_*` nor
    exactly `test_module`.

    Why: the course's tooling and learners find unit tests by the `test_unit_` prefix and the
    integration test by its name; pytest would also collect a stray `test_*` from the package.
    Fix: rename it `test_unit_<what it tests>` (or fold it into `test_module`).
    """
    for module, source, function in _tests(course):
        if _kind(function) is None:
            yield Hit(f"test function {function.name}() is neither {UNIT_PREFIX}* nor "
                      f"{INTEGRATION_TEST}; rename it {UNIT_PREFIX}{function.name[5:]}",
                      source.path, function.line, module.id)


@check("IMP122", "Exactly one test_module per module", quick=True,
       convention="test-grammar")
def one_test_module(course: Course) -> Iterator[Hit]:
    """A module source has no `test_module()` integration test, or defines it more than once.

    Why: `test_module()` is the last gate a learner passes before exporting; without it nothing
    checks that the parts work together, and a second definition silently replaces the first.
    Fix: add one `test_module()` that calls the unit tests and exercises the module end to end,
    or merge the duplicates.
    """
    for module, source in _sources(course):
        found = [f for f in source.functions if not f.in_class and f.name == INTEGRATION_TEST]
        if not found:
            yield Hit(f"{source.path} defines no {INTEGRATION_TEST}() integration test",
                      source.path, None, module.id)
        for again in found[1:]:
            yield Hit(f"{INTEGRATION_TEST}() is defined again (first on line {found[0].line}); "
                      "the later definition replaces the earlier one", source.path, again.line,
                      module.id)


@check("IMP123", "Tests run under the main guard", quick=True,
       convention="test-grammar")
def tests_called(course: Course) -> Iterator[Hit]:
    """A `test_unit_*` function or `test_module()` is never called under an
    `if __name__ == "__main__":` guard.

    Why: learners run each cell (or the file) to see their implementation pass; a test that is
    never called never runs, while a call outside the guard would run on every import of the
    exported package.
    A test called from a function that the guard runs (a unit test called by `test_module()`)
    counts as run.
    Fix: call it right after its definition under `if __name__ == "__main__":`, or from
    `test_module()`.
    """
    for module, source, function in _tests(course):
        if _kind(function) and function.name not in source.reached_from_guard():
            yield Hit(f"{function.name}() is never called under `{MAIN_GUARD}`, so running the "
                      "module does not run it", source.path, function.line, module.id)


@check("IMP124", "Test docstrings start with their emoji", Severity.WARNING, quick=True,
       convention="test-grammar")
def tests_marked(course: Course) -> Iterator[Hit]:
    """A `test_unit_*` docstring does not start with the course's unit-test marker, or the
    `test_module()` docstring with its module-test marker (`unit_marker` and `module_marker`
    of the test-grammar convention: 🔬 and 🧪 in TinyTorch 2025, 🧪 for both in 2026).

    Why: the markers tell learners at a glance which output comes from a unit test and which
    from the integration test.
    Fix: start the docstring with the marker, e.g. `\"\"\"🔬 Unit test: ...\"\"\"`.
    """
    markers = {"unit": course.conventions.get("test-grammar", "unit_marker", "🔬"),
               "integration": course.conventions.get("test-grammar", "module_marker", "🧪")}
    hits = []
    for module, source, function in _tests(course):
        kind = _kind(function)
        marker = markers.get(kind or "")
        if marker and not function.docstring.lstrip().startswith(marker):
            shown = function.docstring.strip().split("\n")[0][:40]
            found = f'starts with "{shown}"' if shown else "is missing"
            hits.append(Hit(f"the docstring of {function.name}() {found}; start it with "
                            f"{marker}", source.path, function.line, module.id))
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} test docstrings do not start with the course's marker: "
        + "; ".join(h.message.removeprefix("the docstring of ") for h in group)))


@check("IMP125", "No tests in exported cells", quick=True)
def tests_not_exported(course: Course) -> Iterator[Hit]:
    """A `test_*` function is defined in a cell marked `#| export`.

    Why: nbdev copies exported cells into the package, so the test would ship to every user of
    the package (and pytest would collect it from there).
    Fix: move the test into its own cell without `#| export`.
    """
    hits = []
    for module, source, function in _tests(course):
        cells = {cell.index: cell for cell in source.cells}
        cell = cells.get(function.cell) if function.cell is not None else None
        if cell is not None and cell.exported:
            hits.append(Hit(f"{function.name}() is defined in the `#| export` cell starting on "
                            f"line {cell.line}, so it ships in the package", source.path,
                            function.line, module.id))
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} tests are defined in `#| export` cells, so they ship in the package: "
        + ", ".join(h.message.split(" is defined")[0] for h in group)))


@check("IMP126", "Tests in module sources can fail", quick=True)
def source_tests_can_fail(course: Course) -> Iterator[Hit]:
    """A test in a module source (a `test_*` function, or a graded nbgrader cell) cannot fail
    where it should: a test returns False (a runner that ignores it passes it), asserts a
    constant such as `assert True`, or catches what a missing or broken implementation raises
    (a bare `except:`, `Exception`, `AssertionError`, `ImportError`, `NotImplementedError`,
    `AttributeError`, `NameError`) and then only passes, prints, returns or sets a flag it
    never checks. After `assert False` in the try block, a handler that does not catch it is
    the expected-raise idiom, and is left alone.

    Why: learners run these tests to know their implementation works, and nbgrader grades a
    cell by whether it raises: a test that cannot fail gives the points for a missing or
    wrong implementation.
    Fix: let the error propagate or assert on it; test a raise with `assert False` after the
    call and a handler of just that error.
    """
    for module, source in _sources(course):
        warned = {line for line, _ in source.syntax_warnings}  # PKG105 tells `assert (x, "")`
        yield from cannot_fail([place for place in source.unfailing
                                if place.kind != "assert" or place.line not in warned],
                               source.path, module.id)


@check("IMP127", "`__main__` blocks call only what is defined above them", quick=True)
def runners_call_defined(course: Course) -> Iterator[Hit]:
    """An `if __name__ == "__main__":` block calls a function of the module that is defined
    only further down, itself or through the top-level functions it calls.

    Why: a notebook runs top to bottom; when the block runs, the later definition does not
    exist yet, so the cell raises NameError for every learner (running the file as a script
    fails the same way).
    Fix: move the block (or the call) below the definition, or the definition above it.
    """
    for module, source in _sources(course):
        hits = [Hit(message + NAME_ERROR, source.path, runner.line, module.id)
                for runner in source.runners for message in _undefined_calls(source, runner)]
        yield from grouped(hits, lambda hit: hit.path, lambda group: (
            f"{len(group)} calls of `{MAIN_GUARD}` blocks reach what is defined only further "
            "down, so running the notebook top to bottom raises NameError: "
            + listed([h.message.removesuffix(NAME_ERROR) for h in group])))


def _undefined_calls(source: ModuleSource, runner: Runner) -> Iterator[str]:
    """What the block calls, itself or through the module's functions, that is bound only
    after the line of the call: each name once, with the chain of calls that reaches it."""
    told: set[str] = set()
    for line, name in runner.calls:
        todo: list[tuple[str, tuple[str, ...]]] = [(name, ())]
        seen: set[str] = set()
        while todo:
            callee, through = todo.pop()
            bound = source.bindings.get(callee)
            if callee in seen or bound is None:
                continue  # a name the module never binds is not ours to judge
            seen.add(callee)
            if bound > line and callee not in told:
                told.add(callee)
                via = f" (through {' → '.join(f'{f}()' for f in through)})" if through else ""
                yield f"the block on line {runner.line} calls {callee}(){via}, defined only " \
                      f"on line {bound}"
            elif bound < line:
                todo.extend((inner, (*through, callee)) for inner in _calls_of(source, callee,
                                                                               line))


def _calls_of(source: ModuleSource, name: str, line: int) -> frozenset[str]:
    """The names called by the top-level function `name` as defined when `line` runs (a
    class, or a function the block cannot reach, calls nothing we follow)."""
    defined = [f for f in source.functions if f.name == name and not f.in_class and f.line < line]
    return source.reached_calls.get(defined[-1].line, frozenset()) if defined else frozenset()
