"""The one call into the book package's deploy (`python -m book deploy`), kept here so the
release adapts in one place when its interface changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tinyrelease.book.manifest import MANIFEST
from tinyrelease.checks.process import Completed
from tinyrelease.release.errors import ReleaseError
from tinyrelease.release.git import Git
from tinyrelease.release.runner import Arg


def available() -> bool:
    """True when the book's command line has a deploy command (asked of its own parser)."""
    try:
        from tinyrelease.book.cli import build_parser
    except ImportError:  # the book's dependencies are not installed here
        return False
    commands = next((a for a in build_parser()._actions
                     if isinstance(a, argparse._SubParsersAction)), None)
    return commands is not None and "deploy" in commands.choices


def deployed(root: Path, remote: str, branch: str, commit: str, folder: str | None) -> bool:
    """Whether the branch holds the book of `commit`: the release manifest in its folder (its
    root) names the commit, whatever other sites deployed to the branch since; or the branch's
    last commit, which names the course commit the book was built from in its message."""
    git = Git(root)
    git.fetch(remote)
    manifest = on_branch(root, remote, branch, folder)
    if manifest is not None:
        return manifest.get("commit") == commit
    done = git.run("log", "-1", "--format=%B", f"{remote}/{branch}", check=False)
    return done.ok and f"from {commit[:12]}" in done.output


def manifest_text(root: Path, remote: str, branch: str, folder: str | None) -> str | None:
    """The release manifest the fetched branch holds in `folder` (or at its root), as is."""
    path = f"{folder}/{MANIFEST}" if folder else MANIFEST  # from the branch's root
    shown = Git(root).run("show", f"{remote}/{branch}:{path}", check=False)
    return shown.output if shown.ok else None


def on_branch(root: Path, remote: str, branch: str, folder: str | None
              ) -> dict[str, object] | None:
    """That manifest's fields, if the branch holds one."""
    text = manifest_text(root, remote, branch, folder)
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:  # not ours: a manifest we write is JSON
        return None
    return data if isinstance(data, dict) else None


def command(root: Path, remote: str, branch: str, folder: str | None, out: Path,
            gates_report: Arg | None, manifest: list[Arg]) -> list[Arg]:
    """`python -m book deploy` of the checked-out release into `folder` of the branch (every
    other file of it kept), with the release manifest's fields. The book refuses a release
    without a passing gates report: without one (the maintainer skipped the gates) it is
    `--force`d."""
    return [sys.executable, "-m", "tinyrelease.book", "deploy", "--course", str(root),
            "--remote", remote, "--branch", branch, *(["--prefix", folder] if folder else []),
            "--out", str(out), *[a for field in manifest for a in ("--manifest", field)],
            *(["--gates-report", gates_report] if gates_report is not None else ["--force"])]


def require(done: Completed, tag: str) -> None:
    if not done.ok:
        raise ReleaseError(f"book deploy of {tag} failed: {done.tail(2)}")
