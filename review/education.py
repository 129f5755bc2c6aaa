"""The Education Reviewer: objectives against tests, cognitive load per module, the difficulty
and time curve, and assessment (graded cells, points, the points a blank student notebook
earns, tests per objective), all measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from tinyrelease.checks.course import Module
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.educational import _significant, significant_words
from tinyrelease.checks.source import Cell
from tinyrelease.review import sourcecode
from tinyrelease.review.evidence import Evidence
from tinyrelease.review.model import Item, Report, Table

# Verbs that open objectives ("Implement", "Explain") say how, not what: a test named after
# the objective's subject is evidence, one sharing only its verb is not.
_GENERIC = _significant("implement explain describe apply create write design identify "
                        "compare analyse analyze demonstrate recognise recognize test tests "
                        "measure calculate compute")
_CHECK = re.compile(r"\bassert\b|\btest_\w+\s*\(")
DENSITY_FACTOR = 2.0
MIN_DENSE_CONCEPTS = 3


@dataclass
class Load:
    module: Module
    hours: float | None
    concepts: int
    prose_words: int
    code_lines: int
    unchecked: int

    @property
    def density(self) -> float | None:
        return self.concepts / self.hours if self.hours else None

    @property
    def prose_ratio(self) -> float | None:
        return self.prose_words / self.code_lines if self.code_lines else None


def review(evidence: Evidence) -> Report:
    course, report = evidence.course, Report("education")
    for finding in (f for f in evidence.gate("educational") if f.waived is None):
        code = "ER100" if finding.severity is Severity.ERROR else "ER102"
        report.items.append(Item(code, f"{finding.code}: {finding.message}"
                                 f"{finding.also(limit=3)}", finding.path, finding.line,
                                 finding.module))
    objectives = Table("Learning objectives and the tests that check them",
                       ["module", "objective", "key words", "tests"])
    assessment = Table("Assessment", ["module", "graded cells", "points",
                                      "a blank notebook earns", "tests", "objectives",
                                      "tests per objective"])
    holes = _grading_holes(evidence)
    loads = []
    for module in course.modules:
        tests = sourcecode.module_tests(course, module)
        _objectives(module, tests, objectives, report)
        _assessment(module, tests, assessment, report, holes)
        if module.source is not None:
            loads.append(_load(evidence, module))
    report.tables += [objectives, assessment, _cognitive_load(loads, evidence, report),
                      _progression(course.modules, report)]
    return report


def _objectives(module: Module, tests: list[sourcecode.TestFunction], table: Table,
                report: Report) -> None:
    meta = module.meta
    if meta is None:
        return
    subject = _significant(f"{module.name} {meta.title or ''}")
    test_words = [(t, _significant(text) | set(text.lower().split()))
                  for t in tests if (text := sourcecode.words(f"{t.name} {t.docstring}"))]
    for index, objective in enumerate(meta.objectives):
        keys = _significant(objective) - _GENERIC - subject
        wanted = keys | _acronyms(objective)
        matching = [t for t, found in test_words if wanted & found]
        shown = ", ".join(sorted(significant_words(objective).get(k, k) for k in keys))
        table.rows.append([module.id, objective, shown or "-",
                           str(len(matching)) if keys else "not judged"])
        if keys and not matching:
            report.items.append(Item(
                "ER101", f'learning objective "{objective}" of {module.id}: none of its key '
                f"words ({shown}) appears in the name or docstring of any of "
                f"the module's {len(tests)} tests; add a test that checks it",
                meta.path, meta.line_of("learning_objectives", index), module.id))


def _acronyms(text: str) -> set[str]:
    """"mean squared error" -> "mse": tests are often named by the abbreviation."""
    raw = re.findall(r"[a-z]+", text.lower())
    return {"".join(w[0] for w in raw[i:i + n]) for n in (3, 4) for i in range(len(raw) - n + 1)}


def _grading_holes(evidence: Evidence) -> dict[str, object]:
    """The implementation gate's figures of the student release, per module (its artifacts:
    points, the points a blank notebook earns and from which tests), or why there are none."""
    figures = evidence.artifacts("implementation").get("assignments")
    if isinstance(figures, dict) and isinstance(figures.get("modules"), dict):
        return dict(figures["modules"])
    why = evidence.skipped("implementation").get("IMP204")
    return {"": why or "the student release was not built (nox -s assignments)"}


def _assessment(module: Module, tests: list[sourcecode.TestFunction], table: Table,
                report: Report, holes: dict[str, object]) -> None:
    cells = module.source.cells if module.source else []
    graded = [c.nbgrader for c in cells if c.nbgrader and c.nbgrader.get("grade") is True]
    points = sum(float(g.get("points", 0)) for g in graded
                 if isinstance(g.get("points", 0), int | float))
    count = len(module.meta.objectives) if module.meta else 0
    per = f"{len(tests) / count:.1f}" if count else "-"
    hole = holes.get(module.id)
    free = hole.get("free") if isinstance(hole, dict) and hole.get("student") == "run" else None
    table.rows.append([module.id, str(len(graded)), f"{points:g}",
                       f"{free:g}" if isinstance(free, int | float) else "not measured",
                       str(len(tests)), str(count), per])
    if isinstance(hole, dict) and isinstance(free, int | float) and free > 0:
        names = ", ".join(str(t) for t in hole.get("free_tests") or [])
        report.items.append(Item("ER133", f"a blank student notebook of {module.id} earns "
                                 f"{free:g} of {hole.get('points', points):g} points: its "
                                 f"graded tests {names} pass with no student code (IMP204); "
                                 "make them exercise the student's code", module.source_path,
                                 None, module.id))
    if module.source is not None and not graded:
        report.items.append(Item("ER131", f"{module.id} has no graded cell: nothing in it is "
                                 "assessed (nbgrader grade: true with points)",
                                 module.source_path, None, module.id))
    if count and len(tests) < count:
        report.items.append(Item("ER132", f"{module.id} has {len(tests)} tests for {count} "
                                 "learning objectives", module.source_path, None, module.id))


def _load(evidence: Evidence, module: Module) -> Load:
    source = module.source
    assert source is not None
    defs = sourcecode.definitions(sourcecode.parse(sourcecode.read(evidence.course,
                                                                   module.source_path)))
    time = module.meta.time if module.meta else None
    hours = float(time.low + time.high) / 2 if time else None
    prose = sum(len(c.prose.split()) for c in source.cells if c.kind == "markdown")
    code = sum(1 for c in source.cells if c.kind == "code" for ln in c.lines
               if ln.strip() and not ln.lstrip().startswith("#"))
    return Load(module, hours, defs.concepts, prose, code, _longest_unchecked(source.cells))


def _longest_unchecked(cells: list[Cell]) -> int:
    """The most implementation cells (exported or solution) in a row with no check between."""
    longest = current = 0
    for cell in (c for c in cells if c.kind == "code"):
        if _CHECK.search(cell.text):
            current = 0
        elif cell.exported or (cell.nbgrader or {}).get("solution") is True:
            current += 1
            longest = max(longest, current)
    return longest


def _cognitive_load(loads: list[Load], evidence: Evidence, report: Report) -> Table:
    table = Table("Cognitive load", ["module", "hours", "concepts", "per hour", "prose words",
                                     "code lines", "words per code line", "unchecked cells"])
    ratios = [r for load in loads if (r := load.prose_ratio) is not None]
    typical = median(ratios) if len(ratios) >= 3 else None
    limit = evidence.settings.max_unchecked_cells
    for index, load in enumerate(loads):
        m = load.module
        table.rows.append([m.id, f"{load.hours:g}" if load.hours else "-", str(load.concepts),
                           f"{load.density:.2f}" if load.density is not None else "-",
                           str(load.prose_words), str(load.code_lines),
                           f"{load.prose_ratio:.2f}" if load.prose_ratio is not None else "-",
                           str(load.unchecked)])
        neighbours = [n.density for n in loads[max(index - 1, 0):index + 2]
                      if n is not load and n.density is not None]
        if load.density is not None and neighbours and load.concepts >= MIN_DENSE_CONCEPTS:
            around = sum(neighbours) / len(neighbours)
            if load.density >= DENSITY_FACTOR * around:
                report.items.append(Item(
                    "ER111", f"{m.id} introduces {load.concepts} new public names in "
                    f"{load.hours:g} hours ({load.density:.1f} per hour), "
                    f"{load.density / around:.1f}× its neighbours ({around:.1f} per hour): "
                    "split it or raise its time estimate", m.source_path, None, m.id))
        if load.unchecked > limit:
            report.items.append(Item(
                "ER112", f"{m.id} has {load.unchecked} implementation cells in a row without a "
                f"test or assert (the limit is {limit}, review.max_unchecked_cells)",
                m.source_path, None, m.id))
        if typical and load.prose_ratio is not None and load.prose_ratio < typical / 2:
            report.items.append(Item(
                "ER113", f"{m.id} has {load.prose_ratio:.2f} words of explanation per line of "
                f"code, under half the course's median ({typical:.2f})", m.source_path, None,
                m.id))
    return table


def _progression(modules: list[Module], report: Report) -> Table:
    table = Table("Progression", ["module", "difficulty", "time", "step"])
    previous = None
    for module in modules:
        meta = module.meta
        level = meta.difficulty.level if meta and meta.difficulty else None
        step = level - previous if level is not None and previous is not None else None
        table.rows.append([module.id, f"{level}/4" if level else "-",
                           str(meta.time) if meta and meta.time else "-",
                           f"{step:+d}" if step is not None else ""])
        if step is not None and abs(step) >= 2 and meta is not None:
            report.items.append(Item(
                "ER121", f"difficulty {'jumps' if step > 0 else 'drops'} by {abs(step)} levels "
                f"from the previous module to {module.id}", meta.path,
                meta.line_of("difficulty"), module.id))
        previous = level if level is not None else previous
    return table
