"""The release in git: its branch from the development branch (a hotfix: from main), the fix a
person commits on a hotfix branch, the annotated tag, the push of both, the merge into main;
in the direct flow, the development branch merged into main and both pushed with the tag.
"""

from __future__ import annotations

from functools import partial

from tinyrelease.release.errors import Refused
from tinyrelease.release.git import TOOL_PREFIX
from tinyrelease.release.model import Kind, Release, Stage, Status
from tinyrelease.release.runner import Runner
from tinyrelease.release.steps.base import FinalStep, ReleaseStep, Verdict, done_or, merge_went


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
        if at is not None and at != self.snapshot.tagged:
            return Status.BLOCKED, (f"the tag {tag} already exists at {at[:12]}, not at the "
                                    f"release's commit {self.snapshot.tagged[:12]}: a tag is "
                                    "never moved or deleted; release the next version")
        return done_or(at is not None, "exists", "not tagged")

    def apply(self, runner: Runner) -> None:
        release, remote = self.release, self.settings.remote
        if self.status == Status.BLOCKED:
            raise Refused(self.why)
        if release.tag in self.state.remote.tags:
            raise Refused(f"the tag {release.tag} is on {remote} but not here: "
                          f"git fetch {remote} --tags")
        runner.git("tag", "-a", release.tag, "-m", f"{self.state.project} {release.version}",
                   self.snapshot.tagged_ref)


class PushStep(ReleaseStep):
    key = "push"

    @property
    def branches(self) -> list[str]:
        """What goes to the remote with the tag: the release branch; in the direct flow the
        development branch and main."""
        r, s = self.release, self.settings
        return [r.branch, s.main_branch] if r.direct else [r.branch]

    @property
    def title(self) -> str:
        return f"push {' and '.join([*self.branches, self.release.tag])} to " \
            f"{self.settings.remote} (all or none)"

    def judge(self) -> Verdict:
        state, branch, tag = self.state, self.release.branch, self.release.tag
        if self.release.direct:  # the development branch may have moved on since
            main = state.remote.contains.get(self.settings.main_branch, frozenset())
            return done_or(tag in state.remote.tags and tag in main, "on the remote",
                           "not pushed")
        pushed = (branch in state.branches and tag in state.remote.tags
                  and state.remote.branches.get(branch) == state.branches[branch])
        return done_or(pushed, "on the remote", "not pushed")

    def apply(self, runner: Runner) -> None:
        # every ref or none: a tag on the remote without its branches is a half release
        runner.git("push", "--quiet", "--atomic", self.settings.remote,
                   *[f"refs/heads/{b}" for b in self.branches], f"refs/tags/{self.release.tag}")


class MergeStep(FinalStep):
    """The final into the main branch. A hotfix merges last: its tag on main is what says
    the hotfix is finished, so nothing may be left to do after it. In the direct flow a
    hotfix goes into the development branch first: the next release merges that into main."""

    key = "merge"

    @property
    def targets(self) -> list[str]:
        s = self.settings
        direct_fix = s.direct and self.release.kind == Kind.HOTFIX and s.dev_branch != \
            s.main_branch
        return [s.dev_branch, s.main_branch] if direct_fix else [s.main_branch]

    @property
    def title(self) -> str:
        return f"merge {self.release.tag} into {' and '.join(self.targets)} (--no-ff) and push"

    def judge(self) -> Verdict:
        contains = self.state.remote.contains
        merged = all(self.release.tag in contains.get(b, frozenset()) for b in self.targets)
        return done_or(merged, "merged", "not merged")

    def apply(self, runner: Runner) -> None:
        s, tag = self.settings, self.release.tag
        for branch in self.targets:
            runner.switch(branch)
            merged = runner.git("merge", "--no-ff", "--quiet", "-m", f"{TOOL_PREFIX}merge {tag}",
                                tag, check=False)  # merged by an earlier run: up to date
            runner.confirm(partial(merge_went, runner, merged, tag, branch,
                                   self.state.changelog, str(self.release.version)))
            runner.git("push", "--quiet", s.remote, f"refs/heads/{branch}")


class IntoMainStep(FinalStep):
    """The direct flow: the development branch, its version committed, merged into main here;
    the push step then publishes both branches and the tag at once."""

    key = "merge"

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.direct

    @property
    def title(self) -> str:
        return f"merge {self.release.branch} into {self.settings.main_branch} (--no-ff)"

    def judge(self) -> Verdict:
        line = self.snapshot.line
        return done_or(line is not None and line.in_main, "merged", "not merged")

    def apply(self, runner: Runner) -> None:
        s, dev = self.settings, self.release.branch
        runner.switch(s.main_branch)
        merged = runner.git("merge", "--no-ff", "--quiet", "-m",
                            f"{TOOL_PREFIX}merge {dev} for {self.release.tag}", dev, check=False)
        runner.confirm(lambda: merge_went(runner, merged, dev, s.main_branch))
