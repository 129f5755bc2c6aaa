"""invoke tasks of the course book (`invoke book.build`, `invoke book.deploy`), composing the
`book` nox session; the logic lives in `python -m book`.
"""

from __future__ import annotations

import shlex

from invoke import Context, task


def _book(c: Context, *args: str) -> None:
    c.run(shlex.join(["nox", "-s", "book", "--", *args]))


@task(help={"course": "course root (default: $COURSE_ROOT, then examples/tinycourse)",
            "out": "build folder (default build/book)", "strict": "warnings fail the build"})
def build(c: Context, course: str = "", out: str = "", strict: bool = False) -> None:
    """Build the course book with Jupyter Book into build/book/html."""
    _book(c, "build", *(["--course", course] if course else []),
          *(["--out", out] if out else []), *(["--strict"] if strict else []))


@task(help={"remote": "git remote to push to", "branch": "branch of the site",
            "prefix": "publish under this folder (dev) and keep the root",
            "cname": "custom domain for CNAME", "force": "deploy from a dirty tree or failed gates",
            "dry_run": "show what would be published, change nothing",
            "course": "course root"})
def deploy(c: Context, remote: str = "origin", branch: str = "gh-pages", prefix: str = "",
           cname: str = "", force: bool = False, dry_run: bool = False, course: str = "") -> None:
    """Build the book if needed and publish it to GitHub Pages with ghp-import."""
    _book(c, "deploy", "--remote", remote, "--branch", branch,
          *(["--prefix", prefix] if prefix else []), *(["--cname", cname] if cname else []),
          *(["--force"] if force else []), *(["--dry-run"] if dry_run else []),
          *(["--course", course] if course else []))
