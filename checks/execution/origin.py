"""Where a line of the exported package comes from: nbdev writes a `# %% <notebook> <cell>`
marker above every exported cell, so a traceback into a generated file (which a maintainer
never edits) can be told at the module source and cell that wrote it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tinyrelease.checks.course import Course, Module

_MARKER = re.compile(r"^# %% \S+ (?:#c)?(?P<cell>\d+)\s*$")


def exporting_module(course: Course, rel: str) -> Module | None:
    """The module whose `default_exp` writes the package file `rel` (`tinytorch/bench.py`)."""
    package = course.package
    if package is None:
        return None
    for module in course.modules:
        if module.exports:
            dotted = module.exports.removeprefix(package.name + ".")
            if rel == f"{package.dir}/{dotted.replace('.', '/')}.py":
                return module
    return None


def source_of(course: Course, exported: Path, rel: str, line: int) -> tuple[str, int] | None:
    """(source path, line) of the cell that line `line` of the exported file `rel` (inside
    the export `exported`) comes from; None when the file has no cell markers."""
    module = exporting_module(course, rel)
    if module is None or module.source is None:
        return None
    try:
        lines = (exported / rel).read_text(encoding="utf-8").split("\n")[:line]
    except (OSError, UnicodeDecodeError):
        return None
    for text in reversed(lines):
        if marker := _MARKER.match(text):
            index = int(marker["cell"])
            cell = next((c for c in module.source.cells if c.index == index), None)
            return (module.source_path, cell.line) if cell else None
    return None


def unexported_import(module: Module, name: str) -> int | None:
    """The line of a cell that is not exported but imports `name` (its code then runs in the
    notebook and fails in the package: the NameError of a forgotten `#| export`)."""
    source = module.source
    if source is None:
        return None
    exported = {cell.index for cell in source.cells if cell.exported}
    for found in source.imports:
        cell = source.cell_at(found.line)
        bound = found.names or (found.module.split(".")[0],)
        if cell is not None and cell.index not in exported and name in bound:
            return found.line
    return None


def in_course_terms(text: str, copy: Path) -> str:
    """`text` (pytest's, Python's) with the paths it quotes inside the copy `copy` as the
    course's own: the copy mirrors the course, so `<copy>/tinytorch/core/layers.py` is the
    course's `tinytorch/core/layers.py` (a maintainer has no use for our scratch folder), `..`
    taken out (`tests/05/../../tinytorch/x.py`, imported through a test's own sys.path entry)."""
    quoted = re.compile(re.escape(f"{copy}{os.sep}") + r"([^\s'\"():,]+)")

    def course_path(match: re.Match[str]) -> str:
        path = os.path.normpath(match[1]).replace(os.sep, "/")
        return match[1] if path.startswith("..") else path

    return quoted.sub(course_path, text)
