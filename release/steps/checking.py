"""What a release is checked by before anything is published: the gates (a hotfix's fast track
adds the tests of the modules its fix touched), the candidate's review, the final's approvals.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tinyrelease import IMPORT_ROOT
from tinyrelease.checks.process import Completed
from tinyrelease.checks.store import open_course
from tinyrelease.release import prerelease, versions
from tinyrelease.release.errors import Refused, ReleaseError
from tinyrelease.release.evidence import Evidence, read_evidence
from tinyrelease.release.model import Kind, Release, Stage, Status
from tinyrelease.release.runner import Runner, Shown
from tinyrelease.release.state import gates_dir
from tinyrelease.release.steps.base import ReleaseStep, Verdict
from tinyrelease.review.approval import require_approvals
from tinyrelease.review.errors import NotApproved
from tinyrelease.review.render import JSON

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class GatesStep(ReleaseStep):
    """The gates of the commit the release is made of, before its branch is created (a new
    candidate's: the development branch's tip) and its version committed: a release without
    evidence (no tests run, a gate missing) stops before anything changes."""

    key = "gates"
    refuses = True

    @property
    def title(self) -> str:
        return f"gates at level {self.release.gate_level}" + (
            " and the changed modules' tests" if self.release.kind == Kind.HOTFIX else "")

    def judge(self) -> Verdict:
        gates, skip = self.snapshot.seen.gates, self.request.skip_gates
        if gates is None:
            return Status.TODO, f"skipped: {skip}" if skip else "not run"
        # the quick level runs the quick checks only, so checks calls it a partial run, never a
        # verdict; for a hotfix's fast track, nothing failed there is what was asked
        quick = gates == "partial" and self.release.gate_level == "quick"
        passed = gates == "pass" or gates.startswith("skip") or quick
        evidence = self.snapshot.seen.evidence
        if passed and evidence is not None and (
                missing := evidence.missing(self.release.gate_level)) is not None:
            return Status.BLOCKED, missing
        return (Status.DONE if passed else Status.TODO), _counted(gates, evidence)

    def apply(self, runner: Runner) -> None:
        release, skip = self.release, self.request.skip_gates
        out, shown = gates_dir(self.folder, self.snapshot.gated), self.gates_shown
        if self.status == Status.BLOCKED:
            raise Refused(self.why)
        # a new candidate's branch is created after its gates, at the commit they judge
        runner.switch(release.branch if release.branch in self.state.branches
                      else self.settings.start_of(release.kind))
        if skip:
            record = {"status": "skipped", "reason": skip, "level": release.gate_level}
            runner.act(f"write {shown / 'report.json'}: the gates skipped ({skip})",
                       lambda: versions.write_atomic(out / "report.json",
                                                     json.dumps(record, indent=2)))
            return
        done = runner.run([sys.executable, "-m", "tinyrelease.checks", "--course", str(self.root),
                           "--level", release.gate_level,
                           "--report-dir", Shown(str(out), str(shown))],
                          cwd=PROJECT_ROOT, timeout=3600, env={"PYTHONPATH": os.pathsep.join(
                              filter(None, [str(IMPORT_ROOT), os.environ.get("PYTHONPATH")]))})
        runner.confirm(lambda: _gates_pass(done, out / "report.json", release.gate_level))
        if release.kind == Kind.HOTFIX:
            self._module_tests(runner, out, shown)

    def _module_tests(self, runner: Runner, out: Path, shown: Path) -> None:
        """The fast track of a hotfix: the tests of the modules the fix touched."""
        line, root = self.snapshot.line, self.root
        base = line.fork_point if line is not None and line.fork_point else \
            self.settings.main_branch
        changed = runner.reads.changed_files(base, self.release.branch)
        course = open_course(root)
        package = course.package_name or "?"
        exported = {m.id: package + "/" + m.exports.removeprefix(package + ".").replace(".", "/")
                    for m in course.modules if m.exports}
        touched = {m.id for m in course.modules for path in changed
                   if path.startswith(m.dir + "/") or (m.id in exported and path.startswith(
                       (exported[m.id] + ".py", exported[m.id] + "/")))}
        folders = [f"tests/{m}" for m in sorted(touched) if (root / "tests" / m).is_dir()]
        if not folders:
            return
        done = runner.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *folders], cwd=root, timeout=1800)
        runner.act(f"write {shown / 'module-tests.txt'}: what the tests said",
                   lambda: versions.write_atomic(out / "module-tests.txt", done.output))
        runner.confirm(lambda: _tests_pass(done, out, sorted(touched)))


def _counted(gates: str, evidence: Evidence | None) -> str:
    """The gates' status with what they ran: `pass (28 tests passed in 5 suites, 4 modules)`."""
    if evidence is None or evidence.passed is None:
        return gates
    return (f"{gates} ({evidence.passed} tests passed in {len(evidence.suites)} suites, "
            f"{len(evidence.modules)} modules)")


def _gates_pass(done: Completed, report: Path, level: str) -> None:
    failing = _failing_gates(report)
    if not report.is_file():
        raise ReleaseError(f"python -m checks wrote no report (exit {done.returncode}): "
                           f"{done.tail(1)}")
    if done.returncode == 1 or failing:
        raise Refused(f"the gates fail at level {level} ({', '.join(failing) or 'see report'}; "
                      f"{report.parent / 'report.md'}): fix them, or --skip-gates REASON")
    if not done.ok:
        raise ReleaseError(f"python -m checks failed: {done.tail(1)}")
    evidence = read_evidence(report)
    if evidence is not None and (missing := evidence.missing(level)) is not None:
        raise Refused(missing)


def _failing_gates(report: Path) -> list[str]:
    if not report.is_file():
        return []
    data = json.loads(report.read_text(encoding="utf-8"))
    return [g["name"] for g in data.get("gates", []) if g.get("status") == "fail"]


def _tests_pass(done: Completed, out: Path, touched: list[str]) -> None:
    if not done.ok:
        (out / "report.json").unlink(missing_ok=True)  # the fast track failed as a whole
        raise Refused(f"the tests of {', '.join(touched)} fail: {done.tail(1)}")


class ReviewStep(ReleaseStep):
    """The candidate's review. --skip-gates skips it too (the review runs the gates), with its
    reason recorded, and the final then reviews before it goes on."""

    key = "review"

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.reviewed and release.stage == Stage.RC

    @property
    def title(self) -> str:
        return f"pre-release review by the four reviewers (level {self.release.gate_level})"

    def judge(self) -> Verdict:
        seen, skip = self.snapshot.seen.review, self.request.skip_gates
        unreviewed = (Status.TODO, f"skipped: {skip}" if skip else "not reviewed")
        if seen is None or not seen.readable:
            if seen is not None and seen.skipped is not None:
                return Status.SKIPPED, f"skipped: {seen.skipped}"
            return unreviewed
        if seen.commit not in (None, self.snapshot.head):
            return Status.TODO, (f"the review in {seen.folder} is of commit "
                                 f"{str(seen.commit)[:12]}: it runs again for this candidate")
        return Status.DONE, seen.summary

    def apply(self, runner: Runner) -> None:
        folder, skip, root = self.folder / "review", self.request.skip_gates, self.root
        runner.switch(self.release.branch)
        if (folder / JSON).exists():
            runner.act(f"remove {folder / JSON}: the verdicts on an older commit",
                       lambda: (folder / JSON).unlink(missing_ok=True))
        if skip:
            def record() -> None:
                data = {"skipped": True, "reason": skip, "commit": runner.reads.head(),
                        "level": self.release.gate_level}
                versions.write_atomic(folder / prerelease.SKIPPED, json.dumps(data, indent=2))

            runner.act(f"write {folder / prerelease.SKIPPED}: the review skipped ({skip})",
                       record)
            return
        review(runner, self.release, root, folder)


def review(runner: Runner, release: Release, root: Path, folder: Path) -> None:
    runner.act(f"review {release.branch} with the four reviewers into {folder} (level "
               f"{release.gate_level})", lambda: prerelease.run(root, folder, release.kind))


class ApprovalStep(ReleaseStep):
    """The final goes on with the four approvals of its newest candidate, or overrides."""

    key = "approval"

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.reviewed and release.stage == Stage.FINAL

    @property
    def title(self) -> str:
        return "the four reviewers approved the newest candidate (or an override is committed)"

    def judge(self) -> Verdict:
        seen, final = self.snapshot.seen.review, self.release.final
        line = self.snapshot.line
        if line is not None and line.stated == self.release.version:
            given = f"given before {final} was committed"  # the version step waits for them
            return Status.DONE, f"{seen.summary} ({given})" if seen and seen.exists else given
        if seen is None or seen.folder is None:
            return Status.BLOCKED, f"no candidate of {final} is tagged, so nothing was reviewed"
        if seen.refusal is None:
            return Status.DONE, seen.summary
        if not seen.broken and not seen.exists:
            return Status.TODO, f"no review of {seen.folder.parent.name} in {seen.folder}: it " \
                                "runs first"
        return Status.BLOCKED, seen.refusal

    def apply(self, runner: Runner) -> None:
        """Review the newest candidate if nobody did here (a fresh checkout), then require the
        approvals: NotApproved names who is missing and the override file to commit."""
        seen, root, tag = self.snapshot.seen.review, self.root, self.release.final_tag
        folder = seen.folder if seen is not None else None
        if folder is None:
            raise NotApproved(f"{tag}: no release candidate is tagged, so nothing was "
                              "reviewed: run the release command from the development branch")
        runner.switch(self.release.branch)
        if not (folder / JSON).is_file():
            review(runner, self.release, root, folder)
        runner.confirm(lambda: require_approvals(folder, root, tag))
