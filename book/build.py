"""Building the book with Jupyter Book 1 (Sphinx) into a build folder, incrementally, with
every warning kept per page and traced back to the course file and line it came from.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from tinyrelease import IMPORT_ROOT
from tinyrelease.book.assemble import (
    DEFAULT_ASSIGNMENTS,
    Assembly,
    assemble,
    assemble_own,
    course_facts,
    own_book_dir,
)
from tinyrelease.book.errors import BookError
from tinyrelease.book.sources import SourceMap, write_if_changed
from tinyrelease.checks import __version__
from tinyrelease.checks.cache import read_json
from tinyrelease.checks.course import Course
from tinyrelease.checks.git import Git
from tinyrelease.checks.process import run

_WARNING = re.compile(r"^(?:(?P<location>.*?):\s)?(?P<kind>WARNING|ERROR|CRITICAL|SEVERE):\s"
                      r"(?P<message>.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
BUILD_TIMEOUT = 3600  # seconds: a whole book, notebooks executed
_LOCATION = re.compile(r"^(?P<path>.*?)(?::(?P<line>\d+))?(?::docstring of .*)?$")


@dataclass(frozen=True)
class BuildWarning:
    """One Sphinx warning, at an assembled page (`modules/01_tensor.md`) and its line."""

    page: str | None
    line: int | None
    message: str


@dataclass
class BuildResult:
    out: Path
    status: int
    duration_s: float
    warnings: list[BuildWarning] = field(default_factory=list)
    sources: SourceMap = field(default_factory=SourceMap)
    module_pages: dict[str, str] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)

    @property
    def html(self) -> Path:
        return self.out / "html"


def build_book(course: Course, out: Path, gates_report: Path, strict: bool = False,
               module_page: str = "modules/{id}_ABOUT.md", log: TextIO | None = None,
               force: bool = False, assignments: Path = DEFAULT_ASSIGNMENTS) -> BuildResult:
    """Assemble (or copy the course's own book) into `out/source` and build `out/html`;
    Sphinx runs only when a page changed since the last build (or `force`)."""
    started = time.perf_counter()
    own = own_book_dir(course)
    source = out / "source"
    book = (assemble_own(course, own, source, module_page) if own
            else assemble(course, source, gates_report, assignments))
    previous = read_json(out / "build.json")
    if (not force and not book.changed and (out / "html" / "index.html").is_file()
            and isinstance(previous, dict) and previous.get("strict") == strict
            and previous.get("tool") == __version__ and isinstance(previous.get("status"), int)):
        status = int(previous["status"])
        warnings = [BuildWarning(**w) for w in read_json(out / "warnings.json") or []]
    else:
        status, warnings = _sphinx(book, out, strict, log, force)
    result = BuildResult(out, status, time.perf_counter() - started, warnings, book.sources,
                         book.module_pages)
    result.info = {"tool": __version__, "course": str(course.root), "own_book": own,
                   "strict": strict,
                   "status": status, "gates": _gates_status(book, gates_report),
                   **git_state(course.root), "module_pages": book.module_pages,
                   **{k: v for k, v in course_facts(course).items() if k in ("title", "version")}}
    book.sources.save(out / "sources.json")
    write_if_changed(out / "build.json", json.dumps(result.info, indent=1).encode())
    return result


def _gates_status(book: Assembly, gates_report: Path) -> str:
    if book.gates_status == "missing":
        from tinyrelease.book.pages import read_gates

        return read_gates(gates_report, book.course).status
    return book.gates_status


def _sphinx(book: Assembly, out: Path, strict: bool,
            log: TextIO | None, force: bool = False) -> tuple[int, list[BuildWarning]]:
    """Run Sphinx like `jupyter-book build` in a child without the maintainer's credentials
    (the course's book may run code of its own), catching its warnings; a page re-read or
    rewritten now replaces its earlier warnings, the others keep theirs (Sphinx does not
    repeat them)."""
    request, result = out / "sphinx-request.json", out / "sphinx-result.json"
    out.mkdir(parents=True, exist_ok=True)
    result.unlink(missing_ok=True)
    request.write_text(json.dumps({
        "source": str(book.source.resolve()), "html": str((out / "html").resolve()),
        "doctrees": str((out / "doctrees").resolve()), "strict": strict, "force": force,
        "result": str(result.resolve())}), encoding="utf-8")
    done = run([sys.executable, "-m", "tinyrelease.book.sphinx_child", request.resolve()], cwd=out,
               env={"PYTHONPATH": _our_path()}, timeout=BUILD_TIMEOUT)
    if log is not None:
        log.write(done.output)
    answer = read_json(result)
    if not isinstance(answer, dict) or "error" in answer:
        why = answer["error"] if isinstance(answer, dict) else done.tail(3)
        raise BookError(f"{book.source}: the book did not build: {why}")
    status, touched = int(answer["status"]), set(answer["touched"])
    fresh = parse_warnings(_ANSI.sub("", str(answer["warnings"])), book.source)
    store = out / "warnings.json"
    earlier = [BuildWarning(**w) for w in read_json(store) or []]
    kept = [w for w in earlier if w.page and _docname(w.page) not in touched]
    warnings = kept + fresh
    write_if_changed(store, json.dumps([asdict(w) for w in warnings], indent=1).encode())
    return (1 if strict and warnings else status), warnings


def _our_path() -> str:
    """Where tinyrelease's own packages are, so the child imports our `book`, not a course's."""
    return str(IMPORT_ROOT)


def _docname(page: str) -> str:
    return page.rsplit(".", 1)[0] if page.endswith((".md", ".ipynb", ".rst")) else page


def parse_warnings(text: str, source: Path) -> list[BuildWarning]:
    """Sphinx's `path:line: WARNING: message` lines as warnings at pages of the book."""
    found = []
    for raw in text.splitlines():
        match = _WARNING.match(raw.strip())
        if not match:
            continue
        page, line = None, None
        if match["location"] and (where := _LOCATION.match(match["location"])):
            page = _page_of(where["path"], source)
            line = int(where["line"]) if where["line"] else None
        found.append(BuildWarning(page, line, match["message"].strip()))
    return found


def _page_of(path: str, source: Path) -> str | None:
    try:
        return Path(path).resolve().relative_to(source.resolve()).as_posix()
    except ValueError:
        return path or None


def git_state(root: Path) -> dict[str, object]:
    """The commit the course is at and whether its files differ from it (None: no git)."""
    git = Git(root)
    head = git.run("rev-parse", "HEAD", check=False)
    if not head.ok:
        return {"commit": None, "dirty": None}
    status = git.run("status", "--porcelain", "--untracked-files=normal", "--", ".", check=False)
    changed = [line[3:] for line in status.output.splitlines() if line.strip()]
    return {"commit": head.output.strip(), "dirty": changed}
