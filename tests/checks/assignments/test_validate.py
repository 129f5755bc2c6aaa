"""The execution part of the implementation gate with real nbgrader, nbclient and kernels,
through `python -m checks.assignments` (what `nox -s assignments` runs): one course with a
defect planted in each module, released once, and the example course."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, edited_source, line_of

from tinyrelease.checks.assignments.cli import main
from tinyrelease.checks.assignments.publish import module_zips, validation_state
from tinyrelease.checks.assignments.validate import missing_tools
from tinyrelease.checks.engine import GateResult
from tinyrelease.checks.findings import Finding, Severity

pytestmark = pytest.mark.skipif(bool(missing_tools(True)),
                                reason="nbgrader, nbclient or ipykernel is not installed")
REPO = Path(__file__).resolve().parents[3]
GRADED = ('# %% nbgrader={{"grade": true, "grade_id": "{id}", "locked": true, "points": {points}, '
          '"schema_version": 3, "solution": false}}\n')
EXERCISE = ('# %% nbgrader={"grade": false, "grade_id": "losses-twice", "locked": false, '
            '"schema_version": 3, "solution": true}\n')
MARKDOWN = '# %% [markdown]\n"""\n## Testing '

# 01: a cell calls a function defined further down (the journey stops there); its graded test
# shares its grade_id with module 02's grading hole
TENSOR = edited_source(1, MARKDOWN + "Tensor", "# %%\nprint(describe_tensor(1))\n\n"
                       "# %%\ndef describe_tensor(value):\n    return f'tensor {value}'\n\n"
                       + MARKDOWN + "Tensor").replace('"test-tensor-impl"',
                                                      '"test-activations-exists"')
# 02: a graded test a blank notebook passes; one the reference solution fails, called again by
# the last cell; a helper and a base class in a solution cell without a region, which nbgrader
# stubs whole (so the exercise class built on it fails however the exercise is done)
ACTIVATIONS = edited_source(2, MARKDOWN + "Activations", (
    GRADED.format(id="test-activations-exists", points=10)
    + "assert callable(make_activations)\n\n"
    + GRADED.format(id="test-activations-wrong", points=5)
    + "def test_unit_wrong():\n    assert make_activations(3) == 4, 'the reference returns its "
      "value'\n\nif __name__ == '__main__':\n    test_unit_wrong()\n\n"
    + '# %% nbgrader={"grade": false, "grade_id": "activations-helper", "locked": false, '
      '"schema_version": 3, "solution": true}\ndef scale_activations(value):\n'
      "    return value * 10\n\n\nclass ActivationBase:\n    pass\n\n"
    + EXERCISE.replace("losses-twice", "activations-scaled")
    + "class ScaledActivation(ActivationBase):\n"
      "    ### BEGIN SOLUTION\n    factor = 2\n    ### END SOLUTION\n\n"
    + MARKDOWN + "Activations")) + ("\n# %%\nprint(ScaledActivation.factor)\n"
                                    "\n# %%\nprint(scale_activations(1))\n"
                                    "\n# %%\ntest_unit_wrong()\n")
# 03: it imports what only the later module 04 exports
LAYERS = edited_source(3, "#| default_exp core.layers\n", "#| default_exp core.layers\n"
                       "from minicourse.core.losses import make_losses\n")
# 04: a demo calls the student's code before the module's second exercise; a class whose body
# is the exercise is used by the last cell, after every exercise (doing them defines it)
LOSSES = edited_source(4, '# %% [markdown]\n"""\n## Systems Analysis', (
    "# %%\nprint(make_losses(2))\n\n" + EXERCISE
    + '#| export\ndef make_losses_twice(value):\n    """Twice a losses value."""\n'
    "    ### BEGIN SOLUTION\n    return 2 * value\n    ### END SOLUTION\n\n"
    + GRADED.format(id="test-losses-twice", points=5) + "assert make_losses_twice(2) == 4\n\n"
    + EXERCISE.replace("losses-twice", "losses-scaler") + "class LossScaler:\n"
    "    ### BEGIN SOLUTION\n    factor = 3\n    ### END SOLUTION\n\n"
    + '# %% [markdown]\n"""\n## Systems Analysis')) + "\n# %%\nprint(LossScaler.factor)\n"
SOURCES = {1: TENSOR, 2: ACTIVATIONS, 3: LAYERS, 4: LOSSES}


def path(number: int) -> str:
    module = ["01_tensor", "02_activations", "03_layers", "04_losses"][number - 1]
    return f"src/{module}/{module}.py"


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> GateResult:
    """The defects course released by `python -m checks.assignments` (`nox -s assignments`):
    it fails, and its validation report holds the findings."""
    root = CourseFactory(tmp_path_factory.mktemp("defects"))(
        {path(n): text for n, text in SOURCES.items()})
    out = tmp_path_factory.mktemp("release") / "assignments"
    assert main(["--course", str(root), "--out", str(out)]) == 1
    report = json.loads((out / "validation" / "report.json").read_text(encoding="utf-8"))
    return GateResult.from_json(report["gates"][0])


def one(result: GateResult, code: str, module: str) -> Finding:
    [finding] = [f for f in result.findings if f.code == code and f.module == module]
    return finding


def test_every_step_ran(judged: GateResult) -> None:
    assert [c for c in judged.checks_run if c.startswith("IMP2")] == [
        "IMP201", "IMP202", "IMP203", "IMP204", "IMP205", "IMP206"]
    assert judged.status == "fail"


def test_cell_calling_code_defined_further_down(judged: GateResult) -> None:
    finding = one(judged, "IMP202", "01_tensor")
    assert (finding.path, finding.line) == (path(1), line_of(TENSOR, "# %%\nprint(describe"))
    assert finding.message == (f"the instructor notebook stops at the cell on line "
                               f"{finding.line}: NameError: name 'describe_tensor' is not "
                               "defined (line 1 of the cell)")


def test_module_that_needs_a_later_module(judged: GateResult) -> None:
    finding = one(judged, "IMP202", "03_layers")
    assert (finding.path, finding.line) == (path(3), line_of(LAYERS, "#| default_exp") - 1)
    assert "ModuleNotFoundError: No module named 'minicourse.core.losses'" in finding.message
    assert ("(minicourse.core.losses is what 04_losses exports: only the modules before "
            "03_layers are exported when a student reaches it)") in finding.message


def test_graded_test_the_solution_fails(judged: GateResult) -> None:
    finding = one(judged, "IMP203", "02_activations")
    assert (finding.path, finding.line) == (path(2), line_of(ACTIVATIONS, "test-activations-wrong"))
    tail = line_of(ACTIVATIONS, "# %%\ntest_unit_wrong()")
    assert finding.places == ((path(2), tail),)
    assert finding.message == ('1 graded test(s) fail on the instructor version: '
                               '"test-activations-wrong" (5 points): AssertionError: the '
                               'reference returns its value (line 5 of the cell); the instructor '
                               'notebook then stops with the same error at the cell on line '
                               f"{tail}")


def test_name_only_a_stubbed_cell_defined(judged: GateResult) -> None:
    """The first failing cell uses a class whose own cell fails on its base class, which
    nbgrader stubs whole: the message follows the names to that cell."""
    finding = one(judged, "IMP205", "02_activations")
    scaled = line_of(ACTIVATIONS, "class ScaledActivation")
    assert finding.line == line_of(ACTIVATIONS, "# %%\nprint(ScaledActivation")
    assert finding.message.startswith("2 cell(s) ")  # and the cell using scale_activations
    assert finding.places == ((path(2), line_of(ACTIVATIONS, "# %%\nprint(scale_activations")),)
    helper = line_of(ACTIVATIONS, '"grade_id": "activations-helper"')
    assert finding.message.endswith(
        "raises NameError: name 'ScaledActivation' is not defined (line 1 of the cell): "
        "students cannot fix it by doing the exercises (ScaledActivation is defined in the "
        f"cell on line {scaled - 1}, which fails on ActivationBase; ActivationBase is defined in "
        f"the cell on line {helper}, which nbgrader replaces whole with a stub because it has no "
        "solution region: IMP153)")


def test_grading_hole_names_the_test_and_its_points(judged: GateResult) -> None:
    """Held apart from the warning about its grade_id at the same cell: another cause."""
    finding = one(judged, "IMP204", "02_activations")
    exists = line_of(ACTIVATIONS, "test-activations-exists")
    assert (finding.path, finding.line) == (path(2), exists)
    assert finding.message == ("a blank notebook earns 10 of 20 points: 1 graded test(s) pass "
                               "with no student code: test-activations-exists (10)")
    [total] = [f for f in judged.findings if f.code == "IMP204" and f.module is None]
    assert total.severity is Severity.INFO
    assert total.message == ("a blank notebook earns 10 of 40 points in the course (25%): "
                             "02_activations 10/20")
    figures = judged.artifacts["assignments"]
    assert isinstance(figures, dict) and (figures["points"], figures["free"]) == (40, 10)
    assert figures["modules"]["02_activations"]["free_tests"] == ["test-activations-exists"]


def test_demo_that_stops_run_all_before_an_exercise(judged: GateResult) -> None:
    finding = one(judged, "IMP205", "04_losses")
    assert (finding.path, finding.line) == (path(4), line_of(LOSSES, "# %%\nprint(make_losses"))
    exercise = line_of(LOSSES, EXERCISE)
    assert finding.message.startswith("1 cell(s) ")  # not the last cell: LossScaler's exercise
    assert finding.message.endswith(f"raises NotImplementedError: it stops Run All before the "
                                    f"exercise on line {exercise}")


def test_each_cause_is_reported_once(judged: GateResult) -> None:
    codes = sorted((f.module or "", f.code) for f in judged.findings)
    assert codes == [("", "IMP204"), ("01_tensor", "IMP202"),
                     ("02_activations", "IMP153"), ("02_activations", "IMP203"),
                     ("02_activations", "IMP204"), ("02_activations", "IMP205"),
                     ("03_layers", "IMP202"), ("04_losses", "IMP205")]


def test_example_course_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "assignments"
    assert main(["--course", str(REPO / "examples" / "tinycourse"), "--out", str(out)]) == 0
    assert "Student release PASS" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert [m["module"] for m in manifest["modules"]] == ["01_tensor", "02_activations",
                                                         "03_layers", "04_losses"]
    assert manifest["validation"]["status"] == "pass"
    assert manifest["validation"]["blank_notebook_points"] == 0
    for entry in manifest["modules"]:
        notebook = json.loads((out / entry["notebook"]).read_text())
        cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
        assert not any("SOLUTION" in c for c in cells)
        assert any("raise NotImplementedError()" in c for c in cells)
    verified, _ = validation_state(out, REPO / "examples" / "tinycourse")
    assert verified is True
    assert len(module_zips(out, tmp_path / "bundle")) == 5  # four modules and the manifest
