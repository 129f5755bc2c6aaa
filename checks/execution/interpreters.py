"""Finding the Python interpreters already on the machine (PATH, then pyenv); never downloading."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SUPPORTED = ("3.11", "3.12", "3.13")


def find_interpreter(version: str) -> Path | None:
    """An interpreter of `version` (`3.12`) that really runs, or None."""
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / f"python{version}")
                       for p in sorted(pyenv.glob(f"{version}.*"), reverse=True)]
    for candidate in filter(None, candidates):
        if _runs_as(candidate, version):
            return Path(candidate)
    return None


def _runs_as(executable: str, version: str) -> bool:
    try:
        done = subprocess.run([executable, "-c", "import sys; print(sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    major, minor = version.split(".")
    return done.returncode == 0 and done.stdout.strip() == f"({major}, {minor})"
