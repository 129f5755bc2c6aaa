"""Everything tinyrelease keeps about one course between runs, in the user's cache folder
(never in the course): the stat index that makes its digest cheap, its parsed files, the
summary its reports show, each gate's results and what a run served from them printed and
wrote (checks/replay.py). Every entry point opens courses here.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinyrelease.checks.cache import (
    GateCache,
    ParseCache,
    StatIndex,
    cache_dir,
    course_digest,
    gate_key,
    prune,
    read_json,
    write_atomic,
)
from tinyrelease.checks.environment import source_digest

if TYPE_CHECKING:
    from tinyrelease.checks.course import Course
    from tinyrelease.checks.summary import CourseSummary


def open_course(root: Path | str, cache: Path | None = None) -> Course:
    """The course at `root`, parsed through the cache: only files whose text changed since
    any entry point last read them are parsed again."""
    return CourseStore(Path(root), cache).load()


class CourseStore:
    """One course's entries in the cache folder (`cache`, else the user's cache folder)."""

    def __init__(self, root: Path, cache: Path | None = None) -> None:
        self.root = root
        self.folder = cache_dir(root if root.is_dir() else None, cache)
        self.name = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")
                                   ).hexdigest()[:16]
        self.results = GateCache(self.folder)
        self.parsed: ParseCache | None = None

    @cached_property
    def digest(self) -> str:
        """The digest of every file of the course; files unchanged since their last hashing
        (same size, times and inode) are not read."""
        return course_digest(self.root, StatIndex(self.folder / "index" / f"{self.name}.json"))

    def load(self, save: bool = True) -> Course:
        """The course, parsed through the parse cache; with `save` False the parse is kept
        later, by `save_parsed`, with what the checks derived from it."""
        from tinyrelease.checks.course import load_course

        self.parsed = ParseCache(self.folder / "parsed" / f"{self.name}.pickle")
        course = load_course(self.root, parsed=self.parsed)
        if save:
            self.parsed.save()
        return course

    def save_parsed(self) -> None:
        """Keep the parsed files of the course `load` read, and the values the checks derived
        from them since: a run that parsed nothing new still saves what they derived."""
        if self.parsed is not None:
            self.parsed.save()

    @cached_property
    def tags(self) -> str:
        """The course repository's tags and what they point at: a tag made since the last run
        changes the package gate's result (PKG127) without changing a file."""
        found = _tag_files(self.root)
        if found is not None:
            return found
        from tinyrelease.checks.git import Git

        done = Git(self.root).run("for-each-ref", "--format=%(refname) %(objectname)",
                                  "refs/tags", check=False)
        return done.output if done.ok else ""

    def key(self, gate: str, settings: dict[str, object], level: str,
            envdir: Path | None = None) -> str:
        if gate == "package":
            settings = {**settings, "tags": self.tags}
        return gate_key(self.digest, gate, settings, level, envdir)

    def summary_path(self) -> Path:
        version = f"{source_digest()} {sys.version}\n{self.digest}"
        return self.folder / "summary" / f"{hashlib.sha256(version.encode()).hexdigest()}.json"

    def summary(self) -> CourseSummary | None:
        """What the reports show of the course as it is now, if a run has seen it so."""
        from tinyrelease.checks.summary import CourseSummary

        entry = read_json(self.summary_path())
        try:
            return CourseSummary.from_json(entry) if isinstance(entry, dict) else None
        except (KeyError, TypeError, ValueError):
            return None

    def keep_summary(self, summary: CourseSummary) -> None:
        path = self.summary_path()
        if not path.is_file():
            write_atomic(path, json.dumps(summary.to_json()))
            prune(path.parent)

    def catalog_path(self) -> Path:
        return self.folder / "catalog" / f"{source_digest()}.json"

    def catalog(self) -> Any:
        """The checks' titles and docs as this very code declares them, when written before."""
        return read_json(self.catalog_path())

    def keep_catalog(self) -> None:
        from tinyrelease.checks.checkinfo import snapshot

        path = self.catalog_path()
        if not path.is_file():
            write_atomic(path, json.dumps(snapshot()))

    def rendered(self, key: str) -> dict[str, str] | None:
        """The reports' texts of a run served wholly from cache, rendered before."""
        found = read_json(self.folder / "reports" / f"{key}.json")
        if isinstance(found, dict) and all(isinstance(v, str) for v in found.values()):
            return found
        return None

    def keep_rendered(self, key: str, texts: dict[str, str]) -> None:
        write_atomic(self.folder / "reports" / f"{key}.json", json.dumps(texts))
        prune(self.folder / "reports")


def _tag_files(root: Path) -> str | None:
    """The tags as the files of a plain `.git` folder in the course hold them (loose refs and
    packed-refs), without starting git; None when git must be asked: no such folder (a
    worktree, a course inside a bigger repository), a link, another ref storage, $GIT_DIR."""
    git = root / ".git"
    if os.environ.get("GIT_DIR") or not git.is_dir() or (git / "reftable").exists() \
            or (git / "commondir").exists() \
            or any(p.is_symlink() for p in (git, git / "refs", git / "refs" / "tags")):
        return None  # a linked folder is not walked: nothing outside the course is read
    parts = []
    try:
        packed = git / "packed-refs"
        if packed.is_file() and not packed.is_symlink():
            parts.append(packed.read_text(encoding="utf-8", errors="surrogateescape"))
        for folder, dirs, files in os.walk(git / "refs" / "tags"):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    with open(path, encoding="utf-8", errors="surrogateescape") as stream:
                        parts.append(f"{os.path.relpath(path, git)}\0{stream.read()}")
    except OSError:
        return None
    return "\n".join(parts)
