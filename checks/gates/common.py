"""What the checks of several gates share: the read problems of their files, module lookups."""

from __future__ import annotations

import re
from collections.abc import Iterator

from checks.course import Course, Module
from checks.registry import Hit

_SINGLE_MODULE = re.compile(r"\bModule\s+(\d+)\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)")


def read_problems(course: Course, gate: str) -> Iterator[Hit]:
    """The problems met while reading the files this gate needed (links, size, encoding)."""
    for problem in course.files.problems:
        if problem.gate == gate:
            yield Hit(problem.message, problem.path, problem.line)


def resolve_module_reference(course: Course, text: str) -> Module | None:
    """The module a prerequisite or next step names: its id (`01_tensor`), bare name (`tensor`),
    title (`Spatial (CNNs)`, or the part before ` - `), its name in the course map, or a single
    `Module 19` in free text (`Benchmarking (Module 19)`); None for anything else (`Modules
    14-18` names several)."""
    without_note = _PARENTHESES.sub("", text)
    for candidate in (text, without_note, without_note.split(" - ")[0]):
        key = _reference_key(candidate)
        found = next((m for m in course.modules if key and key in _names_of(course, m)), None)
        if found is not None:
            return found
    numbers = _SINGLE_MODULE.findall(text)
    if len(numbers) == 1:
        return next((m for m in course.modules if m.number == int(numbers[0])), None)
    return None


def _reference_key(text: str) -> str:
    return " ".join(re.split(r"[\s_-]+", text.strip().lower())).strip()


def _names_of(course: Course, module: Module) -> set[str]:
    names = {module.id, module.name}
    title = module.meta.title if module.meta else None
    if title:
        names.update({title, title.split(" - ")[0]})
    entry = course.learning_path.entry(module.number) if course.learning_path else None
    if entry is not None:
        names.add(entry.name)
    return {_reference_key(name) for name in names}
