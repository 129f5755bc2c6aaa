"""The release in git: its branch from the development branch (a hotfix: from main), the fix a
person commits on a hotfix branch, the annotated tag, the push of both, the merge into main.
"""

from __future__ import annotations

from release.errors import Refused
from release.git import TOOL_PREFIX
from release.model import Kind, Release, Stage, Status
from release.runner import Runner
from release.steps.base import FinalStep, ReleaseStep, Verdict, done_or, merge_went


class BranchStep(ReleaseStep):
    key = "branch"

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.stage == Stage.RC or release.kind == Kind.HOTFIX

    @property
    def start(self) -> str:
        return self.settings.start_of(self.release.kind)

    @property
    def title(self) -> str:
        return f"branch {self.release.branch} from {self.start}"

    def judge(self) -> Verdict:
        return done_or(self.release.branch in self.state.branches, "exists", "not created yet")

    def apply(self, runner: Runner) -> None:
        runner.switch(self.release.branch, start=self.start)


class FixStep(ReleaseStep):
    """A hotfix waits here for a person: the fix is theirs to commit, never the tool's."""

    key = "fix"

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.kind == Kind.HOTFIX

    @property
    def title(self) -> str:
        return f"the fix committed on {self.release.branch} (by you)"

    def judge(self) -> Verdict:
        line = self.snapshot.line
        if line is not None and line.fixes:
            return Status.DONE, f"{len(line.fixes)} commit(s) since the branch point"
        return Status.BLOCKED, (f"commit the fix on {self.release.branch}, then run invoke "
                                "release.hotfix again")

    def apply(self, runner: Runner) -> None:
        raise Refused(self.why)  # never applied: the plan stops at a blocked fix


class TagStep(ReleaseStep):
    key = "tag"

    @property
    def title(self) -> str:
        return f"annotated tag {self.release.tag} (only after a complete upload)"

    def judge(self) -> Verdict:
        tag, at = self.release.tag, self.state.tags.get(self.release.tag)
        if at is not None and at != self.snapshot.head:
            return Status.BLOCKED, (f"the tag {tag} already exists at {at[:12]}, not at the "
                                    f"release's commit {self.snapshot.head[:12]}: a tag is never "
                                    "moved or deleted; release the next version")
        return done_or(at is not None, "exists", "not tagged")

    def apply(self, runner: Runner) -> None:
        release, remote = self.release, self.settings.remote
        if self.status == Status.BLOCKED:
            raise Refused(self.why)
        if release.tag in self.state.remote.tags:
            raise Refused(f"the tag {release.tag} is on {remote} but not here: "
                          f"git fetch {remote} --tags")
        runner.git("tag", "-a", release.tag, "-m", f"{self.state.project} {release.version}",
                   release.branch)


class PushStep(ReleaseStep):
    key = "push"

    @property
    def title(self) -> str:
        r = self.release
        return f"push {r.branch} and {r.tag} to {self.settings.remote}"

    def judge(self) -> Verdict:
        state, branch = self.state, self.release.branch
        pushed = (branch in state.branches and self.release.tag in state.remote.tags
                  and state.remote.branches.get(branch) == state.branches[branch])
        return done_or(pushed, "on the remote", "not pushed")

    def apply(self, runner: Runner) -> None:
        # both refs or neither: a tag on the remote without its branch is a half release
        runner.git("push", "--quiet", "--atomic", self.settings.remote,
                   f"refs/heads/{self.release.branch}", f"refs/tags/{self.release.tag}")


class MergeStep(FinalStep):
    """The final into the main branch. A hotfix merges last: its tag on main is what says
    the hotfix is finished, so nothing may be left to do after it."""

    key = "merge"

    @property
    def title(self) -> str:
        return f"merge {self.release.tag} into {self.settings.main_branch} (--no-ff) and push"

    def judge(self) -> Verdict:
        main = self.state.remote.contains.get(self.settings.main_branch, frozenset())
        return done_or(self.release.tag in main, "merged", "not merged")

    def apply(self, runner: Runner) -> None:
        s, tag = self.settings, self.release.tag
        runner.switch(s.main_branch)
        merged = runner.git("merge", "--no-ff", "--quiet", "-m", f"{TOOL_PREFIX}merge {tag}", tag,
                            check=False)
        runner.confirm(lambda: merge_went(runner, merged, tag, s.main_branch))
        runner.git("push", "--quiet", s.remote, f"refs/heads/{s.main_branch}")
