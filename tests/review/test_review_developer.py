"""The Module Developer reads the implementation gate, ruff and the API alignment table."""

from __future__ import annotations

from pathlib import Path

from coursebuilder import CourseFactory, source
from reviewhelpers import covered, items

from tinyrelease.checks.course import load_course
from tinyrelease.checks.findings import Finding
from tinyrelease.review import developer
from tinyrelease.review.evidence import gather
from tinyrelease.review.model import Priority, Report

NBGRADER = ('{{"grade": false, "grade_id": "layer-class", "locked": false, "schema_version": 3, '
            '"solution": true}}')
LAYER = "# %% nbgrader=" + NBGRADER + '''
#| export
class {name}:
    """An affine layer."""

    def __init__(self, {params}):
        ### BEGIN SOLUTION
        self.size = (1, 1)
        ### END SOLUTION

    def forward(self, x):
        return x

'''


def develop(root: Path, tmp: Path) -> Report:
    return developer.review(gather(load_course(root), tmp / "work", execute=False))


def with_layer(name: str, params: str) -> str:
    return source(3).replace("# %% [markdown]\n\"\"\"\n## Testing",
                             LAYER.format(name=name, params=params) +
                             "# %% [markdown]\n\"\"\"\n## Testing", 1)


def test_class_named_unlike_pytorch_is_medium_until_renamed(make_course: CourseFactory,
                                                            tmp_path: Path) -> None:
    text = with_layer("Dense", "in_features, out_features, bias=True")
    report = develop(make_course({**covered(), "src/03_layers/03_layers.py": text}), tmp_path)
    [item] = items(report, "MD121")
    assert item.priority is Priority.MEDIUM
    assert item.message.startswith("Dense mirrors torch.nn.Linear: name it Linear")
    assert item.path == "src/03_layers/03_layers.py"
    assert text.split("\n")[item.line - 1] == "class Dense:"
    assert report.approved  # MEDIUM: planned, not blocking
    rows = {row[0]: row for row in report.tables[1].rows}
    assert rows["torch.nn.Linear"][1:] == ["Dense", f"{item.path}:{item.line}", "renamed"]

    renamed = with_layer("Linear", "in_features, out_features, bias=True")
    fixed = develop(make_course({**covered(), "src/03_layers/03_layers.py": renamed}), tmp_path)
    assert not items(fixed, "MD121")
    assert {row[0]: row for row in fixed.tables[1].rows}["torch.nn.Linear"][3] == "aligned"


def test_parameters_named_unlike_pytorch(make_course: CourseFactory, tmp_path: Path) -> None:
    text = with_layer("Linear", "n_in, n_out")
    [item] = items(develop(make_course({"src/03_layers/03_layers.py": text}), tmp_path), "MD122")
    assert item.priority is Priority.LOW
    assert "Linear(n_in, n_out) mirrors torch.nn.Linear(in_features, out_features, bias)" \
        in item.message


def test_ruff_finds_an_undefined_name(make_course: CourseFactory, tmp_path: Path) -> None:
    text = source(1).replace("    return value\n", "    return value + offset\n", 1)
    report = develop(make_course({"src/01_tensor/01_tensor.py": text}), tmp_path)
    [item] = [i for i in items(report, "MD111") if "F821" in i.message]
    assert item.priority is Priority.MEDIUM
    assert item.path == "src/01_tensor/01_tensor.py"
    assert "offset" in text.split("\n")[item.line - 1]


def test_implementation_gate_error_is_high(make_course: CourseFactory, tmp_path: Path) -> None:
    text = source(4).replace("def test_unit_make_losses():", "def test_losses_work():")
    report = develop(make_course({"src/04_losses/04_losses.py": text}), tmp_path)
    assert any(i.message.startswith("IMP121") and i.priority is Priority.HIGH
               for i in items(report, "MD100"))
    assert not report.approved


def test_a_grading_hole_is_the_education_reviewers_item_only(make_course: CourseFactory,
                                                             tmp_path: Path) -> None:
    """IMP204 (free points) is ER133 of the Education Reviewer: one cause, one item, its effort
    counted once; the developer keeps every other implementation finding."""
    evidence = gather(load_course(make_course()), tmp_path / "work", execute=False)
    gate = next(g for g in evidence.gates.gates if g.name == "implementation")
    gate.findings += [Finding("IMP204", "a blank notebook earns 5 of 10 points", "src/x.py", 3),
                      Finding("IMP205", "a cell fails in the blank notebook", "src/x.py", 9)]
    messages = [i.message for i in items(developer.review(evidence), "MD100")]
    assert messages == ["IMP205: a cell fails in the blank notebook"]
