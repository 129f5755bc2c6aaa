"""What the reports say of a check besides its findings (title, docs, gate, severity), from the
catalog, or from a snapshot of it that a run served from cache reads instead of importing
every check.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckInfo:
    code: str
    gate: str
    severity: str
    title: str
    docs: str


_SNAPSHOT: dict[str, CheckInfo] = {}


def info(code: str) -> CheckInfo | None:
    """The declared check with this code (None for a code no longer declared)."""
    if _SNAPSHOT and "tinyrelease.checks.catalog" not in sys.modules:
        return _SNAPSHOT.get(code)
    from tinyrelease.checks.catalog import lookup

    check = lookup(code)
    return None if check is None else CheckInfo(check.code, check.gate, check.severity.value,
                                                check.title, check.docs)


def snapshot() -> list[list[str]]:
    """Every declared check as JSON (this imports the catalog)."""
    from tinyrelease.checks.catalog import all_checks

    return [[c.code, c.gate, c.severity.value, c.title, c.docs] for c in all_checks()]


def use_snapshot(entries: Any) -> bool:
    """Describe checks from `snapshot()`'s output (of this very code); False when unusable."""
    try:
        table = {str(code): CheckInfo(str(code), str(gate), str(severity), str(title), str(docs))
                 for code, gate, severity, title, docs in entries}
    except (TypeError, ValueError):
        return False
    _SNAPSHOT.clear()
    _SNAPSHOT.update(table)
    return True
