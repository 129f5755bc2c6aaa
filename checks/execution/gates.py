"""The execution parts of the testing and package gates, run after their static checks at the
standard and comprehensive levels, sharing one exported copy of the course per run.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from book.codes import EXECUTION_CODES as DOCUMENTATION_CODES
from checks.course import Course
from checks.errors import UsageError
from checks.execution import package as package_execution
from checks.execution import testing as testing_execution
from checks.execution.workspace import Completed, run, workspace
from checks.findings import Finding
from checks.gates.common import resolve_module_reference

DEFAULT_COVERAGE = 80.0


@dataclass
class ExecutionResult:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    artifacts: dict[str, object] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)


@dataclass
class Execution:
    """One run's execution settings and its exported copy of the course (made on first use)."""

    course: Course
    level: str
    work_dir: Path
    modules: list[str] | None = None

    def __post_init__(self) -> None:
        self.work_dir = self.work_dir.resolve()

    @cached_property
    def export_command(self) -> list[str] | None:
        value = self.course.config.raw.get("export_command")
        if isinstance(value, str):
            value = shlex.split(value)
        if not isinstance(value, list) or not value or not all(isinstance(p, str) for p in value):
            return None
        # "python" means the gate's own interpreter, where the export tools are installed
        return [sys.executable if value[0] == "python" else value[0], *value[1:]]

    @cached_property
    def coverage_threshold(self) -> float:
        value = self.course.config.raw.get("coverage_threshold", DEFAULT_COVERAGE)
        return float(value) if isinstance(value, int | float) else DEFAULT_COVERAGE

    @cached_property
    def exported(self) -> tuple[Path, Completed | None]:
        """The course copied into the work dir, after its export step when it has one."""
        copy = self.work_dir / "course"
        with workspace(self.course.root, keep=copy):
            pass
        command = self.export_command
        return copy, run(command, cwd=copy) if command else None


def execute_testing(execution: Execution) -> ExecutionResult:
    result = ExecutionResult(codes=["TST201", "TST202", "TST203", "TST204", "TST205"])
    course = execution.course
    copy, export = execution.exported
    if export is not None and not export.ok:
        result.findings.append(Finding("TST205", "the suites were not run: the export step "
                                       f"`{shlex.join(export.args)}` failed", "pyproject.toml"))
        return result
    suites, result.skipped = testing_execution.plan_suites(
        course, execution.modules, execution.level == "comprehensive")
    scratch = execution.work_dir / "testing"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / ".coverage").unlink(missing_ok=True)
    tests = 0
    if suites:
        tests, findings = testing_execution.run_suites(suites, copy, course.package_name, scratch)
        result.findings += findings
    result.artifacts = {"suites": [s.path for s in suites], "tests": tests}
    if course.package_name and suites and execution.modules is None:
        total, findings = testing_execution.coverage_findings(
            course, copy, scratch, execution.coverage_threshold)
        result.findings += findings
        result.artifacts["coverage"] = total
    elif execution.modules is not None:
        result.skipped.append("coverage threshold: not applied to a run of selected modules")
    return result


def execute_package(execution: Execution) -> ExecutionResult:
    result = ExecutionResult(codes=["PKG201", "PKG202", "PKG203", "PKG204", "PKG205",
                                    "PKG206", "PKG207", "PKG208", "PKG209"])
    course = execution.course
    copy, export = execution.exported
    if export is not None and not export.ok:
        result.findings.append(Finding("PKG201", f"`{shlex.join(export.args)}` failed:\n"
                                       f"{export.tail()}", "pyproject.toml"))
        return result
    if export is not None:
        result.findings += package_execution.export_cell_findings(course, copy)
        result.findings += package_execution.stale_package_findings(course, copy)
    else:
        result.skipped.append("export: the course declares no export_command")
    findings, skipped = package_execution.changelog_findings(course)
    result.findings += findings
    result.skipped += skipped
    findings, result.artifacts, skipped = package_execution.distribution_findings(
        course, copy, execution.work_dir / "package", execution.level == "comprehensive")
    result.findings += findings
    result.skipped += skipped
    return result


def execute_documentation(execution: Execution) -> ExecutionResult:
    """Build the course's book (strict at the comprehensive level), check its links offline
    and open it in headless Chromium when the machine has one."""
    result = ExecutionResult()
    try:
        from book.gate import documentation_findings
    except ImportError as error:
        result.skipped.append(f"book build: {error.name} is not installed in this environment "
                              "(nox -s documentation installs it)")
        return result
    browser = shutil.which("chromium") is not None or Path("/usr/bin/chromium").is_file()
    if not browser:
        result.skipped.append("browser check: no Chromium on this machine")
    result.codes = [c for c in DOCUMENTATION_CODES if browser or not c.startswith("DOC22")]
    result.findings = documentation_findings(execution.course.root, execution.level,
                                             execution.work_dir / "book", browser=browser)
    return result


EXECUTORS = {"testing": execute_testing, "package": execute_package,
             "documentation": execute_documentation}


def affected_modules(course: Course, ref: str) -> list[str]:
    """Modules changed since the git ref `ref`, and every module that depends on them."""
    try:
        done = subprocess.run(["git", "diff", "--name-only", "--relative", ref, "--"],
                              cwd=course.root, capture_output=True, text=True, check=False)
    except OSError as error:
        raise UsageError(f"--changed-since needs git: {error}") from None
    if done.returncode != 0:
        raise UsageError(f"--changed-since {ref}: {done.stderr.strip().splitlines()[-1]}")
    changed = {m for path in done.stdout.split() if (m := _module_of_change(course, path))}
    return [m.id for m in course.modules if m.id in changed or _depends_on(course, m.id, changed)]


def _module_of_change(course: Course, path: str) -> str | None:
    if (module := course.module_of_path(path)) is not None:
        return module
    parts = path.split("/")
    if parts[0] == "tests" and len(parts) > 2 and course.module(parts[1]):
        return parts[1]
    package = course.package
    dotted = next((name for name, rel in (package.modules.items() if package else [])
                   if rel == path), None)
    return next((m.id for m in course.modules if m.exports and dotted
                 and dotted.endswith("." + m.exports)), None)


def _depends_on(course: Course, module_id: str, changed: set[str], seen: frozenset = frozenset()
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
