"""The course's changelog as the release checks read it (each section's version and line:
`## [0.2.0] — 2026-09-29`, `## 0.2.0`, a pointer such as `## [0.1.9] and earlier`) and the
course's release tags (its `tag_prefix` and a version), read from git.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADING = re.compile(r"^#{1,3}[ \t]+\[?v?(?P<version>\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?"
                      r"(?:\.post\d+)?(?:\.dev\d+)?)\]?(?P<rest>[^\n]*)$", re.MULTILINE)
_FINAL = re.compile(r"\d+(?:\.\d+)*")
_EARLIER = re.compile(r"^\s*(?:and|&)\s+(?:earlier|older|before)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ChangelogSection:
    """A section of the changelog named by a version; `earlier`: a pointer standing for every
    release up to that version (`## [0.1.9] and earlier`)."""

    version: str
    line: int
    earlier: bool = False


@dataclass(frozen=True)
class Changelog:
    path: str
    sections: tuple[ChangelogSection, ...]


def parse_changelog(text: str, path: str) -> Changelog:
    sections = [ChangelogSection(m["version"], text.count("\n", 0, m.start()) + 1,
                                 bool(_EARLIER.match(m["rest"])))
                for m in _HEADING.finditer(text)]
    return Changelog(path, tuple(sections))


def release_key(version: str) -> tuple[int, ...] | None:
    """A final release's version as comparable numbers (0.2 == 0.2.0); None for a candidate,
    a development version or anything else."""
    if not _FINAL.fullmatch(version):
        return None
    numbers = [int(part) for part in version.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def release_tags(root: Path, prefix: str) -> tuple[str, ...] | None:
    """The tags of the course's final releases (`prefix` then a final version), oldest first;
    None when the course is not in a git repository."""
    from tinyrelease.checks.git import Git  # starting processes: only for a changelog

    done = Git(root).run("for-each-ref", "--format=%(refname:short)", "refs/tags",
                         check=False)
    if not done.ok:
        return None
    found = [(key, tag) for tag in done.output.split() if tag.startswith(prefix)
             and (key := release_key(tag[len(prefix):])) is not None]
    return tuple(tag for _, tag in sorted(found))
