"""A course's conventions: how it chooses to write its modules (section names, emoji, test
grammar, front matter), as opposed to what is wrong whatever the style. Conventions come in
named profiles shipped as data (`checks/data/profiles/*.toml`), chosen in
`[tool.tinyrelease.conventions]` or detected from the course, with the evidence kept for the
report. A course that states none and matches none gets only the convention-free checks; a
detected profile reports as warnings, since taste is never an error by default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tinyrelease.checks.about import About

PROFILES = ("tinytorch-2025", "tinytorch-2026")
NONE = "none"


@cache
def profile_data(name: str) -> dict[str, Any]:
    # beside this file (importlib.resources would import zipfile for a package on disk)
    text = (Path(__file__).parent / "data" / "profiles" / f"{name}.toml").read_text(
        encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Conventions:
    """The conventions in force for a course: the profile, whether the course stated it
    (else it was detected: findings are then warnings), why, and the values."""

    profile: str = NONE
    stated: bool = False
    evidence: str = "the course states no conventions and matches no known profile"
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    severity: str | None = None  # "warning" or "error" when the course says

    def on(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, key: str, default: Any = None) -> Any:
        return self.values.get(name, {}).get(key, default)

    def describe(self) -> str:
        if self.profile == NONE:
            return f"no conventions ({self.evidence})"
        how = "stated" if self.stated else "detected"
        return f"{self.profile}, {how}: {self.evidence}"

    def to_json(self) -> dict[str, object]:
        return {"profile": self.profile, "stated": self.stated, "evidence": self.evidence}


def from_config(table: Any, where: str) -> tuple[str | None, dict[str, Any], str | None]:
    """(profile, overrides, severity) from `[tool.tinyrelease.conventions]`; ValueError with
    the problem for a bad table."""
    if table is None:
        return None, {}, None
    if not isinstance(table, dict):
        raise ValueError("conventions must be a table")
    profile = table.get("profile")
    if profile is not None and profile not in (*PROFILES, NONE):
        raise ValueError(f"conventions.profile = {profile!r} is not one of "
                         f"{', '.join((*PROFILES, NONE))}")
    severity = table.get("severity")
    if severity is not None and severity not in ("warning", "error"):
        raise ValueError(f"conventions.severity = {severity!r} is not warning or error")
    overrides = {k: v for k, v in table.items() if isinstance(v, dict)}
    known = (set(profile_data(profile)) if profile in PROFILES
             else {name for p in PROFILES for name in profile_data(p)}) - {"description"}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"conventions has unknown tables: {', '.join(unknown)} (known: "
                         f"{', '.join(sorted(known))})")
    return profile, overrides, severity


def resolve(stated: tuple[str | None, dict[str, Any], str | None], source: str | None,
            abouts: list[About]) -> Conventions:
    """The conventions of a course: stated in its config (`source`), else detected from its
    ABOUT.md files, else none."""
    profile, overrides, severity = stated
    if profile == NONE:
        return Conventions(NONE, True, f"profile = \"none\" in {source}")
    if profile is not None:
        return Conventions(profile, True, f"profile = \"{profile}\" in {source}",
                           _values(profile, overrides), severity)
    detected = detect(abouts)
    if detected is None and overrides:
        return Conventions("custom", True, f"the tables {', '.join(sorted(overrides))} in {source}",
                           {k: dict(v) for k, v in overrides.items()}, severity)
    if detected is None:
        return Conventions()
    name, evidence = detected
    return Conventions(name, False, evidence, _values(name, overrides), severity)


def _values(profile: str, overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = {k: dict(v) for k, v in profile_data(profile).items() if isinstance(v, dict)}
    for name, table in overrides.items():
        values.setdefault(name, {}).update(table)
    return values


def detect(abouts: list[About]) -> tuple[str, str] | None:
    """The profile most of the course's ABOUT.md files follow, with the evidence; None when
    no profile fits at least half of them."""
    if not abouts:
        return None
    keys = set(profile_data("tinytorch-2025")["front-matter"]["keys"])
    fronted = [a for a in abouts if a.meta is not None and len(keys & set(a.front_keys)) >= 5]
    admonition = [a for a in abouts if a.info_block]
    half = (len(abouts) + 1) // 2
    if len(admonition) >= half and len(admonition) >= len(fronted):
        return ("tinytorch-2026", f"{len(admonition)} of {len(abouts)} ABOUT.md files carry a "
                "\"Module Info\" admonition and no YAML front matter")
    if len(fronted) >= half:
        return ("tinytorch-2025", f"{len(fronted)} of {len(abouts)} ABOUT.md files open with "
                "the YAML front matter of TinyTorch 2025 (title, difficulty, time_estimate, ...)")
    return None
