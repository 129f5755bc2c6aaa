"""Reading a course's files safely: once each, bounded in size, never outside the course root.

Every problem met while reading (a symlink out of the root, a huge file, bytes that are not
UTF-8) becomes a `ReadProblem` the gates report, instead of an exception.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from tinyrelease.checks.boundary import inside

MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ReadProblem:
    """A file that could not be read as the course meant it, and the gate that needed it."""

    gate: str
    path: str
    line: int | None
    message: str


@dataclass
class CourseFiles:
    """The course root and everything read from it, each file read at most once."""

    root: Path
    max_bytes: int = MAX_BYTES
    problems: list[ReadProblem] = field(default_factory=list)
    reads: int = 0
    _texts: dict[str, str | None] = field(default_factory=dict)
    _inside: dict[Path, bool] = field(default_factory=dict)
    _walked: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def inside(self, path: Path) -> bool:
        """Whether `path`, with every symlink resolved, stays inside the course root. Folders
        are resolved once each; a file below a folder inside costs one `lstat`."""
        parent = path.parent
        if ".." in path.parts or not parent.is_relative_to(self.root):
            return inside(path, self.root)
        if not self._folder_inside(parent):
            return False
        try:
            return not path.is_symlink() or inside(path, self.root)
        except OSError:
            return False

    def _folder_inside(self, folder: Path) -> bool:
        """Whether a folder at or below the root (no `..`) stays inside it, links resolved: a
        folder that is not a link is inside when its parent is, so each costs one `lstat`."""
        known = self._inside.get(folder)
        if known is None:
            try:
                linked = folder != self.root and folder.is_symlink()
            except OSError:
                linked = True  # resolving it says
            known = (inside(folder, self.root) if linked
                     else folder == self.root or self._folder_inside(folder.parent))
            self._inside[folder] = known
        return known

    def exists(self, rel: str) -> bool:
        path = self.root / rel
        return _safely(path.is_file) and self.inside(path)

    def is_dir(self, rel: str) -> bool:
        path = self.root / rel
        return _safely(path.is_dir) and self.inside(path)

    def listdir(self, rel: str = "", gate: str = "educational") -> list[str]:
        """Sorted names in a folder of the course. Links that leave the root are left out, and
        so are names no report can show (bytes that are not UTF-8, line breaks): each is a
        problem of `gate`, as is a folder that cannot be listed."""
        return [entry.name for entry in self._entries(rel, gate)]

    def folders(self, rel: str = "", gate: str = "educational") -> list[str]:
        """The names of `listdir` that are folders (`is_dir`): a folder that is not a link is
        told by the listing itself, without a `stat` of its own."""
        return [entry.name for entry in self._entries(rel, gate)
                if (self.is_dir(f"{rel}/{entry.name}" if rel else entry.name)
                    if _safely(entry.is_symlink)
                    else _safely(partial(entry.is_dir, follow_symlinks=False)))]

    def _entries(self, rel: str, gate: str) -> list[os.DirEntry[str]]:
        folder = self.root / rel
        if (self.root / rel).is_symlink() and not self.inside(folder):
            self.note(gate, rel, "is a symlink that leaves the course root; not followed")
            return []
        if not self.is_dir(rel):
            return []
        try:
            entries = list(os.scandir(folder))
        except OSError as error:  # a folder without permission
            self.note(gate, rel, f"cannot be listed: {error.strerror or error}")
            return []
        kept = []
        for entry in entries:
            if entry.is_symlink() and not self.inside(Path(entry.path)):
                continue  # only a link can leave the root from inside it
            if not _showable(entry.name):
                shown = entry.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                self.note(gate, f"{rel}/{shown!r}" if rel else repr(shown),
                          "has a name with bytes that are not UTF-8 or a line break; skipped "
                          "(rename it)")
                continue
            kept.append(entry)
        return sorted(kept, key=lambda entry: entry.name)

    def walk(self, rel: str, suffix: str = "", gate: str = "testing") -> list[str]:
        """Every file below a folder (relative paths, sorted), not following links out; the
        course is read once, so a folder is walked once."""
        if (rel, suffix, gate) not in self._walked:
            self._walked[rel, suffix, gate] = self._walk(rel, suffix, gate)
        return list(self._walked[rel, suffix, gate])

    def _walk(self, rel: str, suffix: str, gate: str) -> list[str]:
        found: list[str] = []
        for entry in self._entries(rel, gate):
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                if (self.root / child).is_dir():
                    continue  # a linked folder is not walked
            elif entry.is_dir(follow_symlinks=False):
                found.extend(self._walk(child, suffix, gate))
                continue
            if entry.name.endswith(suffix):
                found.append(child)
        return found

    def read(self, rel: str, gate: str) -> str | None:
        """The text of a course file, or None when it is missing or unreadable (noted once)."""
        if rel not in self._texts:
            try:
                self._texts[rel] = self._load(rel, gate)
            except OSError as error:  # a name too long, a folder without permission
                self._problem(gate, rel, None, f"cannot be read: {error.strerror or error}")
                self._texts[rel] = None
        return self._texts[rel]

    def unreadable(self, rel: str) -> bool:
        """Whether `rel` is there but was not read (a link out of the root, too large, locked):
        a 001 check reports it, so the checks that need the file skip it silently."""
        return self._texts.get(rel, "") is None and any(p.path == rel for p in self.problems)

    def digest(self, rel: str) -> str | None:
        text = self._texts.get(rel)
        return hashlib.sha256(text.encode()).hexdigest() if text is not None else None

    def _load(self, rel: str, gate: str) -> str | None:
        path = self.root / rel
        size = self._plain_size(path)
        if size is None:
            if not self._readable(path, rel, gate):
                return None
            size = path.stat().st_size
        if size > self.max_bytes:
            self._problem(gate, rel, None, f"is {size / 2**20:.1f} MiB, over the "
                          f"{self.max_bytes / 2**20:.0f} MiB limit for course files; not read")
            return None
        try:
            data = path.read_bytes()
        except OSError as error:
            self._problem(gate, rel, None, f"cannot be read: {error.strerror}")
            return None
        self.reads += 1
        return self._decode(data, rel, gate)

    def _plain_size(self, path: Path) -> int | None:
        """The size of a regular file, not a link, in a folder inside the root, from one
        `lstat`: most files of a course. None when the file needs `_readable`'s closer look."""
        parent = path.parent
        if ".." in path.parts or not parent.is_relative_to(self.root) \
                or not self._folder_inside(parent):
            return None
        try:
            info = os.lstat(path)
        except OSError:
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) else None

    def _readable(self, path: Path, rel: str, gate: str) -> bool:
        """Whether `path` is a regular file inside the root; else why not is noted (a link
        out, a folder, a FIFO), unless it is simply missing."""
        if path.is_symlink() and not self.inside(path):
            self._problem(gate, rel, None, "is a symlink that leaves the course root; not followed")
            return False
        if not self.inside(path):  # a configured path with `..`, or below a linked folder
            if path.exists():
                self._problem(gate, rel, None, "leaves the course root; not read")
            return False
        if not path.is_file():
            if path.exists():  # a folder, a FIFO, a device where a file should be
                kind = ("a folder, not a file" if path.is_dir()
                        else "a FIFO or device, not a regular file")
                self._problem(gate, rel, None, f"is {kind}; not read")
            return False
        return True

    def _decode(self, data: bytes, rel: str, gate: str) -> str:
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            offset = bom + error.start  # the codec counts from after the byte order mark
            line = data[:offset].count(b"\n") + 1
            self._problem(gate, rel, line, f"is not valid UTF-8 (byte 0x{data[offset]:02x} "
                          f"at offset {offset}); read with replacement characters")
            text = data.decode("utf-8-sig", errors="replace")
        return text.replace("\r\n", "\n").replace("\r", "\n") if b"\r" in data else text

    def note(self, gate: str, rel: str, message: str) -> None:
        """A problem with a course file found outside `read` (a link, a name), once."""
        if not any(p.path == rel and p.gate == gate for p in self.problems):
            self._problem(gate, rel, None, message)

    def _problem(self, gate: str, rel: str, line: int | None, message: str) -> None:
        self.problems.append(ReadProblem(gate, rel, line, f"{rel} {message}"))


def _showable(name: str) -> bool:
    """A name that UTF-8 reports, terminals and git can show as it is."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as surrogates
        return False
    return "\n" not in name and "\r" not in name


def _safely(test: Callable[[], bool]) -> bool:
    """A file test that answers False, not OSError, for a name too long or a locked folder."""
    try:
        return test()
    except OSError:
        return False
