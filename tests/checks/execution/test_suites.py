"""The testing gate re-runs only the suites an edit can change: the others are served from the
suite cache with the date of their run, and coverage combines cached and fresh data."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from coursebuilder import PYPROJECT, CourseFactory, about, module_id

from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import run_gates
from tinyrelease.checks.execution.gates import Execution
from tinyrelease.checks.reports import render_reports
from tinyrelease.checks.results import GateResult

MODULES = 3
SUITE_CODES = ["TST201", "TST202", "TST203", "TST204"]
LAYERS = "minicourse/core/layers.py"


def three_modules() -> dict[str, str | bytes | None]:
    """01 <- 02 by prerequisite; 03's package file imports 02's and it states no prerequisite;
    the package's `__init__` imports nothing, so each suite reaches only what its tests
    import. No export step (the package is used as committed), which keeps the runs cheap."""
    return {"settings.ini": None, "minicourse/__init__.py": '__version__ = "0.1.0"\n',
            LAYERS: "from minicourse.core.activations import make_activations\n\n\n"
                    "def make_layers(value):\n    return make_activations(value)\n\n\n"
                    "def unused_layer(value):\n    return value * 2\n",
            "src/03_layers/ABOUT.md": about(3, MODULES).replace(
                f'prerequisites: ["{module_id(2)}"]', "prerequisites: []")}


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


class Runs:
    """The suites of the testing gate on one course, each run in the same cache."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self.root, self.tmp, self.made = root, tmp, 0

    def __call__(self, reuse: bool = True) -> GateResult:
        self.made += 1
        course = load_course(self.root)
        execution = Execution(course, "standard", self.tmp / f"work{self.made}", None,
                              self.tmp / "cache", reuse)
        self.report = run_gates(course, ["testing"], select=SUITE_CODES, execution=execution)
        return self.report.gates[0]


def ran(gate: GateResult) -> list[str]:
    suites = gate.artifacts["suites"]
    assert isinstance(suites, list)
    return [s for s in suites if s not in gate.cached_steps]


def test_an_edit_reruns_only_the_suites_that_depend_on_it(make_course: CourseFactory,
                                                          tmp_path: Path) -> None:
    runs = Runs(make_course(three_modules(), modules=MODULES), tmp_path)
    cold = runs(reuse=False)
    assert ran(cold) == ["tests/01_tensor", "tests/02_activations", "tests/03_layers"]
    assert (cold.artifacts["tests"], cold.artifacts["passed"]) == (3, 3)
    assert cold.artifacts["test_processes"] == 1  # seconds of suites: not worth a second

    append(runs.root, LAYERS, "\n# a comment at the end\n")
    leaf = runs()
    assert ran(leaf) == ["tests/03_layers"]
    assert (leaf.artifacts["tests"], leaf.artifacts["passed"]) == (3, 3)
    dates = set(leaf.cached_steps.values())
    assert list(leaf.cached_steps) == ["tests/01_tensor", "tests/02_activations"]
    assert len(dates) == 1 and cold.ran_at <= dates.pop() <= leaf.ran_at
    texts = render_reports(runs.report)
    line = (f"tests/01_tensor, tests/02_activations: from cache, unchanged since the run of "
            f"{leaf.cached_steps['tests/01_tensor'].replace('T', ' ').rstrip('Z')} UTC")
    assert line in texts["report.md"]
    [entry] = json.loads(texts["report.json"])["gates"]
    assert entry["cached_steps"] == leaf.cached_steps

    append(runs.root, "minicourse/core/activations.py", "\n# imported by layers\n")
    assert ran(runs()) == ["tests/02_activations", "tests/03_layers"]

    append(runs.root, "src/01_tensor/01_tensor.py", "\n# a prerequisite of 02\n")
    assert ran(runs()) == ["tests/01_tensor", "tests/02_activations"]


def test_coverage_after_a_partial_rerun_is_that_of_a_full_run(make_course: CourseFactory,
                                                              tmp_path: Path) -> None:
    runs = Runs(make_course(three_modules(), modules=MODULES), tmp_path)
    before = runs(reuse=False).artifacts["coverage"]
    append(runs.root, LAYERS, "\n\ndef unused_too(value):\n    total = value + 1\n"
           "    return total\n")  # the leaf gains lines no test runs: the total moves
    partial = runs()
    assert ran(partial) == ["tests/03_layers"]
    full = runs(reuse=False)
    assert ran(full) == full.artifacts["suites"]
    assert partial.artifacts["coverage"] == pytest.approx(full.artifacts["coverage"])
    assert before == pytest.approx(100 * 11 / 12)
    assert full.artifacts["coverage"] == pytest.approx(100 * 12 / 15)


def test_a_cached_suite_whose_code_changed_unseen_runs_again(make_course: CourseFactory,
                                                              tmp_path: Path) -> None:
    """A package file a suite ran without importing it by name (loaded by path) changed: the
    suite's cached coverage no longer describes the code, so it runs again, and says why."""
    test = ("import importlib.util\n\n\ndef test_by_path():\n"
            "    spec = importlib.util.spec_from_file_location('t', 'minicourse/core/tensor.py')\n"
            "    module = importlib.util.module_from_spec(spec)\n"
            "    spec.loader.exec_module(module)\n    assert module.make_tensor(2) == 2\n")
    runs = Runs(make_course({**three_modules(), "tests/03_layers/test_by_path.py": test},
                            modules=MODULES), tmp_path)
    runs(reuse=False)
    append(runs.root, "minicourse/core/tensor.py", "\nEXTRA = 1\n")
    again = runs()
    assert ran(again) == ["tests/01_tensor", "tests/02_activations", "tests/03_layers"]
    assert again.notes == ["tests/03_layers: ran again: minicourse/core/tensor.py, which its "
                           "tests ran, changed since"]


def test_a_suites_time_counts_the_import_of_its_files(make_course: CourseFactory,
                                                    tmp_path: Path) -> None:
    """The next run shares the suites out by the seconds each took, and a suite whose test
    file is slow to import (module-level work, as course tests often do) is slow, though
    its tests' own times, which are all pytest reports, are not."""
    from tinyrelease.checks.execution.suites import SuiteTimes
    from tinyrelease.checks.execution.testing import Suite

    slow = "import time\n\ntime.sleep(0.6)\n\n\ndef test_quick():\n    assert True\n"
    runs = Runs(make_course({**three_modules(), "tests/02_activations/test_slow.py": slow},
                            modules=MODULES), tmp_path)
    assert runs(reuse=False).artifacts["passed"] == 4
    suites = [Suite(f"tests/{module_id(n)}", f"tests/{module_id(n)}", None) for n in (1, 2, 3)]
    times, measured = SuiteTimes(tmp_path / "cache", runs.root, runs.root).estimates(suites)
    assert measured
    assert times["tests/02_activations"] >= 0.6 > max(times["tests/01_tensor"],
                                                        times["tests/03_layers"])


def test_suites_shared_among_processes_report_what_one_session_reports(
        make_course: CourseFactory, tmp_path: Path) -> None:
    """Two processes, each in its own copy: the same tests, findings (paths in messages as
    the course's) and coverage as one process; suites whose test files share a module name
    stay in one process, so pytest's clash between them is reported as one session sees it."""
    clash = "def test_shared():\n    assert True\n"
    failing = ("import os\n\nfrom minicourse.core.tensor import make_tensor\n\n\n"
               "def test_fails():\n    assert make_tensor(2) == 3, os.path.join(\n"
               "        os.path.dirname(__file__), '..', '..', 'minicourse', 'core',\n"
               "        'tensor.py')\n")
    files = {**three_modules(), "tests/01_tensor/test_shared.py": clash + "#" * 3000 + "\n",
             "tests/02_activations/test_shared.py": clash,
             "tests/03_layers/test_fails.py": failing}

    def run(processes: int) -> GateResult:
        root = make_course({**files, "pyproject.toml": PYPROJECT + "[tool.tinyrelease]\n"
                            f"test_processes = {processes}\n"}, modules=MODULES)
        course = load_course(root)
        execution = Execution(course, "standard", tmp_path / f"work{processes}",
                              cache=tmp_path / f"cache{processes}")
        return run_gates(course, ["testing"], select=SUITE_CODES,
                         execution=execution).gates[0]

    one, two = run(1), run(2)
    assert (one.artifacts["test_processes"], two.artifacts["test_processes"]) == (1, 2)
    for key in ("tests", "passed", "failed", "coverage"):
        assert one.artifacts[key] == two.artifacts[key], key
    assert (two.artifacts["tests"], two.artifacts["failed"]) == (6, 2)  # the clash: one

    def seen(gate: GateResult) -> list[tuple[str, str | None, int | None, str]]:
        return sorted((f.code, f.path, f.line, f.message) for f in gate.findings)

    assert seen(one) == seen(two)
    messages = " ".join(m for *_, m in seen(two))
    # paths quoted as the course's own, never our copies'
    assert "import file mismatch" in messages
    assert "AssertionError: minicourse/core/tensor.py" in messages
    assert str(tmp_path) not in messages
    # no suite's time known yet: a share per suite, taken in turn by the two processes; 01
    # ran apart from 02, whose process imported 01's test_shared.py first
    reports = [r.read_text(encoding="utf-8") for r in (tmp_path / "work2").rglob("junit-?.xml")]
    [second] = [r for r in reports if "tests/02_activations/test_shared.py" in r]
    assert len(reports) == 3 and 'file="tests/01_tensor/' not in second
    for thread in threading.enumerate():  # the second process's copy, deleted behind the run
        if thread.name.startswith("discard "):
            thread.join()
    assert not [p.name for p in (tmp_path / "work2").rglob("process-*")]


def test_suites_are_shared_out_by_time_and_import_what_one_session_imports_first(
        tmp_path: Path) -> None:
    """Longest first to the least loaded process; a process whose suite holds a second
    `test_x.py` imports the first one ahead of it; suites whose tests import a module of the
    same name from their own folders stay together."""
    from tinyrelease.checks.course import TestFile
    from tinyrelease.checks.execution.sharing import share_out
    from tinyrelease.checks.source import Import

    for rel in ("a/test_x.py", "b/test_y.py", "c/test_x.py", "d/pkg/__init__.py",
                "d/pkg/test_x.py", "e/test_e.py", "e/helpers.py", "f/test_f.py", "f/helpers.py"):
        (tmp_path / "tests" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "tests" / rel).write_text("")
    suites = [f"tests/{n}" for n in "abcdef"]
    times = dict(zip(suites, (1.0, 5.0, 1.0, 2.0, 0.5, 0.5), strict=True))
    helpers = (Import("helpers", (), 1),)
    tests = [TestFile("tests/e/test_e.py", "e", None, helpers),
             TestFile("tests/f/test_f.py", "f", None, helpers)]
    shares = share_out(suites, 2, times, tmp_path, tests)
    assert [(s.suites, s.ahead) for s in shares] == [
        (["tests/b"], []),
        (["tests/a", "tests/c", "tests/d", "tests/e", "tests/f"], [])]
    times.update({"tests/a": 6.0, "tests/d": 0.2})  # c's test_x.py meets a's, as in one session
    assert [(s.suites, s.ahead) for s in share_out(suites, 2, times, tmp_path, tests)] == [
        (["tests/a", "tests/e", "tests/f"], []),
        (["tests/b", "tests/c", "tests/d"], ["tests/a/test_x.py"])]
    assert [s.suites for s in share_out(suites, 1, times, tmp_path, tests)] == [suites]
    (tmp_path / "pytest.ini").write_text("[pytest]\npython_files = check_*.py\n")
    assert [s.suites for s in share_out(suites, 2, times, tmp_path, tests)] == [suites]
