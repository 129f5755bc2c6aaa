"""Which export step produces a course's package, found without configuration: the course's
`export_command`, else nbdev's own settings (`settings.ini` with `lib_name`/`lib_path` and
sources with `#| default_exp`), exported as the course's own tool does (jupytext to notebooks
under `nbs_path`, then nbdev's export); and whether an export produced every module.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from tinyrelease.checks.course import Course

NBDEV_EXPORTER = "tinyrelease.checks.execution.nbdev_export"


@dataclass(frozen=True)
class ExportStep:
    """The command that exports the course, and how it was found (for the report)."""

    command: tuple[str, ...]
    how: str

    def describe(self) -> str:
        return f"`{shlex.join(self.command)}` ({self.how})"


def export_step(course: Course) -> ExportStep | None:
    """The course's export: configured, else nbdev's, else None (the package is as committed)."""
    value = course.config.raw.get("export_command")
    if isinstance(value, str):
        value = shlex.split(value)
    if isinstance(value, list) and value and all(isinstance(p, str) for p in value):
        # "python" means the gate's own interpreter, where the export tools are installed
        command = [sys.executable if value[0] == "python" else value[0], *value[1:]]
        return ExportStep(tuple(command), "export_command of [tool.tinyrelease]")
    settings = course.settings.values if course.settings else {}
    lib = settings.get("lib_path") or settings.get("lib_name")
    if not lib or not any(m.source and m.source.default_exp for m in course.modules):
        return None
    how = (f"an nbdev project: settings.ini says lib_path = {lib}, nbs_path = "
           f"{settings.get('nbs_path', 'nbs')}")
    if _has_own_cli(course):
        how += "; the same steps as the course's own `tito src export --all`"
    return ExportStep((sys.executable, "-m", NBDEV_EXPORTER, "--course", "."), how)


def _has_own_cli(course: Course) -> bool:
    scripts = course.pyproject.project.get("scripts") if course.pyproject else None
    return isinstance(scripts, dict) and "tito" in scripts


def missing_targets(course: Course, exported: Path) -> list[tuple[str, str]]:
    """(module id, package file) for every `default_exp` the export did not produce."""
    package = course.package
    if package is None:
        return []
    missing = []
    for module in course.modules:
        target = module.exports
        if not target or not module.source or not module.source.default_exp:
            continue
        dotted = target.removeprefix(package.name + ".")
        rel = f"{package.dir}/{dotted.replace('.', '/')}.py"
        if not (exported / rel).is_file():
            missing.append((module.id, rel))
    return missing
