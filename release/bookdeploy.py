"""The one call into the book package's deploy (`python -m book deploy`), kept here so the
release adapts in one place when its interface changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def deployed(root: Path, remote: str, branch: str, commit: str) -> bool:
    """The book deploy names the course commit it was built from in its commit message."""
    git = Git(root)
    git.fetch(remote)
    done = git.run("log", "-1", "--format=%B", f"{remote}/{branch}", check=False)
    return done.ok and f"from {commit[:12]}" in done.output


def command(root: Path, remote: str, branch: str, out: Path,
            gates_report: Arg | None) -> list[Arg]:
    """`python -m book deploy` of the checked-out release. The book refuses a release without
    a passing gates report: without one (the maintainer skipped the gates) it is `--force`d."""
    return [sys.executable, "-m", "tinyrelease.book", "deploy", "--course", str(root),
            "--remote", remote, "--branch", branch, "--out", str(out),
            *(["--gates-report", gates_report] if gates_report is not None else ["--force"])]


def require(done: Completed, tag: str) -> None:
    if not done.ok:
        raise ReleaseError(f"book deploy of {tag} failed: {done.tail(2)}")
