"""Reading what a checklist can tick from the course's state: git refs (branch, candidate and
release tags, the merge, the book's branch), the gates report, the review, CHANGELOG.md, the index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tinyrelease.checks.assignments.publish import validation_state
from tinyrelease.checks.git import Git
from tinyrelease.review.approval import approvals, under_git
from tinyrelease.review.errors import ReviewError

_LEVEL_RANK = {"quick": 0, "standard": 1, "comprehensive": 2}
TYPES = ("patch", "minor", "major")
LEVELS = {"patch": "standard", "minor": "standard", "major": "comprehensive"}
IndexProbe = Callable[[str, str], bool]


@dataclass
class Verification:
    """What the tools checked: True verified, False checked and not done, None not checked;
    `notes` say what was seen."""

    verified: dict[str, bool | None] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def set(self, key: str, value: bool | None, note: str) -> None:
        self.verified[key], self.notes[key] = value, note




def _git(root: Path, *args: str) -> str | None:
    done = Git(root).run(*args, check=False)
    return done.output if done.ok else None


def gather(root: Path, release_type: str, version: str, gates_report: Path | None,
           review_dir: Path | None, on_index: IndexProbe | None, project: str | None,
           remote: str, main_branch: str, book_branch: str,
           assignments: Path | None = None, tag_prefix: str = "v") -> Verification:
    result, tag = Verification(), f"{tag_prefix}{version}"
    _gates(result, gates_report, LEVELS[release_type])
    if assignments is None:
        result.set("assignments", None, "no student release given")
    else:
        result.set("assignments", *validation_state(assignments, root))
    if review_dir is None:
        result.set("review", None, "no review given")
    else:
        try:
            found = approvals(review_dir, root, tag)
            result.set("review", found.approved, found.describe())
        except ReviewError as error:
            result.set("review", False, str(error))
    _changelog(result, root, version)
    if not under_git(root):
        for key in ("branch", "rc_tag", "tag", "merged", "book"):
            result.set(key, None, "the course is not in a git repository")
    else:
        _refs(result, root, tag, remote, main_branch, book_branch)
    if on_index is None or project is None:
        result.set("index", None, "no package index to ask")
    else:
        try:
            found_on_index = bool(on_index(project, version))
            result.set("index", found_on_index, f"{project} {version} "
                       + ("is on the index" if found_on_index else "is not on the index"))
        except Exception as error:  # noqa: BLE001 - an unreachable index is "not checked"
            result.set("index", None, f"the index could not be asked: {type(error).__name__}")
    return result


def _gates(result: Verification, report: Path | None, level: str) -> None:
    if report is None or not report.is_file():
        result.set("gates", None, "no gates report")
        return
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        status, ran = data["status"], data["level"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        result.set("gates", False, f"{report} is not a gates report")
        return
    enough = _LEVEL_RANK.get(ran, -1) >= _LEVEL_RANK[level]
    scope = "; ".join(str(s) for s in data.get("scope") or [])
    partial = f" (a partial run: {scope}; not a verdict)" if data.get("partial") else ""
    result.set("gates", status == "pass" and enough and not data.get("partial"),
               f"{status} at level {ran}" + ("" if enough else f" (needs {level})") + partial)


def _changelog(result: Verification, root: Path, version: str) -> None:
    path = root / "CHANGELOG.md"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        result.set("changelog", False, "no CHANGELOG.md")
        return
    heading = re.compile(rf"^#+ .*(?<![\w.]){re.escape(version)}(?![\w.]|rc)", re.MULTILINE)
    match = heading.search(text)
    line = text[:match.start()].count("\n") + 1 if match else None
    result.set("changelog", match is not None,
               f"CHANGELOG.md:{line}" if match else f"no heading for {version}")


def _refs(result: Verification, root: Path, tag: str, remote: str, main: str, book: str) -> None:
    refs = (_git(root, "for-each-ref", "--format=%(refname)") or "").split()
    heads = {r.removeprefix("refs/heads/") for r in refs if r.startswith("refs/heads/")}
    remotes = {r.removeprefix(f"refs/remotes/{remote}/") for r in refs
               if r.startswith(f"refs/remotes/{remote}/")}
    tags = {r.removeprefix("refs/tags/") for r in refs if r.startswith("refs/tags/")}
    branch = f"release/{tag}"
    where = [w for w, found in (("local", branch in heads), (remote, branch in remotes)) if found]
    result.set("branch", bool(where), f"{branch}: " + (", ".join(where) or "missing"))
    candidates = sorted(t for t in tags if re.fullmatch(rf"{re.escape(tag)}rc\d+", t))
    result.set("rc_tag", bool(candidates), ", ".join(candidates) or "no candidate tag")
    result.set("tag", tag in tags, f"{tag} " + ("exists" if tag in tags else "is missing"))
    target = f"{remote}/{main}" if main in remotes else main if main in heads else None
    merged = (tag in tags and target is not None and
              Git(root).run("merge-base", "--is-ancestor", tag, target, check=False).ok)
    result.set("merged", merged, f"{tag} in {target}" if merged else f"{tag} not in {main}")
    site = f"{remote}/{book}" if book in remotes else book if book in heads else None
    listed = _git(root, "ls-tree", "--name-only", site, "index.html") if site else None
    deployed = bool(listed and listed.strip())
    result.set("book", deployed, f"index.html on {site}" if deployed else
               f"no index.html on {site}" if site else f"no {book} branch")
