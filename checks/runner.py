"""One run of the gates, for every entry point (`python -m checks`, `tinyrelease`,
`nox -s gates`): load the course once, serve unchanged gates from the cache, run the static
gates here and the execution gates either here (threads) or as their own nox sessions
scheduled by nox (`--isolated`), then report.

Why a pre-check in front of nox's scheduler: nox starts a child process per session even when
its result is cached (about a second each), so the cache is consulted first and only the gates
that must run are handed to `nox --parallel`.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tinyrelease.checks.boundary import output_folder
from tinyrelease.checks.console import PlainConsole, Printer, escape
from tinyrelease.checks.environment import will_skip
from tinyrelease.checks.errors import UsageError
from tinyrelease.checks.execution.session import EXECUTING_GATES
from tinyrelease.checks.findings import Finding
from tinyrelease.checks.gatekeys import executes, gate_key
from tinyrelease.checks.options import course_root, report_dir, scope_of
from tinyrelease.checks.progress import Board
from tinyrelease.checks.registry import GATES, session_code
from tinyrelease.checks.replay import keep_replay, replayable
from tinyrelease.checks.reports import render_reports, same_but_timing, write_reports
from tinyrelease.checks.reports.terminal import TerminalReporter
from tinyrelease.checks.results import GateResult, GatesReport
from tinyrelease.checks.store import CourseStore
from tinyrelease.checks.summary import CourseSummary

if TYPE_CHECKING:
    import subprocess
    from concurrent.futures import Future

    from tinyrelease.checks.course import Course

PROJECT = Path(__file__).resolve().parent.parent
POLL_S = 0.25


def run_and_report(args: argparse.Namespace, console: Printer,
                   store: CourseStore | None = None) -> int:
    """Run the gates and report; `store` is the course's, when the caller opened it."""
    root = course_root(args.course)
    if args.select:
        from tinyrelease.checks.engine import select_checks

        if not select_checks(args.gates, args.select):
            raise UsageError(f"--select {' '.join(args.select)} matches no check")
    out = output_folder(report_dir(args), root)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--report-dir {out} is a file, not a folder")
    store = store or CourseStore(root, args.cache_dir)
    gates = [g for g in GATES if not args.gates or g in args.gates]
    plain = console if isinstance(console, PlainConsole) and replayable(args, console) else None
    # a served run's output is kept for `replay` as it is printed
    served = _served(store, args, gates, console if plain is None else None)
    if served is not None:
        report, texts, printed = served
        if plain is not None:
            plain.write(printed)
            keep_replay(store, args, printed, texts, _status(report))
    else:
        course = _load_frozen(store)
        try:
            store.keep_summary(course.summary())
            store.keep_catalog()
            _header(console, course.summary(), args, gates)
            report = GateRunner(course, store, args, console, out).run(gates)
            store.save_parsed()
            report.scope = scope_of(args)
            summary = _summarized(console, report)
            texts = render_reports(report)
            if plain is not None and (again := _served(store, args, gates, None,
                                                       (report, texts, summary))) is not None:
                keep_replay(store, args, again[2], again[1], _status(again[0]))
        finally:
            gc.unfreeze()
    written = write_reports(texts, out)
    console.print(f"Reports: {', '.join(str(p) for p in written)}", highlight=False,
                  soft_wrap=True)
    return _status(report)


def _load_frozen(store: CourseStore) -> Course:
    """The course, its parsed objects (a million on TinyTorch) kept out of the collector's
    reach until the run ends (`gc.unfreeze`): each collection would scan them all again,
    about 20 ms of a run after a one-module edit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        course = store.load(save=False)
        gc.freeze()
    finally:
        if enabled:
            gc.enable()
    return course


def _status(report: GatesReport) -> int:
    return 1 if report.status == "fail" else 0


def _summarized(console: Printer, report: GatesReport) -> str | None:
    """Print the report's summary; on a plain console, also return the text printed."""
    if not isinstance(console, PlainConsole):
        TerminalReporter(console).summary(report)
        return None
    buffer = io.StringIO()
    TerminalReporter(PlainConsole(buffer)).summary(report)
    console.write(buffer.getvalue())
    return buffer.getvalue()


def _served(store: CourseStore, args: argparse.Namespace, gates: list[str],
            console: Printer | None,
            fresh: tuple[GatesReport, dict[str, str], str | None] | None = None
            ) -> tuple[GatesReport, dict[str, str], str] | None:
    """A run served wholly from cache: its report, the reports' texts and what it printed
    before its `Reports:` line (on `console`, else into the text returned). `fresh` is the
    report this run made, its texts and the summary it printed: a served run of the same
    results shows the same summary and shares the reports that show no time."""
    buffer = io.StringIO()
    shown = console if console is not None else PlainConsole(buffer)
    served = from_cache(store, args, gates, shown)
    if served is None:
        return None
    report, keys = served
    report.scope = scope_of(args)
    if console is None and fresh is not None and fresh[2] is not None \
            and same_but_timing(report, fresh[0]):
        buffer.write(fresh[2])
    else:
        TerminalReporter(shown).summary(report)
    return (report, _rendered(store, report, keys, None if fresh is None else fresh[:2]),
            buffer.getvalue())


def _header(console: Printer, course: CourseSummary, args: argparse.Namespace,
            gates: list[str]) -> None:
    scope = scope_of(args)
    console.print(f"Checking [bold]{escape(str(course.root))}[/] ({course.layout} layout, "
                  f"{len(course.modules)} modules) at level {args.level}"
                  + (f" — partial run: {'; '.join(scope)}" if scope else ""),
                  highlight=False, soft_wrap=True)
    console.print(f"Conventions: {escape(course.conventions_text)}", highlight=False,
                  soft_wrap=True)
    execution_gates = [g for g in gates if g in EXECUTING_GATES and not args.static_only]
    if skips := will_skip(execution_gates, args.level, args.isolated):
        console.print(f"[yellow]Will skip[/]: {'; '.join(skips)} (tinyrelease doctor tells "
                      "more)", highlight=False, soft_wrap=True)


def from_cache(store: CourseStore, args: argparse.Namespace, gates: list[str],
               console: Printer) -> tuple[GatesReport, list[str]] | None:
    """The report of a run whose every gate is cached, made without loading the course: the
    course's digest comes from stat calls, its summary and the checks' docs from the cache.
    None when anything is missing (or the run selects modules or checks, which need the
    course to be read); else the report and the gates' keys."""
    from tinyrelease.checks.checkinfo import use_snapshot

    if args.no_cache or args.select or args.modules or args.changed_since:
        return None
    summary, catalog = store.summary(), store.catalog()
    if summary is None or catalog is None:
        return None
    results, keys = {}, [gate_key(store, args, gate, None) for gate in gates]
    for gate, key in zip(gates, keys, strict=True):
        found = store.results.load(key)
        if found is None:
            return None
        results[gate] = found
    if not use_snapshot(catalog):
        return None
    _header(console, summary, args, gates)
    reporter = TerminalReporter(console)
    with Board(console) as board:
        for gate in gates:
            board.finish(gate, reporter.progress_line(gate, results[gate]))
    return GatesReport(summary, args.level, [results[g] for g in gates]), keys


def _rendered(store: CourseStore, report: GatesReport, keys: list[str],
              fresh: tuple[GatesReport, dict[str, str]] | None = None) -> dict[str, str]:
    """The reports of a run served from cache: rendered once, then read back (the same
    results, by their keys and times, and the same scope give the same texts); those that
    show no time are shared with the `fresh` run's, when it found the same."""
    import hashlib

    key = hashlib.sha256(json.dumps([keys, report.scope, [g.ran_at for g in report.gates]]
                                    ).encode()).hexdigest()
    texts = store.rendered(key)
    if texts is None:
        texts = render_reports(report, like=fresh)
        store.keep_rendered(key, texts)
    return texts


class GateRunner:
    """Runs the gates of one course once: from cache, here, or in nox sessions."""

    def __init__(self, course: Course, store: CourseStore, args: argparse.Namespace,
                 console: Printer, out: Path) -> None:
        from tinyrelease.checks.options import selected_modules

        self.course, self.store, self.args, self.console, self.out = (course, store, args,
                                                                      console, out)
        self.reporter = TerminalReporter(console)
        self.modules = selected_modules(course, args)
        self.envdir = Path(sys.prefix).parent if args.isolated else None

    def run(self, gates: list[str]) -> GatesReport:
        results: dict[str, GateResult] = {}
        with Board(self.console) as board:
            self.board = board
            todo = []
            for gate in gates:
                cached = None if self.args.no_cache else self.store.results.load(self._key(gate))
                if cached is not None:
                    results[gate] = self._done(gate, cached)
                else:
                    todo.append(gate)
            here = [g for g in todo if not self._executes(g)]
            for gate in here:
                results[gate] = self._store(gate, self._here(gate))
            executing = [g for g in todo if self._executes(g)]
            if executing and self.args.isolated:
                results.update(self._in_sessions(executing))
            elif executing:
                results.update(self._in_threads(executing))
        return GatesReport(self.course.summary(), self.args.level, [results[g] for g in gates])

    def _executes(self, gate: str) -> bool:
        return executes(gate, self.args)

    def _key(self, gate: str) -> str:
        return gate_key(self.store, self.args, gate, self.modules)

    def _store(self, gate: str, result: GateResult) -> GateResult:
        if not any(f.code == session_code(gate) for f in result.findings):
            self.store.results.store(self._key(gate), result)
        return result

    def _here(self, gate: str) -> GateResult:
        from tinyrelease.checks.engine import run_gate

        execution = None
        if self._executes(gate):
            from tinyrelease.checks.execution.gates import Execution

            execution = Execution(self.course, self.args.level,
                                  (self.out / "work" / gate).resolve(), self.modules,
                                  self.store.folder, not self.args.no_cache)
        self.board.start(gate, f"{gate} gate")
        try:
            result = run_gate(self.course, gate, self.args.level, self.args.select, execution)
        except Exception as error:  # noqa: BLE001 - one broken gate must not hide the others
            result = GateResult(gate, [Finding(session_code(gate), f"the {gate} gate stopped "
                                               f"with an internal error: {type(error).__name__}: "
                                               f"{error} (please report this)")],
                                checks_run=[session_code(gate)])
        return self._done(gate, result)

    def _done(self, gate: str, result: GateResult) -> GateResult:
        self.board.finish(gate, self.reporter.progress_line(gate, result))
        return result

    def _in_threads(self, gates: list[str]) -> dict[str, GateResult]:
        """Execution gates in this environment; one at a time when their output is streamed."""
        jobs = 1 if self.args.verbose else max(1, self.args.jobs)
        results: dict[str, GateResult] = {}
        from concurrent.futures import ThreadPoolExecutor  # threads only for execution gates

        from tinyrelease.checks.process import streaming

        with streaming(self.args.verbose), ThreadPoolExecutor(max_workers=jobs) as pool:
            futures: dict[str, Future[GateResult]] = {g: pool.submit(self._here, g)
                                                      for g in gates}
            try:
                for gate, future in futures.items():
                    results[gate] = self._store(gate, future.result())
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        return results

    def _in_sessions(self, gates: list[str]) -> dict[str, GateResult]:
        """The execution gates as nox sessions, run by nox's own parallel scheduler; each
        session writes its report into `<out>/<gate>/` and caches its own result."""
        import subprocess  # only a run that hands gates to nox starts a process

        base = self.out.resolve()
        argv = [*_nox(), "-f", str(PROJECT / "noxfile.py"), "--parallel",
                str(max(1, self.args.jobs)), "-s", *gates, "--", *self._forwarded(base)]
        started = time.time()
        for gate in gates:
            self.board.start(gate, f"{gate} gate (nox session)")
        log = base / "sessions.log"
        base.mkdir(parents=True, exist_ok=True)
        with log.open("w", encoding="utf-8") as stream:
            process = subprocess.Popen(argv, cwd=PROJECT, start_new_session=True,
                                       stdout=None if self.args.verbose else stream,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            results = self._wait(process, gates, base, started)
        for gate in gates:
            if gate not in results:
                results[gate] = self._done(gate, self._session_failed(gate, process, log))
        return results

    def _forwarded(self, base: Path) -> list[str]:
        args = self.args
        return ["--course", str(self.course.root), "--level", args.level, "--report-dir",
                str(base), *(f"--select={s}" for s in args.select or []),
                *(f"--modules={m}" for m in self.modules or []),
                *(["--no-cache"] if args.no_cache else []),
                *(["--cache-dir", str(args.cache_dir.resolve())] if args.cache_dir else [])]

    def _wait(self, process: subprocess.Popen[bytes], gates: list[str], base: Path,
              started: float) -> dict[str, GateResult]:
        results: dict[str, GateResult] = {}
        try:
            while True:
                finished = process.poll() is not None
                for gate in (g for g in gates if g not in results):
                    result = _fresh_report(base / gate / "report.json", gate, started)
                    if result is not None:
                        results[gate] = self._done(gate, result)
                if finished:
                    return results
                time.sleep(POLL_S)
        except KeyboardInterrupt:
            _stop(process)
            raise

    def _session_failed(self, gate: str, process: subprocess.Popen[bytes], log: Path
                        ) -> GateResult:
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        tail = "\n".join(text.strip().splitlines()[-15:])
        message = (f"the {gate} session failed before it wrote its report (nox exit "
                   f"{process.returncode}); the sessions' output is in {log}"
                   + (f":\n{tail}" if tail else ""))
        return GateResult(gate, [Finding(session_code(gate), message)],
                          checks_run=[session_code(gate)])


def _nox() -> list[str]:
    found = shutil.which("nox")
    return [found] if found else [sys.executable, "-m", "nox"]


def _fresh_report(path: Path, gate: str, since: float) -> GateResult | None:
    """The gate's result from a report its session wrote during this run."""
    import json

    try:
        if path.stat().st_mtime < since:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return GateResult.from_json(next(g for g in data["gates"] if g["name"] == gate))
    except (OSError, ValueError, StopIteration, KeyError, TypeError):
        return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Interrupt nox and every session it started (they share its process group)."""
    import subprocess

    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=10)
    except (ProcessLookupError, PermissionError):
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
