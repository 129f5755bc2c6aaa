"""The cache key of one gate's result for one command line, the same in every process that
asks (the orchestrating run, a gate's own nox session, a run replayed from cache).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tinyrelease.checks.execution.session import EXECUTING_GATES, REQUIREMENTS_MARKER

if TYPE_CHECKING:
    from tinyrelease.checks.store import CourseStore


def executes(gate: str, args: argparse.Namespace) -> bool:
    """Whether the gate runs the course this time (its execution checks are selected)."""
    if gate not in EXECUTING_GATES or args.static_only or args.level == "quick":
        return False
    if not args.select:
        return True
    from tinyrelease.checks.engine import select_checks

    return any(c.execution for c in select_checks([gate], args.select))


def gate_key(store: CourseStore, args: argparse.Namespace, gate: str,
             modules: list[str] | None) -> str:
    """The same key in the orchestrating process and in the gate's own nox session: both
    read the requirements marker of the session's environment. What cannot change a gate's
    result is left out (a static gate does not care about --modules or --static-only)."""
    running = executes(gate, args)
    if running and args.isolated:
        envdir: Path | None = Path(sys.prefix).parent / gate
    else:
        own = Path(sys.prefix)
        envdir = own if (own / REQUIREMENTS_MARKER).is_file() else None
    settings: dict[str, object] = {"level": args.level, "select": args.select}
    if gate in EXECUTING_GATES:
        settings.update(static_only=args.static_only, modules=modules)
    return store.key(gate, settings, args.level, envdir)
