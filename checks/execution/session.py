"""What a nox session needs to know about the course before tinyrelease is installed in it:
its root and report folder (from the session's arguments) and its requirements. Standard
library only: the noxfile imports it before anything is installed.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

DEFAULT_COURSE = Path("examples") / "tinycourse"
DEFAULT_REPORTS = Path("build") / "gates"
# written into a nox environment after its install: what was asked of it (the gate cache keys
# on it, so a changed environment means a fresh result)
REQUIREMENTS_MARKER = ".tinyrelease-requirements"


def _option(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def course_root(args: list[str]) -> Path:
    """--course from the arguments, else $COURSE_ROOT, else the bundled example course."""
    given = _option(args, "--course")
    return Path(given or os.environ.get("COURSE_ROOT") or DEFAULT_COURSE)


def gate_arguments(gate: str, args: list[str]) -> list[str]:
    """A gate session's arguments: its reports go into `<report dir>/<gate>/`, beside the
    other gates' (the consolidated report of `nox -s gates` sits one level up)."""
    base = Path(_option(args, "--report-dir") or DEFAULT_REPORTS)
    rest, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--report-dir":
            skip = True
        elif not arg.startswith("--report-dir="):
            rest.append(arg)
    return ["--gate", gate, "--report-dir", str(base / gate), *rest]


def course_requirements(root: Path) -> list[str]:
    """The course's `[project].dependencies`; none when its pyproject.toml is missing or broken
    (the package gate reports that)."""
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError):
        return []
    dependencies = project.get("project", {}).get("dependencies", [])
    return [d for d in dependencies if isinstance(d, str)] if isinstance(dependencies, list) else []
