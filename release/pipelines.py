"""The pipelines: read the state, plan, apply the next step not done, read again, until the
stage converges or stops where a human decides; `status` only prints the plan.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from checks.progress import Board
from release import index, prerelease
from release.bundle import GhPublisher, Publisher
from release.checklist import write_checklist
from release.errors import Refused, ReleaseError
from release.lock import exclude_own_output, release_lock
from release.plan import Plan, Release, Request, identify, make_plan
from release.state import ReleaseState, course_root_of, read_state
from release.steps import Context, apply, observe
from review.errors import NotApproved

STYLE = {"done": "green", "todo": "yellow", "blocked": "red", "skipped": "dim",
         "unknown": "magenta"}
Fault = Callable[[str], None]


class Output:
    """Every line the pipelines print goes through here, with every known secret hidden."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)
        self.secrets: list[str] = []

    def line(self, text: str = "") -> None:
        self.console.print(index.redact(text, self.secrets), markup=False, highlight=False)

    def plan(self, plan: Plan) -> None:
        r = plan.release
        table = Table(title=f"{r.kind} release {r.version} ({r.stage}) on {r.branch}",
                      title_justify="left")
        for column in ("step", "state", "what", "why"):
            table.add_column(column)
        for step in plan.steps:
            table.add_row(step.key, f"[{STYLE[step.status]}]{step.status}[/]",
                          escape(index.redact(step.title, self.secrets)),
                          escape(index.redact(step.why, self.secrets)))
        self.console.print(table)
        for problem in plan.problems:
            self.line(f"  ✗ {problem}")

    @contextmanager
    def step(self, key: str, title: str) -> Iterator[None]:
        """A step shown live with its elapsed time while it runs, then `✓ title (12.3 s)`."""
        with Board(self.console) as board, board.step(key, escape(
                index.redact(title, self.secrets))):
            yield


def _secrets(state: ReleaseState) -> list[str]:
    found = []
    for spec in (state.settings.repository, state.settings.rc_repository):
        if spec:
            try:
                found += index.resolve(spec).secrets()
            except Refused:
                pass
    return found


def survey(root: Path, request: Request, publisher: Publisher | None,
           out: Output) -> tuple[Context, Plan]:
    state = read_state(root)
    out.secrets = _secrets(state)
    release = identify(state, request.kind, request.version)
    ctx = Context(state, release, request, publisher or GhPublisher(root))
    seen, facts = observe(ctx)
    return ctx, make_plan(state, release, seen, facts, request)


def status(course: Path, kind: str, out: Output, publisher: Publisher | None = None) -> Plan:
    root = course_root_of(course)
    _, plan = survey(root, Request(kind), publisher, out)
    out.plan(plan)
    return plan


def release(course: Path, request: Request, out: Output, publisher: Publisher | None = None,
            fault: Fault | None = None, ask: Callable[[str], bool] | None = None) -> Plan:
    """Run one stage of a release to convergence (an RC, the final, or a hotfix); one run
    per course at a time (a dry run only reads)."""
    root = course_root_of(course)
    if request.dry_run:
        return _release(root, request, out, publisher, fault, ask)
    with release_lock(root):
        exclude_own_output(root)
        return _release(root, request, out, publisher, fault, ask)


def _release(root: Path, request: Request, out: Output, publisher: Publisher | None,
             fault: Fault | None, ask: Callable[[str], bool] | None) -> Plan:
    ctx, plan = survey(root, request, publisher, out)
    out.plan(plan)
    if plan.problems:
        write_checklist(ctx.state, plan, plan.problems)
        raise Refused(plan.problems[0] + (f" (and {len(plan.problems) - 1} more problem(s) "
                                          "above)" if len(plan.problems) > 1 else ""))
    if request.dry_run:
        _print_commands(plan, out)
        return plan
    if plan.next is not None and not request.yes and not (ask or _ask)(
            f"Apply {len(plan.todo)} step(s) of {plan.release.tag}?"):
        raise Refused("nothing changed: answer y, or pass --yes")
    started: Release = plan.release
    applied: set[str] = set()
    try:
        while (step := plan.next) is not None:
            if step.key in applied:
                raise ReleaseError(f"step {step.key} did not converge: {step.why}")
            with out.step(step.key, step.title):
                apply(ctx, step.key)
            applied.add(step.key)
            if fault is not None:
                fault(step.key)
            ctx, plan = survey(root, request, publisher, out)
            if plan.release != started:
                break  # the stage converged; the next one (final after an RC) is a new run
    finally:
        if plan.release != started:
            plan = _replan(ctx, started)
        write_checklist(ctx.state, plan, [])
    out.plan(plan)
    if (refused := _unapproved(plan)) is not None:
        raise NotApproved(refused)
    waiting = next((s for s in plan.steps if s.status == "blocked" and s.key == "fix"), None)
    if waiting is not None:
        out.line(f"Waiting for you: {waiting.why}")
    else:
        _conclude(started, ctx.state, out)
    return plan


def _unapproved(plan: Plan) -> str | None:
    """The one line of a final that waits for approvals (the plan's blocked approval step)."""
    step = next((s for s in plan.steps if s.key == "approval"), None)
    return step.why if step is not None and step.status == "blocked" else None


def _replan(ctx: Context, started: Release) -> Plan:
    ctx2 = Context(ctx.state, started, ctx.request, ctx.publisher)
    seen, facts = observe(ctx2)
    return make_plan(ctx.state, started, seen, facts, ctx.request)


def _conclude(release: Release, state: ReleaseState, out: Output) -> None:
    folder = release.folder(state.root)
    if release.stage == "rc":
        out.line(f"Release candidate {release.version} is tagged and pushed. Review it:")
        out.line(f"  notes:     {folder / 'notes.md'}")
        out.line(f"  gates:     {folder / 'gates'}")
        out.line(f"  checklist: {folder / 'CHECKLIST.md'}")
        for line in prerelease.stop_message(state, release):
            out.line(line)
        out.line(f"Then run `invoke release.{release.kind}` again on {release.branch}: a new "
                 "candidate if you commit fixes, else the final release.")
    elif release.kind == "hotfix" and release.stage == "final":
        out.line(f"Hotfix {release.version}: bundle in {folder}. Carry the fix to other "
                 "branches with `invoke release.backport --to BRANCH`.")
    else:
        out.line(f"Released {release.version}: bundle and announcement in {folder}.")


def _print_commands(plan: Plan, out: Output) -> None:
    out.line("Dry run: nothing was changed. The steps to do would run:")
    for step in plan.steps:
        if step.status == "todo":
            for command in step.commands:
                out.line(f"  [{step.key}] {shlex.join(command)}")


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        raise Refused("no terminal to confirm on: pass --yes to apply the plan, or --dry-run")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
