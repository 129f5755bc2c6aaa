"""The pipelines: survey, plan, apply the next step not done, survey again, until the stage
converges or stops where a human decides; a dry run applies the plan through a runner that
only records; `status` only prints the plan. `Output` is everything a maintainer reads of it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tinyrelease.checks.progress import Board
from tinyrelease.release import index, prerelease
from tinyrelease.release.bundle import GhPublisher, Publisher
from tinyrelease.release.checklist import write_checklist
from tinyrelease.release.errors import Refused, ReleaseError
from tinyrelease.release.lock import exclude_own_output, release_lock
from tinyrelease.release.model import Kind, Release, Request, Stage, Status
from tinyrelease.release.plan import Plan, identify, make_plan
from tinyrelease.release.runner import Command, Runner
from tinyrelease.release.state import ReleaseState, Snapshot
from tinyrelease.release.survey import course_root_of, observe, read_state
from tinyrelease.review.errors import NotApproved

__all__ = ["Output", "release", "status", "survey"]

Fault = Callable[[str], None]
Ask = Callable[[str], bool]

STYLE = {Status.DONE: "green", Status.TODO: "yellow", Status.BLOCKED: "red",
         Status.SKIPPED: "dim", Status.UNKNOWN: "magenta"}


class Output:
    """Every line the pipelines print goes through here, with every known secret hidden."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)
        self.secrets: list[str] = []

    def line(self, text: str = "") -> None:
        self.console.print(index.redact(text, self.secrets), markup=False, highlight=False,
                           soft_wrap=True)  # a long path stays one line to copy

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

    def sites(self, state: ReleaseState) -> None:
        """Every place the course states its version, with what it says there now."""
        try:
            stated = str(state.version)
        except Refused as error:
            stated = f"nothing ({error})"
        self.line(f"Version sites (pyproject.toml states {stated}):")
        for site in state.sites:
            where = f"{site.path}:{site.line}" if site.value else site.path
            said = site.value or f"no {site.pattern!r}"
            mark = "" if site.value == stated else "   ✗ disagrees"
            rule = f"  ({site.pattern})" if site.pattern and site.value else ""
            self.line(f"  {where:<32} {said}{rule}{mark}")

    def publishing(self, state: ReleaseState) -> None:
        """Where a final's book and GitHub release go, whatever stage the plan shows."""
        s = state.settings
        book = (f"the book is deployed to {s.book_site} on {s.book_remote or s.remote}"
                if s.book else "the book is not deployed (book off)")
        made = {"published": "published", "draft": "made as a draft"}.get(s.github_release,
                                                                           "not made (off)")
        self.line(f"At the final release: {book}; the GitHub release is {made}")

    @contextmanager
    def step(self, key: str, title: str) -> Iterator[None]:
        """A step shown live with its elapsed time while it runs, then `✓ title (12.3 s)`."""
        with Board(self.console) as board, board.step(key, escape(
                index.redact(title, self.secrets))):
            yield

    def commands(self, commands: Sequence[Command]) -> None:
        """What a dry run recorded: exactly the commands a real run would run now."""
        self.line("Dry run: nothing was changed. The steps to do would run:")
        for command in commands:
            self.line(f"  [{command.step}] {command.line}")


def survey(root: Path, request: Request, publisher: Publisher,
           release: Release | None = None) -> Snapshot:
    """Read everything once and identify the release; `release` keeps a plan on the stage it
    started with."""
    state = read_state(root)
    chosen = release or identify(state, request.kind, request.version)
    return Snapshot(state, chosen, observe(state, chosen, publisher))


def _secrets(state: ReleaseState) -> list[str]:
    found = []
    for spec in (state.settings.repository, state.settings.rc_repository):
        if spec:
            try:
                found += index.resolve(spec).secrets()
            except Refused:
                pass
    return found


def status(course: Path, kind: Kind | str, out: Output,
           publisher: Publisher | None = None) -> Plan:
    root = course_root_of(course)
    request = Request(Kind(kind))
    snapshot = survey(root, request, publisher or GhPublisher(root))
    out.secrets = _secrets(snapshot.state)
    plan = make_plan(snapshot, request)
    out.plan(plan)
    out.sites(snapshot.state)
    out.publishing(snapshot.state)
    return plan


def release(course: Path, request: Request, out: Output, publisher: Publisher | None = None,
            fault: Fault | None = None, ask: Ask | None = None,
            record: list[Command] | None = None) -> Plan:
    """Run one stage of a release to convergence (an RC, the final, or a hotfix); one run
    per course at a time (a dry run only reads). `record` receives every command run (or, in
    a dry run, that would run), by step."""
    root = course_root_of(course)
    runner = Runner(root, publisher or GhPublisher(root), request.dry_run, record)
    if request.dry_run:
        return _release(root, request, out, runner, fault, ask)
    with release_lock(root):
        exclude_own_output(root)
        return _release(root, request, out, runner, fault, ask)


def _release(root: Path, request: Request, out: Output, runner: Runner, fault: Fault | None,
             ask: Ask | None) -> Plan:
    snapshot = survey(root, request, runner.publisher)
    out.secrets = _secrets(snapshot.state)
    plan = make_plan(snapshot, request)
    out.plan(plan)
    if plan.problems or plan.refusal:
        problems = plan.problems or [str(plan.refusal)]
        write_checklist(snapshot.state, plan.release, plan.steps, problems)
        raise Refused(problems[0] + (f" (and {len(problems) - 1} more problem(s) above)"
                                     if len(problems) > 1 else ""))
    if request.dry_run:
        return _rehearse(plan, runner, out)
    if plan.next is not None and not request.yes and not (ask or _ask)(
            f"Apply {len(plan.todo)} step(s) of {plan.release.tag}?"):
        raise Refused("nothing changed: answer y, or pass --yes")
    started = plan.release
    snapshot, plan = _converge(root, request, snapshot, plan, out, runner, fault)
    out.plan(plan)
    if (refused := _unapproved(plan)) is not None:
        raise NotApproved(refused)
    if plan.refusal is not None:
        raise Refused(plan.refusal)
    waiting = next((s for s in plan.steps if s.status == Status.BLOCKED and s.key == "fix"),
                   None)
    if waiting is not None:
        out.line(f"Waiting for you: {waiting.why}")
    else:
        _conclude(started, snapshot.state, out)
    return plan


def _rehearse(plan: Plan, runner: Runner, out: Output) -> Plan:
    """The steps a real run would apply now, in its order, through a runner that records; a
    step that refuses stops it where a real run would stop, after what came before is shown."""
    try:
        for step in plan.pending:
            with runner.step(step.key):
                step.apply(runner)
    finally:
        out.commands(runner.commands)
    return plan


def _converge(root: Path, request: Request, snapshot: Snapshot, plan: Plan, out: Output,
              runner: Runner, fault: Fault | None) -> tuple[Snapshot, Plan]:
    """Apply the next step, survey again, until the stage is done or waits; the checklist is
    written however it ends. Returns the last snapshot and the plan of the stage that ran."""
    started: Release = plan.release
    applied: set[str] = set()
    try:
        while (step := plan.next) is not None:
            if step.key in applied:
                raise ReleaseError(f"step {step.key} did not converge: {step.why}")
            with out.step(step.key, step.title), runner.step(step.key):
                step.apply(runner)
            applied.add(step.key)
            if fault is not None:
                fault(step.key)
            snapshot = survey(root, request, runner.publisher)
            plan = make_plan(snapshot, request)
            if plan.release != started:
                break  # the stage converged; the next one (final after an RC) is a new run
    finally:
        if plan.release != started:  # the plan of the stage that ran, on the state it left
            snapshot = survey(root, request, runner.publisher, started)
            plan = make_plan(snapshot, request)
        write_checklist(snapshot.state, plan.release, plan.steps, [])
    return snapshot, plan


def _unapproved(plan: Plan) -> str | None:
    """The one line of a final that waits for approvals (the plan's blocked approval step)."""
    step = next((s for s in plan.steps if s.key == "approval"), None)
    return step.why if step is not None and step.status == Status.BLOCKED else None


def _conclude(release: Release, state: ReleaseState, out: Output) -> None:
    folder = release.folder(state.root)
    if release.stage == Stage.RC:
        out.line(f"Release candidate {release.version} is tagged and pushed. Review it:")
        out.line(f"  notes:     {folder / 'notes.md'}")
        out.line(f"  gates:     {folder / 'gates'}")
        out.line(f"  checklist: {folder / 'CHECKLIST.md'}")
        for line in prerelease.stop_message(state, release):
            out.line(line)
        out.line(f"Then run `invoke release.{release.kind}` again on {release.branch}: a new "
                 "candidate if you commit fixes, else the final release.")
    elif release.kind == Kind.HOTFIX:
        out.line(f"Hotfix {release.version}: bundle in {folder}. Carry the fix to other "
                 "branches with `invoke release.backport --to BRANCH`.")
    else:
        out.line(f"Released {release.version}: bundle and announcement in {folder}.")


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        raise Refused("no terminal to confirm on: pass --yes to apply the plan, or --dry-run")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
