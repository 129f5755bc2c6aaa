"""The execution parts of the testing and package gates, run after their static checks at the
standard and comprehensive levels, sharing one exported copy of the course per run.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path

from tinyrelease.checks.course import Course
from tinyrelease.checks.environment import INSTALL_ALL, importable, missing_requirements
from tinyrelease.checks.errors import UsageError
from tinyrelease.checks.execution import package as package_execution
from tinyrelease.checks.execution import testing as testing_execution
from tinyrelease.checks.execution.example_cache import ExampleCache
from tinyrelease.checks.execution.examples import console_scripts, try_examples
from tinyrelease.checks.execution.export import (
    NBDEV_EXPORTER,
    ExportStep,
    export_step,
    missing_targets,
)
from tinyrelease.checks.execution.package_cache import BuildCache, BuiltDistributions
from tinyrelease.checks.execution.session import EXECUTING_GATES, course_requirements
from tinyrelease.checks.execution.suites import (
    CachedSuite,
    SuiteCache,
    SuiteInputs,
    SuiteTimes,
    split_coverage,
    step_environment,
)
from tinyrelease.checks.execution.testing import Suite, SuiteOutcome, SuitesRun, combine
from tinyrelease.checks.execution.workspace import workspace
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.gates.common import resolve_module_reference
from tinyrelease.checks.git import Git
from tinyrelease.checks.pool import cores
from tinyrelease.checks.process import Completed, run
from tinyrelease.checks.results import now
from tinyrelease.checks.store import CourseStore

DEFAULT_COVERAGE = 80.0


@dataclass
class ExecutionResult:
    """What an execution part did: the codes it ran, each code it did not run with why, the
    steps it left out (a suite, an interpreter) with why, the steps served from cache with
    when they ran, notes on what ran again and why, its findings and its artifacts."""

    findings: list[Finding] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    steps_skipped: list[str] = field(default_factory=list)
    artifacts: dict[str, object] = field(default_factory=dict)
    steps_cached: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def skip(self, codes: list[str] | set[str], reason: str) -> None:
        for code in sorted(codes):
            self.skipped.setdefault(code, reason)

    def did(self, codes: list[str] | set[str]) -> None:
        self.ran += [code for code in sorted(codes) if code not in self.ran]


@dataclass
class Execution:
    """One run's execution settings and its exported copy of the course (made on first use).
    With a `cache` folder, steps keep their results there; `reuse` False runs them anew."""

    course: Course
    level: str
    work_dir: Path
    modules: list[str] | None = None
    cache: Path | None = None
    reuse: bool = True

    def __post_init__(self) -> None:
        self.work_dir = self.work_dir.resolve()

    @cached_property
    def export(self) -> ExportStep | None:
        return export_step(self.course)

    @cached_property
    def coverage_threshold(self) -> float:
        value = self.course.config.raw.get("coverage_threshold", DEFAULT_COVERAGE)
        return float(value) if isinstance(value, int | float) else DEFAULT_COVERAGE

    @cached_property
    def test_processes(self) -> int | None:
        """How many pytest processes share the suites: the course's `test_processes`, else
        None (as many as there are cores, when the suites' work is worth a second one)."""
        value = self.course.config.raw.get("test_processes")
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        return None

    @property
    def coverage_stated(self) -> bool:
        """Whether the course set its own bar; the default one is a target, not a gate."""
        return isinstance(self.course.config.raw.get("coverage_threshold"), int | float)

    @cached_property
    def exported(self) -> tuple[Path, Completed | None]:
        """The course copied into the work dir, after its export step when it has one."""
        copy = self.work_dir / "course"
        with workspace(self.course.root, keep=copy):
            pass
        step = self.export
        if step is None:
            return copy, None
        command = list(step.command)
        if self.cache is not None and command[1:3] == ["-m", NBDEV_EXPORTER]:
            command += ["--cache-dir", str(self.cache), *([] if self.reuse else ["--fresh"])]
        return copy, run(command, cwd=copy)

    @cached_property
    def missing(self) -> list[tuple[str, str]]:
        """(module, package file) of every `default_exp` a successful export did not write."""
        copy, export = self.exported
        return missing_targets(self.course, copy) if export is not None and export.ok else []

    def export_problem(self) -> str | None:
        """Why the exported package cannot be trusted: the export failed or is incomplete."""
        _, export = self.exported
        if export is not None and not export.ok:
            return f"the export step {self.export.describe() if self.export else ''} failed"
        if self.missing:
            listed = ", ".join(f"{rel} ({module})" for module, rel in self.missing)
            return (f"the export step {self.export.describe() if self.export else ''} ran but "
                    f"wrote no {listed}")
        return None


SUITE_CODES = {"TST201", "TST202", "TST203", "TST204"}
EXAMPLE_CODES = {"TST206", "TST207"}


def execute_testing(execution: Execution, wanted: set[str]) -> ExecutionResult:
    """Export (when the course has an export step), run the suites with coverage, then try
    the documentation's commands and snippets; only the steps whose codes are `wanted` run."""
    result = ExecutionResult()
    if not wanted & (SUITE_CODES | EXAMPLE_CODES):
        result.skip(wanted, "none of the suite checks was selected")
        return result
    if not importable("pytest") and wanted & SUITE_CODES:
        reason = f"pytest is not installed here: nox -s testing installs it, or {INSTALL_ALL}"
        result.skip(wanted & SUITE_CODES, reason)
        wanted = wanted - SUITE_CODES
        if not wanted & EXAMPLE_CODES:
            result.skip(wanted, reason)
            return result
    seconds: dict[str, float] = {}  # where the gate's time went, step by step
    result.artifacts["step_seconds"] = seconds
    with _timed(seconds, "copy and export"):
        copy, export = execution.exported
    problem = execution.export_problem()
    if export is not None and not export.ok:
        result.did({"TST205"} & wanted)
        result.findings.append(Finding("TST205", f"the suites were not run: {problem}",
                                       _export_config(execution)))
        result.skip(wanted - {"TST205"}, "the export step failed (TST205)")
        return result
    if execution.export is None:
        result.skip({"TST205"} & wanted, NO_EXPORT)
        result.steps_skipped.append(f"export: {NO_EXPORT}")
    else:
        result.did({"TST205"} & wanted)
    scratch = execution.work_dir / "testing"
    scratch.mkdir(parents=True, exist_ok=True)
    with _timed(seconds, "suites"):
        findings = _suites(execution, wanted, copy, scratch, result) \
            if wanted & SUITE_CODES else []
    judged = "TST203" in wanted and bool(result.artifacts.get("suites"))
    why_not = _unmeasured(execution, findings) if judged else None
    with ThreadPoolExecutor(1) as background:  # coverage's report runs while the examples do
        report = background.submit(testing_execution.coverage_report, copy, scratch) if (
            judged and why_not is None) else None
        missing = missing_requirements(course_requirements(execution.course.root, "testing"))
        if wanted & EXAMPLE_CODES:
            with _timed(seconds, "examples"):
                findings += _examples(execution, wanted, copy, scratch, result, missing)
        if report is not None:
            with _timed(seconds, "coverage"):
                _coverage(execution, scratch, report.result(), result)
        elif why_not is not None:
            result.skip({"TST203"}, why_not)
    ran = bool(result.artifacts.get("suites")) or "examples" in result.artifacts
    if problem is not None and ran and "TST205" in wanted:  # its knock-on failures are one
        cause = Finding("TST205", f"the suites ran on an incomplete package: {problem}",
                        _export_config(execution))
        findings = fold(cause, findings, _mentions_missing(execution))
    if missing and "TST204" in wanted:  # else the finding holding them would not be shown
        findings = _environment_failures(findings, missing)
    result.findings += findings
    return result


@contextmanager
def _timed(seconds: dict[str, float], step: str) -> Iterator[None]:
    """Record in `seconds` how long the `step` inside took."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[step] = round(time.perf_counter() - started, 2)


def _suites(execution: Execution, wanted: set[str], copy: Path, scratch: Path,
            result: ExecutionResult) -> list[Finding]:
    course = execution.course
    suites, steps = testing_execution.plan_suites(
        course, execution.modules, execution.level == "comprehensive")
    result.steps_skipped += steps
    (scratch / ".coverage").unlink(missing_ok=True)
    if not suites:
        result.skip(wanted & SUITE_CODES, "the course has no test suites to run")
    outcomes, stopped = SuiteRuns(execution, copy, scratch, result).run(suites)
    if suites:
        result.did(wanted & {"TST201", "TST202", "TST204"})
    totals = {k: sum(o.counts[k] for o in outcomes.values()) for k in testing_execution.OUTCOMES}
    result.artifacts.update({"suites": [s.path for s in suites],
                             "tests": sum(o.tests for o in outcomes.values()),
                             **(totals if outcomes else {}),
                             "export": execution.export.describe() if execution.export else None})
    return testing_execution.suite_findings(list(outcomes.items()), stopped, suites)


class SuiteRuns:
    """The suites of one run: those whose inputs are unchanged since a run that cached them
    are served from the cache, the others run in one pytest session and are cached; their
    coverage data files are combined into `<scratch>/.coverage`."""

    def __init__(self, execution: Execution, copy: Path, scratch: Path,
                 result: ExecutionResult) -> None:
        self.execution, self.copy, self.scratch, self.result = execution, copy, scratch, result
        self.cache = SuiteCache(execution.cache) if execution.cache is not None else None
        self.inputs = SuiteInputs(execution.course, copy, step_environment(execution.level))
        self.package = execution.course.package_name

    def run(self, suites: list[Suite]) -> tuple[dict[str, SuiteOutcome], list[Finding]]:
        keys = {s.path: self.inputs.key(s) for s in suites} if self.cache else {}
        kept = {s.path: found for s in suites if (found := self._cached(s, keys)) is not None}
        fresh = [s for s in suites if s.path not in kept]
        times = SuiteTimes(self.execution.cache, self.execution.course.root, self.copy)
        estimates, measured = times.estimates(fresh)
        processes = self.execution.test_processes or _cores(sum(estimates.values()))
        ran = testing_execution.run_each(
            fresh, self.copy, self.package, self.scratch, self.execution.course, processes,
            estimates, guessed=not measured) if fresh else SuitesRun()
        times.record(ran.outcomes)
        self.result.notes += ran.notes
        if fresh:
            self.result.artifacts["test_processes"] = ran.processes
        coverage = self._split(fresh, ran)
        if self.cache is not None and not ran.stopped:
            for suite in fresh:
                data, files = coverage.get(suite.path, (None, set()))
                ran_files = files | self.inputs.sources(files)
                self.cache.store(keys[suite.path], CachedSuite(
                    ran.outcomes[suite.path], {f: self.inputs.digest(f) for f in ran_files}, data))
        if kept and self.package:
            self._combine([c.coverage for c in kept.values()]
                          + [data for data, _ in coverage.values()])
        self.result.steps_cached.update({path: c.outcome.ran_at for path, c in kept.items()})
        outcomes = {**{p: c.outcome for p, c in kept.items()}, **ran.outcomes}
        return {s.path: outcomes[s.path] for s in suites if s.path in outcomes}, ran.stopped

    def _cached(self, suite: Suite, keys: dict[str, str]) -> CachedSuite | None:
        if self.cache is None or not self.execution.reuse:
            return None
        found = self.cache.load(keys[suite.path])
        if found is None:
            return None
        why: str | None
        if found.coverage is None and self.package:
            why = "its cached result has no coverage data to combine"
        else:
            why = self.inputs.changed(found)
        if why is not None:
            self.result.notes.append(f"{suite.path}: ran again: {why}")
            return None
        return found

    def _split(self, fresh: list[Suite], ran: SuitesRun) -> dict[str, tuple[Path, set[str]]]:
        data = self.scratch / ".coverage"
        if not fresh or not self.package or ran.stopped or not data.is_file():
            return {}
        return split_coverage(data, fresh, self.scratch / "suites", self.copy)

    def _combine(self, files: list[Path | None]) -> None:
        """Cached and fresh data files into one; a suite whose data is missing makes the
        total unsound, so then coverage is not judged (and the report says why)."""
        if any(f is None for f in files):
            (self.scratch / ".coverage").unlink(missing_ok=True)
            self.result.notes.append("coverage: a suite that ran now left no coverage data, so "
                                     "the cached suites' data cannot be combined with it")
            return
        why = combine([f for f in files if f is not None], self.scratch / ".coverage")
        if why is not None:
            self.result.notes.append(f"coverage: {why}")


# below this many expected seconds of suites, a second process's start-up (pytest, the
# course's imports, coverage: 1-2 s) and its copy of the export cost more than it saves
WORTH_SHARING = 10.0


def _cores(expected: float) -> int:
    """The cores this process may use, when `expected` seconds of suites are worth sharing."""
    if expected < WORTH_SHARING:
        return 1
    return cores()


def _unmeasured(execution: Execution, findings: list[Finding]) -> str | None:
    """Why the suites' coverage is not judged in this run, if it is not."""
    if any(f.code == "TST204" and "pytest's internal error" in f.message for f in findings):
        return "the test run stopped before its end (TST204), so coverage was not measured"
    if execution.modules is not None:
        return "coverage threshold: not applied to a run of selected modules"
    if not execution.course.package_name:
        return "the course has no package to measure"
    return None


def _coverage(execution: Execution, scratch: Path, report: Completed,
              result: ExecutionResult) -> None:
    total, findings = testing_execution.coverage_findings(
        execution.course, report, scratch, execution.coverage_threshold,
        execution.coverage_stated)
    result.findings += findings
    result.artifacts["coverage"] = total
    result.did({"TST203"})


def _examples(execution: Execution, wanted: set[str], copy: Path, scratch: Path,
              result: ExecutionResult, missing: list[str]) -> list[Finding]:
    """TST206 and TST207: the documented commands parsed, the documented snippets run."""
    course = execution.course
    commands = "TST206" in wanted and bool(console_scripts(course))
    snippets = "TST207" in wanted and course.package_name is not None
    if "TST206" in wanted and not commands:
        result.skip({"TST206"}, "the course declares no console scripts ([project.scripts])")
    if "TST207" in wanted and not snippets:
        result.skip({"TST207"}, "the course has no package for snippets to import")
    if not commands and not snippets:
        return []
    cache = ExampleCache(execution.cache, execution.reuse, course, copy, step_environment(
        execution.level)) if execution.cache is not None else None
    tried = try_examples(course, copy, scratch / "examples", commands, snippets, missing, cache)
    result.did({code for code, on in (("TST206", commands), ("TST207", snippets)) if on})
    result.steps_skipped += tried.notes
    result.artifacts["examples"] = tried.counts
    return tried.findings


NO_EXPORT = ("the course declares no export step (export_command) and is not an nbdev "
             "project, so its committed package is used as it is")


def _environment_failures(findings: list[Finding], missing: list[str]) -> list[Finding]:
    """Failures that import a requirement the course declares but this environment lacks are
    the environment's, not the course's: one warning that names the fix holds them."""
    names = {re.split(r"[^A-Za-z0-9._-]", r.strip(), maxsplit=1)[0].lower().replace("-", "_")
             for r in missing}
    cause = Finding("TST204", f"the course's requirements {', '.join(missing)} are not "
                    "installed in this environment (nox -s testing installs them)",
                    "requirements.txt", severity=Severity.WARNING)
    folded = fold(cause, findings, lambda f: any(f"No module named '{n}" in f.message
                                                 for n in names))
    return folded if folded[0].places else findings


def _export_config(execution: Execution) -> str:
    """Where the export step is configured: [tool.tinyrelease], else nbdev's settings.ini."""
    if execution.course.config.raw.get("export_command") is not None:
        return execution.course.config.source or "pyproject.toml"
    return "settings.ini"


def _mentions_missing(execution: Execution) -> Callable[[Finding], bool]:
    names = [rel.removesuffix(".py").replace("/", ".") for _, rel in execution.missing]
    return lambda finding: any(name in finding.message for name in names)


def fold(cause: Finding, findings: list[Finding], belongs: Callable[[Finding], bool]
         ) -> list[Finding]:
    """`cause` with every finding it explains folded in as a place, and the rest."""
    explained = [f for f in findings if belongs(f)]
    if not explained:
        return [cause, *findings]
    places = tuple((f.path, f.line) for f in explained if f.path is not None)
    message = (f"{cause.message}; {len(explained)} failure(s) follow from it and are listed "
               "here, not as defects of the tests")
    return [replace(cause, message=message, places=places),
            *(f for f in findings if not belongs(f))]


EXPORT_CODES = {"PKG201", "PKG202", "PKG203"}
DIST_CODES = {"PKG204", "PKG205", "PKG206", "PKG207", "PKG208", "PKG210"}


def execute_package(execution: Execution, wanted: set[str]) -> ExecutionResult:
    """The export, the changelog check and the distributions, each only when one of its codes
    is `wanted`."""
    result = ExecutionResult()
    course = execution.course
    if wanted & (EXPORT_CODES | DIST_CODES):
        copy, export = execution.exported
        if export is not None and not export.ok:
            result.did({"PKG201"} & wanted)
            result.findings.append(Finding("PKG201", f"{execution.export_problem()}:\n"
                                           f"{export.tail()}", _export_config(execution)))
            result.skip(wanted - {"PKG201", "PKG209"}, "the export step failed (PKG201)")
        else:
            _export_checks(execution, copy, wanted, result)
            if wanted & DIST_CODES and not importable("build"):
                result.skip(wanted & DIST_CODES, "build is not installed here: nox -s package "
                            f"installs it, or {INSTALL_ALL}")
            elif wanted & DIST_CODES:
                findings, artifacts, skipped = _distributions(execution, copy, result)
                result.artifacts.update(artifacts)
                if execution.missing:
                    cause = next(f for f in result.findings if f.code == "PKG201")
                    folded = fold(cause, findings, _mentions_missing(execution))
                    result.findings = [f for f in result.findings if f is not cause]
                    findings = folded
                result.findings += findings
                result.steps_skipped += skipped
                result.did(wanted & DIST_CODES)
    if "PKG209" in wanted:
        findings, reason = package_execution.changelog_findings(course)
        result.findings += findings
        if reason:
            result.skip({"PKG209"}, reason)
        else:
            result.did({"PKG209"})
    return result


def _distributions(execution: Execution, copy: Path, result: ExecutionResult
                   ) -> tuple[list[Finding], dict[str, object], list[str]]:
    """`distribution_findings`, served from the cache when nothing the build reads changed
    since a run that kept it (its dist files are put back in `<work>/package/dist`)."""
    scratch = execution.work_dir / "package"
    cache = BuildCache(execution.cache, execution.course, copy, execution.level,
                       CourseStore(execution.course.root, execution.cache).tags
                       ) if execution.cache is not None else None
    if cache is not None and execution.reuse and (
            kept := cache.load(scratch / "dist")) is not None:
        result.steps_cached["the distributions (build, twine, install and import)"] = \
            kept.ran_at
        return kept.findings, kept.artifacts, kept.skipped
    started = now()
    findings, artifacts, skipped = package_execution.distribution_findings(
        execution.course, copy, scratch, execution.level == "comprehensive")
    if cache is not None:
        cache.store(scratch / "dist", BuiltDistributions(findings, artifacts, skipped, started))
    return findings, artifacts, skipped


def _export_checks(execution: Execution, copy: Path, wanted: set[str],
                   result: ExecutionResult) -> None:
    if execution.export is None:
        result.skip(wanted & EXPORT_CODES, NO_EXPORT)
        return
    result.did(wanted & EXPORT_CODES)
    result.artifacts["export"] = execution.export.describe()
    if execution.missing:
        result.findings.append(Finding("PKG201", f"the export is incomplete: "
                                       f"{execution.export_problem()}", _export_config(execution)))
    if "PKG202" in wanted:
        result.findings += package_execution.export_cell_findings(execution.course, copy)
    if "PKG203" in wanted:
        result.findings += package_execution.stale_package_findings(execution.course, copy)


def execute_implementation(execution: Execution, wanted: set[str]) -> ExecutionResult:
    """The student release: build every module's assignment with nbgrader, then run the
    instructor and the blank student notebooks (checks.assignments)."""
    from tinyrelease.checks.assignments.run_cache import RunCache
    from tinyrelease.checks.assignments.validate import CODES, validate

    result = ExecutionResult()
    if not wanted & CODES:
        result.skip(wanted, "none of the student-release checks was selected")
        return result

    def exported() -> tuple[Path, str | None]:
        copy, _ = execution.exported
        return copy, execution.export_problem()

    folder = execution.cache

    def kept(copy: Path) -> RunCache:
        assert folder is not None
        return RunCache(folder, execution.reuse, step_environment(execution.level,
                                                                   "implementation"),
                        execution.course, copy)

    outcome = validate(execution.course, execution.modules, execution.work_dir, exported,
                       wanted & CODES, jobs=os.cpu_count() or 1,
                       kept=kept if folder is not None else None)
    result.findings, result.artifacts = outcome.findings, outcome.artifacts
    result.steps_cached.update(outcome.cached)
    result.did(outcome.ran)
    result.skipped.update(outcome.skipped)
    return result


Executor = Callable[[Execution, set[str]], ExecutionResult]
PLUGINS = "tinyrelease.executors"  # the entry points other packages register executors under


@cache
def executors() -> dict[str, Executor]:
    """The execution part of each gate: implementation, testing and package here; the
    documentation gate's is the book's (`book.gate`), registered as an entry point, so this
    layer never imports it."""
    found: dict[str, Executor] = {"implementation": execute_implementation,
                                  "testing": execute_testing, "package": execute_package}
    for entry in metadata.entry_points(group=PLUGINS):
        if entry.name in EXECUTING_GATES and entry.name not in found:
            try:
                found[entry.name] = entry.load()
            except ImportError:
                continue  # the gate then says its execution part is not installed
    return found



def affected_modules(course: Course, ref: str) -> list[str]:
    """Modules changed since the git ref `ref`, and every module that depends on them."""
    done = Git(course.root).run("diff", "--name-only", "--relative", ref, "--", check=False)
    if not done.ok:
        raise UsageError(f"--changed-since {ref}: {done.tail(1)}")
    changed = {m for path in done.output.split() if (m := _module_of_change(course, path))}
    return [m.id for m in course.modules if m.id in changed or _depends_on(course, m.id, changed)]


def _module_of_change(course: Course, path: str) -> str | None:
    if (module := course.module_of_path(path)) is not None:
        return module
    parts = path.split("/")
    if parts[0] == "tests" and len(parts) > 2 and (owner := course.tests.module_of(path)):
        return owner
    package = course.package
    dotted = next((name for name, rel in (package.modules.items() if package else [])
                   if rel == path), None)
    return next((m.id for m in course.modules if m.exports and dotted
                 and dotted.endswith("." + m.exports)), None)


def _depends_on(course: Course, module_id: str, changed: set[str],
                seen: frozenset[str] = frozenset()
                ) -> bool:
    module = course.module(module_id)
    if module is None or module.meta is None or module_id in seen:
        return False
    for text in module.meta.prerequisites:
        required = resolve_module_reference(course, text)
        if required is not None and (required.id in changed or _depends_on(
                course, required.id, changed, seen | {module_id})):
            return True
    return False
