"""The checks of the educational gate: module numbering, ABOUT.md metadata, learning objectives,
the order of prerequisites and imports, and the cognitive load of each module source.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import groupby

from tinyrelease.checks.about import FRONT_MATTER_KEYS, ModuleMeta
from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.common import kept, module_names, named_modules, read_problems
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import Cell, Import, ModuleSource
from tinyrelease.checks.values import parse_difficulty, parse_time

# Besides function words: the verbs that open objectives ("build", "learn", "understand")
# vary between ABOUT.md and the source without changing what the objective is about.
# the last letter of a CamelCase word (`Cross|Entropy|Loss`, `MSE|Loss`): a space goes after it
# (matching it is faster than looking behind at every position of a whole source)
_CAMEL_END = re.compile(r"([a-z0-9](?=[A-Z])|[A-Z](?=[A-Z][a-z]))")
_STOPWORDS = frozenset(
    "about also and are able been being between both build each from have into learn more "
    "other over such than that their them then there these they this those through understand "
    "used using what when where which while will with within without your the for its how "
    "why can use all via per any our you out own".split())
_OBJECTIVE_VERBS = frozenset("implement design create analyze analyse master apply explain "
                             "describe know".split())


@check("EDU001", "Files of the educational gate are readable")
def files_readable(course: Course) -> Iterator[Hit]:
    """A file this gate reads is a symlink leaving the course root, too large, or not UTF-8.

    Why: the gate cannot judge a file it cannot read, and a link out of the course root would
    make the checks read (and a release ship) files that are not part of the course.
    Fix: replace the link with the file itself, split or remove the huge file, or re-save the
    file as UTF-8.
    """
    yield from read_problems(course, "educational")


# Module numbering --------------------------------------------------------------------------

@check("EDU101", "Module directories are named NN_name")
def module_dirs_well_named(course: Course) -> Iterator[Hit]:
    """A module directory is not named `NN_name`: two digits, an underscore, then a lowercase
    name with underscores (`05_autograd`).

    Why: the course tooling, the book and the tests find modules by that pattern, and a
    directory like `5_autograd` or `05-Autograd` sorts out of order or is skipped.
    Fix: rename the directory (with `git mv`) to the two-digit, lowercase form.
    """
    for module in course.modules:
        if not module.well_named:
            suggested = f"{module.number:02d}_{re.sub(r'[^a-z0-9]+', '_', module.name.lower())}"
            yield Hit(f'module directory "{module.id}" is not named NN_name (two digits, '
                      f'lowercase with underscores); expected something like "{suggested}"',
                      module.dir)


@check("EDU102", "Module numbers are unique")
def module_numbers_unique(course: Course) -> Iterator[Hit]:
    """Two module directories carry the same number (TinyTorch once had two modules 20).

    Why: the number is the module's place in the course; learners, the book's table of
    contents and `tito` commands that take a number cannot tell the two apart.
    Fix: renumber one of the modules (and its tests and links), or merge them.
    """
    for earlier, module in zip(course.modules, course.modules[1:], strict=False):
        if module.number == earlier.number:
            yield Hit(f"module {module.id} has the number {module.number:02d} of module "
                      f"{earlier.id}", module.dir)


@check("EDU103", "Module numbers have no gaps", severity=Severity.WARNING)
def module_numbers_contiguous(course: Course) -> Iterator[Hit]:
    """The module numbers skip a value: they should run 01, 02, 03, ... without gaps.

    Why: a gap usually means a module was removed or renumbered and the rest of the course
    (the learning path, the book, the tests) still counts the old way; learners look for the
    missing module.
    Fix: renumber the modules after the gap, or restore the missing module.
    """
    expected = 0 if course.modules and course.modules[0].number == 0 else 1
    for module in course.modules:
        if module.number > expected:
            missing = f"{expected:02d}" if module.number == expected + 1 else (
                f"{expected:02d}-{module.number - 1:02d}")
            yield Hit(f"no module numbered {missing} comes before {module.id}; the module "
                      "numbers have a gap", module.dir)
        expected = max(expected, module.number + 1)


# Module metadata ---------------------------------------------------------------------------

@check("EDU111", "Each module has an ABOUT.md")
def metadata_present(course: Course) -> Iterator[Hit]:
    """A module has no ABOUT.md (in the legacy layout: no `module.yaml` and no chapter front
    matter), so it has no title, time, difficulty or learning objectives.

    Why: ABOUT.md is the module's page in the book and the source of truth of its metadata;
    every other educational and documentation check reads it.
    Fix: add `ABOUT.md` with the seven front-matter keys (title, description, difficulty,
    time_estimate, prerequisites, next_steps, learning_objectives).
    """
    legacy = course.layout.name in {"legacy", "custom"}
    for module in course.modules:
        if course.files.unreadable(module.about_path):
            continue  # EDU001 already says why it was not read
        if module.about is None and not (legacy and module.meta is not None):
            where = ("no ABOUT.md, module.yaml or book chapter front matter" if legacy
                     else "no ABOUT.md")
            yield Hit(f"module {module.id} has {where}", module.dir)


@check("EDU112", "Front matter is present and parses",
       convention="front-matter")
def front_matter_parses(course: Course) -> Iterator[Hit]:
    """The module's metadata cannot be read: ABOUT.md has no front matter between `---` lines
    at the top, its YAML is malformed, or it is not a `key: value` mapping.

    Why: the book, the learning path checks and `tito` read these values; a YAML error hides
    all of them at once.
    Fix: correct the YAML at the reported line (quote strings holding `:` or `#`, indent
    list items evenly) or add the front matter block.
    """
    for module in course.modules:
        meta = module.meta
        if meta is None and module.about is not None:
            yield Hit("ABOUT.md has no front matter (a YAML block between --- lines at the "
                      "very top)", module.about_path, 1)
        elif meta is not None and meta.error is not None:
            problem = meta.error.message
            if not problem.startswith("front matter"):
                problem = f"{meta.path.rsplit('/', 1)[-1]} has {problem}"
            yield Hit(problem, meta.path, meta.error.line)
        elif meta is not None and not isinstance(meta.document.data, dict):
            yield Hit(f"front matter of {meta.path} is not a mapping of keys to values "
                      f"(found {type(meta.document.data).__name__})", meta.path, 1)


@check("EDU113", "Front matter has all seven keys",
       convention="front-matter")
def front_matter_complete(course: Course) -> Iterator[Hit]:
    """ABOUT.md front matter lacks some of the seven keys: title, description, difficulty,
    time_estimate, prerequisites, next_steps, learning_objectives.

    Why: the book's module cards, the learning path and these gates read each key; a missing
    key shows as a blank on the site and hides drift from the checks.
    Fix: add the missing keys (`[]` for a module with no prerequisites or next steps).
    """
    for module in course.modules:
        meta = _parsed_meta(module)
        if meta is None or not meta.path.endswith("ABOUT.md"):
            continue
        missing = [key for key in FRONT_MATTER_KEYS if key not in meta.mapping]
        if missing:
            yield Hit(f"front matter lacks {', '.join(missing)}", meta.path, 1)


@check("EDU114", "Front matter values have the right types",
       convention="front-matter")
def front_matter_types(course: Course) -> Iterator[Hit]:
    """A front-matter value has the wrong type or form: title and description must be text,
    difficulty a rating (`"⭐⭐"`, `"3/4"`, `2`), time_estimate an hour range (`"4-6 hours"`),
    and prerequisites, next_steps and learning_objectives lists of strings.

    Why: the site and the learning-path checks parse these values; a value they cannot parse
    is silently shown wrong or dropped.
    Fix: write the value in the form shown in the message.
    """
    for module in course.modules:
        meta = _parsed_meta(module)
        if meta is None:
            continue
        for key in FRONT_MATTER_KEYS:
            if key in meta.mapping and (problem := _type_problem(key, meta.mapping[key])):
                yield Hit(f"{key} {problem}", meta.path, meta.line_of(key))


def _type_problem(key: str, value: object) -> str | None:
    """What is wrong with the form of one front-matter value, or None."""
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    if key in {"title", "description"}:
        return None if isinstance(value, str) and value.strip() else f"is {shown}; write text"
    if key == "difficulty":
        return None if parse_difficulty(value) else (
            f'{shown} is not a difficulty; write 1 to 4 stars such as "⭐⭐", or "2/4"')
    if key == "time_estimate":
        return None if parse_time(value) else (
            f'{shown} is not an hour range; write it like "4-6 hours"')
    if not isinstance(value, list):
        return f"is {shown}; write a list of strings (`[]` when empty)"
    wrong = [item for item in value if not isinstance(item, str)]
    return f"has items that are not strings: {wrong!r}" if wrong else None


def _parsed_meta(module: Module) -> ModuleMeta | None:
    """The module's metadata when it parsed into a mapping; EDU111/EDU112 report the rest."""
    meta = module.meta
    return meta if meta is not None and isinstance(meta.document.data, dict) else None


# Learning objectives -----------------------------------------------------------------------

@check("EDU121", "Three to seven learning objectives", severity=Severity.WARNING,
       convention="objectives")
def objective_count(course: Course) -> Iterator[Hit]:
    """A module lists fewer or more learning objectives than the course's limits (3 to 7 by
    default; `limits.min_objectives` and `limits.max_objectives`).

    Why: one or two objectives do not describe a multi-hour module, and more than seven
    cannot be held in mind or assessed; both make the page a poor study guide.
    Fix: merge, split or add objectives so each names one thing the learner can do.
    """
    limits = course.config.limits
    for module in course.modules:
        meta = _parsed_meta(module)
        if meta is None or not isinstance(meta.mapping.get("learning_objectives"), list):
            continue
        count = len(meta.objectives)
        if not limits.min_objectives <= count <= limits.max_objectives:
            yield Hit(f"{count} learning objectives; the course asks for "
                      f"{limits.min_objectives} to {limits.max_objectives}", meta.path,
                      meta.line_of("learning_objectives"))


@check("EDU122", "Module source states its learning objectives", severity=Severity.WARNING,
       convention="objectives")
def source_objectives_present(course: Course) -> Iterator[Hit]:
    """The module source has no markdown heading "Learning Objectives" (or "Learning Goals")
    although ABOUT.md lists objectives.

    Why: learners work in the notebook, not on the book page; the notebook should open by
    saying what they will be able to do.
    Fix: add a `## Learning Objectives` heading with one bullet per ABOUT.md objective to the
    opening markdown cell.
    """
    for module in course.modules:
        meta = _parsed_meta(module)
        if module.source is not None and meta is not None and meta.objectives and (
                module.source.objective_items is None):
            yield Hit(f"{module.source_path} has no Learning Objectives section; ABOUT.md "
                      f"lists {len(meta.objectives)} objectives", module.source_path)


@check("EDU123", "ABOUT.md objectives appear in the source", severity=Severity.WARNING,
       convention="objectives")
def objectives_reflected(course: Course) -> Iterator[Hit]:
    """Learning objectives of ABOUT.md have no matching bullet in the module source's Learning
    Objectives section. An objective matches a bullet that shares two of its significant
    words (CamelCase split, plurals folded: "MSELoss" matches "MSE loss"; the verbs objectives
    open with do not count), or half of the shorter of the two; an objective whose words the
    module teaches elsewhere (three quarters of them appear in the source) is not reported.
    One finding per module lists what it could not match; a heuristic, hence a warning.

    Why: the page and the notebook promise different things; one of them was edited and the
    other was not.
    Fix: make the two lists state the same objectives, in either file.
    """
    for module in course.modules:
        meta = _parsed_meta(module)
        source = module.source
        if meta is None or source is None or not source.objective_items:
            continue
        objectives = tuple(meta.objectives)
        unmatched = [(index, objectives[index]) for index in source.derive(
            f"EDU123 {objectives}", partial(_unmatched, source, objectives))]
        if not unmatched:
            continue
        index, first = unmatched[0]
        shown = "; ".join(f'"{text}"' for _, text in unmatched)
        yield Hit(f"{len(unmatched)} of {len(meta.objectives)} learning objectives of ABOUT.md "
                  f"could not be matched to a bullet of the Learning Objectives of "
                  f"{module.source_path}: {shown}", meta.path,
                  meta.line_of("learning_objectives", index),
                  places=tuple((meta.path, meta.line_of("learning_objectives", i))
                               for i, _ in unmatched[1:]))


def _unmatched(source: ModuleSource, objectives: tuple[str, ...]) -> list[int]:
    """The objectives (by index) with no bullet of the source's Learning Objectives that
    matches them and whose words the source does not teach elsewhere."""
    bullet_words = [_objective_words(bullet) for bullet in source.objective_items or ()]
    missing = [(index, words) for index, objective in enumerate(objectives)
               if (words := _objective_words(objective))
               and not any(_matches(words, found) for found in bullet_words)]
    # the whole source's words only when some objective has no bullet (a costly pass)
    taught = _taught(source) if missing else set()
    return [index for index, words in missing
            if len(words & taught) < 0.75 * len(words)]  # not taught anywhere


def _taught(source: ModuleSource) -> set[str]:
    """The objective words of the whole source (a costly pass, kept in the parse cache)."""
    words: set[str] = source.derive("EDU123 words", lambda: _objective_words(
        "\n".join(c.text for c in source.cells)))
    return words


def _matches(words: set[str], other: set[str]) -> bool:
    shared = len(words & other)
    return shared >= 2 or shared >= 0.5 * min(len(words), len(other))


def _significant(text: str) -> set[str]:
    """The words of an objective that carry its meaning, crudely stemmed for comparison
    (four letters or more, the first six kept): the review's subject words."""
    return set(significant_words(text))


def significant_words(text: str) -> dict[str, str]:
    """Stem -> word for the words of `text` that carry its meaning, as `_significant`."""
    stems: dict[str, str] = {}
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) >= 4 and word not in _STOPWORDS:
            single = word[:-1] if word.endswith("s") and not word.endswith("ss") else word
            stems.setdefault(single[:6], word)
    return stems


def _objective_words(text: str) -> set[str]:
    """The words EDU123 compares objectives by: CamelCase split (`CrossEntropyLoss`), short
    names kept (`MSE`), plurals folded, stemmed to their first five letters."""
    text = _CAMEL_END.sub(r"\1 ", text)
    stems = set()
    for word in set(re.findall(r"[a-z0-9]+", text.lower())):
        if len(word) >= 3 and word not in _STOPWORDS and word not in _OBJECTIVE_VERBS:
            single = word[:-1] if word.endswith("s") and not word.endswith("ss") else word
            stems.add(single[:5])
    return stems


# Prerequisites, next steps and imports -----------------------------------------------------

@check("EDU131", "Prerequisites and next steps name modules", severity=Severity.WARNING)
def references_resolve(course: Course) -> Iterator[Hit]:
    """A prerequisite or next step names no module of the course. Module ids (`01_tensor`),
    names (`tensor`), titles (`Spatial (CNNs)`) and numbers (`Module 05`, `Modules 01-04`)
    are understood; the last module's next steps may point outside the course.

    Why: learners follow these links through the course, and the checks of their order
    cannot judge free text.
    Fix: write module ids such as `"01_tensor"`.
    """
    last = max((m.number for m in course.modules), default=0)
    for ref in _references(course):
        if ref.numbers is None and not (ref.key == "next_steps" and ref.module.number == last):
            yield Hit(f'{ref.kind} "{ref.text}" names no module of this course', ref.path,
                      ref.line)


@check("EDU132", "Prerequisites come before the module")
def prerequisites_point_back(course: Course) -> Iterator[Hit]:
    """A prerequisite is the module itself or a module that comes later in the course.

    Why: learners cannot have finished a module they have not reached yet; the order of the
    course and the stated dependencies disagree (often after a renumbering).
    Fix: remove the prerequisite, or move the module after the one it depends on.
    """
    for ref in _references(course):
        if ref.key == "prerequisites" and ref.numbers and max(ref.numbers) >= ref.module.number:
            yield Hit(f'prerequisite "{ref.text}" is module {max(ref.numbers):02d}, which does '
                      f"not come before {ref.module.id}", ref.path, ref.line)


@check("EDU133", "Next steps come after the module")
def next_steps_point_forward(course: Course) -> Iterator[Hit]:
    """A next step is the module itself or a module that comes earlier in the course.

    Why: "next" sends learners back to material they have already done; the order of the
    course and the stated path disagree (often after a renumbering).
    Fix: point next_steps at a later module.
    """
    for ref in _references(course):
        if ref.key == "next_steps" and ref.numbers and min(ref.numbers) <= ref.module.number:
            yield Hit(f'next step "{ref.text}" is module {min(ref.numbers):02d}, which does not '
                      f"come after {ref.module.id}", ref.path, ref.line)


@dataclass(frozen=True)
class Reference:
    """One prerequisite or next step, with the module numbers it names (None: names none)."""

    module: Module
    key: str
    text: str
    numbers: frozenset[int] | None
    path: str
    line: int | None

    @property
    def kind(self) -> str:
        return "prerequisite" if self.key == "prerequisites" else "next step"


def _references(course: Course) -> Iterator[Reference]:
    names = module_names(course)
    for module in course.modules:
        meta = _parsed_meta(module)
        for key, items in (("prerequisites", meta.prerequisites if meta else []),
                           ("next_steps", meta.next_steps if meta else [])):
            for index, text in enumerate(items):
                assert meta is not None
                # `module.yaml` nests its lists under `dependencies`
                line = meta.line_of(key, index) or meta.line_of("dependencies")
                yield Reference(module, key, text, named_modules(text, names), meta.path, line)
        tier = module.about.tier if module.about else None
        if (meta is None or not meta.prerequisites) and tier and tier.prerequisites:
            for text in _info_prerequisites(tier.prerequisites):
                assert module.about is not None
                yield Reference(module, "prerequisites", text, _numbers(text, names),
                                module.about.path, tier.line)


def _info_prerequisites(text: str) -> list[str]:
    """The items of an info line's `Prerequisites: 01-08, 10-11` (none for `None`)."""
    items = [item.strip() for item in re.split(r",|;|\band\b", text) if item.strip()]
    return [item for item in items if item.lower() not in {"none", "-", "—", "n/a"}]


def _numbers(text: str, names: dict[str, frozenset[int]]) -> frozenset[int] | None:
    """The modules `01`, `01-08` or `All modules (01-19)` names."""
    numbers: set[int] = set()
    for first, last in re.findall(r"(?<!\d)(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?(?!\d)", text):
        numbers.update(range(int(first), int(last or first) + 1))
    numbers &= {n for found in names.values() for n in found}
    return frozenset(numbers) or named_modules(text, names)


@check("EDU141", "Module code imports no later module")
def no_forward_imports(course: Course) -> Iterator[Hit]:
    """A module source imports package code that a later module exports, so the notebook
    only runs for learners who have already built the later module.

    Why: the course is built in order; module 03 importing what module 06 exports fails with
    ImportError for every learner at module 03 (or works only on the author's finished copy).
    Fix: move the code the module needs into an earlier module, or the import into the later
    one.
    """
    owners = _export_owners(course)
    for module in course.modules:
        for imported in module.source.imports if module.source else []:
            later = [name for name in _imported_names(imported)
                     if name in owners and owners[name].number > module.number]
            if later:
                yield Hit(f"imports {later[0]}, which the later module {owners[later[0]].id} "
                          f"exports; learners reach {module.id} first", module.source_path,
                          imported.line)


def _export_owners(course: Course) -> dict[str, Module]:
    """The dotted package modules the course modules export to, and the module of each."""
    package, owners = course.package_name, {}
    for module in course.modules:
        if package and (exports := module.exports):
            dotted = exports if exports.startswith(package + ".") else f"{package}.{exports}"
            owners[dotted] = module
    return owners


def _imported_names(imported: Import) -> list[str]:
    """`from a.b import c` may import the module `a.b` or the submodule `a.b.c`; so may every
    parent of an imported dotted name."""
    dotted = [imported.module, *(f"{imported.module}.{name}" for name in imported.names)]
    parts = {".".join(name.split(".")[:end]) for name in dotted
             for end in range(1, name.count(".") + 2)}
    return sorted(parts)


# Cognitive load ----------------------------------------------------------------------------

@check("EDU151", "Module source within the length limit", severity=Severity.WARNING)
def module_length(course: Course) -> Iterator[Hit]:
    """A module source is longer than `limits.max_module_lines` (2,500 by default).

    Why: a module is meant to be one sitting of a few hours; past this length learners lose
    the thread and the notebook becomes slow to open and review.
    Fix: split the module, or move background material to ABOUT.md.
    """
    limit = course.config.limits.max_module_lines
    for module in course.modules:
        if module.source is not None and module.source.line_count > limit:
            yield Hit(f"{module.source_path} has {module.source.line_count:,} lines, over the "
                      f"limit of {limit:,} (limits.max_module_lines)", module.source_path)


@check("EDU152", "Cells within the length limit", severity=Severity.WARNING)
def cell_length(course: Course) -> Iterator[Hit]:
    """A code cell of the module source is longer than `limits.max_cell_lines` (150 by
    default); the longest is reported, with the others over the limit as places. A cell that
    is one class or one function cannot be split into cells, and prose is read, not run: those
    are not counted.

    Why: a cell is what a learner reads, runs and debugs at once; a very long one hides where
    an error comes from and what each part teaches.
    Fix: split the cell, with a markdown cell explaining each part.
    """
    limit = course.config.limits.max_cell_lines
    for module in course.modules:
        if module.source is not None:
            yield from kept(module.source, f"EDU152 {limit}",
                            partial(_long_cells, module.source, limit))


def _long_cells(source: ModuleSource, limit: int) -> Iterator[Hit]:
    long_cells = sorted((c for c in source.cells if _length(c) > limit and c.kind == "code"
                         and not _one_definition(c)), key=_length, reverse=True)
    if long_cells:
        more = len(long_cells) - 1
        others = f" ({more} more {'cell' if more == 1 else 'cells'} over it)" if more else ""
        yield Hit(f"{long_cells[0].kind} cell has {_length(long_cells[0])} lines, over the "
                  f"limit of {limit} (limits.max_cell_lines){others}", source.path,
                  long_cells[0].line, places=tuple((source.path, c.line)
                                                   for c in long_cells[1:]))


def _one_definition(cell: Cell) -> bool:
    """Whether a code cell is a single class or function (directives and imports aside)."""
    try:
        body = ast.parse(cell.text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    defs = [n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef |
                                          ast.ClassDef)]
    rest = [n for n in body if not isinstance(n, ast.Import | ast.ImportFrom | ast.Expr)
            and n not in defs]
    return len(defs) == 1 and not rest


@check("EDU153", "Code cells broken up by explanations", severity=Severity.WARNING)
def code_runs(course: Course) -> Iterator[Hit]:
    """More than `limits.max_code_run` (8 by default) code cells follow each other with no
    markdown cell between them.

    Why: the course teaches by alternating explanation and code; a long run of code is a
    stretch where learners type without knowing why.
    Fix: add markdown cells that explain what the next code does and why.
    """
    limit = course.config.limits.max_code_run
    for module in course.modules:
        if module.source is not None:
            yield from kept(module.source, f"EDU153 {limit}",
                            partial(_code_runs, module.source, limit))


def _code_runs(source: ModuleSource, limit: int) -> Iterator[Hit]:
    cells = [cell for cell in source.cells if _length(cell)]
    for kind, group in groupby(cells, key=lambda cell: cell.kind):
        run = list(group)
        if kind == "code" and len(run) > limit:
            yield Hit(f"{len(run)} code cells in a row (lines {run[0].line}-"
                      f"{run[-1].end_line}) with no markdown cell between them; the limit "
                      f"is {limit} (limits.max_code_run)", source.path, run[0].line)


def _length(cell: Cell) -> int:
    """Lines of a cell without its trailing blank lines."""
    return len("\n".join(cell.lines).rstrip().split("\n")) if cell.text.strip() else 0
