"""`[tool.tinyrelease.release]` of a course, read once per survey and checked as a whole: every
key known, every value of its type, each mistake one line naming the key and what it takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from tinyrelease.book.deploy import is_site_folder
from tinyrelease.checks.files import CourseFiles
from tinyrelease.checks.layout import ToolTableError, tool_table
from tinyrelease.release.errors import Refused
from tinyrelease.release.model import Kind
from tinyrelease.release.versions import Configured

FLOWS = ("rc", "direct")
GITHUB_RELEASES = ("published", "draft", "off")
# what follows a tag prefix is the version: the prefix ends in a letter, `-`, `_` or `/`
_PREFIX = re.compile(r"[A-Za-z0-9._/-]*[A-Za-z_/-]")
_PLACEHOLDERS = ("{version}", "{tag}")


@dataclass(frozen=True)
class Settings:
    """`[tool.tinyrelease.release]` of the course, defaults filled in."""

    main_branch: str = "main"
    dev_branch: str = "dev"
    remote: str = "origin"
    repository: str | None = None
    rc_repository: str | None = None
    book_remote: str | None = None
    book_branch: str = "gh-pages"
    book: bool = True
    # the folder of book_branch the book is deployed into, every other folder and file of the
    # branch kept (a gh-pages branch shared with other sites); None: the branch's root
    pages_folder: str | None = None
    # the GitHub release of a final: published, a draft a person publishes, or none
    github_release: str = "published"
    tag_prefix: str = "v"
    flow: str = "rc"
    # file (relative to the course) -> the text stating the version there, `{version}` or
    # `{tag}` where it stands: an install script pinning the tag, a README badge
    version_sites: dict[str, str] = field(default_factory=dict)

    def start_of(self, kind: Kind) -> str:
        """The branch a release of `kind` starts from: a hotfix mends what is released."""
        return self.main_branch if kind == Kind.HOTFIX else self.dev_branch

    @property
    def sites(self) -> Configured:
        """The configured version sites, with the tag prefix their `{tag}` stands for."""
        return Configured(self.version_sites, self.tag_prefix)

    @property
    def pages_prefix(self) -> str | None:
        """The Pages folder as the book deploy's --prefix takes it (no trailing `/`)."""
        return self.pages_folder.rstrip("/") if self.pages_folder else None

    @property
    def book_site(self) -> str:
        """Where the book goes, as the plan shows it: `tinytorch/ of gh-pages`."""
        return f"{self.pages_prefix}/ of {self.book_branch}" if self.pages_prefix \
            else self.book_branch

    @property
    def direct(self) -> bool:
        """Whether releases go straight from the development branch to main, with no RC."""
        return self.flow == "direct"


KEYS = tuple(f.name for f in fields(Settings))


def load_settings(root: Path, branches: set[str]) -> Settings:
    """The course's release settings (tinyrelease.toml, else pyproject.toml, read by the course
    model's one settings reader); without a dev_branch setting and no `dev` branch, the main
    branch is the development branch."""
    try:
        found = tool_table(CourseFiles(root))
    except ToolTableError as error:
        raise Refused(str(error)) from None
    table: dict[str, object] = {}
    if found is not None and isinstance(found[1], dict) and isinstance(found[1].get("release"),
                                                                        dict):
        table = found[1]["release"]
        _check(table, f"{root / found[0]}: [tool.tinyrelease.release]")
    settings = Settings(**table)  # type: ignore[arg-type]
    if "dev_branch" not in table and settings.dev_branch not in branches:
        settings = Settings(**{**table, "dev_branch": settings.main_branch})  # type: ignore[arg-type]
    return settings


def _check(table: dict[str, object], where: str) -> None:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise Refused(f"{where} has unknown keys: {', '.join(unknown)}")
    for key, value in table.items():
        if (problem := _problem(key, value)) is not None:
            raise Refused(f"{where} {key} must be {problem}")


def _problem(key: str, value: object) -> str | None:
    """What `value` of `key` must be instead, or None when it is right."""
    if key == "book":
        return None if isinstance(value, bool) else "true or false"
    if key == "version_sites":
        return _sites_problem(value)
    if not isinstance(value, str) or not value:
        return "a non-empty string"
    if key == "flow" and value not in FLOWS:
        return " or ".join(f'"{f}"' for f in FLOWS)
    if key == "github_release" and value not in GITHUB_RELEASES:
        return ", ".join(f'"{f}"' for f in GITHUB_RELEASES[:-1]) + f' or "{GITHUB_RELEASES[-1]}"'
    if key == "pages_folder" and not is_site_folder(value):
        return ('a folder of the Pages branch, like "tinytorch" (names of letters, digits, '
                '".", "_" and "-"; no leading "/", no "." or "..")')
    if key == "tag_prefix" and not _PREFIX.fullmatch(value):
        return ('the text before the version in a tag, ending in a letter, "-", "_" or "/" '
                '(like "v" or "tinytorch-v")')
    return None


def _sites_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return 'a table of FILE = "TEXT with {version} or {tag}"'
    for path, pattern in value.items():
        if path.startswith("/") or ".." in path.split("/"):
            return f"a table of files inside the course ({path} is not)"
        if not isinstance(pattern, str) or sum(pattern.count(p) for p in _PLACEHOLDERS) != 1:
            return f"a table whose texts hold {{version}} or {{tag}} once ({path} = {pattern!r})"
    return None
