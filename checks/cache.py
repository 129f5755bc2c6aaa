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
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tinyrelease.checks import __version__
from tinyrelease.checks.environment import gate_environment, source_digest
from tinyrelease.checks.errors import UsageError

if TYPE_CHECKING:
    from tinyrelease.checks.results import GateResult

IGNORED_DIRS = {".git", ".nox", ".venv", "venv", "build", "dist", "__pycache__", "_build",
                ".pytest_cache", "node_modules", ".hypothesis", ".ruff_cache"}
KEEP_ENTRIES = 400
RACY_S = 2.0  # a file changed this close to its hashing may change again within one mtime
T = TypeVar("T")
# (size, mtime_ns, inode, ctime_ns) -> sha256 of the bytes, as git's index keeps it
Stat = tuple[int, int, int, int]


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


def course_digest(root: Path, index: StatIndex | None = None) -> str:
    """One hash of every file of the course (paths and bytes), build output and caches aside.
    Like the course model it never leaves the root: links out are hashed by their target's
    name, files over the size limit by size and time, FIFOs and devices not at all. With an
    `index`, a file whose size, times and inode are those of its last hashing is not read."""
    from tinyrelease.checks.files import MAX_BYTES  # the course model's limit, imported late

    digest = hashlib.sha256()
    root = root.resolve()
    top = str(root)
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.endswith(".egg-info"))
        # os.walk names each folder `top/a/b`: its path below the root without relpath's
        # normalising of both paths (a third of an unchanged course's digest)
        rel = folder[len(top):].lstrip(os.sep)
        prefix = rel.replace(os.sep, "/") + "/" if rel else ""
        for name in sorted(files):
            rel = prefix + name
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(_file_digest(os.path.join(folder, name), root, rel, index,
                                       MAX_BYTES))
    if index is not None:
        index.save()
    return digest.hexdigest()


def _file_digest(path: str, root: Path, rel: str, index: StatIndex | None,
                 limit: int) -> bytes:
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            if not Path(path).resolve().is_relative_to(root):
                return f"link:{os.readlink(path)}".encode("utf-8", "surrogateescape")
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return b"not a regular file"
        if info.st_size > limit:
            return f"large:{info.st_size}:{info.st_mtime_ns}".encode()
        if index is None:
            return _hash_file(path)
        return index.digest(rel, path, info)
    except (OSError, RuntimeError):
        return b"unreadable"


def _hash_file(path: str) -> bytes:
    with open(path, "rb") as stream:
        return hashlib.sha256(stream.read()).digest()


class StatIndex:
    """What each file of a course hashed to, by its stat (like git's index): an unchanged
    course is hashed by stat calls alone. A file changed within `RACY_S` of its hashing is
    not remembered, since a later change could keep its size and time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, tuple[Stat, str]] = {}
        self.seen: dict[str, tuple[Stat, str]] = {}
        self.hashed = 0
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            self.entries = {str(rel): ((int(a), int(b), int(c), int(d)), str(h))
                            for rel, ((a, b, c, d), h) in loaded.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            self.entries = {}

    def digest(self, rel: str, path: str, info: os.stat_result) -> bytes:
        key = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        known = self.entries.get(rel)
        if known is not None and known[0] == key:
            self.seen[rel] = known
            return bytes.fromhex(known[1])
        self.hashed += 1
        found = _hash_file(path)
        if time.time() - max(info.st_mtime_ns, info.st_ctime_ns) / 1e9 > RACY_S:
            self.seen[rel] = (key, found.hex())
        return found

    def save(self) -> None:
        if self.seen == self.entries:
            return
        write_atomic(self.path, json.dumps({rel: [list(key), digest] for rel, (key, digest)
                                             in self.seen.items()}))


def read_json(path: Path) -> Any:
    """The JSON a file of ours holds; None when it is missing, unreadable or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_json_object(path: Path) -> dict[str, Any] | None:
    """`read_json`, when what it holds is a JSON object."""
    data = read_json(path)
    return data if isinstance(data, dict) else None


def write_atomic(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def gate_key(course_digest: str, gate: str, settings: dict[str, object], level: str,
             envdir: Path | None = None) -> str:
    """The key of one gate's result: what it ran on (the course's digest), how, and with
    what tools (tinyrelease's own code included)."""
    parts = [__version__, source_digest(), gate, json.dumps(settings, sort_keys=True, default=str),
             gate_environment(gate, level, envdir), course_digest]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class GateCache:
    """`<folder>/gates/<key>.json`: a finished gate's result, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "gates"

    def load(self, key: str) -> GateResult | None:
        from tinyrelease.checks.results import GateResult

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
        keep_entry(self.folder / f"{key}.json", entry)


def prune(folder: Path, keep: int = KEEP_ENTRIES, companions: tuple[str, ...] = ()) -> None:
    """Keep the `keep` newest entries of `folder` (`*.json`), each with its companion files
    (the same name with each suffix of `companions`). A folder within the limit is listed,
    not stat'ed entry by entry: each gate of a run stores into the same folder."""
    try:
        if sum(name.endswith(".json") for name in os.listdir(folder)) <= keep:
            return
    except OSError:
        return  # no folder: nothing to prune
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)
        for suffix in companions:
            stale.with_suffix(suffix).unlink(missing_ok=True)


def keep_entry(path: Path, entry: object, companions: tuple[str, ...] = ()) -> None:
    """Write a cache entry as JSON, atomically, then prune its folder; a prune that fails only
    costs space."""
    write_atomic(path, json.dumps(entry))
    try:
        prune(path.parent, companions=companions)
    except OSError:
        pass


def _parser_version() -> str:
    """What parsed files depend on besides their text: this code, and the interpreter, whose
    parser and compiler decide the trees and the warnings (3.12 warns where 3.11 did not)."""
    return f"{source_digest()} python {sys.version_info.major}.{sys.version_info.minor}"


class ParseCache:
    """Parsed course files by kind and text hash: editing one module re-parses that module.
    The file is a pickle followed by its HMAC under a key kept beside it (mode 0600); in it
    each parse is pickled on its own, so a run unpickles the parses it asks for and writes
    back, as they were, those it did not change (one module edited pickles one module)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, bytes] = {}  # each parse as the file holds it, pickled
        self.values: dict[str, Any] = {}  # parsed or unpickled by this run
        self.derived_at_load: dict[str, int] = {}  # of an unpickled parse, its derived count
        self.used: set[str] = set()
        self.hits = self.misses = 0
        self.fresh: set[str] = set()  # parsed ahead by `prefetch`, not yet asked for
        try:
            data = path.read_bytes()
            body, signature = memoryview(data)[:-32], data[-32:]  # 2.5 MB on TinyTorch: no copy
            if hmac.compare_digest(signature, self._sign(body)):
                loaded = pickle.loads(body)  # noqa: S301 - signed by us, outside any course
                # parsed by this very code: a changed parser must not serve old results
                if (isinstance(loaded, dict) and loaded.get("version") == _parser_version()
                        and all(isinstance(v, bytes) for v in loaded["entries"].values())):
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
                stream.write(os.urandom(32))
        return key_file.read_bytes()

    def _sign(self, body: bytes | memoryview) -> bytes:
        return hmac.new(self._key(), body, hashlib.sha256).digest()

    @staticmethod
    def _entry(kind: str, text: str, path: str) -> str:
        digest = hashlib.sha256(f"{kind}\0{path}\0".encode("utf-8", "surrogatepass"))
        digest.update(text.encode("utf-8", "surrogatepass"))  # not copied into one string first
        return digest.hexdigest()

    def prefetch(self, jobs: list[tuple[str, str, str, Callable[[str, str], Any]]]) -> None:
        """Parse at once, over the cores when there is much of it, what `parse` will be asked
        for (kind, text, path, parser) and has no entry for; `parse` then counts it a miss."""
        from tinyrelease.checks.pool import parse_all

        todo = {}
        for kind, text, path, parser in jobs:
            key = self._entry(kind, text, path)
            if key not in self.entries and key not in self.values:
                todo[key] = (parser, text, path)
        for key, parsed in zip(todo, parse_all(list(todo.values())), strict=True):
            self.values[key] = parsed
            self.fresh.add(key)

    def parse(self, kind: str, text: str, path: str, parser: Callable[[str, str], T]) -> T:
        key = self._entry(kind, text, path)
        self.used.add(key)
        if key in self.fresh:
            self.fresh.discard(key)
            self.misses += 1
        elif key in self.values:
            self.hits += 1
        elif key in self.entries and (value := self._unpickled(key)) is not None:
            self.hits += 1
            self.values[key] = value
            self.derived_at_load[key] = _derived_count(value)
        else:
            self.misses += 1
            self.entries.pop(key, None)  # one that did not unpickle is written anew
            self.values[key] = parser(text, path)
        return self.values[key]  # type: ignore[no-any-return]

    def _unpickled(self, key: str) -> Any:
        try:
            return pickle.loads(self.entries[key])  # noqa: S301 - in the file we signed
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, KeyError,
                TypeError, ValueError, IndexError):
            return None

    def save(self, force: bool = False) -> None:
        """Keep what this run used (so the file does not grow forever), atomically; unless
        `force`, only when something was parsed, derived from a parse, or went unused. A
        parse nothing changed is written back as it was read."""
        changed = {key for key in self.used if key not in self.entries
                   or (key in self.derived_at_load
                       and _derived_count(self.values[key]) != self.derived_at_load[key])}
        if not force and not changed and len(self.used) == len(self.entries):
            return  # nothing new was parsed or derived, and nothing went stale
        try:
            kept = {key: pickle.dumps(self.values[key]) if key in changed else self.entries[key]
                    for key in self.used}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            body = pickle.dumps({"version": _parser_version(), "entries": kept})
            temp = self.path.with_suffix(f".{os.getpid()}.tmp")
            with temp.open("wb") as stream:  # the body, then its signature: no joined copy
                stream.write(body)
                stream.write(self._sign(body))
            os.replace(temp, self.path)
        except (OSError, pickle.PicklingError, RecursionError):
            return
        self.entries = kept  # a later save writes back what this one wrote
        self.derived_at_load.update({key: _derived_count(self.values[key]) for key in changed})


def _derived_count(value: Any) -> int:
    """How many values the checks have derived from a parse (a module source keeps them)."""
    derived = getattr(value, "derived", None)
    return len(derived) if isinstance(derived, dict) else 0
