"""The Education Reviewer measures objectives against tests, cognitive load and assessment."""

from __future__ import annotations

from pathlib import Path

from coursebuilder import CourseFactory, about, source
from reviewhelpers import covered, items, objective_tests

from tinyrelease.checks.course import load_course
from tinyrelease.review import education
from tinyrelease.review.evidence import gather
from tinyrelease.review.model import Priority, Report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tinycourse"


def educate(root: Path, tmp: Path) -> Report:
    return education.review(gather(load_course(root), tmp / "work", execute=False))


def test_covered_mini_course_is_approved(make_course: CourseFactory, tmp_path: Path) -> None:
    report = educate(make_course(covered()), tmp_path)
    assert report.approved, report.items
    rows = {row[1]: row for row in report.tables[0].rows if row[0] == "03_layers"}
    assert rows["Measure the memory cost of layers"][3] == "1"


def test_objective_without_a_test_is_high_and_fixing_it_approves(make_course: CourseFactory,
                                                                  tmp_path: Path) -> None:
    tests = covered()
    untested = objective_tests(2).replace("def test_memory_cost_is_one_reference():\n    \"\"\""
                                          "The memory cost is one reference to the value.",
                                          "def test_identity():\n    \"\"\"Identity.")
    tests["tests/02_activations/test_activations_objectives.py"] = untested
    report = educate(make_course(tests), tmp_path)
    [item] = items(report, "ER101")
    assert item.priority is Priority.HIGH and not report.approved
    assert item.path == "src/02_activations/ABOUT.md"
    about_lines = about(2).split("\n")
    assert "Measure the memory cost of activations" in about_lines[item.line - 1]
    assert "cost, memory" in item.message
    assert educate(make_course(covered()), tmp_path / "fixed").approved


def test_module_twice_as_dense_as_its_neighbours(make_course: CourseFactory,
                                                 tmp_path: Path) -> None:
    extra = "".join(f"def helper_{n}(value):\n    return value\n\n" for n in range(6))
    dense = source(2).replace("#| export\ndef make_activations", "#| export\n" + extra +
                              "def make_activations", 1)
    report = educate(make_course({**covered(), "src/02_activations/02_activations.py": dense}),
                     tmp_path)
    [item] = items(report, "ER111")
    assert item.priority is Priority.MEDIUM and item.module == "02_activations"
    assert item.path == "src/02_activations/02_activations.py"
    assert "7 new public names in 3 hours" in item.message
    assert report.approved  # a MEDIUM item does not block the release
    load = {row[0]: row for row in report.tables[2].rows}
    assert load["02_activations"][2] == "7" and load["01_tensor"][2] == "1"


def test_example_course_report(tmp_path: Path) -> None:
    report = educate(EXAMPLE, tmp_path)
    assert [row[0] for row in report.tables[1].rows] == [
        "01_tensor", "02_activations", "03_layers", "04_losses"]
    objectives = report.tables[0].rows
    assert len(objectives) == 20
    for item in items(report, "ER101"):  # each names an objective at its ABOUT.md line
        line = (EXAMPLE / item.path).read_text(encoding="utf-8").split("\n")[item.line - 1]
        assert line.strip().strip("-").strip().strip('"') in item.message
    untested = {row[1] for row in objectives if row[3] == "0"}
    assert untested == {i.message.split('"')[1] for i in items(report, "ER101")}


def test_grading_holes_from_the_implementation_gate(make_course: CourseFactory,
                                                    tmp_path: Path) -> None:
    evidence = gather(load_course(make_course(covered())), tmp_path / "work", execute=False)
    gate = next(g for g in evidence.gates.gates if g.name == "implementation")
    assert education.review(evidence).tables[1].rows[0][3] == "not measured"
    modules = {"01_tensor": {"points": 5, "free": 0, "free_tests": [], "student": "run"},
               "02_activations": {"points": 15, "free": 10, "student": "run",
                                  "free_tests": ["test-activations-exists"]}}
    gate.artifacts["assignments"] = {"points": 20, "free": 10, "modules": modules}
    report = education.review(evidence)
    assert [row[3] for row in report.tables[1].rows] == ["0", "10", "not measured",
                                                         "not measured"]
    [item] = items(report, "ER133")
    assert item.priority is Priority.HIGH and not report.approved
    assert (item.path, item.module) == ("src/02_activations/02_activations.py", "02_activations")
    assert item.message.startswith("a blank student notebook of 02_activations earns 10 of 15 "
                                   "points: its graded tests test-activations-exists pass")
