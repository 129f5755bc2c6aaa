"""What the reports say about a course besides the findings: its root, layout, conventions and
module inventory. A `Course` produces it; a run served from cache reads it from the cache
instead of loading and parsing the course again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ModuleRow:
    """One module of the inventory: its id, title, time and difficulty as the course states
    them (None where it states none)."""

    id: str
    title: str
    time: str | None
    difficulty: str | None


@dataclass(frozen=True)
class CourseSummary:
    root: Path
    layout: str
    modules: tuple[ModuleRow, ...]
    total_time: str | None  # the sum of the modules' own estimates
    conventions_text: str  # Conventions.describe()
    conventions: dict[str, object]  # Conventions.to_json()

    def to_json(self) -> dict[str, Any]:
        return {"root": str(self.root), "layout": self.layout, "total_time": self.total_time,
                "modules": [[m.id, m.title, m.time, m.difficulty] for m in self.modules],
                "conventions_text": self.conventions_text, "conventions": self.conventions}

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> CourseSummary:
        """The inverse of `to_json` (KeyError, TypeError or ValueError on a bad entry)."""
        modules = tuple(ModuleRow(str(i), str(t), None if h is None else str(h),
                                  None if d is None else str(d))
                        for i, t, h, d in entry["modules"])
        total = entry["total_time"]
        conventions = entry["conventions"]
        if not isinstance(conventions, dict):
            raise TypeError("conventions")
        return cls(Path(entry["root"]), str(entry["layout"]), modules,
                   None if total is None else str(total), str(entry["conventions_text"]),
                   conventions)
