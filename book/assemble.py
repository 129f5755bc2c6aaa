"""Assembling a course's book into a build folder: one chapter per module from its ABOUT.md,
parts by tier, the generated pages and the table of contents (never written into the course).
"""

from __future__ import annotations

import json
import posixpath
import re
import string
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from tinyrelease.book import TEMPLATE
from tinyrelease.book.chart import render_chart
from tinyrelease.book.pages import (
    chapter_name,
    chart_data,
    check_reference,
    dashboard,
    learning_path_table,
    module_title,
    read_gates,
    total_time,
)
from tinyrelease.book.rewrite import Rewriter
from tinyrelease.book.sources import PageOrigin, Segment, SourceMap, write_if_changed
from tinyrelease.checks.assignments.publish import notebooks
from tinyrelease.checks.boundary import inside
from tinyrelease.checks.course import Course, Module

CHART = "images/learning-path.png"
CHART_KEY = "images/learning-path.key"
DEFAULT_ASSIGNMENTS = Path("build") / "assignments"  # where `nox -s assignments` writes


@dataclass
class Assembly:
    """What was written into the book's source folder, and where every page came from."""

    source: Path
    course: Course
    sources: SourceMap = field(default_factory=SourceMap)
    written: set[str] = field(default_factory=set)
    module_pages: dict[str, str] = field(default_factory=dict)
    notebooks: dict[str, Path] = field(default_factory=dict)  # module -> its student notebook
    gates_status: str = "missing"
    changed: bool = False
    outside: list[str] = field(default_factory=list)  # links out of the course, not copied

    def put(self, rel: str, data: str | bytes) -> None:
        data = data.encode() if isinstance(data, str) else data
        self.changed |= write_if_changed(self.source / rel, data)
        self.written.add(rel)

    def copy_course_file(self, rel: str) -> str:
        """Copy a course file the pages link to into `_course/`, once; its path in the book."""
        target = f"_course/{rel}"
        if target not in self.written:
            self.put(target, (self.course.root / rel).read_bytes())
        return target

    def put_notebook(self, module: str, notebook: Path) -> str:
        """Copy a module's student notebook into `_assignments/` (read by no page, only
        downloaded); its path in the book."""
        target = f"_assignments/{module}/{notebook.name}"
        self.put(target, notebook.read_bytes())
        return target

    def keep(self, rel: str) -> None:
        """Keep a file an earlier assembly wrote, unchanged."""
        self.written.add(rel)

    def prune(self) -> None:
        """Remove pages of earlier assemblies that this one did not write (a removed module)."""
        for path in sorted(self.source.rglob("*"), reverse=True):
            rel = path.relative_to(self.source).as_posix()
            if path.is_file() and rel not in self.written:
                path.unlink()
                self.changed = True
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def course_facts(course: Course) -> dict[str, str]:
    """Title, author, version and description of the course, from its own files."""
    settings = course.settings.values if course.settings else {}
    project = course.pyproject.project if course.pyproject else {}
    readme = course.files.read("README.md", "documentation") or ""
    heading = re.search(r"^#\s+(.+)$", readme, re.MULTILINE)
    authors = project.get("authors") or []
    first_author = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
    return {
        "title": str(course.config.raw.get("book_title") or (heading[1].strip() if heading
                                                             else course.root.name)),
        "author": str(settings.get("author") or first_author or "The course authors"),
        "version": str(project.get("version") or settings.get("version") or "unreleased"),
        "description": str(project.get("description") or settings.get("description") or ""),
    }


def assemble(course: Course, source: Path, gates_report: Path,
             assignments: Path = DEFAULT_ASSIGNMENTS) -> Assembly:
    """Write the generated book of `course` into `source` (created, refreshed in place); each
    chapter links to its module's student notebook when `assignments` holds this course's."""
    book = Assembly(source, course, notebooks=notebooks(assignments, course.root))
    summary = read_gates(gates_report, course)
    book.gates_status = summary.status
    facts = course_facts(course)
    _config(book, facts)
    for module in course.modules:
        _chapter(book, module)
    _learning_path(book)
    _release_notes(book)
    book.put("quality.md", (TEMPLATE / "quality.md").read_text(encoding="utf-8")
             + dashboard(summary))
    book.put("checks.md", check_reference())
    book.put("how-to-start.md", (TEMPLATE / "how-to-start.md").read_text(encoding="utf-8"))
    intro = string.Template((TEMPLATE / "intro.md").read_text(encoding="utf-8"))
    book.put("intro.md", intro.safe_substitute(
        facts, module_count=len(course.modules), total_time=total_time(course),
        gates_status=summary.status))
    book.put("_toc.yml", yaml.safe_dump(_toc(book), sort_keys=False, allow_unicode=True))
    book.prune()
    return book


def _config(book: Assembly, facts: dict[str, str]) -> None:
    config = yaml.safe_load((TEMPLATE / "_config.yml").read_text(encoding="utf-8"))
    config.update(title=facts["title"], author=facts["author"],
                  copyright=facts["author"])
    book.put("_config.yml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


def _chapter(book: Assembly, module: Module) -> None:
    """The module's ABOUT.md body under a title and a facts table from the course model."""
    page = f"{chapter_name(module)}.md"
    meta = module.meta
    tier = module.about.tier.tier.title() if module.about and module.about.tier else "—"
    head = [f"({module.id})=", f"# {module.number:02d}. {module_title(module)}", "",
            "| Tier | Difficulty | Time |", "|---|---|---|",
            f"| {tier} | {meta.difficulty.text if meta and meta.difficulty else '—'} "
            f"| {meta.time.text if meta and meta.time else '—'} |", ""]
    if (notebook := book.notebooks.get(module.id)) is not None:
        copied = book.put_notebook(module.id, notebook)
        head += [f"**Student notebook:** {{download}}`{notebook.name} <../{copied}>`", ""]
    origin = PageOrigin(page, module.about_path, module.id)
    body: list[str] = []
    if module.about is not None:
        lines = module.about.text.split("\n")
        first = module.about.h1.line + 1 if module.about.h1 else _body_start(module)
        body = Rewriter(book, module.about_path, page).lines(lines[first - 1:])
        origin.segments = [Segment(2, first - 1 if module.about.h1 else first, 1),
                           Segment(len(head) + 1, first, len(body))]
    book.put(page, "\n".join(head + body) + "\n")
    book.sources.add(origin)
    book.module_pages[module.id] = chapter_name(module)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _body_start(module: Module) -> int:
    meta = module.about.meta if module.about else None
    if meta is None or module.about is None:
        return 1
    from tinyrelease.checks.markdown import split_front_matter

    front = split_front_matter(module.about.text)
    return front.body_start if front else 1


def _learning_path(book: Assembly) -> None:
    course = book.course
    modules, phases = chart_data(course)
    head = ["# Learning path", "",
            f"The course takes about **{total_time(course)}**, module by module:", "",
            *learning_path_table(course).replace("](", "](modules/").split("\n"), ""]
    if modules:
        # matplotlib takes a second to import: draw only when the numbers changed
        key = json.dumps([[asdict(m) for m in modules], [asdict(p) for p in phases]])
        if (book.source / CHART).is_file() and _read(book.source / CHART_KEY) == key:
            book.keep(CHART)
        else:
            book.put(CHART, render_chart(modules, phases))
        book.put(CHART_KEY, key)
        head += [f"![Hours per module and cumulative hours per phase]({CHART})", ""]
    origin = PageOrigin("learning-path.md", None)
    body: list[str] = []
    rel = course.layout.learning_path
    text = course.files.read(rel, "documentation") if rel else None
    if rel and text is not None:
        # The course map's own headings sit one level below this page's title.
        lines = [f"#{line}" if re.match(r"^#{1,5}\s", line) else line
                 for line in text.split("\n")]
        body = Rewriter(book, rel, "learning-path.md").lines(lines)
        origin = PageOrigin("learning-path.md", rel, None, [Segment(len(head) + 1, 1, len(body))])
    book.put("learning-path.md", "\n".join(head + body) + "\n")
    book.sources.add(origin)


def _release_notes(book: Assembly) -> None:
    text = book.course.files.read("CHANGELOG.md", "documentation")
    if text is None:
        book.put("release-notes.md", "# Release notes\n\nThis course has no CHANGELOG.md yet.\n")
        book.sources.add(PageOrigin("release-notes.md", None))
        return
    lines = Rewriter(book, "CHANGELOG.md", "release-notes.md").lines(text.split("\n"))
    if not any(re.match(r"^#\s", line) for line in lines):
        lines = ["# Release notes", "", *lines]
    book.put("release-notes.md", "\n".join(lines) + "\n")
    offset = 1 if re.match(r"^#\s", lines[0]) or text.startswith("#") else 3
    book.sources.add(PageOrigin("release-notes.md", "CHANGELOG.md", None,
                                [Segment(offset, 1, len(lines))]))


def _toc(book: Assembly) -> dict[str, object]:
    """Getting started, one part per tier in module order, then the release pages."""
    parts: dict[str, list[dict[str, str]]] = {}
    for module in book.course.modules:
        tier = module.about.tier.tier.title() if module.about and module.about.tier else "Modules"
        parts.setdefault(tier, []).append({"file": chapter_name(module)})
    return {"format": "jb-book", "root": "intro", "parts": [
        {"caption": "Getting started",
         "chapters": [{"file": "how-to-start"}, {"file": "learning-path"}]},
        *({"caption": tier, "chapters": chapters} for tier, chapters in parts.items()),
        {"caption": "Releases and quality",
         "chapters": [{"file": "release-notes"}, {"file": "quality"}, {"file": "checks"}]},
    ]}


def assemble_own(course: Course, book_dir: str, source: Path, module_page: str) -> Assembly:
    """Copy the course's own book (`site/`) into `source` and refresh the module pages it
    copies from each ABOUT.md (TinyTorch: `modules/NN_name_ABOUT.md`), as its build does."""
    from tinyrelease.book.errors import BookError

    origin_dir = course.root / book_dir
    if not inside(origin_dir, course.root):
        raise BookError(f"{origin_dir} leads out of the course root; the book is built only "
                        "from the course's own files")
    if not (origin_dir / "_config.yml").is_file() or not (origin_dir / "_toc.yml").is_file():
        raise BookError(f"{origin_dir}: the course's book needs _config.yml and _toc.yml")
    if escape := _path_out_of(origin_dir / "_config.yml", origin_dir, course.root):
        raise BookError(f"{book_dir}/_config.yml: {escape[0]} names {escape[1]}, outside the "
                        "course; the book is built only from the course's own files")
    book = Assembly(source, course)
    toc = (origin_dir / "_toc.yml").read_text(encoding="utf-8")
    for path in sorted(origin_dir.rglob("*")):
        rel = path.relative_to(origin_dir).as_posix()
        if not inside(path, course.root):  # never copied, so never published (DOC001 says it)
            book.outside.append(f"{book_dir}/{rel}")
            continue
        if path.is_file() and not rel.startswith(("_build/", ".")):
            book.put(rel, path.read_bytes())
            lines = path.read_bytes().count(b"\n") + 1
            book.sources.add(PageOrigin(rel, f"{book_dir}/{rel}", None, [Segment(1, 1, lines)]))
    for module in course.modules:
        page = module_page.format(id=module.id, name=module.name, number=f"{module.number:02d}")
        stem = page.rsplit(".", 1)[0]
        if module.about is not None and (stem in toc or page in book.written):
            book.put(page, module.about.text)
            lines = module.about.text.count("\n") + 1
            book.sources.add(PageOrigin(page, module.about_path, module.id,
                                        [Segment(1, 1, lines)]))
            book.module_pages[module.id] = stem
    book.prune()
    return book


def _path_out_of(config: Path, book_dir: Path, root: Path) -> tuple[str, str] | None:
    """(setting, value) of the first setting of the book's `_config.yml` naming a file outside
    the course (`html_extra_path: ["/etc/passwd"]`, `logo: ../../secret.png`): Sphinx would
    copy it into the site."""
    try:
        document = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # the build itself says what is wrong with the file

    def walk(value: object, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{where}.{key}" if where else str(key))
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, where)
        elif isinstance(value, str) and value.startswith(("/", "~", "..", "file:")):
            target = Path(value.removeprefix("file://").removeprefix("file:")).expanduser()
            if (book_dir / target).exists() and not inside(book_dir / target, root):
                yield where, value

    return next(walk(document, ""), None)


def own_book_dir(course: Course) -> str | None:
    """`book_dir` of `[tool.tinyrelease]`, else `site/` or `docs/` holding a `_config.yml`."""
    configured = course.config.raw.get("book_dir")
    if isinstance(configured, str) and configured:
        return posixpath.normpath(configured)
    return next((d for d in ("site", "docs") if (course.root / d / "_config.yml").is_file()
                 and (course.root / d / "_toc.yml").is_file()), None)


