"""A throw-away monorepo shaped like TinyTorch's: another project (the handbook, with its own
`v*` tags, a branch and a folder of the shared gh-pages branch) and the course in `course/`,
released once as `course-v0.1.0` and changed since on dev.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tinyrelease.release.sandbox import copy_course, git, pages_branch, repository
from tinyrelease.release.versions import write_atomic

OTHER = "handbook"
COURSE = "course"
# what the other project owns: tags (one asset-only tag shares the course's name), a branch
OTHER_TAGS = ("v1.1.0", "v1.2.0", "course-slides-v0.1.0")
OTHER_BRANCH = "handbook/draft"
PAGES = {"index.html": "<h1>All our sites</h1>\n",
         f"{OTHER}/index.html": "<h1>The handbook 1.2.0</h1>\n",
         f"{OTHER}/chapter.html": "<p>A chapter of the handbook.</p>\n"}
CHANGE = "Module 05 previewed: an SGD optimiser."


@dataclass(frozen=True)
class Footprint:
    """What the other project has on the origin, each part as the ids git gives it: its tags and
    branch (the commits they name), its folder and the root page of gh-pages, and the files
    outside the course's folder on the development and main branches (their tree entries)."""

    refs: dict[str, str]
    pages: str
    files: dict[str, str]


@dataclass(frozen=True)
class Monorepo:
    """The sandbox: the repository's top, the course folder in it, the bare origin."""

    top: Path
    course: Path
    origin: Path

    def other_refs(self, prefix: str = "course-v") -> dict[str, str]:
        """Every ref on the origin but the course's own (tags `prefix`X.Y.Z, its release and
        hotfix branches) and the branches both projects share, with the object it names: the
        other project's tags and branches, and any ref a release should not have made."""
        own = re.compile(rf"refs/(tags/|heads/(release|hotfix)/){re.escape(prefix)}\d")
        shared = {f"refs/heads/{b}" for b in ("main", "dev", "gh-pages")} | {"HEAD"}
        refs = (line.split("\t")[::-1] for line in
                git(self.origin, "ls-remote", ".").splitlines())
        return {ref: sha for ref, sha in refs if ref not in shared and not own.match(ref)}

    def other_pages(self) -> str:
        """The other project's folder and the root page on the origin's gh-pages (ids)."""
        return git(self.origin, "ls-tree", "-r", "refs/heads/gh-pages", "--", "index.html", OTHER)

    def other_files(self, branch: str) -> str:
        """The origin's `branch` outside the course's folder: its top entries but the course."""
        return "\n".join(line for line in git(self.origin, "ls-tree", f"refs/heads/{branch}")
                         .splitlines() if line.split("\t")[1] != COURSE)

    def footprint(self, branches: tuple[str, ...] = ("main", "dev")) -> Footprint:
        return Footprint(self.other_refs(), self.other_pages(),
                         {b: self.other_files(b) for b in branches})

    def untouched(self, before: Footprint, dev: str = "dev") -> list[str]:
        """What a release of the course changed of the other project, one line each (none: it
        is exactly as it was). Outside the course's folder both branches must hold what the
        development branch held before: merging it into main carries the other project's
        work there as it was, and nothing else."""
        after, changed = self.footprint(tuple(before.files)), []
        for ref in sorted(set(before.refs) | set(after.refs)):
            if before.refs.get(ref) != after.refs.get(ref):
                changed.append(f"{ref} was {before.refs.get(ref, 'absent')}, is now "
                               f"{after.refs.get(ref, 'absent')}")
        if after.pages != before.pages:
            changed.append(f"gh-pages: {OTHER}/ or index.html differ from before")
        for branch, files in after.files.items():
            if files != before.files[dev]:
                changed.append(f"{branch}: the files outside {COURSE}/ differ from those "
                               f"{dev} held before the release")
        return changed


def monorepo(example: Path, base: Path, settings: dict[str, object],
             changelog: str = "towncrier") -> Monorepo:
    """The handbook and the course (released as course-v0.1.0 from main), then on dev one
    change to each; `changelog` is the course's: `towncrier` fragments or `keepachangelog`."""
    top, origin = base / "monorepo", base / "origin.git"
    course = top / COURSE
    copy_course(example, course, settings)
    if changelog == "keepachangelog":
        keep_a_changelog(course)
    write_atomic(top / OTHER / "README.md", "# The handbook\n\nVersion 1.2.0 (tags v*).\n")
    write_atomic(top / "README.md", f"# Two projects\n\n- {OTHER}/ (v* tags)\n- {COURSE}/\n")
    repository(top, origin)
    git(top, "add", "-A")
    git(top, "commit", "--quiet", "-m", "The handbook 1.2.0 and the course 0.1.0")
    for tag in (*OTHER_TAGS[:-1], "course-v0.1.0"):
        git(top, "tag", "-a", tag, "-m", tag)
    git(top, "tag", OTHER_TAGS[-1])  # an asset-only tag: lightweight
    git(top, "push", "--quiet", "--follow-tags", "origin", "main")
    git(top, "push", "--quiet", "origin", f"refs/tags/{OTHER_TAGS[-1]}")
    git(top, "switch", "--quiet", "-c", OTHER_BRANCH)
    _commit(top, f"{OTHER}/draft.md", "A draft chapter.\n", "Handbook: a draft chapter")
    git(top, "push", "--quiet", "origin", OTHER_BRANCH)
    git(top, "switch", "--quiet", "-c", "dev", "main")
    if changelog == "keepachangelog":
        text = (course / "CHANGELOG.md").read_text(encoding="utf-8")
        _commit(top, f"{COURSE}/CHANGELOG.md", text.replace(
            "## [Unreleased]\n", f"## [Unreleased]\n\n### Added\n- {CHANGE}\n", 1),
            "Course: the changelog of the optimiser preview")
    else:
        _commit(top, f"{COURSE}/changelog.d/+optim.feature.md", f"{CHANGE}\n",
                "Course: the changelog fragment of the optimiser preview")
    _commit(top, f"{OTHER}/errata.md", "Errata of 1.2.0.\n", "Handbook: errata")
    git(top, "push", "--quiet", "origin", "dev")
    pages_branch(top, PAGES)
    git(top, "fetch", "--quiet", "origin")
    return Monorepo(top, course, origin)


def keep_a_changelog(course: Path) -> None:
    """The course's changelog hand-written (Keep a Changelog) instead of towncrier fragments:
    an empty `[Unreleased]` on top, released sections as `## [X.Y.Z] — date`."""
    pyproject = course / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r"\n\[tool\.towncrier\]\n(?:[^\[\n][^\n]*\n|\n)*", "\n", text)
    write_atomic(pyproject, text)
    (course / "changelog.d" / ".gitkeep").unlink(missing_ok=True)
    (course / "changelog.d").rmdir()
    changelog = course / "CHANGELOG.md"
    notes = changelog.read_text(encoding="utf-8").replace("## [0.1.0] - ", "## [0.1.0] — ")
    head, _, rest = notes.partition("## [0.1.0]")
    write_atomic(changelog, head + "## [Unreleased]\n\n## [0.1.0]" + rest)


def _commit(top: Path, rel: str, text: str, message: str) -> None:
    write_atomic(top / rel, text)
    git(top, "add", rel)
    git(top, "commit", "--quiet", "-m", message)
