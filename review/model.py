"""What a review is made of: action items with a code and a priority, evidence tables, one
report per reviewer, and the course's `[tool.tinyrelease.review]` settings.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from importlib import resources

from tinyrelease.checks.course import Course
from tinyrelease.review.errors import ReviewError

REVIEWERS = {"education": "Education Reviewer", "developer": "Module Developer",
             "quality": "Quality Assurance", "packaging": "Package Manager"}


class Priority(StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        return {"HIGH": 0, "MEDIUM": 1, "LOW": 2}[self.value]


@dataclass(frozen=True)
class CodeInfo:
    code: str
    reviewer: str
    priority: Priority
    title: str
    effort: float


@cache
def codes() -> dict[str, CodeInfo]:
    """The item codes shipped as data (review/data/codes.toml)."""
    data = resources.files("tinyrelease.review").joinpath("data/codes.toml")
    text = data.read_text(encoding="utf-8")
    return {code: CodeInfo(code, entry["reviewer"], Priority(entry["priority"]), entry["title"],
                           float(entry["effort"])) for code, entry in tomllib.loads(text).items()}


@dataclass(frozen=True)
class Item:
    """One thing a reviewer wants changed before the release, at a place a maintainer opens."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    module: str | None = None
    priority: Priority | None = None
    effort: float | None = None

    def __post_init__(self) -> None:
        if self.code not in codes():
            raise ValueError(f"no review item has the code {self.code}")
        if self.priority is None:  # the code's default priority
            object.__setattr__(self, "priority", codes()[self.code].priority)

    @property
    def info(self) -> CodeInfo:
        return codes()[self.code]

    @property
    def reviewer(self) -> str:
        return self.info.reviewer

    def settled(self, effort: dict[str, float]) -> Item:
        """The item with its effort from the course's table, else the shipped one."""
        return replace(self, effort=effort.get(self.code, self.info.effort))

    def at(self) -> str:
        if self.path is None:
            return "-"
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "reviewer": self.reviewer, "title": self.info.title,
                "priority": self.priority.value if self.priority else None, "effort_h": self.effort,
                "module": self.module, "path": self.path, "line": self.line,
                "message": self.message}


@dataclass
class Table:
    """Evidence shown in a report: what was measured, per module or per test."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Report:
    reviewer: str
    items: list[Item] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    external: str | None = None

    @property
    def title(self) -> str:
        return REVIEWERS[self.reviewer]

    @property
    def approved(self) -> bool:
        """A reviewer approves exactly when it has no HIGH item."""
        return not any(i.priority is Priority.HIGH for i in self.items)


@dataclass(frozen=True)
class ReviewSettings:
    """`[tool.tinyrelease.review]` of the course, defaults filled in."""

    effort: dict[str, float] = field(default_factory=dict)
    external: tuple[str, ...] = ()
    external_timeout: float = 300.0
    slow_test_s: float = 2.0
    max_unchecked_cells: int = 4
    runs: int = 2


def load_settings(course: Course) -> ReviewSettings:
    where = f"{course.root / (course.config.source or 'pyproject.toml')}: [tool.tinyrelease.review]"
    table = course.config.raw.get("review", {})
    if not isinstance(table, dict):
        raise ReviewError(f"{where} must be a table")
    unknown = sorted(set(table) - set(ReviewSettings.__dataclass_fields__))
    if unknown:
        raise ReviewError(f"{where} has unknown keys: {', '.join(unknown)}")
    effort = table.get("effort", {})
    if not isinstance(effort, dict):
        raise ReviewError(f"{where} effort must be a table of CODE = hours")
    for code, hours in effort.items():
        if code not in codes():
            raise ReviewError(f"{where} effort: no review item has the code {code}")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
            raise ReviewError(f"{where} effort.{code} must be a number of hours, not {hours!r}")
    external = table.get("external", [])
    if isinstance(external, str):
        external = external.split()
    if not isinstance(external, list) or not all(isinstance(p, str) for p in external):
        raise ReviewError(f"{where} external must be a command: a list of strings")
    values: dict[str, object] = {"effort": {k: float(v) for k, v in effort.items()},
                                 "external": tuple(external)}
    for key, kind in (("external_timeout", float), ("slow_test_s", float),
                      ("max_unchecked_cells", int), ("runs", int)):
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ReviewError(f"{where} {key} must be a positive number, not {value!r}")
            values[key] = kind(value)
    return ReviewSettings(**values)  # type: ignore[arg-type]
