"""What every release step is: a key, whether it belongs to a release, a title, its status and
why (judged from the snapshot alone), and how it applies itself through the runner.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import partial
from pathlib import Path
from typing import ClassVar

from tinyrelease.checks.git import Git
from tinyrelease.checks.process import Completed
from tinyrelease.release.changelog import ChangelogConfig, merge_released
from tinyrelease.release.errors import GitError
from tinyrelease.release.model import Release, Request, Stage, Status
from tinyrelease.release.runner import Runner
from tinyrelease.release.state import ReleaseState, Settings, Snapshot, gates_dir
from tinyrelease.release.versions import write_atomic

Verdict = tuple[Status, str]


class ReleaseStep(ABC):
    """One step of a release. Built by the plan from a snapshot; judging it is pure, so a plan
    can be tested without git, and applying it goes through the runner, so a dry run lists
    exactly what a real run does."""

    key: ClassVar[str]
    # blocked, the step is a refusal (the release stops with its why), not a wait for a person
    refuses: ClassVar[bool] = False

    def __init__(self, snapshot: Snapshot, request: Request) -> None:
        self.snapshot, self.request = snapshot, request
        self.status, self.why = self.judge()

    @classmethod
    def belongs(cls, release: Release) -> bool:
        """Whether a release of this kind and stage has this step."""
        return True

    @property
    @abstractmethod
    def title(self) -> str:
        """What the step does, in one line of the plan."""

    @abstractmethod
    def judge(self) -> Verdict:
        """The step's status and why, from the snapshot alone."""

    @abstractmethod
    def apply(self, runner: Runner) -> None:
        """Do the step; safe to repeat after a crash anywhere inside it."""

    def __repr__(self) -> str:
        return f"<{self.key}: {self.status} ({self.why})>"

    @property
    def release(self) -> Release:
        return self.snapshot.release

    @property
    def state(self) -> ReleaseState:
        return self.snapshot.state

    @property
    def settings(self) -> Settings:
        return self.snapshot.state.settings

    @property
    def root(self) -> Path:
        return self.snapshot.state.root

    @property
    def folder(self) -> Path:
        return self.snapshot.folder

    @property
    def gates_shown(self) -> Path:
        """The gates folder as a description shows it: its commit is often not made yet."""
        return gates_dir(self.folder, "<commit>")


class FinalStep(ReleaseStep):
    """A step after the tag of a final: what publishes the release and what follows it."""

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.stage == Stage.FINAL


def done_or(done: bool, why_done: str, why_not: str) -> Verdict:
    return (Status.DONE, why_done) if done else (Status.TODO, why_not)


def merge_went(runner: Runner, merged: Completed, tag: str, branch: str,
               changelog: ChangelogConfig | None = None, version: str = "") -> None:
    """A conflicting merge is undone, so no branch is left mid-merge, and handed to a person;
    unless the only conflict is a hand-written changelog's, where both sides wrote below
    `[Unreleased]`: that one is resolved (changelog.merge_released) and the merge committed."""
    if merged.ok:
        return
    if changelog is not None and changelog.by_hand and runner.act(
            f"resolve the merge's conflict in {changelog.filename}: {branch}'s [Unreleased] "
            f"entries kept, [{version}] below them; commit the merge",
            partial(_resolve_changelog, runner.reads, changelog.filename, version)):
        return
    runner.git("merge", "--abort", check=False)
    raise GitError(f"merging {tag} into {branch} conflicts: merge it by hand, push, and "
                   "run the command again")


def _resolve_changelog(git: Git, filename: str, version: str) -> bool:
    path = git.out("rev-parse", "--show-prefix") + filename  # git's paths are from the top
    if git.out("diff", "--name-only", "--diff-filter=U").splitlines() != [path]:
        return False
    base, ours, theirs = (git.run("show", f":{stage}:{path}").output for stage in (1, 2, 3))
    merged = merge_released(base, ours, theirs, version)
    if merged is None:
        return False
    write_atomic(git.root / filename, merged)
    git.run("add", "--", filename)
    git.run("commit", "--quiet", "--no-edit")
    return True
