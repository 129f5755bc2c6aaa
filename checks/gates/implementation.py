"""The checks of the implementation gate: every copy of a module's time and difficulty agrees,
the course map adds up, and the prerequisites form a chain a learner can follow.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from functools import reduce

from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.course_map import module_names
from tinyrelease.checks.gates.common import module_names as names_of_modules
from tinyrelease.checks.gates.common import read_problems, resolve_module_reference
from tinyrelease.checks.learning_path import PathEntry
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.values import Difficulty, TimeEstimate

_FRONT_MATTER_KEY = {"time": "time_estimate", "difficulty": "difficulty"}


@check("IMP001", "Files of the implementation gate are readable")
def files_readable(course: Course) -> Iterator[Hit]:
    """A file this gate reads is a symlink leaving the course root, too large, or not UTF-8.

    Why: the gate cannot judge a file it cannot read, and a link out of the course root would
    make the checks read (and a release ship) files that are not part of the course.
    Fix: replace the link with the file itself, split or remove the huge file, or re-save the
    file as UTF-8.
    """
    yield from read_problems(course, "implementation")


@check("IMP101", "Time estimates agree with the front matter", quick=True)
def time_agrees(course: Course) -> Iterator[Hit]:
    """A module's time in LEARNING_PATH.md, the ABOUT tier line, `module.yaml` or its README.md
    differs from the `time_estimate` of its ABOUT.md front matter (without front matter: from
    the time on the ABOUT.md info line).

    Why: learners plan their weeks from whichever copy they read first; copies drift apart as
    modules grow. Spellings do not matter (`4-6 hours` equals `4-6 hrs`), the hours do.
    Fix: make every copy say what the front matter says (or change the front matter first).
    """
    yield from _disagreements(course, "time")


@check("IMP102", "Difficulties agree with the front matter", quick=True)
def difficulty_agrees(course: Course) -> Iterator[Hit]:
    """A module's difficulty in LEARNING_PATH.md, the ABOUT tier line, `module.yaml` or its
    README.md differs from the `difficulty` of its ABOUT.md front matter (without front
    matter: from the difficulty on the ABOUT.md info line).

    Why: the difficulty tells a learner where to slow down; two ratings for one module leave
    them guessing. Spellings do not matter (`⭐⭐`, `⭐⭐ (2/4)`, `2/4`, `●●○○` and `2` are
    equal).
    Fix: make every copy say what the front matter says (or change the front matter first).
    """
    yield from _disagreements(course, "difficulty")


def _disagreements(course: Course, field: str) -> Iterator[Hit]:
    for module in course.modules:
        truth = module.stated(field)
        if truth is None:
            continue
        where = f"{truth.path} line {truth.line}" if truth.line else truth.path
        for copy, path, copy_line in _copies(course, module, field):
            if (path, copy_line) != (truth.path, truth.line) and copy != truth.value:
                yield Hit(f'{field} "{copy.text}" differs from "{truth.value.text}" in {where}',
                          path, copy_line, module.id)


def _copies(course: Course, module: Module,
            field: str) -> Iterator[tuple[TimeEstimate | Difficulty, str, int | None]]:
    """Every statement of the module's `time` or `difficulty`: the course map's line (unless
    the map is stale there: it then names another module), the ABOUT info line,
    `module.yaml`, the module's README."""
    holders: list[tuple[object, str, int | None]] = []
    course_map = course.learning_path
    if course_map and (entry := course_map.entry(module.number)) and not stale_entry(
            course, entry):
        holders.append((entry, course_map.path, entry.line))
    if module.about and module.about.tier:
        holders.append((module.about.tier, module.about.path, module.about.tier.line))
    if module.module_yaml:
        yaml_meta = module.module_yaml
        holders.append((yaml_meta, yaml_meta.path, yaml_meta.line_of(_FRONT_MATTER_KEY[field])))
    holders.extend((mention, mention.path, mention.line) for mention in module.readme)
    for holder, path, line in holders:
        if (value := getattr(holder, field)) is not None:
            yield value, path, line


@check("IMP103", "Course map and module folders match", quick=True)
def map_matches_modules(course: Course) -> Iterator[Hit]:
    """LEARNING_PATH.md lists a module that has no folder, or a module folder has no line in
    LEARNING_PATH.md.

    Why: the course map is how learners find modules; a line without a module sends them
    nowhere, and a module without a line is never taken.
    Fix: add the missing `**Module NN: Name** (X-Y hours, ⭐⭐)` line, or remove the line (or
    restore the folder) after a module was renumbered, merged or dropped.
    """
    course_map = course.learning_path
    if course_map is None:
        return
    on_disk = {module.number for module in course.modules}
    for entry in _first_entries(course_map.entries):
        if entry.number not in on_disk:
            yield Hit(f'"Module {entry.number:02d}: {entry.name}" has no module folder '
                      f"{course.layout.modules_dir}/{entry.number:02d}_*", course_map.path,
                      entry.line)
    listed = {entry.number for entry in course_map.entries}
    for module in course.modules:
        if module.number not in listed:
            yield Hit(f"module {module.id} has no `**Module {module.number:02d}: ...**` line in "
                      f"{course_map.path}", course_map.path, None, module.id)


@check("IMP105", "Modules are named by their current numbers", quick=True)
def current_numbers(course: Course) -> Iterator[Hit]:
    """The course map lists `**Module 05: Autograd**` where module 05 is another module now, or
    a page of the course (README, book pages, ABOUT.md) writes `02_tensor` for the module that
    is `01_tensor`: left over from a renumbering.

    Why: learners type these names into commands (`tito module complete 02_tensor`) and follow
    the map in this order; after a renumbering they lead to the wrong module or to none.
    Other `NN_name` words (milestones, scripts) are never judged, only names of the course's
    own modules.
    Fix: write each module's current number (or its current name), in every place listed.
    """
    stale: dict[str, list[tuple[int, str]]] = {}
    if course.learning_path is not None:
        for entry in course.learning_path.entries:
            if (module := stale_entry(course, entry)) is not None:
                stale.setdefault(course.learning_path.path, []).append((entry.line, (
                    f'"Module {entry.number:02d}: {entry.name}" (line {entry.line}; '
                    f"{entry.number:02d} is {module.id}{_now(course, entry.name)})")))
    current = {module.id for module in course.modules}
    named = _names_index(course)
    for mention in course.module_mentions:
        renamed = _module_named(course, mention.name, named)
        if mention.text not in current and renamed is not None and renamed.number != mention.number:
            stale.setdefault(mention.path, []).append((mention.line, (
                f"{mention.text} (line {mention.line}; now {renamed.id})")))
    for path, places in stale.items():
        said = list(dict.fromkeys(text.split(" (line")[0] + " (" + text.split("; ", 1)[1]
                                  for _, text in places))
        lines = sorted({line for line, _ in places})
        yield Hit(f"{path} still uses old module numbers: {', '.join(said)}; "
                  f"{_lines(lines)}", path, lines[0],
                  places=tuple((path, line) for line in lines[1:]))


def stale_entry(course: Course, entry: PathEntry) -> Module | None:
    """The module now numbered like a course-map line that names another module (the line
    is left from a renumbering), or None when the line names its module."""
    module = next((m for m in course.modules if m.number == entry.number), None)
    if module is None or not module_names(entry.name) or module_names(entry.name) & module.names:
        return None
    return module


def _module_named(course: Course, name: str,
                  named: dict[str, list[int]] | None = None) -> Module | None:
    """The one module that `name` names (by any of its names), else None."""
    named = _names_index(course) if named is None else named
    found = sorted({index for key in module_names(name) for index in named.get(key, ())})
    return course.modules[found[0]] if len(found) == 1 else None


def _names_index(course: Course) -> dict[str, list[int]]:
    """Each normalised name -> the positions of the modules it names."""
    index: dict[str, list[int]] = {}
    for position, module in enumerate(course.modules):
        for key in module.names:
            index.setdefault(key, []).append(position)
    return index


def _now(course: Course, name: str) -> str:
    module = _module_named(course, name)
    return f", {name} is {module.id}" if module is not None else ""


def _lines(lines: list[int]) -> str:
    return f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"


@check("IMP104", "The course map exists", quick=True)
def course_map_present(course: Course) -> Iterator[Hit]:
    """The layout keeps a course map (LEARNING_PATH.md) and the course has none.

    Why: the course map is the learners' route through the modules, and the only place phase
    and course totals are stated; without it none of them can be checked.
    Fix: add LEARNING_PATH.md with a `**Module NN: Name** (X-Y hours, ⭐⭐)` line per module, or
    point `[tool.tinyrelease] learning_path` at the course's map.
    """
    rel = course.layout.learning_path
    if rel and course.learning_path is None and not course.files.unreadable(rel):
        yield Hit(f"{rel} is missing: the course has no map of its modules", rel)


def _first_entries(entries: list[PathEntry]) -> list[PathEntry]:
    """Each module's first line in the course map (later mentions restate it)."""
    seen: dict[int, PathEntry] = {}
    for entry in entries:
        seen.setdefault(entry.number, entry)
    return list(seen.values())


def _total(entries: list[PathEntry]) -> TimeEstimate | None:
    times = [entry.time for entry in entries if entry.time is not None]
    if not times or len(times) < len(entries):
        return None
    return reduce(TimeEstimate.__add__, times)


@check("IMP111", "Phase time is the sum of its modules", quick=True)
def phase_time_adds_up(course: Course) -> Iterator[Hit]:
    """A phase's `**Time**` in LEARNING_PATH.md is not the sum of the times of the module lines
    under it (low and high bounds added separately).

    Why: a phase total that does not add up tells learners (and instructors planning a term)
    the wrong workload, and it is the first number to go stale when a module changes.
    Fix: set the phase's `**Time**` to the sum the message shows, or correct the module line
    that is wrong.
    """
    if course.learning_path is None:
        return
    for phase in course.learning_path.phases:
        total = _total(phase.entries)
        if phase.time is not None and total is not None and phase.time != total:
            yield Hit(f'Phase {phase.number} time "{phase.time.text}" differs from the sum of its '
                      f"{len(phase.entries)} module lines, {total.canonical}",
                      course.learning_path.path, phase.totals_line)


@check("IMP112", "Phase difficulty spans its modules", quick=True)
def phase_difficulty_spans(course: Course) -> Iterator[Hit]:
    """A phase's `**Difficulty**` range in LEARNING_PATH.md is not exactly the lowest to the
    highest difficulty of the module lines under it.

    Why: the range is the promise of how hard the phase gets; a wider or narrower one misleads.
    Fix: set the range to the lowest and highest ratings the message shows.
    """
    if course.learning_path is None:
        return
    for phase in course.learning_path.phases:
        rated = [(entry.difficulty, entry.number) for entry in phase.entries
                 if entry.difficulty is not None]
        if phase.difficulty is None or not rated or len(rated) < len(phase.entries):
            continue
        (lowest, first), (highest, last) = min(rated), max(rated)
        low, high = phase.difficulty
        if (low, high) != (lowest, highest):
            yield Hit(f'Phase {phase.number} difficulty "{low.text}-{high.text}" does not span its '
                      f"modules, which range from {lowest.text} (Module {first:02d}) to "
                      f"{highest.text} (Module {last:02d})",
                      course.learning_path.path, phase.totals_line)


@check("IMP113", "Total time is the sum of the modules", quick=True)
def course_total_adds_up(course: Course) -> Iterator[Hit]:
    """A `**Total Time**` line in LEARNING_PATH.md (each restatement is checked) is not the sum
    of the times of all module lines.

    Why: the course total is the headline number of the course; it must follow the modules.
    Fix: set every `**Total Time**` to the sum the message shows.
    """
    course_map = course.learning_path
    total = _total(_first_entries(course_map.entries)) if course_map else None
    if course_map is None or total is None:
        return
    for stated, line in course_map.totals:
        if stated != total:
            yield Hit(f'total time "{stated.text}" differs from the sum of the '
                      f"{len(_first_entries(course_map.entries))} module lines, {total.canonical}",
                      course_map.path, line)


@check("IMP114", "Module lines sit inside their phase", quick=True)
def entries_inside_phase(course: Course) -> Iterator[Hit]:
    """A module line in LEARNING_PATH.md sits under a phase whose `(Modules 05-08)` range does
    not contain its number.

    Why: the phase heading and the lines under it disagree about what the phase teaches, and
    the phase totals are computed from the wrong modules.
    Fix: move the line under the right phase, or correct the phase's range.
    """
    if course.learning_path is None:
        return
    for phase in course.learning_path.phases:
        if phase.first is None or phase.last is None:
            continue
        for entry in phase.entries:
            if not phase.first <= entry.number <= phase.last:
                yield Hit(f'"Module {entry.number:02d}: {entry.name}" is listed under Phase '
                          f"{phase.number} (Modules {phase.first:02d}-{phase.last:02d}, line "
                          f"{phase.line})", course.learning_path.path, entry.line)


@check("IMP131", "Prerequisites form no cycle")
def prerequisites_acyclic(course: Course) -> Iterator[Hit]:
    """The prerequisites of the modules (resolved by id, bare name or title) form a cycle, so
    no order of the modules satisfies them. Each cycle is reported once; a module that requires
    itself is reported by EDU132.

    Why: a learner cannot start any module of the cycle, and tools that order modules by their
    prerequisites fail.
    Fix: remove the prerequisite that points forward (usually from the earlier module).
    """
    graph = _prerequisite_graph(course)
    reported: set[frozenset[str]] = set()
    for module in course.modules:
        cycle = _shortest_cycle(graph, module.id)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        meta = module.meta
        assert meta is not None  # a module without metadata has no prerequisites
        line = meta.line_of("prerequisites", graph[module.id][cycle[1]])
        yield Hit(f"prerequisites form a cycle (each needs the next): {' → '.join(cycle)}",
                  meta.path, line or meta.line_of("dependencies"), module.id)


def _prerequisite_graph(course: Course) -> dict[str, dict[str, int]]:
    """For each module, the modules its prerequisites name, with the index of the naming item."""
    graph: dict[str, dict[str, int]] = {module.id: {} for module in course.modules}
    names = names_of_modules(course)
    for module in course.modules:
        for index, text in enumerate(module.meta.prerequisites if module.meta else []):
            required = resolve_module_reference(course, text, names)
            if required is not None and required is not module:
                graph[module.id].setdefault(required.id, index)
    return graph


def _shortest_cycle(graph: dict[str, dict[str, int]], start: str) -> list[str] | None:
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for following in graph.get(node, {}):
            if following == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if following not in came_from:
                came_from[following] = node
                queue.append(following)
    return None

