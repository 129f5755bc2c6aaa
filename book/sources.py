"""Where each page of the assembled book came from: the course file and line of every page line,
so a Sphinx warning or a broken link in the built site is reported against the course's own file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Segment:
    """Page lines `page_line .. page_line + count - 1` are course lines from `source_line` on."""

    page_line: int
    source_line: int
    count: int


@dataclass
class PageOrigin:
    """One assembled page: the course file it shows (None for generated pages) and its lines."""

    page: str
    source: str | None
    module: str | None = None
    segments: list[Segment] = field(default_factory=list)

    def line_of(self, page_line: int | None) -> int | None:
        """The course line behind `page_line`, or the first line of the first segment."""
        for segment in self.segments:
            if page_line is not None and 0 <= page_line - segment.page_line < segment.count:
                return segment.source_line + page_line - segment.page_line
        return self.segments[0].source_line if self.segments else None


@dataclass
class SourceMap:
    """Every assembled page (`modules/01_tensor.md`) mapped to its origin in the course."""

    pages: dict[str, PageOrigin] = field(default_factory=dict)

    def add(self, origin: PageOrigin) -> None:
        self.pages[origin.page] = origin

    def locate(self, page: str, line: int | None) -> tuple[str, int | None, str | None]:
        """(course path, course line, module) for a line of an assembled page.

        Generated pages have no course file: they are reported as `book:<page>`.
        """
        origin = self.pages.get(page) or self.pages.get(_with_md(page))
        if origin is None or origin.source is None:
            return f"book:{page}", line, origin.module if origin else None
        return origin.source, origin.line_of(line), origin.module

    def to_json(self) -> dict[str, object]:
        return {page: {"source": o.source, "module": o.module,
                       "segments": [[s.page_line, s.source_line, s.count] for s in o.segments]}
                for page, o in sorted(self.pages.items())}

    @classmethod
    def from_json(cls, data: dict[str, dict[str, Any]]) -> SourceMap:
        found = cls()
        for page, entry in data.items():
            segments = [Segment(*triple) for triple in entry.get("segments", [])]
            found.add(PageOrigin(page, entry.get("source"), entry.get("module"), segments))
        return found

    def save(self, path: Path) -> None:
        write_if_changed(path, json.dumps(self.to_json(), indent=1).encode())

    @classmethod
    def load(cls, path: Path) -> SourceMap:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def _with_md(page: str) -> str:
    return page if page.endswith(".md") else f"{page}.md"


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically, and only when the bytes differ: an untouched file keeps its mtime, which
    is what lets Sphinx rebuild only the pages that changed."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o644)  # mkstemp's 0600 would publish unreadable files
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True
