"""The implementation gate's static checks of what the student release gives away: solutions
reprinted outside their regions, and exercise scaffolding left above pre-solved code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from tinyrelease.checks.assignments.tiers import Tier, cleared, settings
from tinyrelease.checks.course import Course
from tinyrelease.checks.gates.common import grouped
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import ModuleSource

MIN_DISTINCTIVE = 24  # characters: shorter lines (`return x`) repeat by chance
MIN_REPEATED = 2      # distinctive lines of a region found outside it, and at least half of them
_SCAFFOLD = re.compile(r"\b(TODO|HINTS?)\s*:")
_BORING = re.compile(r"^(?:[#\"']|(?:return|pass|continue|break|else|try|finally|raise)\b"
                     r"\s*\S{0,12}$|except\b|(?:def|class|for|while|if|elif|with|async)\b.*:$)")
_COMMENT = re.compile(r"\s+#.*$")
_SPACES = re.compile(r"\s+")
_PROMPT = re.compile(r"^(?:>>>|\.\.\.)\s?|^`+|`+$")


@check("IMP174", "Solutions are not repeated outside their regions", quick=True)
def prose_leaks(course: Course) -> Iterator[Hit]:
    """At least half of the distinctive lines of a solution region the release clears (and at
    least 2; a line is distinctive from 24 characters, block headers and bare keywords aside)
    appear elsewhere in the module: in the prose of a markdown cell, an example, or given code.

    Why: nbgrader clears the region but not its copies; students read the answer in the text
    above the exercise (a 20-point solution shipped this way in TinyTorch).
    Fix: describe the approach in the prose instead of reprinting the code, or shorten the
    example so it no longer is the solution.
    """
    tier = settings(course).tier
    hits = []
    for module in course.modules:
        if module.source is None:
            continue
        text = course.files.read(module.source_path, "implementation") or ""
        leaks = module.source.derive(  # comparing every line costs: kept in the parse cache
            f"IMP174 {tier.name} {sorted(tier.clear)} {sorted(tier.remove)}",
            partial(_reprinted, module.source, text, tier))
        for begin, first, count in leaks:
            hits.append(Hit(f"{count} lines of the solution region on line {begin} "
                            "reappear outside it, so students read the answer",
                            module.source_path, first, module.id))
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} solution regions reappear outside themselves, so students read the "
        "answers: regions on lines "
        + ", ".join(h.message.split(" on line ")[1].split(" ")[0] for h in group)))


def _reprinted(source: ModuleSource, text: str, tier: Tier) -> list[tuple[int, int, int]]:
    """(region's first line, first line outside it repeating it, lines repeated) per leaking
    region."""
    lines = text.split("\n")
    inside = {n for r in source.regions for n in range(r.begin, (r.end or r.begin) + 1)}
    with_region = {r.cell for r in source.regions}
    inside |= {n for c in source.cells  # a solution cell without a region ships as a stub
               if c.kind == "code" and (c.nbgrader or {}).get("solution") is True
               and c.index not in with_region for n in range(c.line, c.end_line + 1)}
    outside: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if number not in inside and (key := _normal(line)):
            outside.setdefault(key, number)
    leaks = []
    for region in cleared(source, tier):
        assert region.end is not None
        distinctive = {k for line in lines[region.begin:region.end - 1] if (k := _normal(line))}
        found = sorted(outside[k] for k in distinctive if k in outside)
        if len(found) >= MIN_REPEATED and 2 * len(found) >= len(distinctive):
            leaks.append((region.begin, found[0], len(found)))
    return leaks


def _normal(line: str) -> str | None:
    """A line as code compares (indentation, prompts, backticks, comments and spacing gone),
    when it is distinctive enough to count."""
    text = line.strip()
    if len(text) < MIN_DISTINCTIVE:  # what follows only shortens it
        return None
    if text[0] in ">.`" or text[-1] == "`":  # what `_PROMPT` can match (most lines: not)
        text = _PROMPT.sub("", text).strip()
    if "#" in text:
        text = _COMMENT.sub("", text)
    text = _SPACES.sub(" ", text)
    if len(text) < MIN_DISTINCTIVE or _BORING.match(text):
        return None
    return text


@check("IMP175", "Pre-solved code carries no exercise scaffolding", quick=True)
def scaffolding_left(course: Course) -> Iterator[Hit]:
    """A function in an exercise cell that the release ships complete (it has no region the
    tier clears) has `TODO:` or `HINT:` in its docstring.

    Why: students are told to implement code that is already written, and read the finished
    code as the answer to the exercise beside it (108 such cells shipped in TinyTorch).
    Fix: remove the TODO/HINT briefing from the docstrings of pre-solved functions, or make
    the function an exercise (a `core` region in its body).
    """
    tier = settings(course).tier
    hits = []
    for module in course.modules:
        source = module.source
        if source is None:
            continue
        exercises = cleared(source, tier)
        removed = [r for r in source.regions if r.end is not None and tier.action(r) != "keep"]
        cells = {r.cell for r in source.regions}
        for function in source.functions:
            if function.cell not in cells or not _SCAFFOLD.search(function.docstring):
                continue
            if any(function.line <= r.begin <= function.end for r in exercises):
                continue  # an exercise: its briefing is meant for the student
            if any(r.begin <= function.line <= (r.end or r.begin) for r in removed):
                continue  # the release does not ship it at all
            label = _SCAFFOLD.search(function.docstring)
            assert label is not None
            hits.append(Hit(f"{function.name}() ships pre-solved but its docstring says "
                            f"{label[1]}:", source.path, function.line, module.id))
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} pre-solved functions keep exercise scaffolding (TODO/HINT) in their "
        "docstrings: " + ", ".join(h.message.split(" ships")[0] for h in group)))
