"""The state a release is planned from, read fresh before every step: the course's settings,
git (branch, tree, branches and tags local and remote), the stated versions and the changelog.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import Version

from checks.course import load_course
from release import changelog, versions
from release.changelog import ChangelogConfig
from release.errors import Refused
from release.git import Git

SETTINGS_KEYS = ("main_branch", "dev_branch", "remote", "repository", "rc_repository",
                 "book_remote", "book_branch", "book")


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


def load_settings(root: Path, branches: set[str]) -> Settings:
    table: dict[str, object] = {}
    for rel in ("tinyrelease.toml", "pyproject.toml"):
        path = root / rel
        if not path.is_file():
            continue
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise Refused(f"{path}: invalid TOML: {error}") from None
        tool = document.get("tool", {}).get("tinyrelease")
        if tool is None and rel == "tinyrelease.toml":
            tool = document
        if isinstance(tool, dict) and isinstance(tool.get("release"), dict):
            table = tool["release"]
            where = f"{path}: [tool.tinyrelease.release]"
            unknown = sorted(set(table) - set(SETTINGS_KEYS))
            if unknown:
                raise Refused(f"{where} has unknown keys: {', '.join(unknown)}")
            bad = [k for k, v in table.items() if k != "book" and (not isinstance(v, str)
                                                                  or not v)]
            if not isinstance(table.get("book", True), bool):
                bad.insert(0, "book")
            if bad:
                raise Refused(f"{where} {bad[0]} must be " + ("true or false" if bad[0] == "book"
                                                              else "a non-empty string"))
            break
    settings = Settings(**table)  # type: ignore[arg-type]
    if "dev_branch" not in table and settings.dev_branch not in branches:
        settings = Settings(**{**table, "dev_branch": settings.main_branch})  # type: ignore[arg-type]
    return settings


@dataclass
class RemoteRefs:
    reachable: bool
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class ReleaseState:
    """Everything a plan is computed from; nothing here is remembered between runs."""

    root: Path
    settings: Settings
    project: str
    package: str | None
    branch: str
    head: str
    dirty: list[str]
    branches: dict[str, str]
    tags: dict[str, str]
    remote: RemoteRefs
    sites: list[versions.VersionSite]
    changelog: ChangelogConfig | None
    fragments: list[str]
    map_missing: list[str]
    open_releases: list[str] = field(default_factory=list)

    @property
    def version(self) -> Version:
        pyproject = next((s for s in self.sites if s.path == "pyproject.toml"), None)
        site = pyproject or (self.sites[0] if self.sites else None)
        if site is None:
            raise Refused(f"{self.root}: the course states no version (pyproject.toml "
                          "[project] version)")
        return versions.parse(site.value, f"{site.path}:{site.line}")

    def disagreeing(self) -> list[versions.VersionSite]:
        return [s for s in self.sites if s.value != str(self.version)]

    def owned_paths(self) -> set[str]:
        """Files a release step rewrites: left dirty by an interrupted step, they are the
        step's to finish, not a human's change."""
        owned = {s.path for s in self.sites} | {"README.md"}
        if self.changelog:
            owned.add(self.changelog.filename)
        return owned

    def foreign_changes(self) -> list[str]:
        fragment_dir = self.changelog.directory + "/" if self.changelog else "\0"
        return [p for p in self.dirty
                if p not in self.owned_paths() and not p.startswith(fragment_dir)]

    def changed_files(self, base: str, tip: str) -> list[str]:
        """The files the commits from `base` to `tip` changed."""
        return Git(self.root).changed_files(base, tip)

    def committed_version(self, ref: str) -> Version | None:
        """The version `pyproject.toml` states at `ref` (a branch or a commit)."""
        import tomlkit

        text = Git(self.root).show(ref, "pyproject.toml")
        if text is None:
            return None
        try:
            value = tomlkit.parse(text).get("project", {}).get("version")
            return Version(str(value)) if value else None
        except Exception:  # a broken pyproject at ref: the preflight reports the current one
            return None


def course_root_of(root: Path) -> Path:
    """The course must be the top of its own git repository; anything else is refused."""
    if not root.is_dir():
        raise Refused(f"{root}: not a directory (give --course the root of a course repository)")
    top = Git(root).toplevel()
    if top != root.resolve():
        raise Refused(f"{root} is not the top of its own git repository: a release needs the "
                      "course in a repository of its own (try `invoke demo` for a sandbox)")
    return root.resolve()


def read_state(root: Path, fetch: bool = True) -> ReleaseState:
    git = Git(root)
    branches = git.local_branches()
    settings = load_settings(root, set(branches))
    if settings.remote not in git.remotes():
        raise Refused(f"{root}: no git remote named {settings.remote!r} (git remote add "
                      f"{settings.remote} URL, or set remote in [tool.tinyrelease.release])")
    if fetch:
        git.fetch(settings.remote)
    refs = git.remote_refs(settings.remote)
    remote = RemoteRefs(True, *refs) if refs is not None else RemoteRefs(False)
    course = load_course(root)
    project = str((course.pyproject.project.get("name") if course.pyproject else None)
                  or course.package_name or root.name)
    present = {m.number for m in course.modules}
    entries = course.learning_path.entries if course.learning_path else []
    missing = [f"{e.number:02d} {e.name}" for e in entries if e.number not in present]
    cfg = changelog.config(root)
    state = ReleaseState(root, settings, project, course.package_name, git.branch(), git.head(),
                         git.dirty(), branches, git.local_tags(), remote,
                         versions.find_sites(root, course.package_name), cfg,
                         changelog.fragments(root, cfg), missing)
    state.open_releases = [name for name in sorted(branches) if not _finished(state, git, name)]
    return state


def _finished(state: ReleaseState, git: Git, branch: str) -> bool:
    """A release branch is finished when its last step is on the remote: for a release, the
    development branch moved past its version; for a hotfix, its tag merged into main."""
    kind, _, tag = branch.partition("/")
    final = versions.version_of_tag(tag)
    if kind not in ("release", "hotfix") or final is None:
        return True
    if kind == "hotfix":
        main = state.remote.branches.get(state.settings.main_branch)
        return (tag in state.remote.tags and main is not None and git.has_object(main)
                and git.is_ancestor(state.remote.tags[tag], main))
    dev = state.remote.branches.get(state.settings.dev_branch)
    stated = state.committed_version(dev) if dev and git.has_object(dev) else None
    return tag in state.remote.tags and stated is not None and stated > final
