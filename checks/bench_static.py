"""`nox -s bench -- --course PATH`, the static part: our static gates on a copy of the course
(cold, after a one-module edit, unchanged) side by side with the course's own validator
scripts, which its CI workflow runs as `python <script>` steps, with the same interpreter.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WORKFLOWS = ".github/workflows"
TARGETS = {"cold": 1.0, "one module edited": 0.5, "unchanged": 0.25}


@dataclass(frozen=True)
class Validator:
    """One `python <script> [args]` step of a workflow: the command and where it runs."""

    workflow: str
    argv: tuple[str, ...]  # the script (relative to `cwd`) and its arguments
    cwd: str  # relative to the course root

    def __str__(self) -> str:
        return shlex.join(("python", *self.argv))


@dataclass(frozen=True)
class Timing:
    """One whole-process run (or a series of them): wall time, peak memory, exit statuses."""

    seconds: float
    peak_kib: int
    exits: tuple[int, ...]


def workflow_files(root: Path, given: str | None = None) -> list[Path]:
    """`given` (relative to the course), else the course's release workflows (a file whose name
    says `release`), else every workflow it has."""
    if given is not None:
        return [root / given]
    folder = root / WORKFLOWS
    found = sorted(p for p in folder.glob("*.y*ml") if p.is_file()) if folder.is_dir() else []
    release = [p for p in found if "release" in p.name.lower()]
    return release or found


def validators(root: Path, workflows: list[Path]) -> list[Validator]:
    """Every `python <script>.py` command of the workflows' run steps whose script the course
    holds, in the order the workflow lists them (jobs, then steps)."""
    import yaml

    found: list[Validator] = []
    for path in workflows:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise SystemExit(f"{path}: not a readable workflow ({error})") from error
        jobs = data.get("jobs") if isinstance(data, dict) else None
        for job in (jobs or {}).values() if isinstance(jobs, dict) else ():
            for step in job.get("steps") or [] if isinstance(job, dict) else ():
                if isinstance(step, dict) and isinstance(step.get("run"), str):
                    cwd = str(step.get("working-directory") or ".")
                    found += [Validator(path.name, argv, cwd)
                              for argv in _python_scripts(step["run"], root / cwd)]
    return found


def _python_scripts(script: str, cwd: Path) -> Iterator[tuple[str, ...]]:
    for line in script.replace("\\\n", " ").splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if (len(words) >= 2 and words[0] in ("python", "python3") and words[1].endswith(".py")
                and (cwd / words[1]).is_file()):
            yield tuple(words[1:])


# A small process that starts each measured one: a child's peak memory (ru_maxrss) counts
# what it inherited before exec, so the big benchmark process must not be its parent.
_LAUNCHER = """
import json, os, sys, time
for line in sys.stdin:
    argv, cwd, env = json.loads(line)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - started
    print(json.dumps([elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]), flush=True)
"""


class Launcher:
    """Runs whole processes to their end and measures them: wall time, peak resident memory
    (the process's own rusage), exit status."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)

    def measure(self, argv: list[str], cwd: Path, env: dict[str, str]) -> Timing:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps([argv, str(cwd), env]) + "\n")
        self.process.stdin.flush()
        seconds, peak, status = json.loads(self.process.stdout.readline())
        return Timing(seconds, peak, (status,))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def _series(runs: list[Timing]) -> Timing:
    return Timing(sum(r.seconds for r in runs), max(r.peak_kib for r in runs),
                  tuple(e for r in runs for e in r.exits))


# What no static check of the course can go below, timed as whole processes as well: the
# interpreter importing the modules a run of ours imports, and parsing the Python files the
# checks read (module sources and test files) with `ast.parse`, on one core.
_IMPORTS = """
import importlib, sys
for name in open(sys.argv[1], encoding="utf-8").read().split():
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""
_PARSE = """
import ast, sys
for path in open(sys.argv[1], encoding="utf-8").read().split("\\0"):
    try:
        ast.parse(open(path, "rb").read(), path)
    except (OSError, SyntaxError, ValueError):
        pass
"""
_IMPORTED = """
import atexit, runpy, sys
out = sys.argv[1]
def _kept():
    with open(out, "w", encoding="utf-8") as stream:
        stream.write(" ".join(sorted(n for n in sys.modules
                                     if n != "__main__" and not n.endswith(".__main__"))))
atexit.register(_kept)
sys.argv = ["tinyrelease.checks", *sys.argv[2:]]
runpy.run_module("tinyrelease.checks", run_name="__main__", alter_sys=True)
"""
FLOORS = {"floor: interpreter + our imports": "one module edited",
          "floor: ast.parse, one core": "cold"}


class StaticBench:
    """A copy of the course, a cache folder of its own, and the commands both sides run."""

    def __init__(self, course: Path, temp: Path, workflow: str | None) -> None:
        self.copy = temp / "course"
        shutil.copytree(course, self.copy, symlinks=True)
        self.temp = temp
        self.validators = validators(self.copy, workflow_files(self.copy, workflow))
        self.edited = self._module_to_edit()
        # a user's installed code has its bytecode: both sides run with it, kept outside
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPYCACHEPREFIX"] = str(temp / "pycache")
        self.edits = 0
        self.launcher = Launcher()
        self.floor_inputs = self._floor_inputs()

    def _module_to_edit(self) -> Path:
        from tinyrelease.checks.course import load_course

        sources = [m.source_path for m in load_course(self.copy).modules if m.source]
        if not sources:
            raise SystemExit(f"{self.copy}: the course has no module source to edit")
        return self.copy / sources[-1]

    def _floor_inputs(self) -> dict[str, Path]:
        """The files the floors read: the modules a run of ours imports after a module was
        edited (learnt from such a run), and the Python files our checks parse."""
        from tinyrelease.checks.course import load_course

        course = load_course(self.copy)
        parsed = [m.source_path for m in course.modules if m.source]
        parsed += [f.path for f in course.tests.files]
        paths = self.temp / "floor-parsed.txt"
        paths.write_text("\0".join(str(self.copy / p) for p in parsed), encoding="utf-8")
        imported = self.temp / "floor-imported.txt"
        env = {**self.env, "TINYRELEASE_CACHE_DIR": str(self.temp / "floor-cache")}
        for script in ([], ["-c", _IMPORTED, str(imported)]):  # cached, then one edit
            self._edit()
            subprocess.run([sys.executable, *(script or ["-m", "tinyrelease.checks"]),
                            "--static-only", "--course", str(self.copy),
                            "--report-dir", str(self.temp / "reports")],
                           cwd=self.copy, env=env, capture_output=True, check=False)
        if not imported.is_file():
            raise SystemExit("the benchmark could not learn what a run of ours imports")
        return {"floor: interpreter + our imports": imported, "floor: ast.parse, one core": paths}

    def floors(self) -> dict[str, Timing]:
        scripts = {"floor: interpreter + our imports": _IMPORTS,
                   "floor: ast.parse, one core": _PARSE}
        return {label: self.launcher.measure([sys.executable, "-c", scripts[label],
                                              str(self.floor_inputs[label])], self.copy, self.env)
                for label in scripts}

    def ours(self, cache: Path, *extra: str) -> Timing:
        env = {**self.env, "TINYRELEASE_CACHE_DIR": str(cache)}
        return self.launcher.measure([sys.executable, "-m", "tinyrelease.checks", "--static-only",
                        "--course", str(self.copy), "--report-dir", str(self.temp / "reports"),
                        *extra], self.copy, env)

    def theirs(self) -> Timing:
        return _series([self.launcher.measure([sys.executable, *v.argv], self.copy / v.cwd,
                                              self.env) for v in self.validators])

    def _edit(self) -> None:
        self.edits += 1
        with self.edited.open("a", encoding="utf-8") as stream:
            stream.write(f"\n# edited by the benchmark ({self.edits})\n")

    def round(self, number: int) -> dict[str, Timing]:
        """One interleaved round: their validators, ours cold (nothing cached, nothing parsed
        before), after appending a comment to one module's source, and unchanged."""
        found = {"validators": self.theirs()} if self.validators else {}
        found["cold"] = self.ours(self.temp / f"cold-{number}", "--no-cache")
        shutil.rmtree(self.temp / f"cold-{number}", ignore_errors=True)
        warm = self.temp / "cache"
        if not warm.is_dir():
            self.ours(warm)
        self._edit()
        found["one module edited"] = self.ours(warm)
        found["unchanged"] = self.ours(warm)
        found.update(self.floors())
        return found


def bench_side_by_side(course: Path, rounds: int, workflow: str | None = None) -> None:
    """Print the medians of `rounds` interleaved rounds, with the machine's load."""
    with tempfile.TemporaryDirectory(prefix="tinyrelease-bench-") as temp:
        bench = StaticBench(course.resolve(), Path(temp), workflow)
        print(f"course: {course} (a copy), python {sys.executable} "
              f"({sys.version.split()[0]}); edited module: "
              f"{bench.edited.relative_to(bench.copy)}")
        print(f"load average at start: {_load()} on {os.cpu_count()} cores")
        for validator in bench.validators:
            print(f"  their validator ({validator.workflow}): {validator}")
        if not bench.validators:
            print("  the course has no `python <script>` step in its workflows: ours alone")
        try:
            bench.round(0)  # warm-up: bytecode written, files in the page cache
            results = [bench.round(n) for n in range(1, rounds + 1)]
        finally:
            bench.launcher.close()
        print(f"load average at end: {_load()}")
        _table(results, len(bench.validators))


def _table(results: list[dict[str, Timing]], validators: int) -> None:
    print(f"medians of {len(results)} interleaved rounds (whole process, wall time):")
    base = statistics.median(r["validators"].seconds for r in results) if validators else None
    for label in results[0]:
        seconds = statistics.median(r[label].seconds for r in results)
        peak = statistics.median(r[label].peak_kib for r in results) / 1024
        exits = sorted({e for r in results for e in r[label].exits})
        name = (f"their {validators} validator runs" if label == "validators"
                else label if label in FLOORS else f"ours static, {label}")
        ratio = "" if base is None else f"  {seconds / base:5.2f}×"
        target = f" (target ≤ {TARGETS[label]:.2f}×)" if base and label in TARGETS else ""
        if base and label in FLOORS:  # what the run it bounds cannot go below
            target = f" (under every {FLOORS[label]} run)"
        print(f"  {name:<36} {seconds:6.2f} s  peak {peak:6.1f} MiB{ratio}{target}"
              f"  exit {','.join(map(str, exits))}")


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())
