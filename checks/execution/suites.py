"""Each test suite's result kept by the content of what it depends on: its own files, the
course-wide test settings, the module's source and exported files, the modules it reaches
through imports and prerequisites, and the environment. After an edit only the suites it can
change run again; the others are served with the date of the run that produced them.

Entries live in the cache folder (never in the course): a JSON result and the suite's own
coverage data file, which `coverage combine` merges with the fresh ones.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinyrelease.checks import __version__
from tinyrelease.checks.boundary import inside
from tinyrelease.checks.cache import keep_entry, read_json_object, write_atomic
from tinyrelease.checks.course import Course
from tinyrelease.checks.environment import gate_environment, source_digest
from tinyrelease.checks.execution.session import REQUIREMENTS_MARKER
from tinyrelease.checks.execution.testing import OUTCOMES, Suite, SuiteOutcome
from tinyrelease.checks.findings import Finding
from tinyrelease.checks.gates.common import module_names, resolve_module_reference

# files beside the suites that pytest or the tests read in every suite
TEST_SETTINGS = ("conftest.py", "pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini",
                 "settings.ini", "requirements.txt")
SKIPPED_DIRS = {"__pycache__", ".pytest_cache"}


@dataclass
class CachedSuite:
    """A suite's outcome as an earlier run left it: with the files its tests ran (by hash, to
    confirm its coverage still describes them) and its coverage data file, if measured."""

    outcome: SuiteOutcome
    ran: dict[str, str]
    coverage: Path | None


def step_environment(level: str, gate: str = "testing") -> str:
    """The environment part of the key of a step `gate` keeps (a suite, a documented example,
    a package build, a notebook run): tinyrelease's own code and the tools and interpreter the
    step runs with (read as the gate key reads them)."""
    own = Path(sys.prefix)
    envdir = own if (own / REQUIREMENTS_MARKER).is_file() else None
    return json.dumps([__version__, source_digest(), gate_environment(gate, level, envdir)])


class SuiteInputs:
    """What each suite of a course depends on, read from the exported copy `copy`: the files,
    hashed once each, and the package modules each file imports, parsed once each."""

    def __init__(self, course: Course, copy: Path, environment: str) -> None:
        self.course, self.copy, self.environment = course, copy, environment
        self._digests: dict[str, str] = {}
        self._imports: dict[str, set[str]] = {}
        self._files: dict[str, bool] = {}
        self._names = module_names(course)
        self.exported = _exported_files(course)

    def key(self, suite: Suite) -> str:
        files = set(files_below(self.copy, suite.path)) | self._settings()
        seeds = {f for t in self.course.tests.files if t.path.startswith(suite.path + "/")
                 for f in self._resolve_all(t.path, [(i.module, i.names) for i in t.imports])}
        modules = self._prerequisites(suite.module) if suite.module else set()
        seeds |= {self.exported[m] for m in modules if m in self.exported}
        reached = self._closure(seeds)
        files |= reached | self.sources(reached, modules)
        parts = [self.environment, suite.path, *(f"{rel}\0{self.digest(rel)}"
                                                 for rel in sorted(files))]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def sources(self, files: set[str], modules: set[str] | None = None) -> set[str]:
        """The source files of the modules `modules` and of those that export to `files`: a
        finding's line in an exported file is told at its source cell."""
        owners = {m for m, rel in self.exported.items() if rel in files} | (modules or set())
        return {m.source_path for m in self.course.modules if m.id in owners}

    def digest(self, rel: str) -> str:
        """`file_digest` of one file of the copy, once per run."""
        if rel not in self._digests:
            self._digests[rel] = file_digest(self.copy / rel, self.copy)
        return self._digests[rel]

    def changed(self, cached: CachedSuite) -> str | None:
        """Why a cached suite's result no longer holds: a file its tests ran has changed."""
        for rel, digest in sorted(cached.ran.items()):
            if self.digest(rel) != digest:
                return f"{rel}, which its tests ran, changed since"
        return None

    def reached(self, imports: list[tuple[str, tuple[str, ...]]]) -> set[str]:
        """The files of the copy that `imports`, written in a file at its root, reach."""
        return self._closure(self._resolve_all("_", imports))

    def _settings(self) -> set[str]:
        files = {rel for rel in TEST_SETTINGS if (self.copy / rel).exists()}
        tests = self.copy / self.course.tests.root
        if tests.is_dir():
            files |= {f"{self.course.tests.root}/{p.name}" for p in tests.iterdir()
                      if p.suffix in (".py", ".ini", ".cfg", ".toml") and not p.is_dir()}
        return files

    def _prerequisites(self, module_id: str) -> set[str]:
        """The module and every module it needs, through its prerequisites."""
        found, todo = set(), [module_id]
        while todo:
            current = todo.pop()
            module = self.course.module(current)
            if current in found or module is None:
                continue
            found.add(current)
            for text in module.meta.prerequisites if module.meta else []:
                required = resolve_module_reference(self.course, text, self._names)
                if required is not None:
                    todo.append(required.id)
        return found

    def _closure(self, seeds: set[str]) -> set[str]:
        """The files `seeds` reach through their imports, within the copy."""
        found, todo = set(), list(seeds)
        while todo:
            rel = todo.pop()
            if rel in found:
                continue
            found.add(rel)
            todo += [f for f in self._imported(rel) if f not in found]
        return found

    def _imported(self, rel: str) -> set[str]:
        if rel not in self._imports:
            self._imports[rel] = self._resolve_all(rel, _imports_of(self.copy / rel, rel))
        return self._imports[rel]

    def _resolve_all(self, rel: str, imports: list[tuple[str, tuple[str, ...]]]) -> set[str]:
        """The files of the copy that `imports` of the file `rel` name: the module and its
        parent packages, and each imported name that is a module itself."""
        roots = [Path(rel).parent.as_posix(), "", self.course.tests.root]
        if self.course.package and "/" in self.course.package.dir:
            roots.append(self.course.package.dir.rsplit("/", 1)[0])
        found: set[str] = set()
        for dotted, names in imports:
            for name in [dotted, *(f"{dotted}.{n}" for n in names)]:
                parts = name.split(".")
                for end in range(1, len(parts) + 1):
                    found |= self._module_file(roots, "/".join(parts[:end]))
        return found

    def _module_file(self, roots: list[str], path: str) -> set[str]:
        for root in roots:
            base = f"{root}/{path}" if root not in ("", ".") else path
            for rel in (f"{base}.py", f"{base}/__init__.py"):
                if self._is_file(rel):
                    return {rel}
        return set()

    def _is_file(self, rel: str) -> bool:
        """Whether `rel` is a file of the copy (not a link); asked once per path, since every
        test file's imports are looked up from several folders."""
        if rel not in self._files:
            try:
                self._files[rel] = stat.S_ISREG(os.lstat(os.path.join(self.copy, rel)).st_mode)
            except OSError:
                self._files[rel] = False
        return self._files[rel]


def file_digest(path: Path, root: Path) -> str:
    """The hash of one file below `root`; a link by its target's name (never followed out of
    the course), a file reached through a linked folder that leaves `root` by that alone, a
    missing file as missing."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return "link:" + os.readlink(path)
        if not inside(path.parent, root):
            return "through a link out of the course"
        if stat.S_ISREG(info.st_mode):
            return hashlib.sha256(path.read_bytes()).hexdigest()
        return "not a file"
    except OSError:
        return "missing"


def files_below(root: Path, folder: str = "") -> list[str]:
    """Every file below `folder` of `root`, relative to `root`, by name; bytecode and test
    caches left out, linked folders not walked."""
    found = []
    for here, dirs, files in os.walk(root / folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        prefix = os.path.relpath(here, root).replace(os.sep, "/")
        found += [name if prefix == "." else f"{prefix}/{name}"
                  for name in sorted(files) if not name.endswith(".pyc")]
    return found


def _exported_files(course: Course) -> dict[str, str]:
    """Module id -> the package file its `default_exp` writes."""
    package = course.package
    if package is None:
        return {}
    found = {}
    for module in course.modules:
        if module.exports:
            dotted = module.exports.removeprefix(package.name + ".")
            found[module.id] = f"{package.dir}/{dotted.replace('.', '/')}.py"
    return found


def _imports_of(path: Path, rel: str) -> list[tuple[str, tuple[str, ...]]]:
    try:
        return imports_in(path.read_bytes(), rel)
    except OSError:
        return []


def imports_in(text: str | bytes, rel: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every import of Python code at `rel`, anywhere in it (a function's import runs when it
    is called), relative ones made absolute; nothing for code that does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    package = rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__").split(".")
    if not rel.endswith("__init__.py"):
        package = package[:-1]
    found: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = tuple(a.name for a in node.names if a.name != "*")
            if node.level == 0 and node.module:
                found.append((node.module, names))
            elif node.level and node.level <= len(package) + 1:
                base = package[:len(package) - node.level + 1]
                dotted = ".".join([*base, *([node.module] if node.module else [])])
                if dotted:
                    found.append((dotted, names))
    return found


class SuiteCache:
    """`<folder>/suites/<key>.json` with `<key>.coverage` beside it, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "suites"

    def load(self, key: str) -> CachedSuite | None:
        entry = read_json_object(self.folder / f"{key}.json")
        if entry is None:
            return None
        try:
            outcome = SuiteOutcome(int(entry["tests"]), {k: int(entry["counts"][k])
                                                         for k in OUTCOMES},
                                   [Finding.from_json(f) for f in entry["findings"]],
                                   float(entry["seconds"]), str(entry["ran_at"]))
            ran = {str(k): str(v) for k, v in entry["ran"].items()}
        except (TypeError, KeyError, ValueError, AttributeError):
            return None
        coverage = self.folder / f"{key}.coverage"
        if entry.get("coverage") and not coverage.is_file():
            return None
        return CachedSuite(outcome, ran, coverage if entry.get("coverage") else None)

    def store(self, key: str, cached: CachedSuite) -> None:
        outcome = cached.outcome
        entry: dict[str, Any] = {"tests": outcome.tests, "counts": outcome.counts,
                                 "findings": [f.to_json() for f in outcome.findings],
                                 "seconds": outcome.seconds, "ran_at": outcome.ran_at,
                                 "ran": cached.ran, "coverage": cached.coverage is not None}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if cached.coverage is not None:
                temp = self.folder / f".{key}.{os.getpid()}.coverage"
                shutil.copyfile(cached.coverage, temp)
                os.replace(temp, self.folder / f"{key}.coverage")
        except OSError:
            return  # a cache that cannot be written only costs time
        keep_entry(self.folder / f"{key}.json", entry, companions=(".coverage",))


# Coverage -------------------------------------------------------------------------------

def split_coverage(data_file: Path, suites: list[Suite], folder: Path, copy: Path
                   ) -> dict[str, tuple[Path, set[str]]]:
    """Each suite's own data file, from a run that recorded a context per suite: the lines its
    context ran, and those run outside any suite (start-up, shared conftest), which would run
    in any session; with the files it ran. Files no suite ran are kept as measured-but-unrun."""
    from coverage import CoverageData

    data = CoverageData(str(data_file))
    data.read()
    measured = sorted(data.measured_files())
    by_context = _lines_by_context(data, measured)
    named = {s.path for s in suites}
    shared: dict[str, set[int]] = {}
    for context, lines in by_context.items():
        if context not in named:
            for file, numbers in lines.items():
                shared.setdefault(file, set()).update(numbers)
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for index, suite in enumerate(suites):
        own = by_context.get(suite.path, {})
        path = folder / f"suite-{index}.coverage"
        path.unlink(missing_ok=True)
        kept = CoverageData(str(path))
        lines = {f: own.get(f, set()) | shared.get(f, set()) for f in measured}
        kept.add_lines({f: sorted(n) for f, n in lines.items() if n})
        kept.touch_files(measured)
        kept.write()
        found[suite.path] = (path, {_relative(f, copy) for f, n in lines.items() if n})
    return found


def _lines_by_context(data: Any, files: list[str]) -> dict[str, dict[str, set[int]]]:
    """context -> file -> the lines that context ran: one query per file (asking per context
    and file costs a database connection each, ~0.5 s on TinyTorch)."""
    found: dict[str, dict[str, set[int]]] = {}
    for file in files:
        for line, contexts in data.contexts_by_lineno(file).items():
            for context in contexts:
                found.setdefault(context, {}).setdefault(file, set()).add(line)
    return found


def _relative(name: str, copy: Path) -> str:
    return os.path.relpath(name, copy).replace(os.sep, "/") if os.path.isabs(name) else name


class SuiteTimes:
    """How long each suite of a course took when it last ran, to share the suites out among
    processes: only the order of work depends on it, never a result. Suites without a time
    are judged by the size of their test files, and then so are all."""

    def __init__(self, folder: Path | None, root: Path, copy: Path) -> None:
        name = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape"))
        self.path = folder / "suite-times" / f"{name.hexdigest()[:24]}.json" if folder else None
        self.copy = copy

    def estimates(self, suites: list[Suite]) -> tuple[dict[str, float], bool]:
        """Each suite's expected seconds, and whether they were measured (else guessed)."""
        known = read_json_object(self.path) if self.path is not None else None
        if known and all(isinstance(known.get(s.path), int | float) for s in suites):
            return {s.path: float(known[s.path]) for s in suites}, True
        return {s.path: _bytes_below(self.copy / s.path) / 10_000 for s in suites}, False

    def record(self, outcomes: dict[str, SuiteOutcome]) -> None:
        if self.path is None or not outcomes:
            return
        known = read_json_object(self.path) or {}
        known.update({path: round(o.seconds, 3) for path, o in outcomes.items()})
        write_atomic(self.path, json.dumps(known))


def _bytes_below(folder: Path) -> int:
    """The size of the Python files below `folder` (links not followed)."""
    total = 0
    for here, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        total += sum(os.lstat(os.path.join(here, f)).st_size for f in files if f.endswith(".py"))
    return total

