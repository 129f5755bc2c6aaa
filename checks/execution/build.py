"""Building a course's distributions and proving they work: `build`, `twine check --strict`,
the wheel's contents, and an install-and-import in a fresh environment.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tinyrelease.checks.process import Completed, run

# Arguments are modules to import, or `module:name` pairs: the module must have the name.
_IMPORT_SCRIPT = """
import importlib, json, sys, traceback
failures, missing = {}, {}
for argument in sys.argv[1:]:
    name, _, wanted = argument.partition(":")
    try:
        module = importlib.import_module(name)
    except BaseException as error:
        if wanted:
            continue  # the module's own failure is reported for the module
        frames = traceback.extract_tb(error.__traceback__)
        where = next((f"{f.filename}:{f.lineno}" for f in reversed(frames)
                      if "site-packages" in f.filename), "")
        failures[name] = f"{type(error).__name__}: {error}" + (f" (at {where})" if where else "")
        continue
    if wanted and not hasattr(module, wanted):
        missing.setdefault(name, []).append(wanted)
print(json.dumps({"failures": failures, "missing": missing}))
"""
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STRAY = re.compile(r"(^|/)(tests?|testing)/|\.ipynb$|(^|/)conftest\.py$|__pycache__|\.pyc$")


@dataclass
class Distributions:
    """What `build` produced: the wheel, the sdist, and the log when it failed."""

    wheel: Path | None = None
    sdist: Path | None = None
    log: Completed | None = None

    @property
    def files(self) -> list[Path]:
        return [p for p in (self.sdist, self.wheel) if p is not None]


@dataclass
class ImportResult:
    python: str
    installed: Completed | None = None
    failures: dict[str, str] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)  # module -> names it lacks


def installer() -> list[str]:
    """`--installer uv` when uv is on PATH: the isolated build environment is then seconds."""
    return ["--installer", "uv"] if shutil.which("uv") else []


def build_dists(project: Path, out: Path) -> Distributions:
    """Build the sdist and the wheel of `project` into `out` with pypa/build."""
    out.mkdir(parents=True, exist_ok=True)
    log = run([sys.executable, "-m", "build", *installer(), "--sdist", "--wheel",
               "--outdir", out, project], cwd=project)
    if not log.ok:
        return Distributions(log=log)
    return Distributions(next(iter(sorted(out.glob("*.whl"))), None),
                         next(iter(sorted(out.glob("*.tar.gz"))), None), log)


def twine_check(files: list[Path]) -> dict[str, str]:
    """`twine check --strict` per file: the problems twine reports, by file name."""
    problems = {}
    for path in files:
        done = run([sys.executable, "-m", "twine", "check", "--strict", path], cwd=path.parent,
                   env={"NO_COLOR": "1", "TERM": "dumb"})
        if not done.ok:
            lines = [_ANSI.sub("", ln).strip() for ln in done.output.splitlines()
                     if ln.strip() and not ln.startswith("Checking")]
            problems[path.name] = " ".join(lines) or done.tail()
    return problems


def wheel_contents(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return sorted(archive.namelist())


def stray_files(names: list[str], package: str, declared: set[str] | None = None) -> list[str]:
    """Files a learner's wheel must not carry: tests, notebooks, caches, files outside the
    package, its metadata and the other top-level packages the course `declared` on purpose
    (its package discovery, its console scripts)."""
    top = {package.split(".")[0], *(declared or set())}
    return [n for n in names
            if _STRAY.search(n) or (n.split("/")[0] not in top and ".dist-info/" not in n)]


def missing_modules(names: list[str], modules: list[str]) -> list[str]:
    present = set(names)
    return [m for m in modules if f"{m.replace('.', '/')}.py" not in present
            and f"{m.replace('.', '/')}/__init__.py" not in present]


def install_and_import(wheel: Path, python: Path, modules: list[str], venv: Path,
                       names: list[str] | None = None) -> ImportResult:
    """Install the wheel into a new environment of `python`, import every module there, and
    look up each `module:name` of `names` (the names sources import from the package)."""
    result = ImportResult(str(python))
    shutil.rmtree(venv, ignore_errors=True)
    uv = shutil.which("uv")
    steps: list[list[str | Path]]
    if uv:
        steps = [[uv, "venv", "--quiet", "--python", python, venv],
                 [uv, "pip", "install", "--quiet", "--python", venv / "bin" / "python", wheel]]
    else:
        steps = [[python, "-m", "venv", venv],
                 [venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel]]
    for step in steps:
        result.installed = run(step, cwd=wheel.parent, env={"UV_PYTHON_DOWNLOADS": "never"})
        if not result.installed.ok:
            return result
    done = run([venv / "bin" / "python", "-c", _IMPORT_SCRIPT, *modules, *(names or [])],
               cwd=venv)
    try:
        found = json.loads(done.output.strip().splitlines()[-1])
        result.failures, result.missing = found["failures"], found["missing"]
    except (json.JSONDecodeError, IndexError, KeyError, TypeError):
        result.failures = {modules[0] if modules else "?": done.tail()}
    return result
