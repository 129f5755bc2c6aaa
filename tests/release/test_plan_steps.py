"""The steps of a plan from a snapshot built in memory: which belong to the release and stage,
which are done, to do, blocked, skipped or unknown and why, and which a run applies next.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from packaging.version import Version
from snapshots import (
    DEV,
    FINAL,
    FIX,
    INDEX,
    MAIN,
    RC1,
    ROOT,
    course,
    final,
    line,
    on_line,
    plan_of,
    rc,
    reviewed,
    statuses,
)

from tinyrelease.release.model import Kind, Request
from tinyrelease.release.plan import sequence
from tinyrelease.release.state import Settings

NOTES = "# Changelog\n\n## [0.1.1] - today\n\n- A fix\n"
APPROVED = ("Education Reviewer: approved; Module Developer: approved; Quality Assurance: "
            "approved; Package Manager: approved")


def test_a_new_candidate_has_every_step_to_do() -> None:
    plan = plan_of(course(), rc(Kind.PATCH, "0.1.1"))
    assert statuses(plan) == {key: "todo" for key in ("gates", "branch", "version", "notes",
                                                      "build", "upload", "tag", "push")}
    assert [s.why for s in plan.steps][:3] == ["not run", "not created yet",
                                               "files still state 0.1.0"]
    assert plan.next is plan.steps[0] and plan.problems == []
    assert plan.steps[5].title == f"upload to {INDEX}"


def test_the_steps_of_each_kind_and_stage_in_order() -> None:
    # the gates come first: a release without evidence creates and changes nothing
    assert [s.key for s in sequence(rc(Kind.MINOR, "0.2.0"))] == [
        "gates", "branch", "version", "notes", "review", "build", "upload", "tag", "push"]
    # the book before the bundle, which carries the deployed site's release manifest
    assert [s.key for s in sequence(final(Kind.MINOR, "0.2.0"))] == [
        "approval", "gates", "version", "build", "upload", "tag", "push", "merge", "book",
        "bundle", "publish", "dev"]
    assert [s.key for s in sequence(final(Kind.PATCH, "0.1.1"))][:2] == ["gates", "version"]
    assert [s.key for s in sequence(final(Kind.HOTFIX, "0.1.1"))] == [
        "branch", "fix", "gates", "version", "build", "upload", "tag", "push", "book",
        "bundle", "publish", "merge"]  # a hotfix merges into main last


def test_a_pushed_candidate_is_all_done() -> None:
    branch = line("release/v0.1.1", RC1, "0.1.1rc1")
    state = on_line(replace(course(), tags={"v0.1.0": MAIN, "v0.1.1rc1": RC1}), branch,
                    branches={"release/v0.1.1": RC1}, tags={"v0.1.1rc1": RC1})
    dists = (ROOT / "tinynn-0.1.1rc1.tar.gz", ROOT / "tinynn-0.1.1rc1-py3-none-any.whl")
    plan = plan_of(state, rc(Kind.PATCH, "0.1.1"), dists=dists, gates="pass", uploaded=True,
                   notes=True)
    assert set(statuses(plan).values()) == {"done"} and plan.next is None
    assert {s.key: s.why for s in plan.steps} == {
        "branch": "exists", "version": "committed", "notes": "written", "gates": "pass",
        "build": "tinynn-0.1.1rc1.tar.gz, tinynn-0.1.1rc1-py3-none-any.whl",
        "upload": "on the index, same hashes", "tag": "exists", "push": "on the remote"}


def test_gates_skipped_by_request_or_failing() -> None:
    request = Request(Kind.PATCH, skip_gates="ran on rc1")
    plan = plan_of(course(), rc(Kind.PATCH, "0.1.1"), request)
    gates = plan.steps[0]
    assert (gates.key, gates.status, gates.why) == ("gates", "todo", "skipped: ran on rc1")
    assert plan_of(course(), rc(Kind.PATCH, "0.1.1"), gates="skipped: ran on rc1").steps[0] \
        .status == "done"
    failing = plan_of(course(), rc(Kind.PATCH, "0.1.1"), gates="fail").steps[0]
    assert (failing.status, failing.why) == ("todo", "fail")


def test_the_upload_without_an_index_is_skipped_and_unknown_when_it_cannot_be_asked() -> None:
    state = course(settings=Settings(repository=INDEX))
    upload = plan_of(state, rc(Kind.PATCH, "0.1.1")).steps[5]
    assert (upload.status, upload.why) == ("skipped", "no rc_repository configured")
    problem = f"{INDEX}: cannot reach the index (Connection refused)"
    plan = plan_of(course(), rc(Kind.PATCH, "0.1.1"), index_problem=problem,
                   dists=(ROOT / "a.whl", ROOT / "a.tar.gz"), gates="pass", notes=True)
    upload = plan.steps[5]
    assert (upload.status, upload.why) == ("unknown", problem)
    assert plan.next is not None and plan.next.key == "branch"
    assert [s.key for s in plan.pending] == ["branch", "version", "upload", "tag", "push"]


def test_a_hotfix_waits_for_the_fix_a_person_commits() -> None:
    on_main = course(branch="main", head=MAIN, fragments=())
    plan = plan_of(on_main, final(Kind.HOTFIX, "0.1.1"))
    assert [(s.key, s.status) for s in plan.steps[:3]] == [
        ("branch", "todo"), ("fix", "blocked"), ("gates", "todo")]
    assert [s.key for s in plan.pending] == ["branch"]  # then it stops for the person
    branched = on_line(on_main, line("hotfix/v0.1.1", MAIN, "0.1.0", fork_point="v0.1.0"))
    waiting = plan_of(branched, final(Kind.HOTFIX, "0.1.1"))
    assert waiting.next is None
    assert waiting.steps[1].why == "commit the fix on hotfix/v0.1.1, then run invoke " \
                                   "release.hotfix again"
    fixed = on_line(on_main, line("hotfix/v0.1.1", FIX, "0.1.0", fork_point="v0.1.0",
                                  fixes=(FIX,)))
    plan = plan_of(fixed, final(Kind.HOTFIX, "0.1.1"))
    assert (plan.steps[1].status, plan.steps[1].why) == ("done", "1 commit(s) since the branch "
                                                                 "point")
    assert plan.next is not None and plan.next.key == "gates"


def test_the_final_waits_for_the_approvals() -> None:
    state = on_line(replace(course(), tags={"v0.1.0": MAIN, "v0.2.0rc1": RC1}),
                    line("release/v0.2.0", RC1, "0.2.0rc1"), tags={"v0.2.0rc1": RC1},
                    branches={"release/v0.2.0": RC1})
    release = final(Kind.MINOR, "0.2.0")
    folder = "build/release/v0.2.0rc1/review"
    refusal = "v0.2.0 is not approved by Education Reviewer: fix the HIGH items"
    blocked = plan_of(state, release, review=reviewed(folder, exists=True, readable=True,
                                                      refusal=refusal))
    assert (blocked.steps[0].key, blocked.steps[0].status, blocked.steps[0].why) == (
        "approval", "blocked", refusal)
    assert blocked.next is None
    unreviewed = plan_of(state, release, review=reviewed(folder, refusal="no review",
                                                         skipped="gates ran"))
    assert (unreviewed.steps[0].status, unreviewed.steps[0].why) == (
        "todo", f"no review of v0.2.0rc1 in {ROOT / folder}: it runs first")
    approved = plan_of(state, release, review=reviewed(folder, exists=True, summary=APPROVED))
    assert (approved.steps[0].status, approved.steps[0].why) == ("done", APPROVED)
    untagged = plan_of(state, release, review=None)
    assert (untagged.steps[0].status, untagged.steps[0].why) == (
        "blocked", "no candidate of 0.2.0 is tagged, so nothing was reviewed")


def test_a_committed_final_was_approved_before() -> None:
    state = on_line(course(), line("release/v0.2.0", FINAL, "0.2.0", NOTES.replace("0.1.1",
                                                                                    "0.2.0")))
    plan = plan_of(state, final(Kind.MINOR, "0.2.0"), review=reviewed("r", exists=True,
                                                                      summary=APPROVED))
    assert (plan.steps[0].status, plan.steps[0].why) == (
        "done", f"{APPROVED} (given before 0.2.0 was committed)")
    assert plan.steps[2].key == "version" and plan.steps[2].status == "done"


def test_the_candidates_review_is_skipped_or_runs_again_for_a_new_commit() -> None:
    state = on_line(course(), line("release/v0.2.0", RC1, "0.2.0rc1"))
    release = rc(Kind.MINOR, "0.2.0")
    review = next(s for s in plan_of(state, release).steps if s.key == "review")
    assert (review.status, review.why) == ("todo", "not reviewed")
    skipped = plan_of(state, release, review=reviewed("r", skipped="this is a test"))
    assert [(s.status, s.why) for s in skipped.steps if s.key == "review"] == [
        ("skipped", "skipped: this is a test")]
    older = plan_of(state, release, review=reviewed("r", exists=True, readable=True,
                                                     commit=DEV, summary=APPROVED))
    assert [s.why for s in older.steps if s.key == "review"] == [
        f"the review in {ROOT / 'r'} is of commit {DEV[:12]}: it runs again for this candidate"]
    current = plan_of(state, release, review=reviewed("r", exists=True, readable=True,
                                                       commit=RC1, summary=APPROVED))
    assert [(s.status, s.why) for s in current.steps if s.key == "review"] == [
        ("done", APPROVED)]


def test_a_released_final_is_all_done_and_a_blocked_book_holds_nothing_back() -> None:
    branch = line("release/v0.1.1", FINAL, "0.1.1", NOTES)
    state = on_line(replace(course(fragments=()), tags={"v0.1.0": MAIN, "v0.1.1": FINAL}),
                    branch, branches={"release/v0.1.1": FINAL}, tags={"v0.1.1": FINAL},
                    contains={"main": frozenset({"v0.1.1"}), "dev": frozenset({"v0.1.1"})},
                    stated={"dev": Version("0.2.0.dev0")})
    seen = {"dists": (Path("a.whl"), Path("a.tar.gz")), "gates": "pass", "uploaded": True,
            "bundle": True, "published": True, "book_deployed": True}
    plan = plan_of(state, final(Kind.PATCH, "0.1.1"), **seen)
    assert set(statuses(plan).values()) == {"done"} and plan.next is None
    assert plan.steps[-1].title == "dev moved to 0.2.0.dev0 and pushed"
    undeployable = plan_of(state, final(Kind.PATCH, "0.1.1"), **{
        **seen, "book_deployable": False, "published": False,
        "publisher_missing": "gh is not installed: publish the bundle by hand"})
    assert {k: v for k, v in statuses(undeployable).items() if v != "done"} == {
        "publish": "skipped", "book": "blocked"}
    moved_back = replace(state, remote=replace(state.remote, stated={"dev": Version("0.1.1")}))
    plan = plan_of(moved_back, final(Kind.PATCH, "0.1.1"), **{**seen, "book_deployable": False})
    assert [s.key for s in plan.pending] == ["dev"]  # past the blocked book


def test_the_book_turned_off_is_skipped() -> None:
    state = course(settings=Settings(repository=INDEX, book=False))
    book = next(s for s in plan_of(state, final(Kind.PATCH, "0.1.1")).steps if s.key == "book")
    assert (book.status, book.why) == ("skipped", "off: book = false in [tool.tinyrelease.release]")


def test_a_partial_run_passes_only_the_hotfixs_quick_gates() -> None:
    fixed = on_line(course(branch="main", head=MAIN),
                    line("hotfix/v0.1.1", FIX, "0.1.0", fork_point="v0.1.0", fixes=(FIX,)))
    gates = plan_of(fixed, final(Kind.HOTFIX, "0.1.1"), gates="partial").steps[2]
    assert (gates.key, gates.status, gates.why) == ("gates", "done", "partial")
    assert plan_of(course(), rc(Kind.PATCH, "0.1.1"), gates="partial").steps[1].status == "todo"
