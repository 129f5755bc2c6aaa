"""The documentation's examples kept by what they can reach: a snippet's result by its text,
the package files its imports reach (and the course sources that wrote them), the names of
every Python file of the copy, and the environment; a script's parsed command lines likewise
from the script's module. A kept snippet is also checked against the files its run loaded.
The pages' examples themselves are kept by the pages' text.

Entries are JSON in the cache folder (never in the course), written atomically and pruned.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from tinyrelease.checks.cache import keep_entry, read_json_object
from tinyrelease.checks.course import Course
from tinyrelease.checks.documented import (
    Documented,
    DocumentedCommand,
    Snippet,
    documentation_pages,
    documented,
)
from tinyrelease.checks.execution.suites import SuiteInputs, imports_in

SKIPPED_DIRS = {".git", "__pycache__", ".pytest_cache", ".nox", ".venv"}


class ExampleCache:
    """`<folder>/examples/<key>.json`: an example's raw result, with the digests of the files
    its run loaded; `reuse` False loads nothing (and keeps what runs)."""

    def __init__(self, folder: Path, reuse: bool, course: Course, copy: Path,
                 environment: str) -> None:
        self.folder, self.reuse, self.copy = folder / "examples", reuse, copy
        self.inputs = SuiteInputs(course, copy, environment)
        self.environment = environment
        self.served = 0
        self._layout: str | None = None

    def key(self, kind: str, text: str, imports: list[tuple[str, tuple[str, ...]]]) -> str:
        reached = self.inputs.reached(imports)
        files = sorted(reached | self.inputs.sources(reached))
        parts = [kind, self.environment, self.layout(), text,
                 *(f"{rel}\0{self.inputs.digest(rel)}" for rel in files)]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def snippet_key(self, code: str, package: str) -> str:
        return self.key(f"snippet {package}", code, imports_in(code, "snippet.py"))

    def commands_key(self, spec: str, argvs: list[tuple[str, ...]]) -> str:
        module = spec.split(":", 1)[0].strip()
        return self.key("commands", json.dumps([spec, argvs]), [(module, ())])

    def documented(self, course: Course, scripts: list[str], package: str | None
                   ) -> Documented:
        """`documented`, kept by the text of every page: reading 80 pages of Markdown costs
        seconds, and an edit to a module's code changes none of them."""
        pages = documentation_pages(course)
        parts = ["documented", self.environment, json.dumps([scripts, package])]
        parts += [f"{rel}\0{course.files.read(rel, 'testing')}" for rel in pages]
        key = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
        entry = read_json_object(self.folder / "documented" / f"{key}.json") if self.reuse \
            else None
        try:
            if entry is not None:
                return Documented(
                    [str(p) for p in entry["pages"]],
                    [DocumentedCommand(str(p), int(n), str(s), tuple(map(str, a)), bool(i))
                     for p, n, s, a, i in entry["commands"]],
                    [Snippet(str(p), int(n), str(c), tuple(map(int, lines)))
                     for p, n, c, lines in entry["snippets"]],
                    int(entry["placeholders"]), int(entry["opted_out"]), int(entry["fragments"]))
        except (KeyError, TypeError, ValueError):
            pass
        found = documented(course, scripts, package)
        keep_entry(self.folder / "documented" / f"{key}.json", {
            "pages": found.pages, "placeholders": found.placeholders,
            "opted_out": found.opted_out, "fragments": found.fragments,
            "commands": [[c.path, c.line, c.script, c.argv, c.inline] for c in found.commands],
            "snippets": [[s.path, s.line, s.code, s.lines] for s in found.snippets]})
        return found

    def layout(self) -> str:
        """The names of every Python file of the copy: a file added or removed can change
        what an import finds, so it changes every key."""
        if self._layout is None:
            names = []
            for here, dirs, files in os.walk(self.copy):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
                prefix = Path(here).relative_to(self.copy).as_posix()
                names += sorted(f"{prefix}/{n}" for n in files if n.endswith(".py"))
            self._layout = hashlib.sha256("\n".join(names).encode("utf-8", "surrogateescape")
                                          ).hexdigest()
        return self._layout

    def load(self, key: str) -> dict[str, Any] | None:
        entry = read_json_object(self.folder / f"{key}.json") if self.reuse else None
        if entry is None or not isinstance(entry.get("result"), dict) \
                or not isinstance(entry.get("loaded"), dict):
            return None
        if any(self.inputs.digest(str(rel)) != digest for rel, digest in entry["loaded"].items()):
            return None  # a file its run loaded (not found by its imports) changed since
        self.served += 1
        return dict(entry["result"])

    def store(self, key: str, result: dict[str, Any], loaded: list[str]) -> None:
        files = {self._relative(path) for path in loaded} - {None}
        kept = {rel: self.inputs.digest(rel) for rel in sorted(f for f in files if f)}
        kept |= {rel: self.inputs.digest(rel) for rel in self.inputs.sources(set(kept))}
        keep_entry(self.folder / f"{key}.json", {"result": result, "loaded": kept})

    def _relative(self, path: str) -> str | None:
        """A loaded file's path in the copy; None outside it (the environment's, in the key)."""
        try:
            rel = Path(path).resolve().relative_to(self.copy.resolve())
        except (ValueError, OSError):
            return None
        return rel.as_posix()
