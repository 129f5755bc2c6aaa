"""Renderers of a `GatesReport`: JSON, the Markdown readiness report, JUnit XML and SARIF,
written atomically into one report folder.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tinyrelease.checks.errors import TinyReleaseError

if TYPE_CHECKING:
    from tinyrelease.checks.results import GatesReport


# the reports that show neither a gate's duration nor whether it was served from cache
UNTIMED = ("report.md", "report.sarif")


def render_reports(report: GatesReport,
                   like: tuple[GatesReport, dict[str, str]] | None = None) -> dict[str, str]:
    """Every report's text, by file name (the renderers are imported only to render: a run
    replayed from cache writes texts rendered before). With `like`, another report and its
    texts, the `UNTIMED` reports are taken from those texts when the two reports differ at
    most in their gates' durations and cache flags (a run and the same run served from
    cache): rendered once, not twice."""
    from tinyrelease.checks.reports import json_report, junit, readiness, sarif

    renderers = {"report.json": json_report.render, "report.md": readiness.render,
                 "junit.xml": junit.render, "report.sarif": sarif.render}
    kept = like[1] if like is not None and same_but_timing(report, like[0]) else {}
    return {name: kept[name] if name in UNTIMED and name in kept else render(report)
            for name, render in renderers.items()}


def same_but_timing(report: GatesReport, other: GatesReport) -> bool:
    """Whether two reports differ at most in their gates' durations and cache flags: a run
    and the same results served from cache, which the `UNTIMED` reports and the terminal's
    summary show alike."""
    return _untimed(report) == _untimed(other)


def _untimed(report: GatesReport) -> tuple[object, ...]:
    gates = [replace(gate, duration_s=0.0, cached=False) for gate in report.gates]
    return report.course, report.level, report.scope, gates


def write_reports(report: GatesReport | dict[str, str], folder: Path) -> list[Path]:
    """Write every report (or the texts of `render_reports`) into `folder`; each file is
    complete or untouched, never half-written."""
    texts = report if isinstance(report, dict) else render_reports(report)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return [write_atomic(folder / name, text) for name, text in texts.items()]
    except OSError as error:
        raise TinyReleaseError(f"{folder}: cannot write the reports: {error.strerror}") from None


def write_atomic(path: Path, text: str) -> Path:
    """Temp file in the same folder, then `os.replace`: readers see the old or the new file,
    never half of one; a replaced file keeps its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
