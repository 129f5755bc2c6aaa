"""Undoing and carrying over: `release.abort` takes back the local effects of an unfinished
release (never what was pushed), `release.backport` cherry-picks a hotfix onto other branches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tinyrelease.release import changelog, index, versions
from tinyrelease.release.errors import GitError, Refused
from tinyrelease.release.git import TOOL_PREFIX, Git
from tinyrelease.release.lock import release_lock
from tinyrelease.release.pipelines import Output
from tinyrelease.release.state import ReleaseState
from tinyrelease.release.survey import course_root_of, fork_point, read_state, stated_at


@dataclass
class Undone:
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)


def abort(course: Path, out: Output) -> Undone:
    root = course_root_of(course)
    with release_lock(root):
        return _abort(root, out)


def _abort(root: Path, out: Output) -> Undone:
    state = read_state(root)
    git, s = Git(root), state.settings
    branch = state.branch if state.is_line(state.branch) else None
    if branch is None and len(state.open_releases) == 1:
        branch = state.open_releases[0]
    if branch is None:
        raise Refused("no release is under way here (nothing to abort)")
    owned = [p for p in state.dirty if p in state.owned_paths() or p.startswith(
        (state.changelog.directory + "/") if state.changelog else "\0")]
    foreign = state.foreign_changes() + [p for p in owned if not _release_edit(root, state, p)]
    if foreign:
        raise Refused(f"uncommitted changes that are not the release's own "
                      f"({', '.join(foreign[:5])}): commit or stash them first (abort only "
                      "undoes what the release wrote, never your work)")
    final = versions.version_of_tag(branch.split("/", 1)[1], state.prefix)
    assert final is not None
    start = s.main_branch if branch.startswith("hotfix/") else s.dev_branch
    done = Undone()
    if owned:
        git.run("checkout", "HEAD", "--", *owned)
        done.removed.append(f"uncommitted edits of {', '.join(owned)}")
    if state.branch != start:
        git.run("switch", "--quiet", start)
    for tag in sorted(t for t in state.tags if _of_release(t, final, state.prefix)):
        if tag in state.remote.tags:
            done.kept.append(f"tag {tag} (pushed to {s.remote})")
        else:
            git.run("tag", "-d", tag)
            done.removed.append(f"local tag {tag}")
    _branch(git, state.branches, state.remote.branches, branch, start, s.remote, done)
    for spec in {x for x in (s.repository, s.rc_repository) if x}:
        repo = index.resolve(spec)
        out.secrets += repo.secrets()
        files = [name for name in index.listing(repo, state.project)
                 if f"-{final.base_version}" in name]
        done.published += [f"{name} on {repo.label}" for name in sorted(files)]
    for line in done.removed:
        out.line(f"removed: {line}")
    for line in done.kept + [f"uploaded: {p}" for p in done.published]:
        out.line(f"cannot be undone here: {line}")
    out.line(f"Back on {start}.")
    return done


def _release_edit(root: Path, state: ReleaseState, rel: str) -> bool:
    """Whether the uncommitted change of `rel` is exactly what an interrupted release step
    wrote: the version sites rewritten from HEAD's version to the one they state now, the
    changelog given the section of that version, fragments consumed into that section."""
    git = Git(root)
    head = git.run("show", f"HEAD:./{rel}", check=False)
    path = root / rel
    now = path.read_text(encoding="utf-8") if path.is_file() else None
    stated = next((x.value for x in versions.find_sites(root, state.package)
                   if x.path == "pyproject.toml"), None)
    before = stated_at(git, "HEAD")
    cfg = state.changelog
    if cfg is not None and rel.startswith(cfg.directory + "/"):
        notes = changelog.section(root, cfg, stated or "") if stated else None
        text = head.output if head.ok else ""
        return now is None and notes is not None and all(
            " ".join(line.split()) in " ".join(notes.split())
            for line in text.splitlines() if line.strip())
    if not head.ok or now is None or stated is None or before is None:
        return False
    if cfg is not None and rel == cfg.filename:
        return _without_section(now, stated) == _without_section(head.output, stated) \
            and changelog.section_of(now, stated) is not None
    return versions.site_text(rel, head.output, str(before), stated,
                              state.settings.sites) == now


def _without_section(text: str, version: str) -> str:
    """The changelog without the section of `version` and towncrier's marker line."""
    notes = changelog.section_of(text, version)
    if notes is not None:
        heading = re.search(rf"^#+ \[?v?{re.escape(version)}\]?(?:\s|$).*$", text, re.MULTILINE)
        assert heading is not None
        text = text[:heading.start()] + text[heading.end():].replace(notes.strip(), "", 1)
    return " ".join(text.replace(changelog.MARKER.strip(), "").split())


def _of_release(tag: str, final: versions.Version, prefix: str) -> bool:
    version = versions.version_of_tag(tag, prefix)
    return version is not None and version.base_version == final.base_version and (
        version == final or version.is_prerelease)


def _branch(git: Git, local: dict[str, str], remote: dict[str, str], branch: str, start: str,
            remote_name: str, done: Undone) -> None:
    if branch not in local:
        return
    if branch in remote:
        done.kept.append(f"branch {branch} (pushed to {remote_name})")
        return
    human = [sha[:10] for sha, subject in git.commits(start, branch)
             if not subject.startswith(TOOL_PREFIX)]
    if human:
        done.kept.append(f"branch {branch}: it has your commits {', '.join(human)}")
        return
    git.run("branch", "-D", branch)
    done.removed.append(f"local branch {branch}")


@dataclass
class Backported:
    picked: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)


def backport(course: Path, targets: list[str], source: str | None, out: Output) -> Backported:
    """Cherry-pick the fix commits of a hotfix onto each target; a conflict is reported with
    its files and the cherry-pick aborted, so no branch is left mid-pick."""
    root = course_root_of(course)
    state = read_state(root)
    git = Git(root)
    if not targets:
        raise Refused("name the branches to carry the fix to: --to BRANCH (repeatable)")
    if foreign := state.foreign_changes() or state.dirty:
        raise Refused(f"the working tree has uncommitted changes ({', '.join(foreign[:5])})")
    hotfixes = {v: b for b in state.branches if b.startswith("hotfix/") and state.is_line(b)
                and (v := versions.version_of_tag(b.split("/", 1)[1], state.prefix)) is not None}
    source = source or (hotfixes[max(hotfixes)] if hotfixes else None)
    if source is None or source not in state.branches:
        raise Refused("no hotfix branch to backport from: give --from BRANCH")
    if missing := [t for t in targets if t not in state.branches]:
        raise Refused(f"no local branch {missing[0]} (git switch -c {missing[0]} "
                      f"{state.settings.remote}/{missing[0]})")
    final = versions.version_of_tag(source.split("/", 1)[1], state.prefix)
    if final is None:
        raise Refused(f"{source} is not a hotfix branch of this course (hotfix/"
                      f"{state.prefix}X.Y.Z)")
    base = fork_point(git, state.tags, state.settings.main_branch, final, state.prefix)
    fixes = [(sha, subject) for sha, subject in git.commits(base, source)
             if not subject.startswith(TOOL_PREFIX)]
    if not fixes:
        raise Refused(f"{source} has no fix commits since {base}")
    original, result = state.branch, Backported()
    try:
        for target in targets:
            git.run("switch", "--quiet", target)
            for sha, subject in fixes:
                if git.run("log", "--format=%H", "--grep", f"cherry picked from commit {sha}",
                           target).output.strip() or git.is_ancestor(sha, target):
                    continue  # carried over by an earlier run
                picked = git.run("cherry-pick", "-x", sha, check=False)
                if not picked.ok:
                    files = git.out("diff", "--name-only", "--diff-filter=U").split()
                    git.run("cherry-pick", "--abort", check=False)
                    result.conflicts[target] = files or [subject]
                    break
                result.picked.setdefault(target, []).append(f"{sha[:10]} {subject}")
    finally:
        git.run("switch", "--quiet", original, check=False)
    for target, picks in result.picked.items():
        out.line(f"{target}: picked {len(picks)} commit(s): {'; '.join(picks)} "
                 f"(push with: git push {state.settings.remote} {target})")
    for target, files in result.conflicts.items():
        out.line(f"{target}: conflict in {', '.join(files)}; nothing was picked there from "
                 "that commit on: resolve by hand (git cherry-pick -x) on the branch")
    if result.conflicts:
        raise GitError(f"backport conflicts on {', '.join(result.conflicts)} (see above)")
    return result
