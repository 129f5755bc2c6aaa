"""Time estimates and difficulties as values: parsed once, compared exactly, shown as written.

Courses write the same fact many ways (`4-6 hours`, `1.5-2 hrs`, `⭐⭐ (2/4)`, `3/4`, `⭐⭐⭐☆☆`,
`beginner`); these types keep the original text for messages and a normalised value for equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

# Matches start only where a number starts and never give back digits or spaces, so that a
# long run of either costs linear time instead of minutes of backtracking.
_NUMBER = r"(?<![\d.])\d++(?:\.\d++)?"
_TIME = re.compile(
    rf"(?P<low>{_NUMBER})\s*+(?:[-–—]|to)\s*+(?P<high>{_NUMBER})\s*+(?P<unit>hours?|hrs?|h)\b"
    rf"|(?P<single>{_NUMBER})\s*+(?P<unit1>hours?|hrs?|h)\b",
    re.IGNORECASE,
)
_STAR = "⭐"
_EMPTY_STARS = "☆"
_STARS = re.compile(r"(⭐+)(☆*)")
_DOTS = re.compile(r"(●*+)(○*+)")  # `●●○○`: two of four, as TinyTorch 2026 writes it
_RATIO = re.compile(r"(?:\(\s*+)?(?<!\d)(\d++)\s*+/\s*+(\d++)\s*\)?")
WORD_LEVELS = {"beginner": 1, "easy": 1, "intermediate": 2, "medium": 2, "advanced": 3,
               "hard": 3, "expert": 4}
DEFAULT_SCALE = 4


@dataclass(frozen=True)
class TimeEstimate:
    """A range of hours; equal when the bounds are equal, whatever the spelling."""

    low: Fraction
    high: Fraction
    text: str = field(compare=False)

    def __add__(self, other: TimeEstimate) -> TimeEstimate:
        low, high = self.low + other.low, self.high + other.high
        return TimeEstimate(low, high, f"{_fmt(low)}-{_fmt(high)} hours")

    def __str__(self) -> str:
        return self.text

    @property
    def canonical(self) -> str:
        return f"{_fmt(self.low)}-{_fmt(self.high)} hours"


def _fmt(value: Fraction) -> str:
    return str(int(value)) if value.denominator == 1 else f"{float(value):g}"


def parse_time(text: object) -> TimeEstimate | None:
    """The first hour range in `text` (`4-6 hours`, `1.5-2 hrs`, `3 hours`), or None."""
    if not isinstance(text, str | int | float) or isinstance(text, bool):
        return None
    raw = str(text)
    match = _TIME.search(raw)
    if match is None:
        return None
    if max(len(number or "") for number in (match["single"], match["low"], match["high"])) > 12:
        return None  # no course takes a trillion hours; Python converts at most 4,300 digits
    if match["single"]:
        low = high = Fraction(match["single"])
    else:
        low, high = Fraction(match["low"]), Fraction(match["high"])
    if low > high:
        return None
    return TimeEstimate(low, high, match[0].strip())


@dataclass(frozen=True)
class Difficulty:
    """A level on a scale (`2` of `4`); equal when the fractions of the scale are equal."""

    level: int
    scale: int
    text: str = field(compare=False)

    @property
    def value(self) -> Fraction:
        return Fraction(self.level, self.scale)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Difficulty) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __lt__(self, other: Difficulty) -> bool:
        return self.value < other.value

    def __le__(self, other: Difficulty) -> bool:
        return self.value <= other.value

    def __str__(self) -> str:
        return self.text


def parse_difficulty(text: object) -> Difficulty | None:
    """Stars (`⭐⭐`, `⭐⭐⭐☆☆`: the filled ones count, as the course's own tools count them),
    dots (`●●○○`: filled of all), a ratio (`3/4`, `⭐⭐ (2/4)`), an int (`2`) or a word; None
    for anything else."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    raw = str(text).strip()
    ratio = _RATIO.search(raw)
    if ratio and len(ratio[1] + ratio[2]) <= 4 and 0 < int(ratio[1]) <= int(ratio[2]) <= 10:
        return Difficulty(int(ratio[1]), int(ratio[2]), raw)
    stars = _STARS.search(raw)
    if stars:  # the filled stars are the rating; ☆ only pads a display to five places
        level = len(stars[1])
        return Difficulty(level, max(DEFAULT_SCALE, level), raw) if level <= 10 else None
    dots = next((m for m in _DOTS.finditer(raw) if m[0]), None)
    if dots and dots[1] and len(dots[0]) <= 10:
        return Difficulty(len(dots[1]), len(dots[0]), raw)
    if raw.isdecimal() and len(raw) <= 2 and 0 < int(raw) <= DEFAULT_SCALE:
        return Difficulty(int(raw), DEFAULT_SCALE, raw)
    word = WORD_LEVELS.get(raw.lower().split()[0]) if raw else None
    return Difficulty(word, DEFAULT_SCALE, raw) if word else None


def parse_difficulty_range(text: str) -> tuple[Difficulty, Difficulty] | None:
    """`⭐⭐⭐-⭐⭐⭐⭐` (or a single rating) as (lowest, highest)."""
    parts = [part for part in re.split(r"\s*[-–—]\s*", text.strip()) if _STAR in part]
    ratings = [parse_difficulty(_STARS.search(part)[0]) for part in parts[:2]]  # type: ignore[index]
    found = [rating for rating in ratings if rating is not None]
    if not found:
        return None
    return found[0], found[-1]
