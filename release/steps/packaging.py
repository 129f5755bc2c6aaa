"""The distributions of a release: built from the committed tree of the release branch, checked
(twine check --strict, install and import), and uploaded to the package index of the stage.
"""

from __future__ import annotations

import re
import shutil
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tinyrelease.checks.execution.build import install_and_import, installer
from tinyrelease.checks.process import Completed
from tinyrelease.release import index
from tinyrelease.release.errors import Refused, ReleaseError
from tinyrelease.release.model import Stage, Status
from tinyrelease.release.runner import Files, Runner
from tinyrelease.release.steps.base import ReleaseStep, Verdict, done_or
from tinyrelease.release.survey import dists_in

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class BuildStep(ReleaseStep):
    """Built into a scratch folder, moved into place only when checked and importable."""

    key = "build"

    @property
    def title(self) -> str:
        return "build the sdist and wheel, twine check --strict, install and import"

    def judge(self) -> Verdict:
        dists = self.snapshot.seen.dists
        return done_or(bool(dists), ", ".join(p.name for p in dists), "not built")

    def apply(self, runner: Runner) -> None:
        folder, package = self.folder, self.state.package
        scratch, venv = folder / "dist.partial", folder / "venv"
        runner.switch(self.release.branch)
        if scratch.exists():
            runner.act(f"remove {scratch}: left by an earlier build",
                       lambda: shutil.rmtree(scratch, ignore_errors=True))
        with committed_tree(runner, self.snapshot.tagged_ref) as tree:  # the commit, not the tree
            built = runner.run([sys.executable, "-m", "build", *installer(), "--sdist",
                                "--wheel", "--outdir", scratch, tree], cwd=tree)
        runner.confirm(lambda: _built(built, scratch))
        checked = runner.run([sys.executable, "-m", "twine", "check", "--strict", Files(scratch)],
                             cwd=folder, env={"NO_COLOR": "1", "TERM": "dumb"})
        runner.confirm(lambda: _checked(checked))
        if package:
            runner.act(f"install the wheel into a fresh environment ({venv}) and import "
                       f"{package}", lambda: _installs(scratch, venv, package))
        runner.act(f"move {scratch} to {folder / 'dist'}",
                   lambda: _into_place(scratch, folder / "dist"))


@contextmanager
def committed_tree(runner: Runner, ref: str) -> Iterator[Path]:
    """The files of `ref` exactly as committed, in a temporary folder: what a release builds
    matches its tag, and nothing (egg-info, build/) is written into the course."""
    with runner.temporary("tree") as temp:
        archive, tree = temp / "tree.tar", temp / "tree"
        runner.git("archive", "--format=tar", "-o", archive, ref)
        runner.act(f"extract {runner.shown(archive)} into {runner.shown(tree)}",
                   lambda: _extract(archive, tree))
        yield tree


def _extract(archive: Path, tree: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")


def _built(done: Completed, scratch: Path) -> None:
    files = [p for pattern in ("*.whl", "*.tar.gz") for p in scratch.glob(pattern)]
    if not done.ok or len(files) != 2:
        raise ReleaseError(f"the build failed: {done.tail(2)}")


def _checked(done: Completed) -> None:
    if not done.ok:
        lines = [_ANSI.sub("", ln).strip() for ln in done.output.splitlines()
                 if ln.strip() and not ln.startswith("Checking")]
        raise Refused(f"twine check --strict: {' '.join(lines) or done.tail()}")


def _installs(scratch: Path, venv: Path, package: str) -> None:
    wheel = next(iter(sorted(scratch.glob("*.whl"))), None)
    if wheel is None:
        return
    result = install_and_import(wheel, Path(sys.executable), [package], venv)
    shutil.rmtree(venv, ignore_errors=True)
    if result.installed is not None and not result.installed.ok:
        raise ReleaseError(f"the wheel does not install: {result.installed.tail(1)}")
    if result.failures:
        raise Refused(f"the installed wheel does not import: {result.failures}")


def _into_place(scratch: Path, dist: Path) -> None:
    shutil.rmtree(dist, ignore_errors=True)
    scratch.rename(dist)


class UploadStep(ReleaseStep):
    """Only what the index does not have yet; a file it has with other bytes is a hard stop."""

    key = "upload"

    @property
    def title(self) -> str:
        spec = self.snapshot.index
        return f"upload to {spec}" if spec else "upload to the package index"

    def judge(self) -> Verdict:
        seen = self.snapshot.seen
        if self.snapshot.index is None:
            rc = "rc_" if self.release.stage == Stage.RC else ""
            return Status.SKIPPED, f"no {rc}repository configured"
        if seen.index_problem:
            return Status.UNKNOWN, seen.index_problem
        return done_or(bool(seen.uploaded), "on the index, same hashes", "not on the index")

    def apply(self, runner: Runner) -> None:
        spec, dist = self.snapshot.index, self.folder / "dist"
        if spec is None:
            return
        repo = index.resolve(spec)
        dists = dists_in(self.folder, str(self.release.version))
        # not built yet only in a dry run: the build before it would have made them
        todo = index.pending(repo, self.state.project, dists) if dists else None
        if todo == []:
            return
        runner.confirm(lambda: index.require_credentials(repo))
        files = Files(dist, "*", None if todo is None or todo == dists else tuple(todo))
        done = runner.run([*index.upload_args(repo), files], cwd=dist,
                          env=index.upload_env(repo), timeout=600, trusted=True)
        runner.confirm(lambda: index.require_uploaded(repo, done))
