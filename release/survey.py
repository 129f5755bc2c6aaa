"""What a survey reads before every step: git and the course's files, once, into a
`ReleaseState`; and for the release identified from it, what is seen outside git (build output,
gates report, package index, GitHub, book branch, review).
"""

from __future__ import annotations

import json
from pathlib import Path

import tomlkit
from packaging.version import Version

from tinyrelease.checks.store import open_course
from tinyrelease.release import bookdeploy, changelog, index, prerelease, versions
from tinyrelease.release.bundle import Publisher
from tinyrelease.release.errors import IndexRefused, Refused
from tinyrelease.release.evidence import read_evidence
from tinyrelease.release.git import TOOL_PREFIX, Git
from tinyrelease.release.model import Release, Stage
from tinyrelease.release.settings import Settings, load_settings
from tinyrelease.release.state import (
    Observations,
    ReleaseLine,
    ReleaseState,
    RemoteRefs,
    gated_commit,
    gates_dir,
)


def course_root_of(root: Path) -> Path:
    """The course is a repository of its own or a tracked folder of a bigger one (a monorepo);
    anything else is refused."""
    if not root.is_dir():
        raise Refused(f"{root}: not a directory (give --course the root of a course repository)")
    git = Git(root)
    top = git.toplevel()
    if top is None:
        raise Refused(f"{root} is not in a git repository: a release needs the course under "
                      "git (git init, commit it, add a remote; or try `invoke demo`)")
    if top != root.resolve() and not git.tracked():
        raise Refused(f"{root} is a folder git does not track in {top}: commit the course "
                      f"first (git add {root} && git commit)")
    return root.resolve()


def read_state(root: Path, fetch: bool = True) -> ReleaseState:
    """git and the course's files as they are now, with every fact about refs a plan asks."""
    git = Git(root)
    branches = git.local_branches()
    settings = load_settings(root, set(branches))
    if settings.remote not in git.remotes():
        raise Refused(f"{root}: no git remote named {settings.remote!r} (git remote add "
                      f"{settings.remote} URL, or set remote in [tool.tinyrelease.release])")
    if fetch:
        git.fetch(settings.remote)
    course = open_course(root)
    project = str((course.pyproject.project.get("name") if course.pyproject else None)
                  or course.package_name or root.name)
    present = {m.number for m in course.modules}
    entries = course.learning_path.entries if course.learning_path else []
    missing = [f"{e.number:02d} {e.name}" for e in entries if e.number not in present]
    cfg = changelog.config(root)
    tags = versions.ours(git.local_tags(), settings.tag_prefix)
    prefixes = (f"release/{settings.tag_prefix}", f"hotfix/{settings.tag_prefix}")
    lines = {name: _line(git, name, sha, tags, settings, cfg)
             for name, sha in sorted(branches.items()) if name.startswith(prefixes)
             and versions.version_of_tag(name.split("/", 1)[1], settings.tag_prefix)}
    latest = versions.latest_final(tags, settings.tag_prefix)
    changed = tuple(git.changed_files(tags[latest], "HEAD", "..")) if latest else None
    if settings.direct and settings.dev_branch in branches:
        lines[settings.dev_branch] = _direct_line(git, settings, branches, cfg, latest)
    return ReleaseState(root, settings, project, course.package_name, git.branch(), git.head(),
                        tuple(git.dirty()), branches, tags, _remote(git, settings, lines),
                        tuple(versions.find_sites(root, course.package_name, settings.sites)),
                        cfg,
                        tuple(changelog.fragments(root, cfg)), tuple(missing), lines, changed,
                        changelog.pending(root, cfg))


def _line(git: Git, name: str, head: str, tags: dict[str, str], settings: Settings,
          cfg: changelog.ChangelogConfig | None) -> ReleaseLine:
    prefix = settings.tag_prefix
    stated = stated_at(git, head)
    since: tuple[str, ...] = ()
    if stated is not None and stated.is_prerelease:
        candidate = tags.get(versions.tag_of(stated, prefix))
        if candidate is not None and candidate != head:
            since = tuple(git.changed_files(candidate, head))
    fork: str | None = None
    fixes: tuple[str, ...] = ()
    final = versions.version_of_tag(name.partition("/")[2], prefix)
    if name.startswith("hotfix/") and final is not None:
        fork = fork_point(git, tags, settings.main_branch, final, prefix)
        fixes = tuple(sha for sha, subject in git.commits(fork, name)
                      if not subject.startswith(TOOL_PREFIX))
    subject, parent = _head_commit(git, head)
    return ReleaseLine(name, head, stated, git.show(head, cfg.filename if cfg else "CHANGELOG.md"),
                       since, fork, fixes, subject=subject, parent=parent)


def _head_commit(git: Git, head: str) -> tuple[str, str | None]:
    """The subject of a commit and its first parent."""
    subject, _, parents = git.out("log", "-1", "--format=%s%n%P", head).partition("\n")
    return subject, next(iter(parents.split()), None)


def _direct_line(git: Git, settings: Settings, branches: dict[str, str],
                 cfg: changelog.ChangelogConfig | None, latest: str | None) -> ReleaseLine:
    """The development branch a direct release is made on: what it states, and the version of
    the release commit made on it since the last release, if any (a release under way)."""
    name = settings.dev_branch
    head = branches[name]
    since = f"{latest}..{name}" if latest else name
    subjects = git.run("log", "--no-merges", "--format=%s", since, "--", ".",
                       check=False).output.splitlines()
    bumped = next((v for s in subjects if s.startswith(TOOL_PREFIX) and (v := _final(
        s.removeprefix(TOOL_PREFIX))) is not None), None)
    main = branches.get(settings.main_branch)
    subject, parent = _head_commit(git, head)
    return ReleaseLine(name, head, stated_at(git, head), git.show(
        head, cfg.filename if cfg else "CHANGELOG.md"), bumped=bumped,
        in_main=main is not None and git.is_ancestor(head, main), subject=subject,
        parent=parent)


def _final(text: str) -> Version | None:
    """The final version a release commit's subject names (`release: 0.2.0`), else None."""
    try:
        version = Version(text)
    except ValueError:
        return None
    return version if not (version.is_prerelease or version.is_devrelease) and \
        str(version) == text else None


def _remote(git: Git, settings: Settings, lines: dict[str, ReleaseLine]) -> RemoteRefs:
    """The remote's refs; whether its main and development branches hold the tags of the
    release lines here (and the newest release's); the version its development branch
    states."""
    refs = git.remote_refs(settings.remote)
    if refs is None:
        return RemoteRefs(False)
    branches, tags = refs[0], versions.ours(refs[1], settings.tag_prefix)
    ours = [tag for name in lines if (tag := name.partition("/")[2]) in tags]
    newest = versions.latest_final(tags, settings.tag_prefix)
    ours += [newest] if newest and newest not in ours else []
    contains = {branch: frozenset(t for t in ours if git.is_ancestor(tags[t], branches[branch]))
                for branch in {settings.main_branch, settings.dev_branch} if branch in branches}
    dev = branches.get(settings.dev_branch)
    return RemoteRefs(True, branches, tags, {settings.dev_branch: stated_at(git, dev)} if dev
                      else {}, contains)


def stated_at(git: Git, ref: str) -> Version | None:
    """The version `pyproject.toml` states at `ref` (a branch or a commit)."""
    text = git.show(ref, "pyproject.toml")
    if text is None:
        return None
    try:
        value = tomlkit.parse(text).get("project", {}).get("version")
        return Version(str(value)) if value else None
    except Exception:  # a broken pyproject at ref: the preflight reports the current one
        return None


def fork_point(git: Git, tags: dict[str, str] | list[str], main: str, final: Version,
               prefix: str = "v") -> str:
    """Where a hotfix branch left: the last final tag before it, else main before the hotfix
    was merged into it, else the main branch."""
    previous = {v: t for t in tags if (v := versions.version_of_tag(t, prefix)) is not None
                and not v.is_prerelease and v < final}
    if previous:
        return previous[max(previous)]
    merged = git.before_merge(main, f"{TOOL_PREFIX}merge {versions.tag_of(final, prefix)}")
    return merged or main


def observe(state: ReleaseState, release: Release, publisher: Publisher) -> Observations:
    """What is seen outside git for `release`, each thing asked once."""
    folder, s = release.folder(state.root), state.settings
    dists = dists_in(folder, str(release.version))
    uploaded, problem = _on_index(state, release, dists)
    missing = publisher.available()
    deployable = bookdeploy.available() if s.book else True
    tagged = state.tags.get(release.tag)
    deployed = bool(s.book and deployable and tagged) and bookdeploy.deployed(
        state.root, s.book_remote or s.remote, s.book_branch, tagged or "", s.pages_prefix)
    report = gates_dir(folder, gated_commit(state, release)) / "report.json"
    return Observations(
        dists=tuple(dists), gates=gates_status(report), evidence=read_evidence(report),
        uploaded=uploaded, index_problem=problem, notes=(folder / "notes.md").is_file(),
        bundle=(folder / "SHA256SUMS").is_file(), publisher_missing=missing,
        published=not missing and publisher.has_release(release.tag),
        book_deployable=deployable, book_deployed=deployed,
        review=prerelease.review_seen(state, release) if release.reviewed else None)


def dists_in(folder: Path, version: str) -> list[Path]:
    """The wheel and sdist of `version` in the release folder, or none when not both are."""
    dist = folder / "dist"
    found = [p for p in sorted(dist.glob("*")) if p.suffix in (".whl", ".gz")] \
        if dist.is_dir() else []
    return found if len(found) == 2 and all(f"-{version}" in p.name for p in found) else []


def gates_status(report: Path) -> str | None:
    """pass, fail, partial or `skipped: REASON` of a gates report; None when there is none."""
    if not report.is_file():
        return None
    data = json.loads(report.read_text(encoding="utf-8"))
    status = data.get("status")
    if status == "skipped":
        return f"skipped: {data.get('reason', '')}"
    return None if status is None else str(status)


def _on_index(state: ReleaseState, release: Release, dists: list[Path]
              ) -> tuple[bool | None, str | None]:
    """Whether the index of this stage has the built files (same hashes); when it cannot be
    reached, the upload's state is unknown and the problem says why."""
    s = state.settings
    spec = s.rc_repository if release.stage == Stage.RC else s.repository
    if not spec or not dists:
        return None, None
    try:
        return not index.pending(index.resolve(spec), state.project, dists), None
    except IndexRefused as error:
        return None, str(error)
