"""Release tiers: which solution regions a release clears, removes or ships pre-solved."""

from __future__ import annotations

from pathlib import Path

from coursebuilder import PYPROJECT, CourseFactory

from tinyrelease.checks.assignments.tiers import TIERS, apply_tier, presolved_cells, settings
from tinyrelease.checks.course import load_course
from tinyrelease.checks.source import parse_source

CELL = '''# %% nbgrader={"grade": false, "grade_id": "impl", "solution": true}
def forward(x):
    ### BEGIN SOLUTION
    core = x + 1
    ### END SOLUTION
    ### BEGIN SOLUTION role="scaffold"
    given = x * 2
    ### END SOLUTION
    ### BEGIN SOLUTION role=instructor
    secret = x - 3
    ### END SOLUTION
    return core
'''


def test_student_tier_clears_core_keeps_scaffold_removes_instructor() -> None:
    text = apply_tier(CELL, parse_source(CELL, "m.py"), TIERS["student"])
    assert text.count("### BEGIN SOLUTION") == 1 and "role" not in text
    assert "core = x + 1" in text and "given = x * 2" in text and "secret" not in text
    assert text.count("### END SOLUTION") == 1


def test_instructor_tier_keeps_everything_without_markers() -> None:
    text = apply_tier(CELL, parse_source(CELL, "m.py"), TIERS["instructor"])
    assert "BEGIN" not in text and "END" not in text and "secret = x - 3" in text


def test_a_cell_with_nothing_to_clear_is_presolved() -> None:
    only_scaffold = CELL.replace('### BEGIN SOLUTION\n', '### BEGIN SOLUTION role=scaffold\n')
    source = parse_source(only_scaffold, "m.py")
    assert presolved_cells(source, TIERS["student"]) == {0}
    assert presolved_cells(parse_source(CELL, "m.py"), TIERS["student"]) == set()


def test_settings_read_tier_roles_timeout_and_points(make_course: CourseFactory) -> None:
    config = PYPROJECT + ('\n[tool.tinyrelease.assignments]\ntier = "challenge"\n'
                          'remove = ["instructor", "scaffold"]\ntimeout = 60\n'
                          '[tool.tinyrelease.assignments.points]\n"01_tensor" = 5\n')
    read = settings(load_course(make_course({"pyproject.toml": config})))
    assert read.tier.clear == {"challenge"} and read.tier.remove == {"instructor", "scaffold"}
    assert (read.timeout, read.points, read.problems) == (60.0, {"01_tensor": 5.0}, ())


def test_bad_settings_fall_back_and_say_why(make_course: CourseFactory, tmp_path: Path) -> None:
    config = PYPROJECT + '\n[tool.tinyrelease.assignments]\ntimeout = -1\nclear = ["all"]\n'
    read = settings(load_course(make_course({"pyproject.toml": config})))
    assert read.tier is TIERS["student"] and read.timeout == 300.0
    assert len(read.problems) == 2
