"""A module's ABOUT.md: front matter values, the `# NN. Title` line, the tier line, sections,
checkpoint markers and links. The legacy `module.yaml` is read into the same `ModuleMeta`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tinyrelease.checks.markdown import (
    Heading,
    Link,
    YamlDocument,
    YamlError,
    parse_markdown,
    parse_yaml,
    split_front_matter,
)
from tinyrelease.checks.values import Difficulty, TimeEstimate, parse_difficulty, parse_time

FRONT_MATTER_KEYS = ("title", "description", "difficulty", "time_estimate", "prerequisites",
                     "next_steps", "learning_objectives")
_H1 = re.compile(r"^(?:(?P<number>\d{1,9})\.?\s+|Module\s+(?P<module>\d{1,9})\s*:\s*)"
                 r"(?P<title>.+)$", re.IGNORECASE)
_TIER = re.compile(r"^\*\*(?P<tier>[^*]*+)\*\*\s*+\|(?P<rest>.*)$")  # naming a TIER, in code
_TIER_FIELD = re.compile(r"(Difficulty|Time|Prerequisites)\s*:\s*([^|]+)", re.IGNORECASE)
_ADMONITION = re.compile(r"^(?::{3,}|`{3,})\{admonition\}[ \t]*(?P<title>[^\n]*?)[ \t]*$",
                         re.MULTILINE)
_CHECKPOINT = re.compile(r"^\*\*\s*+(?:✓|✅|☑)?\s*+CHECKPOINT\s*+(\d++)\s*+:?(.*)\*\*$")


@dataclass(frozen=True)
class TierLine:
    tier: str
    difficulty: Difficulty | None
    difficulty_text: str | None
    time: TimeEstimate | None
    time_text: str | None
    line: int
    prerequisites: str | None = None  # as written: `01, 02`, `01-08, 10-11`, `None`


@dataclass
class ModuleMeta:
    """The per-module metadata: ABOUT front matter, or the legacy `module.yaml`."""

    path: str
    document: YamlDocument
    title: str | None = None
    description: str | None = None
    difficulty: Difficulty | None = None
    time: TimeEstimate | None = None
    prerequisites: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    exports_to: str | None = None

    @property
    def error(self) -> YamlError | None:
        return self.document.error

    def line_of(self, key: str, index: int | None = None) -> int | None:
        return self.document.line_of(key, index)

    @property
    def describes_module(self) -> bool:
        """Whether it states any of the module's metadata (or is broken, which says so):
        front matter holding only page settings (`file_format: mystnb`) does not."""
        return self.error is not None or not isinstance(self.document.data, dict) or any(
            key in self.mapping for key in (*FRONT_MATTER_KEYS, "name", "exports_to"))

    @property
    def mapping(self) -> dict[str, Any]:
        data = self.document.data
        return data if isinstance(data, dict) else {}


@dataclass
class About:
    """ABOUT.md: the source of truth of a module's page."""

    path: str
    text: str
    meta: ModuleMeta | None
    h1: Heading | None = None
    tier: TierLine | None = None
    sections: list[Heading] = field(default_factory=list)
    checkpoints: list[tuple[int, str]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    objective_items: list[str] = field(default_factory=list)
    admonitions: list[str] = field(default_factory=list)  # titles of MyST admonitions

    @property
    def info_block(self) -> bool:
        """Whether it has a "Module Info" admonition (TinyTorch 2026)."""
        return "Module Info" in self.admonitions

    @property
    def front_keys(self) -> list[str]:
        """The keys of the YAML front matter, in order (empty without front matter)."""
        return [str(k) for k in self.meta.mapping] if self.meta is not None else []


def numbered_title(heading: str) -> tuple[int | None, str]:
    """`05. Autograd` and `Module 05: Autograd` as (5, "Autograd"); a heading without a
    number as (None, heading)."""
    match = _H1.match(heading.strip())
    if match is None:
        return None, heading.strip()
    return int(match["number"] or match["module"]), match["title"].strip()


def _strings(value: object) -> list[str]:
    return [str(item) for item in value if item is not None] if isinstance(value, list) else []


def meta_from(document: YamlDocument, path: str, legacy: bool = False) -> ModuleMeta:
    meta = ModuleMeta(path, document)
    data = meta.mapping
    meta.title = data.get("title") if isinstance(data.get("title"), str) else None
    meta.description = data.get("description") if isinstance(data.get("description"), str) else None
    meta.difficulty = parse_difficulty(data.get("difficulty"))
    meta.time = parse_time(data.get("time_estimate"))
    meta.objectives = _strings(data.get("learning_objectives"))
    if legacy:
        dependencies = data.get("dependencies")
        dependencies = dependencies if isinstance(dependencies, dict) else {}
        meta.prerequisites = _strings(dependencies.get("prerequisites"))
        meta.next_steps = _strings(dependencies.get("enables"))
        exports = data.get("exports_to")
        meta.exports_to = exports if isinstance(exports, str) else None
    else:
        meta.prerequisites = _strings(data.get("prerequisites"))
        meta.next_steps = _strings(data.get("next_steps"))
    return meta


def parse_module_yaml(text: str, path: str) -> ModuleMeta:
    return meta_from(parse_yaml(text), path, legacy=True)


def parse_about(text: str, path: str) -> About:
    front = split_front_matter(text)
    meta = meta_from(front.document, path) if front else None
    start = front.body_start if front else 1
    body_text = "\n".join(text.split("\n")[start - 1:])
    body = parse_markdown(body_text, start)
    about = About(path, text, meta, sections=[h for h in body.headings if h.level == 2],
                  links=body.links)
    about.h1 = next((h for h in body.headings if h.level == 1), None)
    about.tier = _tier_line(body.lines)
    about.checkpoints = [(n, m[2].strip()) for n, line in body.lines
                         if (m := _CHECKPOINT.match(line.strip()))]
    about.objective_items = _section_items(body.lines, body.headings, "learning objectives")
    about.admonitions = [m["title"] for m in _ADMONITION.finditer(body_text)]
    return about


def _tier_line(lines: list[tuple[int, str]]) -> TierLine | None:
    for number, line in lines:
        match = _TIER.match(line.strip())
        if not match or "TIER" not in match["tier"].upper():
            continue
        fields = {name.lower(): value.strip() for name, value in _TIER_FIELD.findall(match["rest"])}
        tier = re.sub(r"[^A-Za-z ]", "", match["tier"]).strip().upper()
        difficulty, time = fields.get("difficulty"), fields.get("time")
        return TierLine(tier, parse_difficulty(difficulty) if difficulty else None, difficulty,
                        parse_time(time) if time else None, time, number,
                        fields.get("prerequisites"))
    return None


def _section_items(lines: list[tuple[int, str]], headings: list[Heading], name: str) -> list[str]:
    """The bullet items of the first `##` section whose heading contains `name`."""
    start = next((h for h in headings if h.level == 2 and name in h.text.lower()), None)
    if start is None:
        return []
    end = next((h.line for h in headings if h.line > start.line and h.level <= 2), 10**9)
    items = []
    for number, line in lines:
        if start.line < number < end:
            bullet = re.match(r"^\s*(?:[-*+]|\d+\.)\s+(.*)$", line)
            if bullet:
                items.append(bullet[1].strip())
    return items
