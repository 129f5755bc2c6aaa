"""The changelog, from fragments (towncrier, `changelog.d/`) or hand-written (Keep a Changelog:
an `## [Unreleased]` section on top): what is pending, the draft notes of a candidate, the
changelog written at the final release, and the notes of one version.
"""

from __future__ import annotations

import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tinyrelease.checks.process import Completed, run
from tinyrelease.release.errors import Refused
from tinyrelease.release.versions import write_atomic

MARKER = "<!-- towncrier release notes start -->\n"
TOWNCRIER, KEEP_A_CHANGELOG = "towncrier", "keepachangelog"
_UNRELEASED = re.compile(r"^(#{1,3})[ \t]+\[?unreleased\]?[ \t]*$", re.MULTILINE | re.IGNORECASE)
_COMPARE = re.compile(r"^\[unreleased\]:[ \t]*(\S+)/compare/(\S+?)\.\.\.HEAD[ \t]*$",
                      re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class ChangelogConfig:
    """Where the changelog is and how it is written: towncrier (fragments in `directory`) or
    by hand (Keep a Changelog, no directory)."""

    directory: str
    filename: str
    start_string: str
    kind: str = TOWNCRIER

    @property
    def by_hand(self) -> bool:
        return self.kind == KEEP_A_CHANGELOG


def config(root: Path) -> ChangelogConfig | None:
    """The course's `[tool.towncrier]` (pyproject.toml or towncrier.toml); without one, a
    CHANGELOG.md with an `## [Unreleased]` section is kept by hand; else None."""
    for rel, pick in (("towncrier.toml", lambda d: d.get("tool", {}).get("towncrier", d)),
                      ("pyproject.toml", lambda d: d.get("tool", {}).get("towncrier"))):
        path = root / rel
        if not path.is_file():
            continue
        try:
            table = pick(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as error:
            raise Refused(f"{path}: invalid TOML: {error}") from None
        if isinstance(table, dict):
            filename = table.get("filename", "NEWS.rst")
            default = MARKER if filename.endswith(".md") else ".. towncrier release notes start\n"
            return ChangelogConfig(table.get("directory", "newsfragments"), filename,
                                   table.get("start_string", default))
    path = root / "CHANGELOG.md"
    if path.is_file() and _UNRELEASED.search(path.read_text(encoding="utf-8")):
        return ChangelogConfig("", "CHANGELOG.md", "", KEEP_A_CHANGELOG)
    return None


def unreleased(text: str) -> str | None:
    """What the `[Unreleased]` section of a hand-written changelog holds (stripped), None
    when it has no such section."""
    span = _unreleased_span(text)
    return text[span[1]:span[2]].strip() if span is not None else None


def pending(root: Path, cfg: ChangelogConfig | None) -> str | None:
    """The `[Unreleased]` notes of a hand-written changelog in the working tree."""
    path = root / cfg.filename if cfg is not None and cfg.by_hand else None
    return unreleased(path.read_text(encoding="utf-8")) if path and path.is_file() else None


def released(text: str, version: str, tag: str, day: str) -> str:
    """A hand-written changelog after the release of `version`: `[Unreleased]` becomes
    `[version] — day`, a fresh empty `[Unreleased]` above it; a compare link of
    `[Unreleased]` at the bottom gets the release's own."""
    span = _unreleased_span(text)
    if span is None:
        return text
    level, head, end = span
    body = text[head:end].strip()
    section = f"{level} [{version}] — {day}\n\n" + (f"{body}\n\n" if body else "")
    text = text[:head] + "\n\n" + section + text[end:].lstrip("\n")
    link = _COMPARE.search(text)
    if link is not None:
        base, previous = link.group(1), link.group(2)
        text = text[:link.start()] + (f"[Unreleased]: {base}/compare/{tag}...HEAD\n"
                                      f"[{version}]: {base}/compare/{previous}...{tag}") + \
            text[link.end():]
    return text


def fragments(root: Path, cfg: ChangelogConfig | None) -> list[str]:
    if cfg is None or cfg.by_hand or not (root / cfg.directory).is_dir():
        return []
    return sorted(p.name for p in (root / cfg.directory).iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.name != "template.md")


def towncrier(*args: str) -> list[str]:
    """The command line of towncrier, as this interpreter runs it."""
    return [sys.executable, "-m", "towncrier", *args]


def require(done: Completed, root: Path) -> str:
    """towncrier's output; a failure is refused with what it said."""
    if not done.ok:
        raise Refused(f"towncrier {done.args[3]} failed in {root}: {done.tail(3)}")
    return done.output


def _towncrier(root: Path, *args: str) -> str:
    return require(run(towncrier(*args), cwd=root, timeout=120), root)


def draft(root: Path, version: str, cfg: ChangelogConfig | None = None) -> str:
    """The notes `version` would get, without writing anything."""
    if cfg is not None and cfg.by_hand:
        return (pending(root, cfg) or "(nothing under [Unreleased] yet)") + "\n"
    text = _towncrier(root, "build", "--draft", "--version", version)
    _, _, notes = text.partition("What is seen below is what would be written.\n")
    return notes.strip() + "\n"


def has_marker(root: Path, cfg: ChangelogConfig) -> bool:
    path = root / cfg.filename
    return path.is_file() and cfg.start_string in path.read_text(encoding="utf-8")


def ensure_marker(root: Path, cfg: ChangelogConfig) -> None:
    """towncrier inserts below its marker, or above everything when there is none; put the
    marker above the newest version's heading so the title and preamble stay on top."""
    path = root / cfg.filename
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if cfg.start_string in text:
        return
    heading = re.search(r"^#{1,2} \[?v?\d", text, re.MULTILINE)
    at = heading.start() if heading else len(text)
    write_atomic(path, text[:at] + cfg.start_string + "\n" + text[at:])


def consumed(root: Path, cfg: ChangelogConfig, version: str) -> list[str]:
    """Fragments still on disk whose text is already in the section of `version`: a build
    that was interrupted between writing the changelog and removing them."""
    notes = section(root, cfg, version)
    if notes is None:
        return []
    flat = " ".join(notes.split())
    found = []
    for name in fragments(root, cfg):
        lines = [" ".join(line.split()) for line in
                 (root / cfg.directory / name).read_text(encoding="utf-8").splitlines()]
        if any(lines) and all(line in flat for line in lines if line):
            found.append(f"{cfg.directory}/{name}")
    return found


def has_section(root: Path, cfg: ChangelogConfig | None, version: str) -> bool:
    return section(root, cfg, version) is not None


def section(root: Path, cfg: ChangelogConfig | None, version: str) -> str | None:
    """The release notes of `version`: its section of the changelog, heading excluded."""
    path = root / (cfg.filename if cfg else "CHANGELOG.md")
    if not path.is_file():
        return None
    return section_of(path.read_text(encoding="utf-8"), version)


def section_of(text: str, version: str) -> str | None:
    heading = re.search(rf"^(#+) \[?v?{re.escape(version)}\]?(?:\s|$).*$", text, re.MULTILINE)
    if heading is None:
        return None
    level = len(heading.group(1))
    rest = text[heading.end():]
    following = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[:following.start() if following else len(rest)].strip() + "\n"


def check(root: Path, base: str) -> str | None:
    """`towncrier check` against the base branch: None when fragments were added, else why not."""
    done = run([sys.executable, "-m", "towncrier", "check", "--compare-with", base], cwd=root,
               timeout=120)
    return None if done.ok else done.tail(2)


def _section_end(text: str, level: str, start: int) -> int:
    """Where a section whose heading is `level` (`##`) ends: at the next heading of its level
    or higher after `start`, or the end of the text."""
    following = re.compile(rf"^#{{1,{len(level)}}} ", re.MULTILINE).search(text, start)
    return following.start() if following else len(text)


def _unreleased_span(text: str) -> tuple[str, int, int] | None:
    """The `[Unreleased]` section: its heading's level, where its body starts and where it
    ends; None without one."""
    found = _UNRELEASED.search(text)
    if found is None:
        return None
    return found.group(1), found.end(), _section_end(text, found.group(1), found.end())


def _with_unreleased(text: str, body: str) -> str:
    span = _unreleased_span(text)
    return text[:span[1]] + body + text[span[2]:] if span is not None else text


def _released_section(text: str, version: str) -> tuple[int, int] | None:
    heading = re.compile(rf"^(#{{1,3}})[ \t]+\[?v?{re.escape(version)}\]?(?:[ \t][^\n]*)?$",
                         re.MULTILINE)
    found = heading.search(text)
    if found is None:
        return None
    return found.start(), _section_end(text, found.group(1), found.end())


def _still_unreleased(ours: str, base: str, section: str) -> str:
    """Our `[Unreleased]` body without the entries the release moved out of it (in the base's
    `[Unreleased]` and in the released section), and without subheadings left empty."""
    moved = {line for line in base.splitlines() if line.strip() and not line.startswith("#")} \
        & set(section.splitlines())
    kept = [line for line in ours.splitlines() if line not in moved]
    lines: list[str] = []
    for number, line in enumerate(kept):
        if line.startswith("#"):
            items = next((k for k in kept[number + 1:] if k.strip()), "#")
            if items.startswith("#"):
                continue
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line)
    return "\n\n" + "\n".join(lines).strip("\n") + ("\n\n" if any(lines) else "")


def merge_released(base: str, ours: str, theirs: str, version: str) -> str | None:
    """A hand-written changelog's merge conflict, resolved as a person would: `theirs` released
    `version` (its `[Unreleased]` became `[version]`) while `ours` gained entries under
    `[Unreleased]`. The result is ours with the entries the release moved taken out of
    `[Unreleased]`, the released section below it, and any other change of theirs (a compare
    link, a corrected line) merged line by line by git. None when that is not the conflict
    (no such section, ours has one already, or the other changes conflict too)."""
    place = _released_section(theirs, version)
    if place is None or _released_section(ours, version) is not None:
        return None
    base_span, ours_span = _unreleased_span(base), _unreleased_span(ours)
    if base_span is None or ours_span is None or _unreleased_span(theirs) is None:
        return None
    section = theirs[place[0]:place[1]].rstrip("\n") + "\n\n"
    body = _still_unreleased(ours[ours_span[1]:ours_span[2]],
                             base[base_span[1]:base_span[2]], section)
    stripped = theirs[:place[0]] + theirs[place[1]:]
    with tempfile.TemporaryDirectory(prefix="tinyrelease-changelog-") as temp:
        files = []
        for name, text in (("ours", ours), ("base", base), ("theirs", stripped)):
            path = Path(temp) / name
            path.write_text(_with_unreleased(text, body), encoding="utf-8")
            files.append(str(path))
        done = run(["git", "merge-file", "-p", *files], cwd=Path(temp), trusted=True,
                   stderr=False)
    if not done.ok:
        return None
    merged = done.output
    span = _unreleased_span(merged)
    end = span[2] if span is not None else len(merged)
    return merged[:end] + section + merged[end:]
