"""The pre-release review inside a minor release: the final reviews the candidate for real and
stops without the four approvals, a committed override lets it go on, and the checklists tick
exactly what the tools verified.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from releasehelpers import Captured, MakeCourse, commit_file, remote_tags

from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.pipelines import release, status
from tinyrelease.release.plan import Request
from tinyrelease.release.sandbox import PackageServer, git
from tinyrelease.review.errors import NotApproved

ROOT = Path(__file__).resolve().parents[2]
# the only test of the losses module's objective about log(softmax(x)): without it the
# Education Reviewer has a HIGH item (an objective no test checks)
OBJECTIVE_TEST = "tests/04_losses/test_losses_log_softmax.py"
# the reviewer reads every word of a test's name and docstring: these two say `log` (of the
# class count) and would count as that objective's tests, so they say `ln` here
LOG_OF_CLASSES = (("tests/04_losses/test_losses_core.py", "give_log_classes", "give_ln_classes"),
                  ("src/04_losses/04_losses.py", "equals log(C)", "equals ln(C)"))
OVERRIDE = "release/overrides/v0.2.0.toml"
SKIP = "this test is about the review"
REASON = "the log-softmax objective is assessed in the lecture; its test lands in 0.2.1"


def ticked(checklist: Path) -> list[str]:
    """The items a checklist ticks, without the note after the dash."""
    return [line[6:].split(" — ")[0] for line in checklist.read_text().splitlines()
            if line.startswith("- [x] ")]


def test_release_minor_waits_for_the_approvals_then_an_override(
        make_repo: MakeCourse, output: Captured, index_server: PackageServer,
        publisher: FakePublisher) -> None:
    root = make_repo()
    git(root, "rm", "--quiet", OBJECTIVE_TEST)
    for rel, said, says in LOG_OF_CLASSES:
        (root / rel).write_text((root / rel).read_text().replace(said, says))
    git(root, "commit", "--quiet", "-am", "Drop the log-softmax test")
    git(root, "push", "--quiet", "origin", "dev")

    release(root, Request("minor", yes=True, skip_gates=SKIP), output, publisher)
    rc = root / "build/release/v0.2.0rc1"
    assert remote_tags(root) == ["v0.2.0rc1"]
    assert f"review:    skipped ({SKIP}): the final runs it before going on" in output.text
    assert ticked(rc / "CHECKLIST.md") == [
        "The release branch `release/v0.2.0` exists", "A release candidate `v0.2.0rcN` is tagged"]
    assert f"- [ ] The four reviewers approved the candidate (or an override with a reason is " \
        f"committed) — *not done: skipped ({SKIP})" in (rc / "CHECKLIST.md").read_text()

    expected = (f"v0.2.0 is not approved by Education Reviewer: fix the HIGH items in "
                f"{rc / 'review' / 'consolidated.md'} and review again, or commit {OVERRIDE} "
                "with a reason per reviewer")
    with pytest.raises(NotApproved) as refused:  # the final reviews rc1 first, for real
        release(root, Request("minor", yes=True, skip_gates=SKIP), Captured(), publisher)
    assert str(refused.value) == expected
    consolidated = (rc / "review/consolidated.md").read_text()
    assert "| HIGH | ER101 | education | `src/04_losses/ABOUT.md:13` |" in consolidated
    assert "| Package Manager | approved |" in consolidated
    plan = status(root, "minor", Captured(), publisher)
    approval = next(s for s in plan.steps if s.key == "approval")
    assert (approval.status, approval.why) == ("blocked", expected)
    assert [s.key for s in plan.steps][:2] == ["approval", "gates"]
    done = subprocess.run([sys.executable, "-m", "invoke", "release.minor", "--course",
                           str(root), "--yes"], cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stderr.splitlines()) == (1, [f"tinyrelease: error: {expected}"])
    assert remote_tags(root) == ["v0.2.0rc1"] and "tinynn-0.2.0.tar.gz" not in \
        index_server.files()
    assert 'version = "0.2.0rc1"' in git(root, "show", "release/v0.2.0:pyproject.toml")

    commit_file(root, OVERRIDE, f'[education]\nreason = "{REASON}"\nby = "course lead"\n',
                "Override the Education Reviewer for v0.2.0")
    final = Captured()
    plan = release(root, Request("minor", yes=True, skip_gates=SKIP), final, publisher)
    assert plan.release.tag == "v0.2.0"
    assert remote_tags(root) == ["v0.2.0", "v0.2.0rc1"]  # an override is no reason for an rc2
    assert f"Education Reviewer: overridden ({REASON})" in \
        next(s.why for s in plan.steps if s.key == "approval")
    assert REASON in git(root, "show", f"origin/main:{OVERRIDE}")
    assert "tinynn-0.2.0.tar.gz" in index_server.files()

    bundle = root / "build/release/v0.2.0"
    assert ticked(bundle / "CHECKLIST.md") == [
        "The release branch `release/v0.2.0` exists", "CHANGELOG.md has a section for 0.2.0",
        "A release candidate `v0.2.0rcN` is tagged",
        "The four reviewers approved the candidate (or an override with a reason is committed)",
        "The release is tagged `v0.2.0`", "`v0.2.0` is merged into the main branch",
        "The package 0.2.0 is on the package index"]
    checklist = (bundle / "CHECKLIST.md").read_text()
    assert "- [ ] The gates pass at level standard — *not done: skipped at level standard*" \
        in checklist  # the final's gates were skipped, so they are not ticked
    assert "*(human)*" in checklist and "- [x] New modules" not in checklist
    sums = (bundle / "SHA256SUMS").read_text()
    assert "  release-checklist.md" in sums
    assert ticked(bundle / "release-checklist.md")[-1] == \
        "The package 0.2.0 is on the package index"
    assert index_server.password not in output.text + final.text
