"""The frozen `Finding` every check returns and every renderer consumes, and its severities."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters; only errors fail a gate."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, order=True)
class Finding:
    """One thing wrong with the course, at a place a maintainer can open."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    module: str | None = None
    severity: Severity = Severity.ERROR
    waived: str | None = None

    def at(self) -> str:
        """`path:line` as a terminal or editor wants it (or the bare path, or `-`)."""
        if self.path is None:
            return "-"
        return f"{self.path}:{self.line}" if self.line else self.path

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
        }
