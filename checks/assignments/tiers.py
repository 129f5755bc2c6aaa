"""Release tiers: which roles of solution regions a release clears, removes or ships pre-solved,
read from `[tool.tinyrelease.assignments]`, and a module source with its tier applied.

A region names its role on its begin marker (`### BEGIN SOLUTION role=scaffold`); unannotated
regions are `core`, the graded work. The student tier clears `core`, removes `instructor` and
keeps `scaffold` and `challenge` (their code ships, their markers go), as TinyTorch's tiers do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tinyrelease.checks.course import Course
from tinyrelease.checks.source import BEGIN_SOLUTION, ModuleSource, SolutionRegion

ROLES = ("core", "scaffold", "challenge", "instructor")
DEFAULT_ROLE = "core"
DEFAULT_TIMEOUT = 300.0  # seconds a notebook may run, as TinyTorch's own journey allows


@dataclass(frozen=True)
class Tier:
    """A release tier: the roles whose regions become stubs and those removed outright."""

    name: str
    clear: frozenset[str]
    remove: frozenset[str] = frozenset()

    def action(self, region: SolutionRegion) -> str:
        """clear, remove or keep; a role the tier does not know is cleared, so it never leaks."""
        role = region.role or DEFAULT_ROLE
        if role in self.remove:
            return "remove"
        if role in self.clear or role not in ROLES:
            return "clear"
        return "keep"


TIERS = {
    "student": Tier("student", frozenset({"core"}), frozenset({"instructor"})),
    "challenge": Tier("challenge", frozenset({"challenge"}), frozenset({"instructor"})),
    "instructor": Tier("instructor", frozenset()),
}


@dataclass(frozen=True)
class AssignmentSettings:
    """`[tool.tinyrelease.assignments]`: the tier (or its own `clear` / `remove` lists), the
    time limit of one notebook, the points the course states; `problems` says what was wrong."""

    tier: Tier = TIERS["student"]
    timeout: float = DEFAULT_TIMEOUT
    points: dict[str, float] = field(default_factory=dict)  # module id (or "total") -> points
    problems: tuple[str, ...] = ()


def settings(course: Course) -> AssignmentSettings:
    table = course.config.raw.get("assignments", {})
    if not isinstance(table, dict):
        return AssignmentSettings(problems=("assignments must be a table",))
    problems: list[str] = []
    name = table.get("tier", "student")
    tier = TIERS.get(name) if isinstance(name, str) else None
    if tier is None:
        problems.append(f"assignments.tier = {name!r} is not one of {', '.join(TIERS)}")
        tier = TIERS["student"]
    lists = {}
    for key in ("clear", "remove"):
        value = table.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(v in ROLES for v in value):
            problems.append(f"assignments.{key} must list roles among {', '.join(ROLES)}")
            continue
        lists[key] = frozenset(value)
    if lists:
        tier = Tier(f"{tier.name} (own roles)", lists.get("clear", tier.clear),
                    lists.get("remove", tier.remove))
    timeout = table.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        problems.append(f"assignments.timeout = {timeout!r} must be a number of seconds > 0")
        timeout = DEFAULT_TIMEOUT
    return AssignmentSettings(tier, float(timeout), _points(table.get("points", {}), problems),
                              tuple(problems))


def _points(table: object, problems: list[str]) -> dict[str, float]:
    if not isinstance(table, dict):
        problems.append("assignments.points must be a table of module id = points")
        return {}
    points = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            problems.append(f"assignments.points.{key} = {value!r} is not a number")
        else:
            points[str(key)] = float(value)
    return points


def cleared(source: ModuleSource, tier: Tier) -> list[SolutionRegion]:
    """The closed regions the tier turns into stubs: the students' exercises."""
    return [r for r in source.regions if r.end is not None and tier.action(r) == "clear"]


def presolved_cells(source: ModuleSource, tier: Tier) -> set[int]:
    """Indices of solution cells that have regions but none the tier clears: pre-solved code,
    which would be replaced whole by a stub if it stayed a solution cell."""
    with_regions = {r.cell for r in source.regions}
    with_exercises = {r.cell for r in cleared(source, tier)}
    return {index for index in with_regions - with_exercises
            if (source.cells[index].nbgrader or {}).get("solution") is True}


def apply_tier(text: str, source: ModuleSource, tier: Tier) -> str:
    """The source with the tier applied: regions to clear keep a plain begin marker (nbgrader
    clears them), regions to keep lose their markers, regions to remove go whole. Lines are
    removed, never added, so every cell keeps its place."""
    lines = text.split("\n")
    drop: set[int] = set()
    for region in (r for r in source.regions if r.end is not None):
        assert region.end is not None
        action = tier.action(region)
        if action == "remove":
            drop.update(range(region.begin, region.end + 1))
        elif action == "keep":
            drop.update((region.begin, region.end))
        else:
            marker = lines[region.begin - 1]
            lines[region.begin - 1] = marker[:len(marker) - len(marker.lstrip())] + BEGIN_SOLUTION
    return "\n".join(line for number, line in enumerate(lines, start=1) if number not in drop)
