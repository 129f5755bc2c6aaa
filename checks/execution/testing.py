"""Running a course's test suites (per module, integration, checkpoints, milestones) with pytest
and coverage, and turning failures, collection errors and low coverage into findings.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from tinyrelease.checks.cache import read_json_object
from tinyrelease.checks.course import Course
from tinyrelease.checks.execution.origin import in_course_terms, source_of
from tinyrelease.checks.execution.sharing import share_out
from tinyrelease.checks.execution.workspace import IGNORED, discard, sweep_discarded
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.process import Completed, run
from tinyrelease.checks.results import now

SHARED_SUITES = ("integration", "checkpoints")
_PY_FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')
_CALLED = re.compile(r" \(raised in the module's code, called from [^)]*\)$")
_LOCATION = re.compile(r"^(?P<path>[^\s:][^:\n]*\.py):(?P<line>\d+): ", re.MULTILINE)


@dataclass(frozen=True)
class Suite:
    """A folder of tests run as one pytest session: a module's own, or a course-wide one."""

    name: str
    path: str
    module: str | None


def plan_suites(course: Course, modules: list[str] | None, comprehensive: bool
                ) -> tuple[list[Suite], list[str]]:
    """The suites to run and, for the report, the ones skipped (and why)."""
    chosen, skipped = [], []
    for module in course.modules:
        folder = course.tests.module_folders.get(module.id)
        if folder is not None and course.files.is_dir(f"tests/{folder}"):
            if modules is None or module.id in modules:
                chosen.append(Suite(module.id, f"tests/{folder}", module.id))
            else:
                skipped.append(f"tests/{folder}: not affected by the selected modules")
    shared = list(SHARED_SUITES) + ["milestones"]
    for name in (n for n in shared if course.files.is_dir(f"tests/{n}")):
        if modules is not None:
            skipped.append(f"tests/{name}: course-wide suite, not run for selected modules")
        elif name == "milestones" and not comprehensive:
            skipped.append("tests/milestones: runs at the comprehensive level")
        else:
            chosen.append(Suite(name, f"tests/{name}", None))
    return chosen, skipped


OUTCOMES = ("passed", "failed", "skipped")


@dataclass
class SuiteOutcome:
    """What one suite's tests did in a run: how many ran and how they ended, its findings
    (before failures alike across suites are grouped), its seconds (the import of its files
    included, when measured) and when it ran."""

    tests: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    ran_at: str = field(default_factory=now)


@dataclass
class SuitesRun:
    """One pytest session over some suites: each suite's outcome, and the findings of the
    session itself (it did not run, its report is unreadable, pytest stopped) when it failed
    as a whole, in which case no suite's outcome is complete."""

    outcomes: dict[str, SuiteOutcome] = field(default_factory=dict)
    stopped: list[Finding] = field(default_factory=list)
    processes: int = 1
    notes: list[str] = field(default_factory=list)  # for the report's notes (coverage's merge)



def run_suites(suites: list[Suite], workdir: Path, package: str | None, scratch: Path,
               course: Course | None = None) -> tuple[int, list[Finding]]:
    """Run every suite in one pytest session (one start-up instead of one per folder); a
    collection error in one file does not stop the others. Returns (tests run, findings)."""
    ran = run_each(suites, workdir, package, scratch, course)
    return (sum(o.tests for o in ran.outcomes.values()),
            suite_findings(list(ran.outcomes.items()), ran.stopped, suites))


# with no suite's time known yet (a course's first run), the sizes of its test files are all
# there is to go by, and they say little (a small suite may train a model): the suites go out
# in this many shares per process, longest first, each process taking the next one it can
SHARES_WHEN_GUESSED = 2


def run_each(suites: list[Suite], workdir: Path, package: str | None, scratch: Path,
             course: Course | None = None, processes: int = 1,
             estimates: dict[str, float] | None = None, guessed: bool = False) -> SuitesRun:
    """`run_suites`, with what each suite did kept apart; with a package, coverage records
    which suite ran each line (a dynamic context per suite: `suite_context`). With more than
    one process the suites are shared out by their expected seconds (`estimates`; `guessed`
    when none was measured: then in smaller shares, taken in turn), each process runs in its
    own copy of `workdir` (tests that write files beside them never meet) and their coverage
    data and reports are combined."""
    coverage_config(scratch)
    plugin = _context_plugin(scratch)
    expected = estimates or {}
    count = processes * SHARES_WHEN_GUESSED if guessed and processes > 1 else processes
    shares = share_out([s.path for s in suites], count, expected, workdir,
                       course.tests.files if course is not None else None)
    if len(shares) <= 1:
        return _session(suites, workdir, package, scratch, course, plugin, "")
    by_path = {s.path: s for s in suites}
    workers = min(processes, len(shares))
    places = [workdir, *(scratch / f"process-{i}" for i in range(1, workers))]
    longest_first = iter(sorted(range(len(shares)), key=lambda i: -sum(
        expected.get(p, 0.0) for p in shares[i].suites)))
    taking = threading.Lock()

    def work(place: Path) -> list[tuple[int, SuitesRun]]:
        done: list[tuple[int, SuitesRun]] = []
        while True:
            with taking:
                index = next(longest_first, None)
            if index is None:
                return done
            share = shares[index]
            done.append((index, _session([by_path[p] for p in share.suites], place, package,
                                         scratch, course, plugin, f"-{index}", share.ahead,
                                         suites)))

    try:
        for place in places[1:]:
            sweep_discarded(place.parent, place.name)
            shutil.rmtree(place, ignore_errors=True)
            shutil.copytree(workdir, place, symlinks=True, ignore=IGNORED)
        with ThreadPoolExecutor(workers) as pool:
            runs = [r for _, r in sorted((done for worked in pool.map(work, places)
                                          for done in worked), key=lambda d: d[0])]
    finally:
        for place in places[1:]:  # deleted while the gate goes on
            discard(place)
    _merge_reports([scratch / f"junit-{i}.xml" for i in range(len(shares))],
                   scratch / "junit.xml")
    notes = []
    if package:
        data = [scratch / f".coverage-{i}" for i in range(len(shares))]
        if (why := combine([f for f in data if f.is_file()], scratch / ".coverage")) is not None:
            notes.append(f"coverage: the processes' data: {why}")
    outcomes = {p: o for r in runs for p, o in r.outcomes.items()}
    return SuitesRun({s.path: outcomes[s.path] for s in suites if s.path in outcomes},
                     [f for r in runs for f in r.stopped], workers, notes)


def _in_course_terms(ran: SuitesRun, place: Path) -> None:
    """A session's findings with the paths their messages quote as the course's own."""
    def moved(finding: Finding) -> Finding:
        return replace(finding, message=in_course_terms(finding.message, place))

    ran.stopped = [moved(f) for f in ran.stopped]
    for outcome in ran.outcomes.values():
        outcome.findings = [moved(f) for f in outcome.findings]


def _session(suites: list[Suite], workdir: Path, package: str | None, scratch: Path,
             course: Course | None, plugin: Path, suffix: str,
             ahead: list[str] | None = None, named: list[Suite] | None = None) -> SuitesRun:
    """One pytest session over `suites` in `workdir`, after importing the test files `ahead`
    (their tests deselected); its report and coverage data in `scratch` under names ending
    in `suffix`; coverage contexts named after `named` (every suite of the run)."""
    ahead = ahead or []
    junit = scratch / f"junit{suffix}.xml"
    junit.unlink(missing_ok=True)
    seconds = scratch / f"suite-seconds{suffix}.json"
    seconds.unlink(missing_ok=True)
    env = {"COVERAGE_FILE": str(scratch / f".coverage{suffix}"),
           "TINYRELEASE_SUITES": os.pathsep.join(s.path for s in named or suites),
           "TINYRELEASE_SUITE_SECONDS": str(seconds),
           "PYTHONPATH": os.pathsep.join(
               p for p in (str(plugin), os.environ.get("PYTHONPATH", "")) if p)}
    coverage = [f"--cov={package}", "--cov-report=",
                f"--cov-config={scratch / COVERAGE_RC}"] if package else []
    started = now()
    log = run([sys.executable, "-m", "pytest", *ahead, *(s.path for s in suites),
               *(f"--deselect={rel}" for rel in ahead), "-q",
               "-p", "no:cacheprovider", "--continue-on-collection-errors",
               "-o", "junit_family=legacy", f"--junitxml={junit}", *coverage,
               "-p", CONTEXT_PLUGIN], cwd=workdir, env=env)
    if not junit.is_file():
        stopped = SuitesRun(stopped=[Finding("TST204", f"the suites did not run (pytest exit "
                                             f"{log.returncode}): {log.tail(3)}", "tests")])
        _in_course_terms(stopped, workdir)
        return stopped
    try:
        root = ElementTree.parse(junit).getroot()
    except ElementTree.ParseError as error:
        return SuitesRun(stopped=[Finding("TST204", f"pytest's report is unreadable: {error}",
                                          "tests")])
    if ahead:  # the files imported ahead are reported by their own process
        for parent in root.iter("testsuite"):
            for case in [c for c in parent.findall("testcase") if c.get("file") in ahead]:
                parent.remove(case)
        ElementTree.ElementTree(root).write(junit, encoding="utf-8", xml_declaration=True)
    ran = SuitesRun({s.path: SuiteOutcome(ran_at=started) for s in suites})
    for case in root.iter("testcase"):
        suite = _suite_of(case.get("file") or "", suites)
        outcome = ran.outcomes[suite.path]
        problems = [*case.findall("failure"), *case.findall("error")]
        outcome.tests += 1
        outcome.seconds += float(case.get("time") or 0.0)
        outcome.counts[_ended(case, problems)] += 1
        for problem in problems:
            finding = _case_finding(case, problem, suite, workdir, course)
            if finding.code == "TST204":  # pytest itself stopped: no suite is complete
                ran.stopped.append(finding)
            else:
                outcome.findings.append(finding)
    _measured_seconds(seconds, ran)
    _in_course_terms(ran, workdir)
    return ran


def _measured_seconds(written: Path, ran: SuitesRun) -> None:
    """Each suite's seconds as the plugin measured them in the session (its files' import
    included), where it wrote them; else the sum of its tests' times stands."""
    found = read_json_object(written)
    for path, outcome in ran.outcomes.items():
        value = found.get(path) if found else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            outcome.seconds = float(value)


def _merge_reports(reports: list[Path], into: Path) -> None:
    """The processes' JUnit reports as one, as a single session would have written it."""
    merged = ElementTree.Element("testsuites")
    for report in reports:
        try:
            root = ElementTree.parse(report).getroot()
        except (OSError, ElementTree.ParseError):
            continue
        merged.extend(root.iter("testsuite"))
    ElementTree.ElementTree(merged).write(into, encoding="utf-8", xml_declaration=True)


def combine(files: list[Path], into: Path) -> str | None:
    """Data files merged into `into` (the files are kept) by coverage's own merge, the one
    `coverage combine` runs, in this process (a `coverage combine` process costs ~0.35 s of
    start-up); None when it worked, else why not. Their paths are relative to the copy
    (`relative_files`), so no path needs mapping."""
    from coverage import CoverageData
    from coverage.exceptions import CoverageException

    into.unlink(missing_ok=True)
    merged = CoverageData(str(into))
    try:
        for file in files:
            data = CoverageData(str(file))
            data.read()
            merged.update(data, map_path=str)
        merged.write()
    except (CoverageException, OSError, sqlite3.Error) as error:
        into.unlink(missing_ok=True)
        return f"coverage combine failed: {error}"
    return None if into.is_file() else "coverage combine failed: it wrote no data"


def _ended(case: ElementTree.Element, problems: list[ElementTree.Element]) -> str:
    if problems:
        return "failed"
    return "skipped" if case.find("skipped") is not None else "passed"


def suite_findings(outcomes: list[tuple[str, SuiteOutcome]], stopped: list[Finding],
                   suites: list[Suite]) -> list[Finding]:
    """The findings of suites run now or earlier, failures alike grouped across them, and a
    warning for each suite that collected no tests (unless the run stopped before its end)."""
    findings = group_failures([f for _, o in outcomes for f in o.findings]) + stopped
    if not stopped:
        counts = {path: o.tests for path, o in outcomes}
        findings += [Finding("TST204", f"suite {s.path} collected no tests", s.path, None,
                             s.module, Severity.WARNING) for s in suites if counts.get(s.path) == 0]
    return findings


CONTEXT_PLUGIN = "_tinyrelease_suite_context"
COVERAGE_RC = "coveragerc"  # our coverage settings, in the scratch folder


def coverage_config(scratch: Path) -> Path:
    """Our coverage settings: nbdev's name index is not code, and relative paths let a
    suite's data serve the next run's copy."""
    config = scratch / COVERAGE_RC
    config.write_text("[run]\nomit = */_modidx.py\nrelative_files = True\n", encoding="utf-8")
    return config


def _context_plugin(scratch: Path) -> Path:
    """The plugin's file in a folder of its own, to put on PYTHONPATH (an unambiguous name,
    so nothing of the course is shadowed); the suites it tells apart are given per session."""
    folder = scratch / "plugin"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{CONTEXT_PLUGIN}.py").write_text(
        (Path(__file__).parent / "suite_context.py").read_text(encoding="utf-8"), "utf-8")
    return folder


def _cause(finding: Finding) -> str | None:
    """What a failure says beyond which test it is, when that is an error several tests can
    share (an import error, a NameError); assertion failures are each their own cause."""
    _, _, said = finding.message.partition(" failed: " if finding.code == "TST201"
                                           else "none of its tests ran: ")
    if not said or said.startswith(("assert", "AssertionError")):
        return None
    return _CALLED.sub("", said)  # where each test called from is not part of the cause


def group_failures(findings: list[Finding]) -> list[Finding]:
    """One cause, one finding: tests or files failing with the same error become one finding
    at the first place, listing the others."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    alone = []
    for finding in findings:
        cause = _cause(finding)
        if cause is None:
            alone.append(finding)
        else:
            groups.setdefault((finding.code, cause), []).append(finding)
    grouped = []
    for (code, cause), items in groups.items():
        if len(items) == 1:
            grouped.append(items[0])
            continue
        what = "test files failed to import" if code == "TST202" else "tests failed"
        modules = sorted({f.module for f in items if f.module})
        first = items[0]
        grouped.append(Finding(code, f"{len(items)} {what} with the same error: {cause}",
                               first.path, first.line, first.module if len(modules) <= 1
                               else None, first.severity,
                               places=_places(items)))
    return grouped + alone


def _places(items: list[Finding]) -> tuple[tuple[str, int | None], ...]:
    """Every place of a group but its first, once each: a failure raised in the module's code
    adds the test line that called it, so ten tests failing in one cell name ten tests."""
    first = (items[0].path, items[0].line)
    found: dict[tuple[str, int | None], None] = {}
    for finding in items:
        for path, line in ((finding.path, finding.line), *finding.places):
            if path and (path, line) != first:
                found[(path, line)] = None
    return tuple(found)


def _suite_of(file: str, suites: list[Suite]) -> Suite:
    return next((s for s in suites if file.startswith(s.path + "/")), suites[0])


def _case_finding(case: ElementTree.Element, problem: ElementTree.Element, suite: Suite,
                  workdir: Path, course: Course | None = None) -> Finding:
    text = problem.text or ""
    if case.get("classname") == "pytest" and case.get("name") == "internal":
        return _internal_error(text, workdir)
    file = case.get("file") or suite.path
    path, line = _location(text, workdir, course) or (file,
                                                       int(case.get("line", "0")) + 1 or None)
    if problem.get("message") == "collection failure":
        errors = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
        said = [ln.strip() for ln in text.splitlines() if ln.strip()]
        reason = errors[-1] if errors else said[-1] if said else "could not be imported"
        if "import file mismatch" in text:
            return Finding("TST202", f"{file} failed to import, so none of its tests ran: "
                           "pytest's import file mismatch: a test file of the same basename in "
                           "another folder was imported first (give it a unique name, or add "
                           "__init__.py to the folders; see TST104)", file, None, suite.module)
        return Finding("TST202", f"{file} failed to import, so none of its tests ran: {reason}",
                       path, line, suite.module)
    test_id = f"{file}::{case.get('name')}"
    if case.get("classname", "").count(".") > file.count("/"):  # a test class
        test_id = f"{file}::{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
    said = [ln.strip() for ln in (problem.get("message") or "").split("\n") if ln.strip()]
    message = (" ".join(said[:2]) if len(said) > 1 and said[0].endswith(":")  # `Error:\nwhy`
               else said[0] if said else "failed")[:300]
    called = _test_line(text, workdir, file) if path != file else None
    return Finding("TST201", f"{test_id} failed: {message}" + (
        f" (raised in the module's code, called from {file}:{called})" if called else ""),
        path, line, suite.module, places=((file, called),) if called else ())


def _test_line(text: str, workdir: Path, file: str) -> int | None:
    """The innermost line of the test file `file` in the traceback: where the test called
    the code that raised (the test may be what passed it something wrong)."""
    lines = [int(m["line"]) for m in _LOCATION.finditer(text)
             if m["path"].removeprefix(f"{workdir}/") == file]
    return lines[-1] if lines else None


def _internal_error(text: str, workdir: Path) -> Finding:
    """pytest itself stopped (a test module that calls sys.exit when imported, a crashing
    plugin): nothing after that point ran, which is one finding at the course's line."""
    said = [line.strip() for line in text.splitlines() if line.strip()]
    where = None
    for match in _PY_FRAME.finditer(text):
        path = match["path"].removeprefix(f"{workdir}/")
        if not path.startswith("/"):
            where = (path, int(match["line"]))
    reason = said[-1] if said else "internal error"
    return Finding("TST204", f"the test run stopped with pytest's internal error ({reason}); "
                   "the tests after that point did not run" + (
                       " (a test module that exits the interpreter when imported?)"
                       if "SystemExit" in reason else ""),
                   where[0] if where else "tests", where[1] if where else None)


def _location(text: str, workdir: Path, course: Course | None = None
              ) -> tuple[str, int] | None:
    """The innermost `path:line:` of the traceback that lies inside the course; a line of the
    exported package (generated, never edited) is told at the source cell that wrote it, or,
    failing that, at the innermost frame outside the package (the test's own line)."""
    package = f"{course.package.dir}/" if course and course.package else None
    fallback = None
    for match in reversed(list(_LOCATION.finditer(text))):
        path = match["path"].removeprefix(f"{workdir}/")
        if path.startswith("/"):
            continue
        if package and course and path.startswith(package):
            origin = source_of(course, workdir, path, int(match["line"]))
            if origin is not None:
                return origin
            fallback = fallback or (path, int(match["line"]))
            continue
        return path, int(match["line"])
    return fallback


def coverage_report(workdir: Path, scratch: Path) -> Completed:
    """coverage's JSON report of the run's combined data, written to `<scratch>/coverage.json`
    (it reads every source of the package: ~1 s on TinyTorch)."""
    report = scratch / "coverage.json"
    report.unlink(missing_ok=True)
    return run([sys.executable, "-m", "coverage", "json", "-q", "-o", report,
                f"--rcfile={coverage_config(scratch)}"], cwd=workdir,
               env={"COVERAGE_FILE": str(scratch / ".coverage")})


def coverage_findings(course: Course, done: Completed, scratch: Path, threshold: float,
                      stated: bool = True) -> tuple[float | None, list[Finding]]:
    """Total coverage of the course package from `coverage_report` (`done`), and a finding
    naming the least-covered modules when it is under the threshold: an error for the
    course's own `coverage_threshold`, a warning for the default target."""
    report = scratch / "coverage.json"
    if not done.ok or not report.is_file():
        return None, [Finding("TST203", f"no coverage data for the course package: "
                              f"{done.tail(2)}", "tests", None, None, Severity.WARNING)]
    data = json.loads(report.read_text(encoding="utf-8"))
    total = float(data["totals"]["percent_covered"])
    if total >= threshold:
        return total, []
    per_module = _module_coverage(course, data["files"])
    lowest = ", ".join(f"{m} {p:.0f}% ({path})" for m, path, p in per_module[:3])
    if stated:
        return total, [Finding("TST203", f"coverage of {course.package_name} is {total:.1f}%, "
                               f"under the {threshold:g}% threshold; lowest: {lowest}", "tests")]
    return total, [Finding("TST203", f"coverage of {course.package_name} is {total:.1f}%, under "
                           f"the default {threshold:g}% target (set coverage_threshold in "
                           f"[tool.tinyrelease] to make it a gate); lowest: {lowest}", "tests",
                           severity=Severity.WARNING)]


def _module_coverage(course: Course, files: dict[str, dict[str, Any]]
                     ) -> list[tuple[str, str, float]]:
    package = course.package
    rows = []
    for module in course.modules:
        target = f"{course.package_name}.{module.exports}" if module.exports else None
        path = package.modules.get(target) if package and target else None
        if path and path in files:
            rows.append((module.id, path, float(files[path]["summary"]["percent_covered"])))
    return sorted(rows, key=lambda row: row[2])
