"""Helpers of the book tests: git, gates reports, the built example course, the Chromium mark."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tinyrelease.book.build import BuildResult
from tinyrelease.checks import environment
from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import run_gates

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "tinycourse"

needs_chromium = pytest.mark.skipif(
    environment.chromium() is None and os.environ.get("CI") != "true",
    reason="headless Chromium is not installed (apt-get install chromium); CI always runs this")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def write_report(course_root: Path, path: Path) -> Path:
    """The gates report of the course as `python -m checks` writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run_gates(load_course(course_root)).to_json()), encoding="utf-8")
    return path


@dataclass
class BuiltCourse:
    root: Path
    origin: Path
    report: Path
    out: Path
    result: BuildResult
