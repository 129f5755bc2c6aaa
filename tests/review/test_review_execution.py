"""Quality Assurance and the Package Manager judge real runs: the course's suites run twice,
its wheel built, installed with pip in a fresh environment and `pip check`ed."""

from __future__ import annotations

from pathlib import Path

import pytest
from coursebuilder import PYPROJECT, CourseFactory
from reviewhelpers import covered, items, make_wheel, review_json

from tinyrelease.checks.course import load_course
from tinyrelease.review import packaging, quality
from tinyrelease.review.evidence import gather
from tinyrelease.review.model import Priority
from tinyrelease.review.run import run_review

LEAF, MIDDLE = "tinyrelease-test-probe-leaf", "tinyrelease-test-probe-middle"
FLAKY = '''from pathlib import Path


def test_counter_flips():
    counter = Path(__file__).with_name("runs.txt")
    runs = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(runs + 1))
    assert runs % 2 == 0, f"run number {runs}"
'''


@pytest.fixture
def probe_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two versions of a leaf package and a package needing the newer one, as local wheels."""
    wheels = tmp_path / "wheels"
    make_wheel(wheels, LEAF, "1.0", [])
    make_wheel(wheels, LEAF, "2.0", [])
    make_wheel(wheels, MIDDLE, "1.0", [f"{LEAF}>=2"])
    for variable in ("PIP_FIND_LINKS", "UV_FIND_LINKS"):
        monkeypatch.setenv(variable, str(wheels))
    return wheels


def depending_on(*requirements: str) -> str:
    listed = ", ".join(f'"{r}"' for r in requirements)
    return PYPROJECT.replace("dependencies = []", f"dependencies = [{listed}]")


def test_unstable_test_and_broken_pip_check(make_course: CourseFactory, tmp_path: Path,
                                            probe_index: Path) -> None:
    root = make_course({**covered(), "tests/01_tensor/test_tensor_flaky.py": FLAKY,
                        "pyproject.toml": depending_on(MIDDLE),
                        "requirements.txt": f"{LEAF}==1.0\n"})
    evidence = gather(load_course(root), tmp_path / "work")
    qa = quality.review(evidence)
    [unstable] = items(qa, "QA102")
    assert unstable.priority is Priority.HIGH and not qa.approved
    assert unstable.message.startswith("tests/01_tensor/test_tensor_flaky.py::test_counter_flips "
                                       "failed in 1 of 2 runs")
    assert unstable.path == "tests/01_tensor/test_tensor_flaky.py" and unstable.line == 4
    assert not items(qa, "QA101")
    row = {r[0]: r for r in qa.tables[0].rows}["01_tensor"]
    assert row[1:4] == ["7", "0", "1"]

    pm = packaging.review(evidence)
    [broken] = items(pm, "PM112")
    assert broken.priority is Priority.HIGH and not pm.approved
    assert broken.path == "requirements.txt"
    assert f"{MIDDLE} 1.0 has requirement {LEAF}>=2, but you have {LEAF} 1.0" in broken.message
    assert pm.tables[1].rows == [[MIDDLE]]


def test_wheel_with_conflicting_pins(make_course: CourseFactory, tmp_path: Path,
                                     probe_index: Path) -> None:
    root = make_course({**covered(), "pyproject.toml": depending_on(MIDDLE, f"{LEAF}==1.0")})
    pm = packaging.review(gather(load_course(root), tmp_path / "work"))
    [conflict] = items(pm, "PM111")
    assert conflict.priority is Priority.HIGH and not pm.approved
    assert "(conflict)" in conflict.message and LEAF in conflict.message
    assert conflict.path == "pyproject.toml"


def test_fixed_course_is_approved_by_all_four(make_course: CourseFactory, tmp_path: Path,
                                              probe_index: Path) -> None:
    root = make_course({**covered(), "pyproject.toml": depending_on(MIDDLE)})
    out = tmp_path / "review"
    review = run_review(root, out)
    assert review.plan.approvals == {"education": True, "developer": True, "quality": True,
                                     "packaging": True}
    data = review_json(out)
    assert data["approved"] is True and data["executed"] is True
    assert all(i["priority"] != "HIGH" for i in data["plan"]["items"])
    quality_md = (out / "quality.md").read_text(encoding="utf-8")
    assert "**Approved**" in quality_md and "| 01_tensor | 6 | 0 | 0 | 100% |" in quality_md
    assert "pip check: no broken requirements" in (out / "packaging.md").read_text("utf-8")
    assert {p.name for p in review.files} == {"education.md", "developer.md", "quality.md",
                                              "packaging.md", "consolidated.md", "review.json"}
