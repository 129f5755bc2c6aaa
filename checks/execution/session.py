"""What a nox session needs to know about the course before tinyrelease is installed in it:
its root (from the session's arguments) and its requirements. Standard library only.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

DEFAULT_COURSE = Path("examples") / "tinycourse"


def course_root(args: list[str]) -> Path:
    """--course from the arguments, else $COURSE_ROOT, else the bundled example course."""
    for index, arg in enumerate(args):
        if arg == "--course" and index + 1 < len(args):
            return Path(args[index + 1])
        if arg.startswith("--course="):
            return Path(arg.split("=", 1)[1])
    return Path(os.environ.get("COURSE_ROOT") or DEFAULT_COURSE)


def course_requirements(root: Path) -> list[str]:
    """The course's `[project].dependencies`; none when its pyproject.toml is missing or broken
    (the package gate reports that)."""
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    dependencies = project.get("project", {}).get("dependencies", [])
    return [d for d in dependencies if isinstance(d, str)] if isinstance(dependencies, list) else []
