"""Shared fixtures: a factory of tiny courses and a way to run one check over one."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from coursebuilder import CourseFactory  # noqa: E402

from tinyrelease.checks.course import load_course  # noqa: E402
from tinyrelease.checks.engine import run_gates  # noqa: E402
from tinyrelease.checks.findings import Finding  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "tinycourse"


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's gate cache in its own temp folder, never the user's."""
    monkeypatch.setenv("TINYRELEASE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def make_course(tmp_path: Path) -> CourseFactory:
    return CourseFactory(tmp_path)


def run_check(root: Path, code: str) -> list[Finding]:
    """The unwaived findings of the checks whose code starts with `code` on the course at root."""
    report = run_gates(load_course(root), select=[code])
    return [f for f in report.findings if f.waived is None]


@pytest.fixture
def findings() -> Callable[[Path, str], list[Finding]]:
    return run_check
