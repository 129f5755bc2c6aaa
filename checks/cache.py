"""Gate results cached by the content of their inputs (course files, settings, tool and
dependency versions), and parsed files cached by their text, so unchanged work is not redone.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from checks import __version__
from checks.course import Course
from checks.engine import GateResult
from checks.files import MAX_BYTES

IGNORED_DIRS = {".git", ".nox", ".venv", "venv", "build", "dist", "__pycache__", "_build",
                ".pytest_cache", "node_modules", ".hypothesis", ".ruff_cache"}
DEPENDENCIES = ("PyYAML", "rich", "jupytext", "nbformat")
T = TypeVar("T")


def course_digest(root: Path) -> str:
    """One hash of every file of the course (paths and bytes), build output and caches aside.
    Like the course model it never leaves the root: links out are hashed by their target's
    name, files over the size limit by size and time, FIFOs and devices not at all."""
    digest = hashlib.sha256()
    root = root.resolve()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(_file_digest(path, root))
    return digest.hexdigest()


def _file_digest(path: Path, root: Path) -> bytes:
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            return f"link:{os.readlink(path)}".encode()
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return b"not a regular file"
        if info.st_size > MAX_BYTES:
            return f"large:{info.st_size}:{info.st_mtime_ns}".encode()
        return hashlib.sha256(path.read_bytes()).digest()
    except (OSError, RuntimeError):
        return b"unreadable"


def gate_key(course: Course, gate: str, settings: dict[str, object]) -> str:
    tool = Path("pyproject.toml")
    own = tool.read_bytes() if tool.is_file() else b""
    versions = {name: _version(name) for name in DEPENDENCIES}
    parts = [__version__, gate, json.dumps(settings, sort_keys=True, default=str),
             json.dumps(versions, sort_keys=True), hashlib.sha256(own).hexdigest(),
             _course_digest_once(course)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _course_digest_once(course: Course) -> str:
    if not hasattr(course, "_digest"):
        course._digest = course_digest(course.root)  # type: ignore[attr-defined]
    return course._digest  # type: ignore[attr-defined]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


class GateCache:
    """`<folder>/<key>.json`: a finished gate's result, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, key: str) -> GateResult | None:
        from checks.runner import gate_from_json

        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            result = gate_from_json(entry)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        result.cached = True
        return result

    def store(self, key: str, result: GateResult) -> None:
        entry = {"name": result.name, "duration_s": result.duration_s,
                 "checks": result.checks_run, "skipped": result.skipped,
                 "skipped_steps": result.skipped_steps, "artifacts": result.artifacts,
                 "findings": [f.to_json() for f in result.findings]}
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f".{key}.tmp"
        temp.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(temp, self.folder / f"{key}.json")


class ParseCache:
    """Parsed course files by kind and text hash: editing one module re-parses that module."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.hits = 0
        try:
            with path.open("rb") as stream:
                loaded = pickle.load(stream)
            if isinstance(loaded, dict) and loaded.get("version") == __version__:
                self.entries = loaded["entries"]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                KeyError, TypeError, ValueError):
            self.entries = {}

    def parse(self, kind: str, text: str, path: str, parser: Callable[[str, str], T]) -> T:
        key = hashlib.sha256(f"{kind}\0{path}\0{text}".encode()).hexdigest()
        self.used.add(key)
        if key in self.entries:
            self.hits += 1
            return self.entries[key]  # type: ignore[no-any-return]
        self.entries[key] = parser(text, path)
        return self.entries[key]  # type: ignore[no-any-return]

    def save(self) -> None:
        """Keep what this run used (so the file does not grow forever), atomically."""
        kept = {key: value for key, value in self.entries.items() if key in self.used}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(".tmp")
        with temp.open("wb") as stream:
            pickle.dump({"version": __version__, "entries": kept}, stream)
        os.replace(temp, self.path)
