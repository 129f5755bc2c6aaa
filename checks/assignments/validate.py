"""The execution part of the implementation gate: build the student release, then prove it a
fair exercise. The instructor notebook runs top to bottom and passes its graded tests; the
blank student notebook fails every graded test, stops nowhere before its exercises, and keeps
no text nbgrader should have removed.
"""

from __future__ import annotations

import copy as copying
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinyrelease.checks.assignments import findings as found
from tinyrelease.checks.assignments.build import Build, BuiltModule, build
from tinyrelease.checks.assignments.journey import Run, Runs, package_before, run_notebooks
from tinyrelease.checks.assignments.run_cache import RunCache
from tinyrelease.checks.assignments.tiers import cleared, settings
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.environment import importable
from tinyrelease.checks.findings import Finding

BUILD_CODES = {"IMP201", "IMP206"}
RUN_CODES = {"IMP202", "IMP203", "IMP204", "IMP205"}
CODES = BUILD_CODES | RUN_CODES
INSTALL = 'nox -s assignments installs them, or python -m pip install -e ".[assignments]"'
_MARKER = re.compile(r"(?i)\b(?:BEGIN|END)\s+(?:SOLUTION|HIDDEN\s+TESTS?)\b")
Exported = Callable[[], tuple[Path, str | None]]


@dataclass
class Outcome:
    """What the validation did, in the terms of an execution result (`cached`: the notebook
    runs served from the cache, with when they ran)."""

    findings: list[Finding] = field(default_factory=list)
    ran: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)
    artifacts: dict[str, object] = field(default_factory=dict)
    cached: dict[str, str] = field(default_factory=dict)

    def skip(self, codes: set[str], reason: str) -> None:
        for code in sorted(codes):
            self.skipped.setdefault(code, reason)


def missing_tools(running: bool) -> list[str]:
    wanted = ["nbgrader", *(["nbclient", "ipykernel"] if running else [])]
    return [name for name in wanted if not importable(name)]


def validate(course: Course, modules: list[str] | None, work: Path, exported: Exported,
             wanted: set[str], jobs: int = 1,
             kept: Callable[[Path], RunCache] | None = None) -> Outcome:
    """Build the student release into `work/assignments` and run the steps of `wanted`; the
    course's export runs meanwhile, when the notebooks are to be run. With `kept` (the cache
    of notebook runs, given the exported copy), a run whose inputs are unchanged is served
    from it."""
    outcome = Outcome()
    if missing := missing_tools(False):
        outcome.skip(wanted, f"{' and '.join(missing)} is not installed here: {INSTALL}")
        return outcome
    running = wanted & RUN_CODES
    if running and (missing := missing_tools(True)):
        outcome.skip(running, f"{' and '.join(missing)} is not installed here: {INSTALL}")
        running = set()
    chosen = [m for m in course.modules if m.source is not None
              and (modules is None or m.id in modules)]
    options = settings(course)
    with ThreadPoolExecutor(max_workers=1) as pool:
        export = pool.submit(exported) if running else None
        made = build(course, chosen, work, options.tier)
        copy, problem = export.result() if export is not None else (work, None)
    if made.failed:
        outcome.skip(wanted, made.failed)
        return outcome
    outcome.artifacts["assignments"] = {"folder": str(made.folder), "tier": options.tier.name}
    outcome.findings += found.refusals(made)
    outcome.findings += [f for item in made.built if item.student is not None
                         for f in found.leaks(item, surviving(item, options.tier))]
    outcome.ran |= wanted & BUILD_CODES
    if not running:
        return outcome
    if problem is not None:
        outcome.skip(running, f"the notebooks need the course's package: {problem} (PKG201)")
        return outcome
    runs, outcome.cached = _run_all(course, made, copy, work / "journey", options.timeout,
                                    jobs, kept(copy) if kept is not None else None)
    if runs.problem and not any((o or {}).get("started") for o in runs.outcomes.values()):
        outcome.skip(running, f"no kernel could be started: {runs.problem}")
        return outcome
    figures: dict[str, found.Figures] = {}
    for item in made.built:
        key = item.module.id
        findings, figures[key] = found.judged(course, item, runs.outcomes.get(f"{key}/instructor"),
                                              runs.outcomes.get(f"{key}/student"), runs.problem)
        outcome.findings += findings
    outcome.findings += found.course_total(figures)
    outcome.artifacts["assignments"] = {
        "folder": str(made.folder), "tier": options.tier.name, **found.totals(figures),
        "modules": {module: f.to_json() for module, f in figures.items()}}
    outcome.ran |= running
    return outcome


def _run_all(course: Course, made: Build, copy: Path, work: Path, timeout: float,
             jobs: int, cache: RunCache | None) -> tuple[Runs, dict[str, str]]:
    """Every module's blank student notebook and instructor notebook, from the module's folder
    in the exported copy, with the package of the modules before it; those the `cache` keeps
    served from it (returned apart, with when they ran)."""
    runs: dict[str, Run] = {}
    of: dict[str, Module] = {}
    for item in made.built:
        module = item.module
        of[f"{module.id}/student"] = of[f"{module.id}/instructor"] = module
        folder = work / module.id
        pythonpath = package_before(course, copy, module, folder / "package")
        cwd = copy / module.dir if (copy / module.dir).is_dir() else folder
        if item.student is not None:
            blank = folder / item.notebooks.name
            _write(blank_submission(item), blank)
            runs[f"{module.id}/student"] = Run(blank, cwd, pythonpath, folder / "student.json")
        runs[f"{module.id}/instructor"] = Run(made.instructor_path(item), cwd, pythonpath,
                                              folder / "instructor.json")
    if cache is None:
        return run_notebooks(runs, timeout, jobs, work), {}
    keys = {name: cache.key(of[name], run.notebook, run.pythonpath, timeout)
            for name, run in runs.items()}
    kept = {name: found for name in runs if (found := cache.load(keys[name])) is not None}
    fresh = {name: run for name, run in runs.items() if name not in kept}
    done = run_notebooks(fresh, timeout, jobs, work) if fresh else Runs({})
    if done.problem is None:
        for name, outcome in done.outcomes.items():
            cache.store(keys[name], outcome)
    outcomes = {**{name: outcome for name, (outcome, _) in kept.items()}, **done.outcomes}
    return (Runs({name: outcomes[name] for name in runs}, done.problem),
            {name: ran_at for name, (_, ran_at) in kept.items()})


def blank_submission(item: BuiltModule) -> Any:
    """The student notebook as nbgrader's autograder grades it when nothing was written: every
    graded and locked cell restored from the release source (hidden tests included)."""
    assert item.student is not None
    blank = copying.deepcopy(item.student)
    for index, cell in enumerate(item.notebooks.release_source.cells):
        meta = cell.metadata.get("nbgrader", {})
        if (meta.get("grade") and not meta.get("solution")) or meta.get("locked"):
            blank.cells[index].source = cell.source
    return blank


def _write(notebook: Any, path: Path) -> None:
    from tinyrelease.checks.assignments.notebooks import write_notebook

    write_notebook(notebook, path)


def surviving(item: BuiltModule, tier: Any) -> list[tuple[int, str]]:
    """(source line, text) of what the student notebook keeps that nbgrader should have
    removed: marker lines anywhere, and the lines of cleared regions and hidden tests that
    their cell still holds (more often than the instructor's cell has them outside regions)."""
    source, student = item.module.source, item.student
    assert source is not None and student is not None
    kept: list[tuple[int, str]] = []
    for index, cell in enumerate(student.cells):
        written = source.cells[index]
        at = {ln.strip(): n for n, ln in reversed(list(enumerate(written.lines,
                                                                 start=written.line + 1)))}
        for line in cell.source.split("\n") if cell.cell_type == "code" else []:
            if _MARKER.search(line):
                kept.append((at.get(line.strip(), written.line), line.strip()))
    lines_of = {c.index: c for c in source.cells}
    for region in [*cleared(source, tier), *source.hidden_tests]:
        if region.end is None:
            continue
        cell = lines_of[region.cell]
        first, last = region.begin - cell.line, region.end - cell.line - 1
        inner = [ln.strip() for ln in cell.lines[first:last]]
        outer = [ln.strip() for n, ln in enumerate(cell.lines, start=cell.line + 1)
                 if not region.begin <= n <= region.end]
        released = [ln.strip() for ln in student.cells[region.cell].source.split("\n")]
        for text in dict.fromkeys(t for t in inner if t and not t.startswith("#")):
            if released.count(text) > outer.count(text):
                kept.append((region.begin, text))
    return kept
