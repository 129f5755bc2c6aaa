"""A pytest plugin the testing gate loads into the course's test run: coverage records which
suite ran each line (a dynamic context named after the suite's folder, switched as pytest
collects and runs each suite), so every suite's coverage can be kept and combined apart.

It is copied next to the run under a name of its own, and imports nothing of tinyrelease.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

SUITES = [s for s in os.environ.get("TINYRELEASE_SUITES", "").split(os.pathsep) if s]
_current: list[str] = [""]


def _switch(path: Path | None) -> None:
    """Lines run from here on count for the suite `path` lies in (a folder or a file)."""
    if path is None:
        return
    rel = os.path.relpath(path, os.getcwd()).replace(os.sep, "/")
    suite = next((s for s in SUITES if rel == s or rel.startswith(s + "/")), None)
    if suite is None or suite == _current[0]:
        return
    import coverage

    measuring = coverage.Coverage.current()
    if measuring is not None:
        measuring.switch_context(suite)
        _current[0] = suite


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector
                               ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Importing a suite's test files (and the course code they import) counts for it."""
    _switch(getattr(collector, "path", None))
    return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _switch(item.path)
