"""A pytest plugin the testing gate loads into the course's test run: coverage records which
suite ran each line (a dynamic context named after the suite's folder, switched as pytest
collects and runs each suite), so every suite's coverage can be kept and combined apart; and
each suite's seconds in the session, its files' import included, are written where
`TINYRELEASE_SUITE_SECONDS` says (the next run shares the suites out among processes by them).

It is copied next to the run under a name of its own, and imports nothing of tinyrelease.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Generator
from pathlib import Path

import pytest

SUITES = [s for s in os.environ.get("TINYRELEASE_SUITES", "").split(os.pathsep) if s]
SECONDS = os.environ.get("TINYRELEASE_SUITE_SECONDS")
_spent: dict[str, float] = {}


class _Now:
    """The suite running now (and since when), and coverage's context."""

    suite = ""
    context = ""
    since = 0.0


def _switch(path: Path | None) -> None:
    """What runs from here on counts for the suite `path` lies in (a folder or a file)."""
    if path is None:
        return
    rel = os.path.relpath(path, os.getcwd()).replace(os.sep, "/")
    suite = next((s for s in SUITES if rel == s or rel.startswith(s + "/")), None)
    if suite is None:
        return
    if suite != _Now.suite:
        _charge(suite)
    coverage = sys.modules.get("coverage")
    measuring = coverage.Coverage.current() if coverage is not None else None
    if measuring is not None and suite != _Now.context:
        measuring.switch_context(suite)
        _Now.context = suite


def _charge(following: str) -> None:
    """The time since the last switch to the suite that ran it; `following` runs next."""
    now = time.perf_counter()
    if _Now.suite:
        _spent[_Now.suite] = _spent.get(_Now.suite, 0.0) + now - _Now.since
    _Now.suite, _Now.since = following, now


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector
                               ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Importing a suite's test files (and the course code they import) counts for it."""
    _switch(getattr(collector, "path", None))
    return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _switch(item.path)


def pytest_sessionfinish() -> None:
    _charge("")
    if SECONDS:
        Path(SECONDS).write_text(json.dumps(_spent), encoding="utf-8")
