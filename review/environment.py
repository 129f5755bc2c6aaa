"""The Package Manager's fresh environment: the built wheel installed with pip as a learner
would, the course's requirements.txt after it when it has one, then `pip check`.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from tinyrelease.checks.process import run

_CONFLICT_WORDS = ("resolutionimpossible", "conflicting dependencies", "conflict is caused by")


@dataclass
class EnvironmentCheck:
    """What happened in the fresh environment; `problems` are `pip check`'s lines."""

    installed: bool
    conflict: bool = False
    log: str = ""
    requirements: str | None = None
    problems: list[str] = field(default_factory=list)


def requires_dist(wheel: Path) -> list[str]:
    """The wheel's `Requires-Dist` lines, read from its METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next((n for n in archive.namelist() if n.endswith(".dist-info/METADATA")), None)
        if name is None:
            return []
        metadata = Parser().parsestr(archive.read(name).decode("utf-8", "replace"))
    return metadata.get_all("Requires-Dist") or []


def check_environment(wheel: Path, course_root: Path, venv: Path) -> EnvironmentCheck:
    """Install the wheel (and then requirements.txt) into a new venv and run `pip check`."""
    shutil.rmtree(venv, ignore_errors=True)
    made = run([sys.executable, "-m", "venv", venv], cwd=wheel.parent)
    if not made.ok:
        return EnvironmentCheck(False, log=f"python -m venv failed: {made.tail(4)}")
    # -I: the environment must not see the caller's PYTHONPATH or user site-packages
    python: list[str | Path] = [venv / "bin" / "python", "-I"]
    quiet = ["--disable-pip-version-check", "--no-input", "--quiet"]
    installed = run([*python, "-m", "pip", "install", *quiet, wheel], cwd=wheel.parent)
    if not installed.ok:
        lowered = installed.output.lower()
        return EnvironmentCheck(False, any(w in lowered for w in _CONFLICT_WORDS),
                                _meaningful(installed.output))
    result = EnvironmentCheck(True, log=installed.output.strip())
    requirements = course_root / "requirements.txt"
    if requirements.is_file():
        # the order a learner follows: the package, then the course's pinned environment
        extra = run([*python, "-m", "pip", "install", *quiet, "-r", requirements],
                    cwd=course_root)
        result.requirements = "requirements.txt"
        result.log += "\n" + extra.output.strip()
    checked = run([*python, "-m", "pip", "check", "--disable-pip-version-check"], cwd=venv)
    if not checked.ok:
        result.problems = [ln.strip() for ln in checked.output.splitlines()
                           if ln.strip() and "No broken requirements" not in ln]
    return result


def _meaningful(output: str) -> str:
    """pip's error without its progress lines and hints: what a maintainer needs to read."""
    lines = [ln.rstrip() for ln in output.splitlines()
             if ln.strip() and not ln.lstrip().startswith(("Processing", "Collecting", "hint:",
                                                          "Looking in", "Downloading"))]
    return "\n".join(lines[-12:])
