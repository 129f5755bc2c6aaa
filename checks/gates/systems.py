"""The checks of the systems gate."""

from __future__ import annotations

from collections.abc import Iterator

from checks.course import Course
from checks.gates.common import read_problems
from checks.registry import Hit, check


@check("SYS001", "Files of the systems gate are readable")
def files_readable(course: Course) -> Iterator[Hit]:
    """A file this gate reads is a symlink leaving the course root, too large, or not UTF-8.

    Why: the gate cannot judge a file it cannot read, and a link out of the course root would
    make the checks read (and a release ship) files that are not part of the course.
    Fix: replace the link with the file itself, split or remove the huge file, or re-save the
    file as UTF-8.
    """
    yield from read_problems(course, "systems")
