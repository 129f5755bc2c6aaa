"""LEARNING_PATH.md, the course map: one line per module, phases with their totals, the course
total, and the `4-6 hrs` repeats inside its diagrams.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tinyrelease.checks.values import (
    Difficulty,
    TimeEstimate,
    parse_difficulty,
    parse_difficulty_range,
    parse_time,
)

# Numbers of at most nine digits (Python refuses to convert over 4,300), and possessive `*+`
# where giving back spaces cannot help, keep the patterns linear on long lines.
_MODULE = re.compile(r"\*\*Module\s+(?P<number>\d{1,9})\s*:\s*+(?P<name>[^*]+?)\*\*\s*"
                     r"\((?P<rest>[^)]*)\)")
_PHASE = re.compile(r"^#{2,3}\s+Phase\s+(?P<number>\d{1,9})\s*:\s*+(?P<title>.*?)"
                    r"(?:\(\s*+Modules?\s++(?P<first>\d{1,9})\s*+[-–]\s*+(?P<last>\d{1,9})"
                    r"\s*+\))?$",
                    re.IGNORECASE)
_PHASE_TOTALS = re.compile(r"\*\*Time\*\*\s*:\s*+(?P<time>[^|]+)\|"
                           r"\s*+\*\*Difficulty\*\*\s*:\s*(?P<difficulty>.*)$")
_TOTAL = re.compile(r"\*\*Total Time\*\*\s*:\s*(?P<time>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class PathEntry:
    """`**Module 05: Autograd** (8-10 hours, ⭐⭐⭐⭐)`."""

    number: int
    name: str
    time: TimeEstimate | None
    difficulty: Difficulty | None
    line: int


@dataclass
class Phase:
    number: int
    title: str
    first: int | None
    last: int | None
    line: int
    time: TimeEstimate | None = None
    difficulty: tuple[Difficulty, Difficulty] | None = None
    totals_line: int | None = None
    entries: list[PathEntry] = field(default_factory=list)


@dataclass
class LearningPath:
    path: str
    entries: list[PathEntry] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    totals: list[tuple[TimeEstimate, int]] = field(default_factory=list)

    def entry(self, number: int) -> PathEntry | None:
        return next((e for e in self.entries if e.number == number), None)


def parse_learning_path(text: str, path: str) -> LearningPath:
    course_map = LearningPath(path)
    phase: Phase | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if heading := _PHASE.match(stripped):
            phase = Phase(int(heading["number"]), heading["title"].strip(),
                          int(heading["first"]) if heading["first"] else None,
                          int(heading["last"]) if heading["last"] else None, number)
            course_map.phases.append(phase)
            continue
        if stripped.startswith("#"):
            phase = None if stripped.startswith("## ") else phase
        if (totals := _PHASE_TOTALS.search(stripped)) and phase and phase.totals_line is None:
            phase.time = parse_time(totals["time"])
            phase.difficulty = parse_difficulty_range(totals["difficulty"])
            phase.totals_line = number
        elif total := _TOTAL.search(stripped):
            if (time := parse_time(total["time"])) is not None:
                course_map.totals.append((time, number))
        for match in _MODULE.finditer(line):
            entry = _entry(match, number)
            course_map.entries.append(entry)
            if phase is not None:
                phase.entries.append(entry)
    return course_map


def _entry(match: re.Match[str], line: int) -> PathEntry:
    rest = match["rest"]
    stars = re.search(r"[⭐☆]+|\d\s*/\s*\d", rest)
    return PathEntry(int(match["number"]), match["name"].strip(), parse_time(rest),
                     parse_difficulty(stars[0]) if stars else None, line)
