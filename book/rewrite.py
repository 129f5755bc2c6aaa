"""Links of the course's Markdown, rewritten for the book: a link to a module's ABOUT.md goes
to its chapter, to the course map or changelog to their pages, to another course file to a copy.
"""

from __future__ import annotations

import posixpath
import re
from typing import Protocol

from tinyrelease.checks.course import Course
from tinyrelease.checks.markdown import parse_markdown


class Book(Protocol):
    """What the rewriter needs of the book being assembled (book.assemble.Assembly)."""

    course: Course

    def copy_course_file(self, rel: str) -> str: ...

# the text of a link found by the Markdown parser, for editing it in place (one level of
# nested brackets, as in `[see [1]](page.md)`)
_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\((?P<target>[^)\s]+)"
                   r"(?P<title>\s+\"[^\"\n]*\")?\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class Rewriter:
    """Rewrites the links of one course file (`source`) shown as one book page (`page`)."""

    def __init__(self, book: Book, source: str, page: str) -> None:
        self.book = book
        self.source_dir = posixpath.dirname(source)
        self.page_dir = posixpath.dirname(page)

    def lines(self, lines: list[str]) -> list[str]:
        """The lines with their links rewritten: only the links CommonMark sees (the same
        parser the gates read ABOUT.md with), so code, fenced or indented, stays as it is."""
        found: dict[int, set[str]] = {}
        for link in parse_markdown("\n".join(lines)).links:
            found.setdefault(link.line, set()).add(link.target)
        return [self._rewrite(line, found[n]) if n in found else line
                for n, line in enumerate(lines, start=1)]

    def _rewrite(self, line: str, targets: set[str]) -> str:
        return _LINK.sub(lambda m: self._link(m) if m["target"] in targets else m[0], line)

    def _link(self, match: re.Match[str]) -> str:
        target = match["target"]
        if _SCHEME.match(target) or target.startswith(("#", "/")):
            return match[0]
        path, _, fragment = target.partition("#")
        rel = posixpath.normpath(posixpath.join(self.source_dir, path))
        if rel.startswith("..") or not path:
            return match[0]  # outside the course: left as written, the build reports it
        page = self._page_for(rel)
        anchor = f"#{fragment}" if fragment else ""
        if page is not None:
            return f"[{match['text']}]({self._relative(page)}{anchor})"
        files = self.book.course.files
        if not files.exists(rel) or files.is_dir(rel):
            return match[0]
        copied = self._relative(self.book.copy_course_file(rel))
        if match["bang"]:
            return f"![{match['text']}]({copied}{match['title'] or ''})"
        text = match["text"].replace("`", "") or posixpath.basename(rel)
        return f"{{download}}`{text} <{copied}>`"

    def _page_for(self, rel: str) -> str | None:
        course = self.book.course
        for module in course.modules:
            if rel == module.about_path:
                return f"modules/{module.id}.md"
        if rel == course.layout.learning_path:
            return "learning-path.md"
        if rel == "CHANGELOG.md":
            return "release-notes.md"
        return None

    def _relative(self, target: str) -> str:
        return posixpath.relpath(target, self.page_dir or ".")
