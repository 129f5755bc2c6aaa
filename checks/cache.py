"""Gate results cached by the content of their inputs (the course's files, the settings,
tinyrelease's own code, the tools of the environment that runs the gate), and parsed files
cached by their text, so unchanged work is not redone.

The cache lives outside every course (`$TINYRELEASE_CACHE_DIR`, else the user's cache folder),
so nothing a course commits is ever loaded from it: gate results are JSON, and the parse cache
is a pickle signed with a key only this user can read; a bad or unsigned entry is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from checks import __version__
from checks.course import Course
from checks.engine import GateResult
from checks.environment import gate_environment, source_digest
from checks.errors import UsageError
from checks.files import MAX_BYTES

IGNORED_DIRS = {".git", ".nox", ".venv", "venv", "build", "dist", "__pycache__", "_build",
                ".pytest_cache", "node_modules", ".hypothesis", ".ruff_cache"}
KEEP_ENTRIES = 400
T = TypeVar("T")


def cache_dir(course_root: Path | None = None, given: Path | None = None) -> Path:
    """`--cache-dir`, else $TINYRELEASE_CACHE_DIR, else $XDG_CACHE_HOME/tinyrelease (or
    ~/.cache/tinyrelease); never inside the course, where the course could plant entries."""
    if given is None and os.environ.get("TINYRELEASE_CACHE_DIR"):
        given = Path(os.environ["TINYRELEASE_CACHE_DIR"])
    if given is None:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        given = Path(base) / "tinyrelease"
    folder = given.resolve()
    if course_root is not None and folder.is_relative_to(course_root.resolve()):
        raise UsageError(f"the cache folder {folder} is inside the course {course_root}: a "
                         "course must not be able to plant cache entries (use --cache-dir)")
    return folder


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
            rel = path.relative_to(root).as_posix()
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(_file_digest(path, root))
    return digest.hexdigest()


def _file_digest(path: Path, root: Path) -> bytes:
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            return f"link:{os.readlink(path)}".encode("utf-8", "surrogateescape")
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return b"not a regular file"
        if info.st_size > MAX_BYTES:
            return f"large:{info.st_size}:{info.st_mtime_ns}".encode()
        return hashlib.sha256(path.read_bytes()).digest()
    except (OSError, RuntimeError):
        return b"unreadable"


def gate_key(course: Course, gate: str, settings: dict[str, object], level: str,
             envdir: Path | None = None) -> str:
    """The key of one gate's result: what it ran on, how, and with what tools."""
    parts = [__version__, source_digest(), gate, json.dumps(settings, sort_keys=True, default=str),
             gate_environment(gate, level, envdir), _course_digest_once(course),
             " ".join(course.release_tags or ())]  # a tag made since is no file change
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_DIGESTS: dict[int, tuple[Course, str]] = {}


def _course_digest_once(course: Course) -> str:
    """The digest of a course, computed once per loaded course (every gate's key needs it)."""
    known = _DIGESTS.get(id(course))
    if known is None or known[0] is not course:
        known = _DIGESTS[id(course)] = (course, course_digest(course.root))
    return known[1]


class GateCache:
    """`<folder>/gates/<key>.json`: a finished gate's result, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "gates"

    def load(self, key: str) -> GateResult | None:
        try:
            result = GateResult.from_json(json.loads(
                (self.folder / f"{key}.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        result.cached = True
        return result

    def store(self, key: str, result: GateResult) -> None:
        entry = result.to_json()
        entry["cached"] = False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temp = self.folder / f".{key}.{os.getpid()}.tmp"
            temp.write_text(json.dumps(entry), encoding="utf-8")
            os.replace(temp, self.folder / f"{key}.json")
            _prune(self.folder, KEEP_ENTRIES)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _prune(folder: Path, keep: int) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)


class ParseCache:
    """Parsed course files by kind and text hash: editing one module re-parses that module.
    The file is a pickle followed by its HMAC under a key kept beside it (mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.hits = 0
        try:
            data = path.read_bytes()
            body, signature = data[:-32], data[-32:]
            if hmac.compare_digest(signature, self._sign(body)):
                loaded = pickle.loads(body)  # noqa: S301 - signed by us, outside any course
                # parsed by this very code: a changed parser must not serve old results
                if isinstance(loaded, dict) and loaded.get("version") == source_digest():
                    self.entries = loaded["entries"]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                KeyError, TypeError, ValueError, IndexError):
            self.entries = {}

    def _key(self) -> bytes:
        key_file = self.path.parent / "key"
        if not key_file.is_file():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(32))
        return key_file.read_bytes()

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key(), body, hashlib.sha256).digest()

    def parse(self, kind: str, text: str, path: str, parser: Callable[[str, str], T]) -> T:
        key = hashlib.sha256(f"{kind}\0{path}\0{text}".encode("utf-8", "surrogatepass")
                             ).hexdigest()
        self.used.add(key)
        if key in self.entries:
            self.hits += 1
            return self.entries[key]  # type: ignore[no-any-return]
        self.entries[key] = parser(text, path)
        return self.entries[key]  # type: ignore[no-any-return]

    def save(self) -> None:
        """Keep what this run used (so the file does not grow forever), atomically."""
        kept = {key: value for key, value in self.entries.items() if key in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            body = pickle.dumps({"version": source_digest(), "entries": kept})
            temp = self.path.with_suffix(f".{os.getpid()}.tmp")
            temp.write_bytes(body + self._sign(body))
            os.replace(temp, self.path)
        except (OSError, pickle.PicklingError, RecursionError):
            pass
