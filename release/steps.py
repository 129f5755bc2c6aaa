"""What the runner observes outside the plan (build output, gates reports, the index, GitHub,
the book) and how each step applies itself; every action is safe to repeat after a crash.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from checks.boundary import own_folder
from checks.execution.build import build_dists, install_and_import, twine_check
from checks.process import run
from release import bookdeploy, changelog, index, prerelease, versions
from release.bundle import Publisher, announcement, write_bundle
from release.errors import GitError, IndexRefused, Refused, ReleaseError
from release.git import TOOL_PREFIX, Git
from release.plan import GATE_LEVELS, Facts, Observed, Release, Request
from release.state import ReleaseState

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Context:
    state: ReleaseState
    release: Release
    request: Request
    publisher: Publisher

    @property
    def git(self) -> Git:
        return Git(self.state.root)

    @property
    def folder(self) -> Path:
        return self.release.folder(self.state.root)

    def gates_dir(self) -> Path:
        head = self.state.branches.get(self.release.branch, self.state.head)
        return self.folder / "gates" / head[:12]


def _dists(folder: Path, version: str) -> list[Path]:
    dist = folder / "dist"
    found = [p for p in sorted(dist.glob("*")) if p.suffix in (".whl", ".gz")] if dist.is_dir() \
        else []
    return found if len(found) == 2 and all(f"-{version}" in p.name for p in found) else []


def observe(ctx: Context) -> tuple[Observed, Facts]:
    state, release, git = ctx.state, ctx.release, ctx.git
    s, b, seen, facts = state.settings, release.branch, Observed(), Facts()
    seen.dists = _dists(ctx.folder, str(release.version))
    report = ctx.gates_dir() / "report.json"
    if report.is_file():
        data = json.loads(report.read_text(encoding="utf-8"))
        seen.gates = data.get("status") if data.get("status") != "skipped" else \
            f"skipped: {data.get('reason', '')}"
    spec = s.rc_repository if release.stage == "rc" else s.repository
    if spec and seen.dists:
        try:
            uploaded = not index.pending(index.resolve(spec), state.project, seen.dists)
        except IndexRefused as error:  # unreachable now: the step's state is unknown
            seen.index_problem = str(error)
        else:
            seen.rc_uploaded, seen.uploaded = (uploaded, None) if release.stage == "rc" else \
                (None, uploaded)
    seen.notes = (ctx.folder / "notes.md").is_file()
    seen.bundle = (ctx.folder / "SHA256SUMS").is_file()
    why = ctx.publisher.available()
    seen.published = None if why else ctx.publisher.has_release(release.tag)
    seen.publisher_why = why or ("published" if seen.published else "not published")
    if not s.book:
        seen.book, seen.book_why = False, "off: book = false in [tool.tinyrelease.release]"
    elif bookdeploy.available():
        tagged = state.tags.get(release.tag)
        seen.book = bool(tagged) and bookdeploy.deployed(
            state.root, s.book_remote or s.remote, s.book_branch, tagged or "")
    if b in state.branches:
        committed = state.committed_version(b)
        facts.version_committed = committed == release.version
        facts.changelog_committed = _changelog_at(state, b, str(release.version))
        if release.kind == "hotfix":
            base = _fork_point(state, release)
            seen.fix_commits = [sha for sha, subject in git.commits(base, b)
                                if not subject.startswith(TOOL_PREFIX)]
    seen.review = prerelease.observe(state, release, facts)
    main = state.remote.branches.get(s.main_branch)
    tag_sha = state.remote.tags.get(release.tag)
    facts.merged = bool(main and tag_sha and git.has_object(main) and
                        git.is_ancestor(tag_sha, main))
    dev = state.remote.branches.get(s.dev_branch)
    dev_version = state.committed_version(dev) if dev and git.has_object(dev) else None
    facts.dev_bumped = bool(dev_version and dev_version > release.final and tag_sha
                            and git.is_ancestor(tag_sha, dev))
    return seen, facts


def _changelog_at(state: ReleaseState, ref: str, version: str) -> bool:
    cfg = state.changelog
    text = Git(state.root).show(ref, cfg.filename if cfg else "CHANGELOG.md")
    return text is not None and changelog.section_of(text, version) is not None


def _fork_point(state: ReleaseState, release: Release) -> str:
    return fork_point(state, release.final)


def fork_point(state: ReleaseState, final: versions.Version) -> str:
    """Where a hotfix branch left: the last final tag before it, else main before the hotfix
    was merged into it, else the main branch."""
    previous = {v: t for t in state.tags if (v := versions.version_of_tag(t)) is not None
                and not v.is_prerelease and v < final}
    if previous:
        return previous[max(previous)]
    main = state.settings.main_branch
    merged = Git(state.root).before_merge(main, f"{TOOL_PREFIX}merge {versions.tag_of(final)}")
    return merged or main


def switch(ctx: Context, branch: str) -> None:
    if ctx.git.branch() != branch:
        ctx.git.run("switch", "--quiet", branch)


def apply(ctx: Context, key: str) -> None:
    ACTIONS[key](ctx)


def _branch(ctx: Context) -> None:
    s = ctx.state.settings
    start = s.main_branch if ctx.release.kind == "hotfix" else s.dev_branch
    ctx.git.run("switch", "--quiet", "-c", ctx.release.branch, start)


def _version(ctx: Context) -> None:
    state, release, git = ctx.state, ctx.release, ctx.git
    switch(ctx, release.branch)
    fresh = versions.find_sites(state.root, state.package)
    old = next((x.value for x in fresh if x.path == "pyproject.toml"), str(state.version))
    changed = versions.rewrite(state.root, state.package, old, str(release.version))
    if release.stage == "final" and state.changelog is not None and not changelog.has_section(
            state.root, state.changelog, str(release.version)):
        if not changelog.fragments(state.root, state.changelog):
            raise Refused(f"no changelog fragments in {state.changelog.directory}/ for "
                          f"{release.version}: add one (towncrier create +fix.bugfix.md)")
        changelog.build(state.root, state.changelog, str(release.version))
        changed.append(state.changelog.filename)
    if release.stage == "final" and state.changelog is not None:
        # a run killed after the changelog was written but before towncrier removed its
        # fragments: they are in the notes now, so they go, and are never released twice
        for rel in changelog.consumed(state.root, state.changelog, str(release.version)):
            (state.root / rel).unlink()
        if (state.root / state.changelog.directory).is_dir():
            git.run("add", "--all", "--", state.changelog.directory)
    git.run("add", "--", *sorted({*changed, *state.owned_paths()} & _existing(state.root)))
    if git.run("diff", "--cached", "--quiet", check=False).ok:
        return  # an earlier run committed it already
    git.run("commit", "--quiet", "-m", f"{TOOL_PREFIX}{release.version}")


def _existing(root: Path) -> set[str]:
    return {p for p in ("pyproject.toml", "settings.ini", "README.md", "CHANGELOG.md",
                        *versions.BOOK_CONFIGS) if (root / p).exists()} | {
        str(p.relative_to(root)) for p in root.glob("*/__init__.py")}


def _notes(ctx: Context) -> None:
    text = changelog.draft(ctx.state.root, str(ctx.release.final)) if ctx.state.changelog \
        else "(no changelog configured)\n"
    ctx.folder.mkdir(parents=True, exist_ok=True)
    versions.write_atomic(ctx.folder / "notes.md", text)


def _gates(ctx: Context) -> None:
    switch(ctx, ctx.release.branch)
    out = ctx.gates_dir()
    out.mkdir(parents=True, exist_ok=True)
    if ctx.request.skip_gates:
        record = {"status": "skipped", "reason": ctx.request.skip_gates,
                  "level": GATE_LEVELS[ctx.release.kind]}
        versions.write_atomic(out / "report.json", json.dumps(record, indent=2))
        return
    level = GATE_LEVELS[ctx.release.kind]
    done = run([sys.executable, "-m", "checks", "--course", str(ctx.state.root), "--level",
                level, "--report-dir", str(out)], cwd=PROJECT_ROOT, timeout=3600,
               env={"PYTHONPATH": os.pathsep.join(filter(None, [
                   str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))})
    failing = _failing_gates(out / "report.json")
    if not (out / "report.json").is_file():
        raise ReleaseError(f"python -m checks wrote no report (exit {done.returncode}): "
                           f"{done.tail(1)}")
    if done.returncode == 1 or failing:
        raise Refused(f"the gates fail at level {level} ({', '.join(failing) or 'see report'}; "
                      f"{out / 'report.md'}): fix them, or --skip-gates REASON")
    if not done.ok:
        raise ReleaseError(f"python -m checks failed: {done.tail(1)}")
    if ctx.release.kind == "hotfix":
        _module_tests(ctx, out)


def _failing_gates(report: Path) -> list[str]:
    if not report.is_file():
        return []
    data = json.loads(report.read_text(encoding="utf-8"))
    return [g["name"] for g in data.get("gates", []) if g.get("status") == "fail"]


def _module_tests(ctx: Context, out: Path) -> None:
    """The fast track of a hotfix: the tests of the modules the fix touched."""
    state = ctx.state
    from checks.course import load_course

    course = load_course(state.root)
    changed = ctx.git.changed_files(_fork_point(state, ctx.release), ctx.release.branch)
    package = course.package_name or "?"
    exported = {m.id: package + "/" + m.exports.removeprefix(package + ".").replace(".", "/")
                for m in course.modules if m.exports}
    touched = {m.id for m in course.modules for path in changed
               if path.startswith(m.dir + "/") or (m.id in exported and path.startswith(
                   (exported[m.id] + ".py", exported[m.id] + "/")))}
    folders = [f"tests/{m}" for m in sorted(touched) if (state.root / "tests" / m).is_dir()]
    if not folders:
        return
    done = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *folders],
               cwd=state.root, timeout=1800)
    versions.write_atomic(out / "module-tests.txt", done.output)
    if not done.ok:
        (out / "report.json").unlink(missing_ok=True)
        raise Refused(f"the tests of {', '.join(sorted(touched))} fail: {done.tail(1)}")


def _build(ctx: Context) -> None:
    """Build into a scratch folder and move it into place only when checked and importable;
    when the index already has this version, its bytes are fetched instead of rebuilt."""
    state, folder = ctx.state, own_folder(ctx.state.root, "build", "release", ctx.release.tag)
    switch(ctx, ctx.release.branch)
    scratch = folder / "dist.partial"
    shutil.rmtree(scratch, ignore_errors=True)
    with committed_tree(state.root, ctx.release.branch) as tree:  # the commit, not the tree
        dists = build_dists(tree, scratch)
    if len(dists.files) != 2:
        raise ReleaseError(f"the build failed: {dists.log.tail(2) if dists.log else '?'}")
    if problems := twine_check(dists.files):
        listed = "; ".join(f"{name}: {problem}" for name, problem in problems.items())
        raise Refused(f"twine check --strict: {listed}")
    if dists.wheel is not None and state.package:
        result = install_and_import(dists.wheel, Path(sys.executable), [state.package],
                                    folder / "venv")
        shutil.rmtree(folder / "venv", ignore_errors=True)
        if result.installed is not None and not result.installed.ok:
            raise ReleaseError(f"the wheel does not install: {result.installed.tail(1)}")
        if result.failures:
            raise Refused(f"the installed wheel does not import: {result.failures}")
    shutil.rmtree(folder / "dist", ignore_errors=True)
    scratch.rename(folder / "dist")


@contextmanager
def committed_tree(root: Path, ref: str) -> Iterator[Path]:
    """The files of `ref` exactly as committed, in a temporary folder: what a release builds
    matches its tag, and nothing (egg-info, build/) is written into the course."""
    with tempfile.TemporaryDirectory(prefix="tinyrelease-tree-") as temp:
        archive, tree = Path(temp) / "tree.tar", Path(temp) / "tree"
        Git(root).run("archive", "--format=tar", "-o", str(archive), ref)
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data")
        yield tree


def _upload(ctx: Context) -> None:
    spec = ctx.state.settings.rc_repository if ctx.release.stage == "rc" else \
        ctx.state.settings.repository
    assert spec is not None
    repo = index.resolve(spec)
    dists = _dists(ctx.folder, str(ctx.release.version))
    todo = index.pending(repo, ctx.state.project, dists)
    if todo:
        index.upload(repo, todo)


def _tag(ctx: Context) -> None:
    release = ctx.release
    if release.tag in ctx.state.remote.tags:
        raise Refused(f"the tag {release.tag} is on {ctx.state.settings.remote} but not here: "
                      f"git fetch {ctx.state.settings.remote} --tags")
    ctx.git.run("tag", "-a", release.tag, "-m", f"{ctx.state.project} {release.version}",
                release.branch)


def _push(ctx: Context) -> None:
    ctx.git.run("push", "--quiet", "--atomic", ctx.state.settings.remote,
                f"refs/heads/{ctx.release.branch}", f"refs/tags/{ctx.release.tag}")


def _merge(ctx: Context) -> None:
    s, git = ctx.state.settings, ctx.git
    switch(ctx, s.main_branch)
    merged = git.run("merge", "--no-ff", "--quiet", "-m",
                     f"{TOOL_PREFIX}merge {ctx.release.tag}", ctx.release.tag, check=False)
    if not merged.ok:
        git.run("merge", "--abort", check=False)
        raise GitError(f"merging {ctx.release.tag} into {s.main_branch} conflicts: merge it by "
                       "hand, push, and run the command again")
    git.run("push", "--quiet", s.remote, f"refs/heads/{s.main_branch}")


def _bundle(ctx: Context) -> None:
    state, release = ctx.state, ctx.release
    notes = changelog.section(state.root, state.changelog, str(release.version)) or \
        f"{state.project} {release.version}\n"
    report = _latest_report(ctx.folder)
    index_url = index.resolve(state.settings.repository).simple_url \
        if state.settings.repository else None
    from release.checklist import checklist_text

    write_bundle(ctx.folder, notes, _dists(ctx.folder, str(release.version)), report,
                 announcement(state.project, str(release.version), notes, index_url),
                 checklist_text(state, release))


def _publish(ctx: Context) -> None:
    folder, release = ctx.folder, ctx.release
    assets = [folder / line.split("  ", 1)[1] for line in
              (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines() if "  " in line]
    ctx.publisher.create(release.tag, f"{ctx.state.project} {release.version}",
                         folder / "notes.md", [*assets, folder / "SHA256SUMS"], False)


def _book(ctx: Context) -> None:
    s = ctx.state.settings
    switch(ctx, ctx.release.branch)
    bookdeploy.deploy(ctx.state.root, s.book_remote or s.remote, s.book_branch, ctx.release.tag,
                      None, ctx.folder / "book", _latest_report(ctx.folder))


def _latest_report(folder: Path) -> Path | None:
    reports = sorted((folder / "gates").glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    return reports[-1] if reports else None


def _dev(ctx: Context) -> None:
    s, git, release = ctx.state.settings, ctx.git, ctx.release
    switch(ctx, s.dev_branch)
    if not git.is_ancestor(release.tag, "HEAD"):
        merged = git.run("merge", "--no-ff", "--quiet", "-m",
                         f"{TOOL_PREFIX}merge {release.tag} back", release.tag, check=False)
        if not merged.ok:
            git.run("merge", "--abort", check=False)
            raise GitError(f"merging {release.tag} into {s.dev_branch} conflicts: merge it by "
                           "hand, push, and run the command again")
    root, package = ctx.state.root, ctx.state.package
    sites = versions.find_sites(root, package)
    current = next((x.value for x in sites if x.path == "pyproject.toml"), str(release.final))
    if versions.parse(current) <= release.final:
        nxt = str(versions.next_dev(release.final))
        changed = versions.rewrite(root, package, current, nxt)
        git.run("add", "--", *changed)
        git.run("commit", "--quiet", "-m", f"{TOOL_PREFIX}start {nxt}")
    git.run("push", "--quiet", s.remote, f"refs/heads/{s.dev_branch}")


ACTIONS = {"branch": _branch, "version": _version, "notes": _notes, "gates": _gates,
           "build": _build, "upload": _upload, "tag": _tag, "push": _push, "merge": _merge,
           "bundle": _bundle, "publish": _publish, "book": _book, "dev": _dev,
           "review": prerelease.review_step, "approval": prerelease.approval_step}
