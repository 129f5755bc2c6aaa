"""The one git wrapper every package uses: git run as lists of arguments (never a shell
string), trusted (it may push with the maintainer's credentials), never prompting; the
questions asked of a repository (branches, tags local and remote, ancestry, changes).

`root` may be a folder of a bigger repository (a course in a monorepo): refs are the
repository's, while paths in and out (changes, files at a ref) are the folder's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tinyrelease.checks.errors import GitError
from tinyrelease.checks.process import Completed, run

# build/ output of our own pipelines is not a change a human made
OWN_OUTPUT = (":(exclude)build",)


@dataclass(frozen=True)
class Git:
    root: Path

    def run(self, *args: str, check: bool = True) -> Completed:
        done = run(["git", *args], cwd=self.root,
                   env={"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}, timeout=300, trusted=True)
        if check and not done.ok:
            raise GitError(f"git {' '.join(args[:3])} failed: {_first_error(done.output)}")
        return done

    def out(self, *args: str) -> str:
        return self.run(*args).output.strip()

    def toplevel(self) -> Path | None:
        done = self.run("rev-parse", "--show-toplevel", check=False)
        return Path(done.output.strip()).resolve() if done.ok else None

    def prefix(self) -> str:
        """The folder's path in its repository with a trailing slash; "" at the top."""
        return self.out("rev-parse", "--show-prefix")

    def tracked(self) -> bool:
        """Whether git tracks at least one file under the folder."""
        return bool(self.run("ls-files", "--", ".", check=False).output.strip())

    def branch(self) -> str:
        return self.run("rev-parse", "--abbrev-ref", "HEAD").output.strip()

    def head(self) -> str:
        return self.out("rev-parse", "HEAD")

    def dirty(self) -> list[str]:
        """Uncommitted changes under the folder, named relative to it."""
        text = self.run("status", "--porcelain", "--", ".", *OWN_OUTPUT).output  # keep column 1
        prefix = self.prefix()  # porcelain names paths from the repository's top
        return [line[3:].removeprefix(prefix) for line in text.splitlines() if line.strip()]

    def local_branches(self) -> dict[str, str]:
        text = self.out("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
        return dict(line.split(" ", 1) for line in text.splitlines() if line)

    def local_tags(self) -> dict[str, str]:
        text = self.out("for-each-ref", "--format=%(refname:short) %(*objectname) %(objectname)",
                        "refs/tags")
        tags = {}
        for line in text.splitlines():
            name, *shas = line.split(" ")
            tags[name] = next(s for s in shas if s)  # the commit an annotated tag points at
        return tags

    def remote_refs(self, remote: str) -> tuple[dict[str, str], dict[str, str]] | None:
        """(branches, tags) on the remote by `ls-remote`; None when it cannot be reached."""
        done = self.run("ls-remote", "--heads", "--tags", remote, check=False)
        if not done.ok:
            return None
        branches, tags = {}, {}
        for line in done.output.splitlines():
            sha, _, ref = line.partition("\t")
            if ref.startswith("refs/heads/"):
                branches[ref[len("refs/heads/"):]] = sha
            elif ref.startswith("refs/tags/"):
                name = ref[len("refs/tags/"):]
                if name.endswith("^{}"):
                    tags[name[:-3]] = sha
                else:
                    tags.setdefault(name, sha)
        return branches, tags

    def remotes(self) -> list[str]:
        return self.out("remote").split()

    def fetch(self, remote: str) -> bool:
        return self.run("fetch", "--quiet", "--prune", remote, check=False).ok

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer, check=False).ok

    def has_object(self, sha: str) -> bool:
        return self.run("cat-file", "-e", f"{sha}^{{commit}}", check=False).ok

    def commits(self, base: str, tip: str) -> list[tuple[str, str]]:
        """(sha, subject) of the non-merge commits in base..tip that touch the folder, oldest
        first."""
        text = self.out("log", "--reverse", "--no-merges", "--format=%H %s", f"{base}..{tip}",
                        "--", ".")
        return [(line[:40], line[41:]) for line in text.splitlines() if line]

    def before_merge(self, branch: str, subject: str) -> str | None:
        """The first parent of the merge commit on `branch` with this subject: where the
        merged line of work started from, once the merge has made it part of `branch`."""
        done = self.run("log", "--first-parent", "--format=%H %s", branch, check=False)
        for line in done.output.splitlines() if done.ok else []:
            if line[41:] == subject:
                return self.out("rev-parse", f"{line[:40]}^1")
        return None

    def changed_files(self, base: str, tip: str, since: str = "...") -> list[str]:
        """The folder's files changed between base and tip (`...`: on tip since it left base;
        `..`: from base's tree to tip's), relative to the folder."""
        return self.out("diff", "--name-only", "--relative", f"{base}{since}{tip}",
                        "--").splitlines()

    def show(self, ref: str, path: str) -> str | None:
        """The text of the folder's file `path` at `ref`; None when it is not there."""
        done = self.run("show", f"{ref}:./{path}", check=False)
        return done.output if done.ok else None


def _first_error(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for line in lines:
        if line.lower().startswith(("fatal:", "error:", "! [rejected]", "! [remote rejected]")):
            return line
    return lines[-1] if lines else "no output"
