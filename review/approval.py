"""The approvals a release needs: each reviewer's verdict from review.json, or an override
with a reason committed to the course (`release/overrides/vX.Y.Z.toml`: the state lives in git).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tinyrelease.checks.git import Git
from tinyrelease.review.errors import NotApproved, ReviewError
from tinyrelease.review.model import REVIEWERS
from tinyrelease.review.render import JSON

OVERRIDES = "release/overrides"


@dataclass(frozen=True)
class Override:
    reviewer: str
    reason: str
    by: str | None
    path: str


@dataclass
class Approvals:
    """Who approved the release `tag`, who was overridden (and why), and what is missing."""

    tag: str | None
    reviewed: bool = False
    verdicts: dict[str, bool] = field(default_factory=dict)
    overrides: dict[str, Override] = field(default_factory=dict)
    commit: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [r for r in REVIEWERS if not self.verdicts.get(r) and r not in self.overrides]

    @property
    def approved(self) -> bool:
        return self.reviewed and not self.missing

    def describe(self) -> str:
        if not self.reviewed:
            return "no review found (invoke release.review)"
        parts = [f"{REVIEWERS[r]}: " + ("approved" if ok else
                                       f"overridden ({self.overrides[r].reason})"
                                       if r in self.overrides else "changes requested")
                 for r, ok in ((r, self.verdicts.get(r, False)) for r in REVIEWERS)]
        return "; ".join(parts)


def under_git(root: Path) -> bool:
    """Whether git tracks the course: a repository of its own, or a folder of a bigger one
    (a monorepo) with files committed."""
    top = Git(root).run("rev-parse", "--show-toplevel", check=False)
    return top.ok and Git(root).tracked()


def overrides_file(tag: str) -> str:
    return f"{OVERRIDES}/{tag}.toml"


def approvals(review_dir: Path, course_root: Path | None = None, tag: str | None = None
              ) -> Approvals:
    """The approvals of the review in `review_dir` (its review.json), with the overrides the
    course committed for `tag`. Raises ReviewError for an unreadable review.json or a
    malformed override file."""
    result = Approvals(tag)
    path = review_dir / JSON
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result.verdicts = {name: bool(entry["approved"])
                               for name, entry in data["reviewers"].items()}
            result.commit = data.get("commit")
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise ReviewError(f"{path}: not a review written by python -m review ({error}); "
                              "run invoke release.review again") from None
        result.reviewed = True
    if course_root is not None and tag is not None:
        result.overrides, result.problems = read_overrides(course_root, tag)
    return result


def read_overrides(course_root: Path, tag: str) -> tuple[dict[str, Override], list[str]]:
    """The overrides committed at HEAD; an uncommitted or edited file does not count."""
    rel = overrides_file(tag)
    committed = Git(course_root).run("show", f"HEAD:./{rel}", check=False)
    on_disk = course_root / rel
    if not committed.ok:
        if on_disk.is_file():
            return {}, [f"{rel} is not committed, so it does not count: git add {rel} && "
                        "git commit"]
        return {}, []
    text = committed.output
    if on_disk.is_file() and on_disk.read_text(encoding="utf-8") != text:
        return {}, [f"{rel} has uncommitted changes, so it does not count: commit them"]
    return _parse(text, str(course_root / rel)), []


def _parse(text: str, where: str) -> dict[str, Override]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ReviewError(f"{where}: invalid TOML: {error}") from None
    found = {}
    for reviewer, entry in data.items():
        if reviewer not in REVIEWERS:
            raise ReviewError(f"{where}: [{reviewer}] is not a reviewer (one of "
                              f"{', '.join(REVIEWERS)})")
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            raise ReviewError(f"{where}: [{reviewer}] needs a reason = \"why the release may "
                              "go on without this approval\"")
        by = entry.get("by")
        found[reviewer] = Override(reviewer, reason.strip(), by if isinstance(by, str) else None,
                                   where)
    return found


def require_approvals(review_dir: Path, course_root: Path, tag: str) -> Approvals:
    """The approvals, or NotApproved naming who is missing and the two ways forward."""
    result = approvals(review_dir, course_root, tag)
    if result.approved:
        return result
    notes = f" ({'; '.join(result.problems)})" if result.problems else ""
    if not result.reviewed:
        raise NotApproved(f"{tag} has no review in {review_dir}: run invoke release.review "
                          f"--out {review_dir}{notes}")
    who = ", ".join(REVIEWERS[r] for r in result.missing)
    raise NotApproved(f"{tag} is not approved by {who}: fix the HIGH items in "
                      f"{review_dir / 'consolidated.md'} and review again, or commit "
                      f"{overrides_file(tag)} with a reason per reviewer{notes}")
