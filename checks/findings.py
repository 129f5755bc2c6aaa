"""The frozen `Finding` every check returns and every renderer consumes, and its severities."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding matters; only errors fail a gate."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


Place = tuple[str, int | None]


def at(path: str | None, line: int | None) -> str:
    """`path:line` as a terminal or editor wants it (or the bare path, or `-`)."""
    if path is None:
        return "-"
    return f"{path}:{line}" if line else path


@dataclass(frozen=True, order=True)
class Finding:
    """One thing wrong with the course (one cause), at a place a maintainer can open; when
    the same cause shows in several places, `places` lists the others."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    module: str | None = None
    severity: Severity = Severity.ERROR
    waived: str | None = None
    places: tuple[Place, ...] = ()

    def at(self) -> str:
        return at(self.path, self.line)

    def also(self, limit: int = 8) -> str:
        """` (also at a.py:3, b.py:9 and 4 more)`, or '' for a finding in one place."""
        if not self.places:
            return ""
        shown = ", ".join(at(p, n) for p, n in self.places[:limit])
        more = len(self.places) - limit
        return f" (also at {shown}{f' and {more} more' if more > 0 else ''})"

    def waive(self, reason: str) -> Finding:
        return replace(self, waived=reason)

    @property
    def counts(self) -> bool:
        """Whether this finding fails its gate: an unwaived error."""
        return self.severity is Severity.ERROR and self.waived is None

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "module": self.module,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "waived": self.waived,
            "places": [{"path": p, "line": n} for p, n in self.places],
        }

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> Finding:
        places = tuple((str(p["path"]), p.get("line")) for p in entry.get("places") or [])
        return cls(entry["code"], entry["message"], entry["path"], entry["line"],
                   entry["module"], Severity(entry["severity"]), entry["waived"], places)
