"""Publishing the built book to GitHub Pages with ghp-import: refuse a dirty or failing course,
keep the other site (root or `dev/`), push, and prove the remote branch moved.
"""

from __future__ import annotations

import re
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tinyrelease.book.errors import DeployFailed, DeployRefused
from tinyrelease.book.manifest import MANIFEST
from tinyrelease.checks.git import Git
from tinyrelease.checks.process import run

# a folder of the site's branch: names of letters, digits, `.`, `_`, `-`, none of them `.` or `..`
_FOLDER = re.compile(r"(?!\.{1,2}(?:/|$))[A-Za-z0-9_.-]+(?:/(?!\.{1,2}(?:/|$))[A-Za-z0-9_.-]+)*/?")


def is_site_folder(prefix: str) -> bool:
    """Whether `prefix` names a folder inside the site's branch (`tinytorch`, `dev/`): no
    leading `/`, no `.` or `..` part, nothing but letters, digits, `.`, `_` and `-` in names."""
    return _FOLDER.fullmatch(prefix) is not None


@dataclass(frozen=True)
class DeployOptions:
    remote: str = "origin"
    branch: str = "gh-pages"
    prefix: str | None = None
    cname: str | None = None
    force: bool = False
    keep: tuple[str, ...] = ("dev",)  # prefixes a root deploy carries over from the branch


@dataclass(frozen=True)
class DeployPlan:
    html: Path
    repo: Path
    options: DeployOptions
    message: str
    files: int
    remote_tip: str | None

    @property
    def index_path(self) -> str:
        return self.path_of("index.html")

    def path_of(self, name: str) -> str:
        """Where a file at the root of the site is on the branch."""
        return f"{self.options.prefix}/{name}" if self.options.prefix else name

    @property
    def proof(self) -> list[str]:
        """The files of the site the branch must hold after the push: index.html, and the
        release manifest when the site has one."""
        return ["index.html", *([MANIFEST] if (self.html / MANIFEST).is_file() else [])]

    def describe(self) -> list[str]:
        o = self.options
        where = f"{o.remote}/{o.branch}" + (f" under {o.prefix}/" if o.prefix else " at the root")
        kept = (f"everything outside {o.prefix}/" if o.prefix
                else ", ".join(f"{k}/" for k in o.keep) or "nothing")
        return [f"would publish {self.files} files from {self.html}",
                f"to {where} (branch now at {self.remote_tip or 'nothing: it will be created'})",
                f"keeping {kept}; adding .nojekyll" + (f" and CNAME {o.cname}" if o.cname else ""),
                f"with the commit message: {self.message}"]


def _git(repo: Path, *args: str, check: bool = True) -> str:
    done = Git(repo).run(*args, check=False)
    if check and not done.ok:
        raise DeployFailed(f"git {' '.join(args)} failed in {repo}: "
                           f"{done.output.strip().splitlines()[-1:]}")
    return done.output.strip() if done.ok else ""


def refusals(info: dict[str, object], force: bool) -> list[str]:
    """Why this build must not go out (empty when it may, or when `force`)."""
    if info.get("commit") is None:
        return ["the course is not in a git repository, so there is no commit to publish from"]
    problems = []
    dirty = [str(p) for p in info.get("dirty") or []]  # type: ignore[attr-defined]
    if dirty and not force:
        listed = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        problems.append(f"the book was built from a dirty tree ({listed}): commit or stash the "
                        "changes, or deploy with --force")
    gates = info.get("gates")
    if gates != "pass" and not force:
        why = {"missing": "no gates report was found", "other-course":
               "the gates report is for another course", "partial":
               "the gates report is of a partial run, not a verdict"}.get(str(gates),
                                                                          "the gates failed")
        problems.append(f"{why}: run `nox -s gates` and fix what it reports, or deploy with "
                        "--force")
    return problems


def plan_deploy(html: Path, course_root: Path, info: dict[str, object],
                options: DeployOptions) -> DeployPlan:
    prefix = options.prefix
    if prefix is not None and not is_site_folder(prefix):
        raise DeployRefused(f"--prefix {prefix!r} must be a folder inside the site, like dev")
    problems = refusals(info, options.force)
    if problems:
        raise DeployRefused("refusing to deploy: " + "; ".join(problems))
    if not (html / "index.html").is_file():
        raise DeployFailed(f"{html}: no index.html to publish (run `invoke book.build`)")
    repo = Path(_git(course_root, "rev-parse", "--show-toplevel"))
    tip = _git(repo, "ls-remote", options.remote, f"refs/heads/{options.branch}", check=False)
    commit = str(info["commit"])[:12]
    message = f"Deploy {info.get('title') or 'the book'} {info.get('version') or ''} from {commit}"
    files = sum(1 for p in html.rglob("*") if p.is_file())
    return DeployPlan(html, repo, options, " ".join(message.split()), files,
                      tip.split()[0] if tip else None)


def deploy(plan: DeployPlan) -> str:
    """Publish, then confirm the remote branch holds our index.html; the new commit's id."""
    o = plan.options
    local_ref = f"refs/heads/{o.branch}"
    before = _git(plan.repo, "rev-parse", "--verify", "-q", local_ref, check=False)
    if plan.remote_tip:
        _git(plan.repo, "fetch", "-q", o.remote,
             f"+{local_ref}:refs/remotes/{o.remote}/{o.branch}")
    with _staged(plan) as stage:
        command = [sys.executable, "-m", "ghp_import", "-n", "-p", "-r", o.remote, "-b", o.branch,
                   "-m", plan.message]
        command += ["-c", o.cname] if o.cname else []
        pushed = run([*command, str(stage)], cwd=plan.repo, trusted=True)  # it pushes
    tip = _git(plan.repo, "ls-remote", o.remote, local_ref, check=False).split()
    ours = _git(plan.repo, "rev-parse", "--verify", "-q", local_ref, check=False)
    if not tip or tip[0] != ours or not all(_holds(plan, ours, name) for name in plan.proof):
        _restore(plan.repo, local_ref, before)
        said = pushed.output.strip().splitlines()
        reason = next((line for line in said if "rejected" in line),
                      next((line for line in said if "error" in line), said[-1] if said else
                           "no output"))
        raise DeployFailed(f"the deploy did not reach {o.remote}/{o.branch}: the remote branch is "
                           f"at {tip[0][:12] if tip else 'nothing'}, not at a commit with the new "
                           f"{' and '.join(map(plan.path_of, plan.proof))} (git said: "
                           f"{reason.strip()})")
    return ours


def _holds(plan: DeployPlan, commit: str, name: str) -> bool:
    """Whether `commit` of the branch has our file `name` of the site where it was published."""
    expected = _git(plan.repo, "hash-object", str(plan.html / name))
    return bool(commit) and expected == _git(plan.repo, "rev-parse", "-q", "--verify",
                                             f"{commit}:{plan.path_of(name)}", check=False)


def _restore(repo: Path, ref: str, before: str) -> None:
    """Put the local branch back where it was: a failed push must not leave it ahead."""
    if before:
        _git(repo, "update-ref", ref, before, check=False)
    else:
        _git(repo, "update-ref", "-d", ref, check=False)


@contextmanager
def _staged(plan: DeployPlan) -> Iterator[Path]:
    """The whole branch as it should be after the deploy, for one root-level ghp-import.

    ghp-import replaces everything at the root (so a root deploy would drop `dev/`), and with
    `-x dev` it would put `.nojekyll` only under `dev/`; staging the full tree does both right.
    """
    o = plan.options
    with tempfile.TemporaryDirectory(prefix="book-deploy-") as temp:
        stage = Path(temp) / "site"
        stage.mkdir()
        remote_ref = f"refs/remotes/{o.remote}/{o.branch}"
        present = (_git(plan.repo, "ls-tree", "--name-only", remote_ref).split("\n")
                   if plan.remote_tip else [])
        carried = [name for name in present if name and (
            o.prefix or name in o.keep or (name == "CNAME" and not o.cname))]
        if carried:
            archive = Path(temp) / "kept.tar"
            _git(plan.repo, "archive", "-o", str(archive), remote_ref, *carried)
            with tarfile.open(archive) as tar:
                tar.extractall(stage, filter="data")
        target = stage / o.prefix if o.prefix else stage
        if o.prefix:
            shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(plan.html, target, dirs_exist_ok=True)
        yield stage
