"""Building the student release with the real nbgrader: one notebook per module with stubs in
place of the solutions, roles handled by the tier, the manifest, and what nbgrader refuses or
leaves behind (IMP201, IMP206). One build of one course serves every test."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from coursebuilder import CourseFactory, edited_source, line_of, source

from tinyrelease.checks.assignments.validate import BUILD_CODES, Outcome, missing_tools, validate
from tinyrelease.checks.course import load_course
from tinyrelease.checks.findings import Finding

pytestmark = pytest.mark.skipif(bool(missing_tools(False)), reason="nbgrader is not installed")

ROLES = edited_source(2, '''def make_activations(value):
    """Build a activations value."""
    ### BEGIN SOLUTION
    return value
    ### END SOLUTION
''', '''def make_activations(value):
    """Build a activations value."""
    ### BEGIN SOLUTION
    doubled = value * 2
    ### END SOLUTION
    ### BEGIN SOLUTION role=scaffold
    halved = doubled / 2
    ### END SOLUTION
    ### BEGIN SOLUTION role="instructor"
    print("checked by the instructor only")
    ### END SOLUTION
    return halved


# %% nbgrader={"grade": false, "grade_id": "given-helper", "locked": false, "solution": true}
def given_helper(value):
    """Already written for the students."""
    ### BEGIN SOLUTION role=scaffold
    return value + 1
    ### END SOLUTION
''')
REFUSED = edited_source(3, "    ### END SOLUTION\n", "    ### END SOLUTON\n")
LOWER = edited_source(4, '''    ### END SOLUTION
''', '''    ### END SOLUTION


def make_losses_later(value):
    """Lower-case markers: nbgrader does not read them."""
    ### begin solution
    return value - 1
    ### end solution
''')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Outcome]:
    root = CourseFactory(tmp_path_factory.mktemp("build"))({
        "src/02_activations/02_activations.py": ROLES, "src/03_layers/03_layers.py": REFUSED,
        "src/04_losses/04_losses.py": LOWER})
    work = tmp_path_factory.mktemp("work")
    outcome = validate(load_course(root), None, work, lambda: (root, None), BUILD_CODES)
    return root, work / "assignments", outcome


def student(folder: Path, module: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / module / f"{module}.ipynb").read_text())
    return data


def code(notebook: dict[str, Any]) -> str:
    return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")


def by_code(outcome: Outcome, wanted: str) -> list[Finding]:
    return [f for f in outcome.findings if f.code == wanted]


def test_one_student_notebook_per_module_with_stubs(built: tuple[Path, Path, Outcome]) -> None:
    _, folder, outcome = built
    assert outcome.ran == BUILD_CODES
    assert sorted(p.name for p in folder.iterdir()) == ["01_tensor", "02_activations",
                                                        "04_losses", "manifest.json"]
    released = code(student(folder, "01_tensor"))
    assert "raise NotImplementedError()" in released and "return value" not in released
    assert "SOLUTION" not in released


def test_roles_follow_the_student_tier(built: tuple[Path, Path, Outcome]) -> None:
    _, folder, _ = built
    notebook = student(folder, "02_activations")
    released = code(notebook)
    assert "doubled = value * 2" not in released and "halved = doubled / 2" in released
    assert "instructor only" not in released and "role" not in released
    helper = next(c for c in notebook["cells"] if "def given_helper" in "".join(c["source"]))
    assert "return value + 1" in "".join(helper["source"])
    assert helper["metadata"].get("nbgrader", {}).get("solution") in (None, False)


def test_manifest_lists_grade_ids_points_and_hashes(built: tuple[Path, Path, Outcome]) -> None:
    root, folder, _ = built
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["course"], manifest["tier"]) == (str(root.resolve()), "student")
    entry = manifest["modules"][0]
    assert entry["module"] == "01_tensor" and entry["notebook"] == "01_tensor/01_tensor.ipynb"
    assert entry["graded"] == [{"grade_id": "test-tensor-impl", "points": 5}]
    assert entry["sha256"] == hashlib.sha256((folder / entry["notebook"]).read_bytes()).hexdigest()
    assert manifest["points"] == 15


def test_nbgrader_refusal_names_the_cell(built: tuple[Path, Path, Outcome]) -> None:
    _, _, outcome = built
    [finding] = by_code(outcome, "IMP201")
    assert (finding.path, finding.module) == ("src/03_layers/03_layers.py", "03_layers")
    assert finding.line == line_of(REFUSED, '"grade_id": "layers-impl"')
    assert "no end solution statement found" in finding.message


def test_text_nbgrader_did_not_remove(built: tuple[Path, Path, Outcome]) -> None:
    _, _, outcome = built
    [finding] = by_code(outcome, "IMP206")
    assert (finding.path, finding.module) == ("src/04_losses/04_losses.py", "04_losses")
    assert finding.line == line_of(LOWER, "### begin solution")
    assert finding.places == (("src/04_losses/04_losses.py", line_of(LOWER, "### end solution")),)
    assert finding.message.startswith("the student notebook keeps 2 line(s) that nbgrader ")


def test_rebuilding_an_unchanged_course_writes_the_same_notebooks(
        built: tuple[Path, Path, Outcome], tmp_path: Path) -> None:
    root, folder, _ = built
    validate(load_course(root), ["01_tensor"], tmp_path, lambda: (root, None), {"IMP201"})
    again = tmp_path / "assignments" / "01_tensor" / "01_tensor.ipynb"
    assert again.read_bytes() == (folder / "01_tensor" / "01_tensor.ipynb").read_bytes()


def test_without_nbgrader_the_checks_are_skipped(make_course: CourseFactory, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tinyrelease.checks.assignments.validate.importable",
                        lambda name: name != "nbgrader")
    outcome = validate(load_course(make_course()), None, tmp_path, lambda: (tmp_path, None),
                       {"IMP201", "IMP204"})
    assert outcome.ran == set() and outcome.findings == []
    assert outcome.skipped == dict.fromkeys(["IMP201", "IMP204"], (
        'nbgrader is not installed here: nox -s assignments installs them, or python -m pip '
        'install -e ".[assignments]"'))


def test_the_base_source_is_untouched(built: tuple[Path, Path, Outcome]) -> None:
    root, _, _ = built
    assert (root / "src/01_tensor/01_tensor.py").read_text() == source(1)
