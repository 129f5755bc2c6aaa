"""The catalog of every declared check: importing it declares the static checks of the six
gates and the findings of their execution parts. Separate from the registry, so that the gate
modules (which declare through the registry) and the registry never import each other.
"""

from __future__ import annotations

import tinyrelease.checks.assignments.codes  # noqa: F401 - the student release's execution findings
import tinyrelease.checks.execution.codes  # noqa: F401 - importing declares the execution findings
import tinyrelease.checks.gates  # noqa: F401 - importing the gate modules declares their checks
from tinyrelease.checks.registry import GATES, REGISTRY, Check


def all_checks() -> list[Check]:
    """Every declared check, in gate order then code order."""
    return sorted(REGISTRY.values(), key=lambda c: (GATES.index(c.gate), c.code))


def lookup(code: str) -> Check | None:
    """The declared check with this code (None for a code no longer declared)."""
    return REGISTRY.get(code)
