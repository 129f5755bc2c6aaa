"""A course's Quarto sites: the folders holding a `_quarto.yml` (the course root, or a folder
one or two levels down, like `quarto/` and `quarto/pdf/`), the pages their configuration names,
and the local links of their `.qmd` and `.md` sources, resolved the way Quarto resolves them.

Everything is read through the course's files, so nothing outside the course root is read: a
link that leaves the course (a monorepo's shared folder) is counted, never followed.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tinyrelease.checks.files import CourseFiles
from tinyrelease.checks.markdown import is_external, parse_markdown, parse_yaml, split_front_matter

CONFIG = "_quarto.yml"
PAGE_SUFFIXES = (".qmd", ".md", ".ipynb", ".rmd", ".Rmd")
_SKIPPED = {"build", "dist", "node_modules", "site-packages"}
# keys of _quarto.yml whose values (or items) name pages of the site
_PAGE_KEYS = {"href", "file", "chapters", "appendices", "contents", "render", "part"}
# keys whose values name files the render reads or the site shows (logos, filters, styles)
_FILE_KEYS = {"favicon", "logo", "image", "file", "filters", "template-partials", "theme",
              "css", "include-in-header", "include-before-body", "include-after-body"}


@dataclass(frozen=True)
class Reference:
    """A local page or file a site names: where it is named, and what it resolves to."""

    target: str  # as written
    resolved: str  # course-relative path, or "" when it leaves the course
    source: str
    line: int | None


def sites(files: CourseFiles) -> list[str]:
    """The folders (course-relative, "" for the root) holding a `_quarto.yml`."""
    found = []
    for folder, _ in _folders(files, "", 0):
        if files.exists(posixpath.join(folder, CONFIG) if folder else CONFIG):
            found.append(folder)
    return found


def _folders(files: CourseFiles, rel: str, depth: int) -> Iterator[tuple[str, int]]:
    yield rel, depth
    if depth == 2:
        return
    for name in files.folders(rel, "documentation"):
        if not name.startswith((".", "_")) and name not in _SKIPPED:
            yield from _folders(files, f"{rel}/{name}" if rel else name, depth + 1)


def references(files: CourseFiles, site: str) -> Iterator[Reference]:
    """Every local page the site's `_quarto.yml` names and every local link or image of its
    page sources (web addresses, in-page anchors and Quarto cross-references are not files),
    except files matching the site's `project.resources` globs: those are copied into the site
    as they are, and a publishing workflow may put them there (TinyTorch's PDFs are)."""
    config = _config_path(site)
    text, data = _config(files, site)
    project = data.get("project") if isinstance(data, dict) else None
    project = project if isinstance(project, dict) else {}
    resources = project.get("resources")
    resources = [resources] if isinstance(resources, str) else resources or []
    globs = [glob.strip("/") for glob in resources if isinstance(glob, str)]
    for reference in _all_references(files, site, config, text, data, _output_dirs(project)):
        inside = reference.resolved[len(site) + 1:] if site else reference.resolved
        if not any(fnmatch.fnmatch(inside, glob) for glob in globs):
            yield reference


def _config_path(site: str) -> str:
    return posixpath.join(site, CONFIG) if site else CONFIG


def _config(files: CourseFiles, site: str) -> tuple[str | None, Any]:
    """The text of the site's `_quarto.yml` and what it holds (None when it cannot be read),
    parsed by the course's one YAML reader, which refuses alias bombs and deep nesting."""
    text = files.read(_config_path(site), "documentation")
    return text, parse_yaml(text).data if text else None


def _all_references(files: CourseFiles, site: str, config: str, text: str | None, data: Any,
                    output: set[str]) -> Iterator[Reference]:
    if text is not None:
        lines = text.split("\n")
        for value in _named_pages(data):
            line = next((n + 1 for n, raw in enumerate(lines) if value in raw), None)
            yield Reference(value, _resolve(site, site, value), config, line)
    for page in files.walk(site, gate="documentation"):
        parts = (page[len(site) + 1:] if site else page).split("/")
        # Quarto renders neither its output folders nor names starting with `.` or `_`, nor
        # a README
        if page.endswith((".qmd", ".md")) and parts[0] not in output \
                and not any(part.startswith((".", "_")) for part in parts) \
                and parts[-1] not in ("README.md", "README.qmd"):
            yield from _page_references(files, site, page)


def _output_dirs(project: dict[str, Any]) -> set[str]:
    """The folders a render writes (never sources): `_site`, `_book`, the configured one."""
    folders = {"_site", "_book", "_freeze", ".quarto"}
    if isinstance(project.get("output-dir"), str):
        folders.add(project["output-dir"].strip("/").split("/")[0])
    return folders


def _named_pages(data: Any, key: str | None = None) -> Iterator[str]:
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _named_pages(value, str(name))
    elif isinstance(data, list):
        for item in data:
            yield from _named_pages(item, key)
    elif isinstance(data, str) and key in _PAGE_KEYS | _FILE_KEYS:
        target = data.strip()
        if not target or is_external(target) or "*" in target or "\n" in target:
            return
        if target.split("#")[0].endswith((*PAGE_SUFFIXES, ".html")) or (
                key in _FILE_KEYS and re.search(r"[^/]\.[A-Za-z0-9]{1,5}$", target)):
            yield target


def _page_references(files: CourseFiles, site: str, page: str) -> Iterator[Reference]:
    text = files.read(page, "documentation")
    if text is None:
        return
    front = split_front_matter(text)
    start = front.body_start if front else 1
    body = "\n".join(text.split("\n")[start - 1:])
    folder = posixpath.dirname(page)
    for link in parse_markdown(body, start, raw_html=True).links:
        target = link.target.strip()
        if not target or target.startswith("#") or target.startswith("@") \
                or (is_external(target) and not target.startswith("/")) \
                or target.startswith("{{"):
            continue
        yield Reference(target, _resolve(site, folder, target), page, link.line)


def _resolve(site: str, folder: str, target: str) -> str:
    """The course-relative path a local target names ("" when it leaves the course); a
    leading `/` is the site's root, as Quarto reads it."""
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    base = site if path.startswith("/") else folder
    joined = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
    return "" if joined == ".." or joined.startswith("../") else joined


def outside_files(files: CourseFiles, site: str) -> list[str]:
    """The paths the site's `_quarto.yml` names that leave the course (a monorepo's shared
    configuration, scripts or headers): a copy of the course cannot render without them."""
    _, data = _config(files, site)
    return sorted({value for value in _strings(data) if "/" in value
                   and not is_external(value) and _resolve(site, site, value) == ""})


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)
    elif isinstance(data, str):
        yield data.strip()


def is_page(rel: str) -> bool:
    """Whether a target is a page of the site (a source or its rendered `.html`)."""
    return posixpath.splitext(rel)[1] in (*PAGE_SUFFIXES, ".html", ".htm")


def page_of(rel: str) -> str:
    """One name for a page whatever form a link uses: `x.qmd`, `x.md` and `x.html` are `x`."""
    stem, suffix = posixpath.splitext(rel)
    return stem if suffix in (*PAGE_SUFFIXES, ".html", ".htm") else rel


def source_of(rel: str) -> str:
    """The source file a missing target stands for: `x.html` is rendered from `x.qmd`."""
    stem, suffix = posixpath.splitext(rel)
    return stem + ".qmd" if suffix in (".html", ".htm") else rel


def exists(files: CourseFiles, rel: str) -> bool:
    """Whether a page or file a site names is there: a rendered `.html` address counts when
    its source is (`x.html` from `x.qmd`), and a folder when it has an index page."""
    if rel in ("", "."):
        return True
    if files.exists(rel):
        return True
    stem, suffix = posixpath.splitext(rel)
    if suffix in (".html", ".htm"):
        return any(files.exists(stem + source) for source in PAGE_SUFFIXES)
    if files.is_dir(rel):
        return True
    return not suffix and any(files.exists(rel + source) for source in PAGE_SUFFIXES)
