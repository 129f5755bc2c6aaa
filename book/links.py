"""The offline link check of a built site: every internal `href`/`src` of every HTML page must
name a file of the site, and every `#anchor` an element id of its target page.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# the theme ships Jinja macro files named .html; they are not pages of the site
THEME_DIRS = ("_static/", "_sources/")
_LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src",
                    "source": "src"}


@dataclass(frozen=True)
class BrokenLink:
    """A link of `page` (an HTML file of the site) whose file or anchor does not exist."""

    page: str
    target: str
    missing_anchor: bool

    @property
    def docname(self) -> str:
        return self.page.removesuffix(".html")


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key])  # type: ignore[arg-type]
        wanted = _LINK_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted) and not (tag == "link" and values.get("rel") in {
                "canonical", "preconnect", "dns-prefetch"}):
            self.links.append(values[wanted])  # type: ignore[arg-type]


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def check_links(html: Path) -> list[BrokenLink]:
    """The broken internal links and anchors of the site in `html`, page by page."""
    pages = {p.relative_to(html).as_posix(): _parse(p) for p in sorted(html.rglob("*.html"))
             if not p.relative_to(html).as_posix().startswith(THEME_DIRS)}
    broken = []
    for page, parsed in pages.items():
        for link in dict.fromkeys(parsed.links):
            target = _resolve(page, link)
            if target is None:
                continue
            file, anchor = target
            if not (html / file).is_file() or not _inside(html, file):
                broken.append(BrokenLink(page, link, missing_anchor=False))
            elif anchor and file.endswith(".html") and anchor not in pages[file].ids:
                broken.append(BrokenLink(page, link, missing_anchor=True))
    return broken


def _resolve(page: str, link: str) -> tuple[str, str] | None:
    """(file of the site, anchor) a link points to; None for links that leave the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("//", "javascript:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return page, unquote(parts.fragment)
    if path.startswith("/"):
        return None  # site-absolute paths depend on where the site is hosted
    file = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if path.endswith("/") or file == ".":
        file = posixpath.join(file, "index.html") if file != "." else "index.html"
    return file, unquote(parts.fragment)


def _inside(html: Path, file: str) -> bool:
    return not file.startswith("../") and file != ".."


def line_of(text: str, link: str) -> int | None:
    """The first line of a page's Markdown that mentions the link's target (or its file name)."""
    parts = urlsplit(link)
    needles = [link, parts.path, posixpath.basename(parts.path), f"#{parts.fragment}",
               parts.fragment]
    for needle in (n for n in needles if n and n != "#"):
        for number, line in enumerate(text.split("\n"), start=1):
            if needle in line:
                return number
    return None
