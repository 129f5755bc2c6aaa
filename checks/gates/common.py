"""What the checks of several gates share: the read problems of their files, module lookups."""

from __future__ import annotations

from collections.abc import Iterator

from checks.course import Course
from checks.registry import Hit


def read_problems(course: Course, gate: str) -> Iterator[Hit]:
    """The problems met while reading the files this gate needed (links, size, encoding)."""
    for problem in course.files.problems:
        if problem.gate == gate:
            yield Hit(problem.message, problem.path, problem.line)
