"""`invoke demo`: a full minor release (candidate, then final) of the example course in a
sandbox with a bare origin, a gh-pages branch and a local pypiserver with a password;
`--monorepo`: the course in a folder of a monorepo beside another project, released in the
direct flow with prefixed tags, the other project proven untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tinyrelease.release import pipelines
from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.errors import ReleaseError
from tinyrelease.release.model import Kind, Request
from tinyrelease.release.monorepo import COURSE, OTHER, Footprint, Monorepo, monorepo
from tinyrelease.release.pipelines import Output
from tinyrelease.release.sandbox import PackageServer, course_repository, git

FRAGMENT = {"+demo.feature.md": "A demo feature, released by `invoke demo`.\n"}
# TinyTorch's shape: tags course-vX.Y.Z beside the other project's v*, straight from dev, a
# hand-written changelog, the book in its folder of the shared gh-pages, a draft GitHub release
MONOREPO = {"tag_prefix": "course-v", "flow": "direct", "pages_folder": COURSE,
            "github_release": "draft"}


def run_demo(example: Path, keep: bool, out: Output, in_monorepo: bool = False) -> Path:
    with sandbox(keep, out) as (base, server):
        index: dict[str, object] = {"repository": server.url, "rc_repository": server.url}
        publisher = FakePublisher(base / "github")
        out.line(f"Sandbox: {base} (index {server.url}, password in TWINE_PASSWORD)")
        if in_monorepo:
            root = _monorepo_release(example, base, index, out, publisher)
        else:
            root = course_repository(example, base, index, FRAGMENT)
            for stage in ("release candidate", "final release"):
                out.line(f"\n=== invoke release.minor --yes  ({stage})")
                pipelines.release(root, Request(Kind.MINOR, yes=True), out, publisher)
        out.line("\nWhere to look:")
        tags = sorted({line.split("refs/tags/")[1].removesuffix("^{}") for line in
                       git(root, "ls-remote", "--tags", "origin").splitlines()})
        out.line(f"  tags on origin:  {', '.join(tags)}")
        pages = git(root, "log", "-1", "--format=%s", "origin/gh-pages")
        folder = f"{COURSE}/ of " if in_monorepo else ""
        out.line(f"  book:            {folder}origin/gh-pages ({pages})")
        out.line(f"  on the index:    {', '.join(server.files())}")
        out.line(f"  bundle:          {root / 'build' / 'release'}")
        out.line(f"  GitHub (fake):   {base / 'github'}")
    return base


def _monorepo_release(example: Path, base: Path, index: dict[str, object], out: Output,
                      publisher: FakePublisher) -> Path:
    """Release the course of a sandbox monorepo, then prove the other project untouched."""
    repo = monorepo(example, base, {**index, **MONOREPO}, changelog="keepachangelog")
    before = repo.footprint()
    out.line(f"Monorepo: {repo.top}: {OTHER}/ (its {_names(before)}, its folder of "
             f"gh-pages) and the course in {COURSE}/ (tags course-v*)")
    out.line(f"\n=== invoke release.minor --course {repo.course} --yes  (flow = \"direct\")")
    pipelines.release(repo.course, Request(Kind.MINOR, yes=True), out, publisher)
    prove_untouched(repo, before, out)
    return repo.course


def prove_untouched(repo: Monorepo, before: Footprint, out: Output) -> None:
    """Compare the other project's refs and trees on origin with `before`; a difference is
    printed and stops the demo with a non-zero exit."""
    changed = repo.untouched(before)
    out.line(f"\nThe other project ({OTHER}/) on origin, before and after the release:")
    if changed:
        for line in changed:
            out.line(f"  ✗ {line}")
        raise ReleaseError(f"the release changed the other project ({changed[0]}): see "
                           f"{repo.top}")
    out.line(f"  ✓ {_names(before)}: at the same commits, and no ref added but the "
             "course's")
    out.line(f"  ✓ gh-pages: index.html and {OTHER}/ hold the same files (the book went into "
             f"{COURSE}/)")
    out.line(f"  ✓ main and dev: outside {COURSE}/ exactly the files dev held before (main got "
             "them by the merge)")


def _names(footprint: Footprint) -> str:
    """`tags v1.1.0, v1.2.0 and branch handbook/draft`: the other project's refs."""
    names: dict[str, list[str]] = {"tags": [], "heads": []}
    for ref in sorted({r.removesuffix("^{}") for r in footprint.refs}):
        kind, _, name = ref.removeprefix("refs/").partition("/")
        names.setdefault(kind, []).append(name)
    tags, branches = ", ".join(names["tags"]), ", ".join(names["heads"])
    return " and ".join(filter(None, [f"tags {tags}" if tags else "",
                                      f"branch {branches}" if branches else ""]))


@contextmanager
def sandbox(keep: bool, out: Output) -> Iterator[tuple[Path, PackageServer]]:
    """A temporary folder with a pypiserver whose password twine gets; removed after a demo
    that worked unless `keep`, kept after one that stopped (what its error names is there)."""
    base = Path(tempfile.mkdtemp(prefix="tinyrelease-demo-"))
    server = PackageServer(base / "index").start()
    saved = {k: os.environ.get(k) for k in ("TWINE_USERNAME", "TWINE_PASSWORD")}
    os.environ.update(TWINE_USERNAME=server.username, TWINE_PASSWORD=server.password)
    out.secrets.append(server.password)
    failed = True
    try:
        yield base, server
        failed = False
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if failed:
            out.line(f"The demo stopped; the sandbox is kept for you to look at: {base} "
                     "(remove it when done)")
        elif not keep:
            shutil.rmtree(base, ignore_errors=True)
            out.line("The sandbox was removed (invoke demo --keep keeps it).")
