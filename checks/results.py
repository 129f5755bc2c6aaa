"""What a run of the gates produced: each gate's result and the report of them all, which the
renderers read. Light on purpose: a run served from cache loads only this, never the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tinyrelease.checks import __version__
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.gatenames import LEVELS as LEVELS  # where callers import it from
from tinyrelease.checks.summary import CourseSummary


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class GateResult:
    """One gate's outcome. `skipped` maps each check that did not run to why; `skipped_steps`
    are parts of a check that did not run (a suite, an interpreter), each with its reason;
    `cached_steps` the parts served from an earlier run (a suite), each with when it ran;
    `notes` what the run says about how it ran (a suite that ran again, and why)."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    duration_s: float = 0.0
    checks_run: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    skipped_steps: list[str] = field(default_factory=list)
    artifacts: dict[str, object] = field(default_factory=dict)
    ran_at: str = field(default_factory=now)
    cached: bool = False
    cached_steps: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.checks_run:
            return "skipped"
        return "fail" if any(f.counts for f in self.findings) else "pass"

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity and f.waived is None)

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.waived is not None)

    def skip(self, codes: list[str], reason: str) -> None:
        for code in codes:
            if code not in self.checks_run:
                self.skipped.setdefault(code, reason)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "duration_s": round(self.duration_s, 4),
                "ran_at": self.ran_at, "cached": self.cached, "checks": self.checks_run,
                "skipped": self.skipped, "skipped_steps": self.skipped_steps,
                "cached_steps": self.cached_steps, "notes": self.notes,
                "artifacts": self.artifacts, "findings": [f.to_json() for f in self.findings]}

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> GateResult:
        """The inverse of `to_json` (KeyError, TypeError or ValueError on a bad entry)."""
        findings = [Finding.from_json(f) for f in entry["findings"]]
        skipped = entry.get("skipped", {})
        if not isinstance(skipped, dict):  # reports written before skips carried reasons
            skipped = dict.fromkeys(skipped, "not run")
        return cls(str(entry["name"]), findings, float(entry.get("duration_s", 0.0)),
                   list(entry.get("checks", [])), {str(k): str(v) for k, v in skipped.items()},
                   list(entry.get("skipped_steps", [])), dict(entry.get("artifacts", {})),
                   str(entry.get("ran_at", "")), bool(entry.get("cached", False)),
                   {str(k): str(v) for k, v in dict(entry.get("cached_steps", {})).items()},
                   [str(n) for n in entry.get("notes", [])])


@dataclass
class GatesReport:
    """Every gate's result for one course at one level. `scope` says why the run was partial
    (a selection, some gates, some modules, the quick level): empty for a complete run."""

    course: CourseSummary
    level: str
    gates: list[GateResult]
    scope: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return bool(self.scope)

    @property
    def status(self) -> str:
        """fail, pass, or partial: nothing failed but not everything ran, so no verdict."""
        if any(g.status == "fail" for g in self.gates):
            return "fail"
        return "partial" if self.scope else "pass"

    @property
    def findings(self) -> list[Finding]:
        return [f for gate in self.gates for f in gate.findings]

    @property
    def skipped(self) -> dict[str, str]:
        return {code: why for gate in self.gates for code, why in gate.skipped.items()}

    def to_json(self) -> dict[str, object]:
        course = self.course
        return {
            "tool": {"name": "tinyrelease", "version": __version__},
            "course": {"root": str(course.root), "layout": course.layout,
                       "modules": [m.id for m in course.modules],
                       "conventions": course.conventions},
            "level": self.level,
            "status": self.status,
            "partial": self.partial,
            "scope": self.scope,
            "gates": [g.to_json() for g in self.gates],
        }
