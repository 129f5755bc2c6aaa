"""The testing gate runs the course's suites for real and reports what failed, where."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from coursebuilder import PYPROJECT, CourseFactory, edited_source, line_of
from coursebuilder import test_file as module_tests

from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import GatesReport, run_gates
from tinyrelease.checks.execution.gates import Execution, affected_modules
from tinyrelease.checks.findings import Finding


def run_testing(root: Path, work: Path, modules: list[str] | None = None) -> GatesReport:
    course = load_course(root)
    return run_gates(course, ["testing"], execution=Execution(course, "standard", work, modules))


def codes(report: GatesReport, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def test_passing_suites_and_coverage(make_course: CourseFactory, tmp_path: Path) -> None:
    report = run_testing(make_course({"tests/integration/test_all.py": module_tests(1)}), tmp_path)
    gate = report.gates[0]
    assert gate.status == "pass", gate.findings
    assert gate.artifacts["suites"] == ["tests/01_tensor", "tests/02_activations",
                                        "tests/03_layers", "tests/04_losses", "tests/integration"]
    assert gate.artifacts["tests"] == 5
    assert gate.artifacts["coverage"] == pytest.approx(100.0)


def test_failing_test_names_test_and_assertion_line(make_course: CourseFactory,
                                                    tmp_path: Path) -> None:
    failing = module_tests(2) + "\n\ndef test_wrong():\n    value = 1\n    assert value == 2\n"
    report = run_testing(make_course({"tests/02_activations/test_activations_core.py": failing}),
                         tmp_path)
    [finding] = codes(report, "TST201")
    assert finding.path == "tests/02_activations/test_activations_core.py"
    assert finding.line == 10
    assert finding.module == "02_activations"
    assert "test_activations_core.py::test_wrong failed" in finding.message
    assert "assert 1 == 2" in finding.message
    assert report.status == "fail"


def test_a_message_starting_on_its_own_line_is_shown(make_course: CourseFactory,
                                                    tmp_path: Path) -> None:
    failing = module_tests(2) + ('\n\ndef test_wrong():\n    value = 1\n'
                                 '    assert value == 2, f"\\nweights: got {value}"\n')
    report = run_testing(make_course({"tests/02_activations/test_activations_core.py": failing}),
                         tmp_path)
    [finding] = codes(report, "TST201")
    assert "test_wrong failed: AssertionError: weights: got 1" in finding.message


def test_failure_raised_in_the_module_names_the_source_and_the_test_line(
        make_course: CourseFactory, tmp_path: Path) -> None:
    """Raised in exported code: told at the source cell that wrote it, and at the test's line
    that called it (the test may be what passed something wrong)."""
    text = edited_source(2, "    return value\n", "    return value + 1\n")
    failing = module_tests(2).replace("make_activations(2) == 2", "make_activations(2) == 3")
    failing += "\n\ndef test_none():\n    make_activations(None)\n"
    report = run_testing(make_course({"src/02_activations/02_activations.py": text,
                                      "tests/02_activations/test_activations_core.py": failing}),
                         tmp_path)
    [finding] = codes(report, "TST201")
    test = "tests/02_activations/test_activations_core.py"
    assert (finding.path, finding.line) == ("src/02_activations/02_activations.py", line_of(
        text, '# %% nbgrader={"grade": false, "grade_id": "activations-impl"'))  # its cell
    assert finding.places == ((test, line_of(failing, "    make_activations(None)")),)
    assert finding.message.endswith(
        f"(raised in the module's code, called from {test}:{finding.places[0][1]})")


def test_tests_failing_alike_in_the_module_are_one_finding_naming_each_test(
        make_course: CourseFactory, tmp_path: Path) -> None:
    text = edited_source(2, "    return value\n", "    return value + 1\n")
    failing = module_tests(2).replace("make_activations(2) == 2", "make_activations(2) == 3")
    failing += ("\n\ndef test_none():\n    make_activations(None)\n"
                "\n\ndef test_none_again():\n    make_activations(None)\n")
    report = run_testing(make_course({"src/02_activations/02_activations.py": text,
                                      "tests/02_activations/test_activations_core.py": failing}),
                         tmp_path)
    [finding] = codes(report, "TST201")
    assert finding.message.startswith("2 tests failed with the same error: TypeError")
    assert "called from" not in finding.message
    test = "tests/02_activations/test_activations_core.py"
    lines = [n for n, line in enumerate(failing.split("\n"), 1) if "make_activations(None)" in line]
    assert finding.places == tuple((test, n) for n in lines)


def test_import_error_is_a_finding_and_other_suites_still_run(make_course: CourseFactory,
                                                              tmp_path: Path) -> None:
    broken = "from minicourse.core.tensor import nosuch\n\n\ndef test_x():\n    assert nosuch\n"
    report = run_testing(make_course({"tests/03_layers/test_layers_core.py": broken}), tmp_path)
    [finding] = codes(report, "TST202")
    assert finding.path == "tests/03_layers/test_layers_core.py" and finding.line == 1
    assert "cannot import name 'nosuch'" in finding.message
    assert report.gates[0].artifacts["tests"] == 4  # three module tests + the failed file


def test_a_run_failing_where_a_static_finding_points_is_one_cause(make_course: CourseFactory,
                                                                   tmp_path: Path) -> None:
    """A test file importing a module the sources no longer export: TST105 says it, once."""
    broken = "from minicourse.core.nosuch import thing\n\n\ndef test_x():\n    assert thing\n"
    report = run_testing(make_course({"tests/03_layers/test_layers_core.py": broken}), tmp_path)
    assert codes(report, "TST202") == []
    [finding] = codes(report, "TST105")
    assert finding.message.endswith("(the test run fails there too: TST202)")


def test_one_error_across_many_files_is_one_finding(make_course: CourseFactory,
                                                    tmp_path: Path) -> None:
    broken = "import missing_dependency_xyz\n\n\ndef test_x():\n    assert True\n"
    report = run_testing(make_course({f"tests/0{n}_{t}/test_{t}_core.py": broken for n, t in
                                      ((1, "tensor"), (2, "activations"), (3, "layers"))}),
                         tmp_path)
    [finding] = codes(report, "TST202")
    assert finding.message == ("3 test files failed to import with the same error: "
                               "ModuleNotFoundError: No module named 'missing_dependency_xyz'")
    assert len(finding.places) == 2


def test_coverage_under_threshold_names_lowest_modules(make_course: CourseFactory,
                                                       tmp_path: Path) -> None:
    from coursebuilder import source
    unused = "".join(f"\n\ndef unused_{i}(x):\n    y = x + {i}\n    return y\n" for i in range(8))
    layers = source(3).replace("    ### END SOLUTION\n", "    ### END SOLUTION\n" + unused, 1)
    config = PYPROJECT + "\n[tool.tinyrelease]\ncoverage_threshold = 90\n"
    report = run_testing(make_course({"src/03_layers/03_layers.py": layers,
                                      "pyproject.toml": config}), tmp_path)
    [finding] = codes(report, "TST203")
    assert "under the 90% threshold" in finding.message
    assert finding.message.split("lowest: ")[1].startswith("03_layers")


def test_selected_modules_run_only_their_suites(make_course: CourseFactory,
                                                tmp_path: Path) -> None:
    report = run_testing(make_course({"tests/integration/test_all.py": module_tests(1)}), tmp_path,
                         ["02_activations"])
    gate = report.gates[0]
    assert gate.artifacts["suites"] == ["tests/02_activations"]
    assert "tests/integration: course-wide suite, not run for selected modules" in \
        gate.skipped_steps
    assert gate.skipped["TST203"] == "coverage threshold: not applied to a run of selected modules"


def test_changed_since_adds_the_modules_that_depend(make_course: CourseFactory) -> None:
    root = make_course()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    source = root / "src/03_layers/03_layers.py"
    source.write_text(source.read_text() + "\n# a fix\n")
    assert affected_modules(load_course(root), "HEAD") == ["03_layers", "04_losses"]


def test_the_course_code_never_sees_the_maintainers_credentials(
        make_course: CourseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A course test that looks for secrets finds none: no TWINE_* or *_TOKEN variable, and
    a HOME without the maintainer's ~/.pypirc."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".pypirc").write_text("[pypi]\npassword = pypi-secret-value\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TWINE_PASSWORD", "twine-secret-value")
    monkeypatch.setenv("GITHUB_TOKEN", "gh-secret-value")
    probe = tmp_path / "probe.txt"
    monkeypatch.setenv("PROBE_OUT", str(probe))
    spy = ("import os\nfrom pathlib import Path\n\n\ndef test_spy():\n"
           "    pypirc = Path.home() / '.pypirc'\n"
           "    seen = [k + '=' + v for k, v in os.environ.items()]\n"
           "    seen.append(pypirc.read_text() if pypirc.is_file() else 'no pypirc')\n"
           "    Path(os.environ['PROBE_OUT']).write_text('\\n'.join(seen))\n")
    run_testing(make_course({"tests/01_tensor/test_spy.py": spy}), tmp_path / "work")
    seen = probe.read_text()
    assert "no pypirc" in seen
    assert not any(secret in seen for secret in ("twine-secret-value", "gh-secret-value",
                                                 "pypi-secret-value"))


def test_a_merge_of_unreadable_coverage_data_says_why_and_leaves_no_half_file(
        tmp_path: Path) -> None:
    from coverage import CoverageData

    from tinyrelease.checks.execution.testing import combine

    good = tmp_path / ".coverage-0"
    data = CoverageData(str(good))
    data.add_lines({str(tmp_path / "mod.py"): [1, 2]})
    data.write()
    broken = tmp_path / ".coverage-1"
    broken.write_text("not a database", encoding="utf-8")
    into = tmp_path / ".coverage"

    why = combine([good, broken], into)

    assert why is not None and why.startswith("coverage combine failed: ")
    assert not into.exists()
    assert combine([good], into) is None and into.is_file()
