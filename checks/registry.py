"""Checks as small declared units: a stable code, a gate, a severity, a title, docs and a pure
function from the parsed `Course` to the places where the course breaks the rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.gatenames import GATES as GATES  # where callers import it from
from tinyrelease.checks.gatenames import PREFIXES as PREFIXES  # where callers import it from

if TYPE_CHECKING:
    from tinyrelease.checks.course import Course



@dataclass(frozen=True)
class Hit:
    """Where a check found its rule broken; the registry turns it into a `Finding`."""

    message: str
    path: str | None = None
    line: int | None = None
    module: str | None = None
    severity: Severity | None = None
    places: tuple[tuple[str, int | None], ...] = ()


CheckFunction = Callable[["Course"], Iterable[Hit]]


@dataclass(frozen=True)
class Check:
    code: str
    gate: str
    severity: Severity
    title: str
    docs: str
    function: CheckFunction
    quick: bool
    execution: bool = False
    convention: str | None = None  # the convention it enforces, when it is one of taste
    # an execution finding where a static one points is that static finding's cause; False for
    # findings whose cause is what the run did (a grading hole at a cell a warning also names)
    folds: bool = True

    def run(self, course: Course) -> list[Finding]:
        return [Finding(self.code, hit.message, hit.path, hit.line,
                        hit.module if hit.module else _module_of(course, hit.path),
                        hit.severity or self.severity, places=hit.places)
                for hit in self.function(course)]


def _module_of(course: Course, path: str | None) -> str | None:
    return course.module_of_path(path) if path else None


REGISTRY: dict[str, Check] = {}


def check(code: str, title: str, severity: Severity = Severity.ERROR, quick: bool = False,
          convention: str | None = None) -> Callable[[CheckFunction], CheckFunction]:
    """Declare a check; its docstring is its docs text (what, why, how to fix). A check of a
    `convention` (a table of the course's conventions profile) runs only when the course
    follows that convention."""
    gate = next(g for g, prefix in PREFIXES.items() if code.startswith(prefix))

    def register(function: CheckFunction) -> CheckFunction:
        if code in REGISTRY:
            raise ValueError(f"check code {code} is declared twice")
        docs = inspect.cleandoc(function.__doc__ or "")
        REGISTRY[code] = Check(code, gate, severity, title, docs, function, quick,
                               convention=convention)
        return function

    return register


def session_code(gate: str) -> str:
    """The code of "this gate's own nox session failed before reporting" (`TST900`)."""
    return f"{PREFIXES[gate]}900"


def declare_execution(code: str, title: str, docs: str,
                      severity: Severity = Severity.ERROR, folds: bool = True) -> None:
    """Declare a finding an execution gate reports from running the course (not a function
    over the parsed course), so the reference, SARIF rules and --explain know it. `folds`:
    whether a static finding at the same place holds it as its own cause."""
    gate = next(g for g, prefix in PREFIXES.items() if code.startswith(prefix))
    if code in REGISTRY:
        raise ValueError(f"check code {code} is declared twice")
    REGISTRY[code] = Check(code, gate, severity, title, inspect.cleandoc(docs),
                           lambda course: (), quick=False, execution=True, folds=folds)
