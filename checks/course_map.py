"""Where a course names its modules outside their folders: `NN_name` in its README, book pages
and ABOUT.md files, and `**Module NN: Name**` in its learning path. After a renumbering these
are the places that still use the old numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tinyrelease.checks.files import CourseFiles

# `05_autograd` as a whole word: two digits, then a lowercase name (milestones and scripts
# share the shape; only names of the course's own modules are ever judged).
# A file name (`02_compression.py`, a milestone script) is not a module.
_MODULE_ID = re.compile(r"(?<![\w/.-])(?P<number>\d{2})_(?P<name>[a-z][a-z0-9]*(?:_[a-z0-9]+)*)"
                        r"(?![\w-]|\.\w)")
_SKIPPED_FOLDERS = ("_build", "node_modules", "_site", "site-packages")
DOC_FOLDERS = ("site", "docs", "book")


@dataclass(frozen=True)
class ModuleMention:
    """`05_autograd` written on a line of a course file."""

    path: str
    line: int
    number: int
    name: str

    @property
    def text(self) -> str:
        return f"{self.number:02d}_{self.name}"


def mentions_in(text: str, path: str) -> list[ModuleMention]:
    found, line, counted = [], 1, 0
    for match in _MODULE_ID.finditer(text):  # one pass over the text, lines counted lazily
        line += text.count("\n", counted, match.start())
        counted = match.start()
        found.append(ModuleMention(path, line, int(match["number"]), match["name"]))
    return found


def course_documents(files: CourseFiles, modules_dir: str, module_ids: Iterable[str]) -> list[str]:
    """The course's own pages: its README, the Markdown of its book folders, and each module's
    ABOUT.md and README.md."""
    found = [name for name in ("README.md",) if files.exists(name)]
    for folder in DOC_FOLDERS:
        if files.is_dir(folder):
            found += [rel for rel in files.walk(folder, ".md", "implementation")
                      if not any(part.startswith(".") or part in _SKIPPED_FOLDERS
                                 for part in rel.split("/"))]
    for module_id in module_ids:
        found += [rel for name in ("ABOUT.md", "README.md")
                  if files.exists(rel := f"{modules_dir}/{module_id}/{name}")]
    return found


def module_names(title: str) -> set[str]:
    """The ways a module's name is written, normalised (`Data Loader` and `dataloader` and
    `data_loader` are one name)."""
    return {re.sub(r"[^a-z0-9]", "", title.lower())} - {""}
