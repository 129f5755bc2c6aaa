"""What the checks of several gates share: the read problems of their files, module lookups."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence

from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.registry import Hit
from tinyrelease.checks.source import ModuleSource
from tinyrelease.checks.testcode import Unfailing

_MODULE_MENTION = re.compile(r"\bmodules?\s+(\d{1,3})(?:\s*(?:-|–|to)\s*(\d{1,3}))?",
                             re.IGNORECASE)


def read_problems(course: Course, gate: str) -> Iterator[Hit]:
    """The problems met while reading the files this gate needed (links, size, encoding)."""
    for problem in course.files.problems:
        if problem.gate == gate:
            yield Hit(problem.message, problem.path, problem.line)


def kept(source: ModuleSource, name: str, compute: Callable[[], Iterable[Hit]]) -> list[Hit]:
    """What a check finds in one module source from it alone, kept with its parse: a later run
    recomputes it only when the text or path of that source (or tinyrelease's code) changed.
    `name` holds the check's code and every other value the hits depend on (a limit, keywords
    from the configuration); nothing else of the course may be read by `compute`."""
    return source.derive(name, lambda: list(compute()))


def module_names(course: Course) -> dict[str, frozenset[int]]:
    """Every way the course names a module (id, name, title, short title, its name in the
    course map, number), normalised, to the numbers of the modules so named."""
    names: dict[str, set[int]] = {}
    for module in course.modules:
        title = module.meta.title if module.meta and module.meta.title else module.name
        entry = course.learning_path.entry(module.number) if course.learning_path else None
        for name in (module.id, module.name, title, title.split(" - ")[0],
                     entry.name if entry else module.name, f"{module.number:02d}",
                     str(module.number)):
            names.setdefault(_name_key(name), set()).add(module.number)
    return {name: frozenset(numbers) for name, numbers in names.items()}


def named_modules(text: str, names: dict[str, frozenset[int]]) -> frozenset[int] | None:
    """The module numbers a prerequisite or next step names: as a whole, without a trailing
    `(note)` or ` - subtitle`, else through `Module 05` / `Modules 01-13` mentions."""
    without_note = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    noted = re.findall(r"\(([^()]*)\)", text)  # "Competition (Capstone)" names the capstone
    for candidate in (text, without_note, without_note.split(" - ")[0], *noted):
        if (found := names.get(_name_key(candidate))) is not None:
            return found
    numbers: set[int] = set()
    for mention in _MODULE_MENTION.finditer(text):
        first, last = int(mention[1]), int(mention[2] or mention[1])
        numbers.update(n for n in range(first, last + 1) if f"{n:02d}" in names)
    return frozenset(numbers) or None


def resolve_module_reference(course: Course, text: str,
                             names: dict[str, frozenset[int]] | None = None) -> Module | None:
    """The one module a prerequisite or next step names (None for none, or several); `names`
    is `module_names(course)`, when the caller resolves many references."""
    numbers = named_modules(text, module_names(course) if names is None else names)
    if numbers is None or len(numbers) != 1:
        return None
    return next((m for m in course.modules if m.number in numbers), None)


def _name_key(text: str) -> str:
    return " ".join(re.split(r"[\s_-]+", text.strip().lower())).strip()


def grouped(hits: Iterable[Hit], key: Callable[[Hit], Hashable],
            message: Callable[[list[Hit]], str]) -> Iterator[Hit]:
    """One cause, one finding: hits with the same `key` become one hit at the first place,
    listing the others, with `message` written for the whole group."""
    groups: dict[Hashable, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(key(hit), []).append(hit)
    for items in groups.values():
        first = items[0]
        places = first.places + tuple(place for h in items[1:] if h.path is not None
                                      for place in ((h.path, h.line), *h.places))
        yield Hit(message(items) if len(items) > 1 else first.message, first.path, first.line,
                  first.module, first.severity, places)


def listed(items: Sequence[str], limit: int = 6) -> str:
    """`a; b; c` or, past `limit`, `a; b; ...; and 4 more` (the finding's places list all)."""
    more = len(items) - limit
    return "; ".join(items[:limit]) + (f"; and {more} more" if more > 0 else "")


def cannot_fail(places: Iterable[Unfailing], path: str, module: str | None) -> Iterator[Hit]:
    """One finding for the places of one file that keep its tests from failing."""
    hits = [Hit(f"{place.test} {place.what}", path, place.line, module)
            for place in sorted(places, key=lambda place: place.line)]
    yield from grouped(hits, lambda hit: hit.path, lambda group: (
        f"{len(group)} places in {path} keep its tests from failing: "
        + listed([f"{hit.message} (line {hit.line})" for hit in group])))
