"""No release without evidence: what the gates of a release ran, read from their report (the
gates and their status, the tests run and passed, the suites and modules they covered), and
whether that is enough for the release's level before anything is bumped or tagged.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from tinyrelease.checks.registry import GATES

_MODULE_SUITE = re.compile(r"(?:^|/)\d{2}_[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Evidence:
    """What the gates report of one commit says was run (`status` `skipped`: the maintainer
    skipped them, `reason` says why)."""

    status: str
    level: str | None = None
    reason: str | None = None
    partial: bool = False
    gates: tuple[tuple[str, str], ...] = ()      # (gate, status) as run
    tests: int | None = None                    # tests the testing gate ran
    passed: int | None = None
    suites: tuple[str, ...] = ()                # the test folders run
    steps_skipped: tuple[str, ...] = ()         # parts of the testing gate that did not run

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules whose own test folder ran (`tests/05_autograd`)."""
        return tuple(s.rsplit("/", 1)[-1] for s in self.suites if _MODULE_SUITE.search(s))

    @property
    def summary(self) -> str:
        """The status as a plan shows it: `pass`, `skipped: REASON`."""
        return f"skipped: {self.reason or ''}" if self.status == "skipped" else self.status

    def missing(self, level: str) -> str | None:
        """Why this is not evidence enough for a release at `level`, naming the fix; None when
        it is. The quick level (a hotfix's) runs no suites by design; a skip is the
        maintainer's, with its reason on record."""
        if self.status == "skipped" or level == "quick" or self.status != "pass":
            return None
        ran = dict(self.gates)
        absent = [g for g in GATES if ran.get(g) in (None, "skipped")]
        if absent or self.partial:
            return (f"the gates report does not hold every gate a {level} release needs "
                    f"({', '.join(absent) or 'a partial run'}): run all six gates at level "
                    f"{level} (python -m checks --level {level}), then the release again")
        if not self.passed:
            skipped = f"; skipped: {'; '.join(self.steps_skipped)}" if self.steps_skipped else ""
            return (f"the gates passed with {self.passed or 0} tests run ({self.tests or 0} "
                    f"collected{skipped}): a release needs its tests to run; make the course's "
                    f"suites collect and pass (python -m checks --gate testing -v), then run "
                    "the release again")
        return None

    def record(self) -> dict[str, object]:
        """The evidence as the release record keeps it."""
        return {**asdict(self), "gates": dict(self.gates), "modules": list(self.modules)}


def read_evidence(report: Path) -> Evidence | None:
    """The evidence in a gates report.json; None when there is none."""
    if not report.is_file():
        return None
    data = json.loads(report.read_text(encoding="utf-8"))
    status = str(data.get("status") or "")
    if not status:
        return None
    gates = [g for g in data.get("gates", []) if isinstance(g, dict)]
    testing = next((g for g in gates if g.get("name") == "testing"), {})
    found = testing.get("artifacts") or {}
    return Evidence(
        status, data.get("level"), data.get("reason"), bool(data.get("partial")),
        tuple((str(g.get("name")), str(g.get("status"))) for g in gates),
        _count(found.get("tests")), _count(found.get("passed")),
        tuple(str(s) for s in found.get("suites") or ()),
        tuple(str(s) for s in testing.get("skipped_steps") or ()))


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
