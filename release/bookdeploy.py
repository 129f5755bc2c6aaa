"""The one call into the book package's deploy (`python -m book deploy`), kept here so the
release adapts in one place when its interface changes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from checks.process import Completed
from release.errors import ReleaseError
from release.git import Git
from release.runner import Arg


def available() -> bool:
    """True when this checkout's `book` package has a command line with a deploy command."""
    spec = importlib.util.find_spec("book.__main__")
    if spec is None or spec.origin is None:
        return False
    return "deploy" in Path(spec.origin).read_text(encoding="utf-8", errors="replace")


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
    return [sys.executable, "-m", "book", "deploy", "--course", str(root), "--remote", remote,
            "--branch", branch, "--out", str(out),
            *(["--gates-report", gates_report] if gates_report is not None else ["--force"])]


def require(done: Completed, tag: str) -> None:
    if not done.ok:
        raise ReleaseError(f"book deploy of {tag} failed: {done.tail(2)}")
