"""Fixtures of the book tests: the example course copied into a git repository with a bare
`origin`, its gates report, and its book built once per test session (a real Jupyter Book build).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bookcourse import EXAMPLE, BuiltCourse, git, write_report  # noqa: E402

from tinyrelease.book.build import build_book  # noqa: E402
from tinyrelease.checks.course import load_course  # noqa: E402


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    """The example course, committed in a repository whose `origin` is a bare repository, with
    a passing gates report and its book built into a build folder outside the course."""
    base = tmp_path_factory.mktemp("book")
    origin = base / "origin.git"
    git(base, "init", "-q", "--bare", str(origin))
    root = base / "tinycourse"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Course Maintainer")
    git(root, "config", "user.email", "maintainer@example.org")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The course")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    report = write_report(root, base / "gates" / "report.json")
    out = base / "out"
    return BuiltCourse(root, origin, report, out, build_book(load_course(root), out, report))
