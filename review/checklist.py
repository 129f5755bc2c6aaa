"""The release checklists (patch, minor, major; Markdown templates shipped as data) and what
the tools can verify for them: every `[auto:key]` item is ticked only when verified.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from string import Template

from tinyrelease.review import verification
from tinyrelease.review.errors import ReviewError
from tinyrelease.review.verification import LEVELS, TYPES, IndexProbe, Verification

__all__ = ["LEVELS", "TYPES", "IndexProbe", "Verification", "keys", "render", "template",
           "verify"]

_AUTO = re.compile(r"^(?P<lead>\s*- )\[auto:(?P<key>\w+)\] (?P<text>.*)$")


def template(release_type: str) -> str:
    if release_type not in TYPES:
        raise ReviewError(f"no checklist for release type {release_type!r} (one of "
                          f"{', '.join(TYPES)})")
    data = resources.files("tinyrelease.review").joinpath("data/checklists")
    return data.joinpath(f"{release_type}.md").read_text(encoding="utf-8")


def keys(release_type: str) -> list[str]:
    """The items of a checklist the tools can verify."""
    return [m["key"] for ln in template(release_type).splitlines() if (m := _AUTO.match(ln))]


def render(release_type: str, verified: dict[str, bool | None], version: str = "X.Y.Z",
           notes: dict[str, str] | None = None, tag_prefix: str = "v") -> str:
    """The checklist in Markdown: `[x]` exactly for the items whose key is verified True;
    human-only items stay open. Tags are `tag_prefix` and the version (`v0.2.0`)."""
    text = Template(template(release_type)).safe_substitute(
        version=version, tag=f"{tag_prefix}{version}", level=LEVELS[release_type])
    notes = notes or {}
    lines = []
    for line in text.splitlines():
        match = _AUTO.match(line)
        if match is None:
            lines.append(line)
            continue
        state = verified.get(match["key"])
        mark = "x" if state is True else " "
        why = notes.get(match["key"])
        suffix = {True: "verified", False: "not done", None: "not checked"}[state]
        lines.append(f"{match['lead']}[{mark}] {match['text']} — *{suffix}"
                     f"{': ' + why if why else ''}*")
    return "\n".join(lines) + "\n"




def verify(course_root: Path, release_type: str, version: str, *,
           gates_report: Path | None = None, review_dir: Path | None = None,
           on_index: IndexProbe | None = None, project: str | None = None,
           remote: str = "origin", main_branch: str = "main",
           book_branch: str = "gh-pages", assignments: Path | None = None,
           tag_prefix: str = "v") -> Verification:
    """Check in the course repository (git), the gates report, the review, the index and the
    student release (`assignments`: the folder `nox -s assignments` wrote) what the checklist
    of `release_type` asks for, for the final `version` (tagged `tag_prefix` + version)."""
    template(release_type)
    return verification.gather(course_root, release_type, version, gates_report, review_dir,
                               on_index, project, remote, main_branch, book_branch,
                               assignments, tag_prefix)
