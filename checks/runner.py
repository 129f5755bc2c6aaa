"""`nox -s gates`: every gate at once. Static gates run here; gates that execute the course run
as their own nox sessions in parallel; results are cached by the content of their inputs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console

from checks import cli
from checks.cache import GateCache, ParseCache, gate_key
from checks.cli import build_parser, course_root, selected_modules
from checks.course import Course, load_course
from checks.engine import GateResult, GatesReport, run_gates
from checks.errors import TinyReleaseError
from checks.execution.gates import EXECUTORS, Execution
from checks.findings import Finding, Severity
from checks.registry import GATES, session_code
from checks.reports import write_reports
from checks.reports.terminal import TerminalReporter


def build_runner_parser() -> argparse.ArgumentParser:
    parser = build_parser()
    parser.prog = "nox -s gates --"
    parser.add_argument("-j", "--jobs", type=int, default=len(EXECUTORS),
                        help="gate sessions to run at once (default: all of them; they spend "
                        "much of their time waiting on builds and installs)")
    parser.add_argument("--no-cache", action="store_true", help="ignore cached gate results")
    return parser


class GateRunner:
    def __init__(self, course: Course, args: argparse.Namespace, console: Console) -> None:
        self.course, self.args, self.console = course, args, console
        self.reporter = TerminalReporter(console)
        self.cache = GateCache(args.report_dir / "cache")
        self.lock = threading.Lock()
        self.modules = selected_modules(course, args)

    def run(self) -> GatesReport:
        gates = self.args.gates or list(GATES)
        keys = {gate: gate_key(self.course, gate, self._settings()) for gate in gates}
        results: dict[str, GateResult] = {}
        to_run = []
        for gate in gates:
            cached = None if self.args.no_cache else self.cache.load(keys[gate])
            if cached is not None:
                results[gate] = self._done(gate, cached)
            else:
                to_run.append(gate)
        sessions = [g for g in to_run if self._in_session(g)]
        with ThreadPoolExecutor(max_workers=max(1, self.args.jobs)) as pool:
            futures = {gate: pool.submit(self._session, gate) for gate in sessions}
            for gate in (g for g in to_run if g not in sessions):
                results[gate] = self._done(gate, self._here(gate))
            for gate, future in futures.items():
                results[gate] = future.result()
        for gate in to_run:
            if not any(f.code == session_code(gate) for f in results[gate].findings):
                self.cache.store(keys[gate], results[gate])
        return GatesReport(self.course, self.args.level, [results[g] for g in gates])

    def _settings(self) -> dict[str, object]:
        return {"level": self.args.level, "select": self.args.select, "modules": self.modules,
                "static_only": self.args.static_only}

    def _in_session(self, gate: str) -> bool:
        """Gates that execute the course run in their own environment, when nox is here."""
        return (gate in EXECUTORS and not self.args.static_only and self.args.level != "quick"
                and shutil.which("nox") is not None and Path("noxfile.py").is_file())

    def _here(self, gate: str) -> GateResult:
        execution = None if self.args.static_only else Execution(
            self.course, self.args.level, self.args.report_dir / "work" / gate, self.modules)
        report = run_gates(self.course, [gate], self.args.level, self.args.select,
                           execution=execution)
        return report.gates[0]

    def _session(self, gate: str) -> GateResult:
        folder = (self.args.report_dir / gate).resolve()
        argv = ["nox", "--reuse-venv", "yes", "-s", gate, "--", "--course",
                str(self.course.root), "--level", self.args.level, "--report-dir", str(folder),
                *[f"--select={s}" for s in self.args.select or []],
                *[f"--modules={m}" for m in self.modules or []]]
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace", check=False)
        result = _read_gate(folder / "report.json", gate)
        if result is None:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            result = GateResult(gate, [Finding(session_code(gate), f"the {gate} session "
                                               f"failed (exit {done.returncode}):\n{tail}")],
                                checks_run=[session_code(gate)])
        result.duration_s = time.perf_counter() - started
        return self._done(gate, result, done.stdout if result.status == "fail" else "")

    def _done(self, gate: str, result: GateResult, log: str = "") -> GateResult:
        with self.lock:  # one gate's lines at a time: parallel output is never interleaved
            self.reporter.progress(gate, result)
            if log and self.args.verbose_sessions:
                self.console.print(log, markup=False, highlight=False)
        return result


def _read_gate(path: Path, gate: str) -> GateResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = next(g for g in data["gates"] if g["name"] == gate)
    except (OSError, ValueError, StopIteration, KeyError, TypeError):
        return None
    return gate_from_json(entry)


def gate_from_json(entry: dict) -> GateResult:
    findings = [Finding(f["code"], f["message"], f["path"], f["line"], f["module"],
                        Severity(f["severity"]), f["waived"]) for f in entry["findings"]]
    return GateResult(entry["name"], findings, entry.get("duration_s", 0.0),
                      entry.get("checks", []), entry.get("skipped", []),
                      entry.get("skipped_steps", []), entry.get("artifacts", {}))


def main(argv: list[str] | None = None) -> int:
    console = Console(highlight=False)
    parser = build_runner_parser()
    parser.add_argument("--verbose-sessions", action="store_true",
                        help="print the output of failing gate sessions")
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = parser.parse_args(argv)
        if args.explain or args.list_checks:
            return cli.main(argv)
        parsed = ParseCache(args.report_dir / "cache" / "parsed.pickle")
        course = load_course(course_root(args.course), parsed=parsed)
        parsed.save()
        console.print(f"Checking [bold]{course.root}[/] ({course.layout.name} layout, "
                      f"{len(course.modules)} modules) at level {args.level}", soft_wrap=True)
        report = GateRunner(course, args, console).run()
        TerminalReporter(console).summary(report)
        written = write_reports(report, args.report_dir)
        console.print(f"Reports: {', '.join(str(p) for p in written)}", soft_wrap=True)
    except TinyReleaseError as error:
        print(f"tinyrelease: error: {error}", file=sys.stderr)
        return error.exit_code
    return 0 if report.status == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
