"""nbgrader metadata and solution regions under nbgrader's own rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, edited_source, line_of, only, source

from tinyrelease.checks.findings import Finding

Findings = Callable[[Path, str], list[Finding]]
CODES = ["IMP141", "IMP142", "IMP143", "IMP144", "IMP145", "IMP146", "IMP147", "IMP151",
         "IMP152", "IMP153"]
SOURCE = "src/02_activations/02_activations.py"
IMPL = '"grade": false, "grade_id": "activations-impl", "locked": false'
TEST = '"grade": true, "grade_id": "test-activations-impl", "locked": true, "points": 5'
TEST_CELL = '"grade_id": "test-activations-impl"'
IMPL_CELL = '"grade_id": "activations-impl"'


def run(make_course: CourseFactory, findings: Findings, text: str, code: str) -> Finding:
    finding = only(findings(make_course({SOURCE: text}), code))
    assert (finding.path, finding.module) == (SOURCE, "02_activations")
    return finding


@pytest.mark.parametrize("code", CODES)
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


def test_metadata_that_does_not_parse(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, f'{IMPL}, "schema_version": 3, "solution": true}}', f"{IMPL}, ")
    finding = run(make_course, findings, text, "IMP141")
    assert finding.line == line_of(text, IMPL_CELL)
    assert "are not valid (nbgrader metadata must be single-line JSON)" in finding.message


def test_nbgrader_value_not_an_object(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2) + '\n# %% nbgrader=[1, 2]\nx = 1\n'
    finding = run(make_course, findings, text, "IMP141")
    assert finding.line == line_of(text, "nbgrader=[1, 2]")
    assert finding.message == "nbgrader metadata [1, 2] is not a JSON object"


@pytest.mark.parametrize(("grade_id", "shown"), [
    (None, "nbgrader cell has no grade_id"),
    ('"relu impl"', 'grade_id "relu impl" must match [A-Za-z0-9_-]+'),
    ("7", "grade_id 7 must match [A-Za-z0-9_-]+")])
def test_grade_id_missing_or_malformed(make_course: CourseFactory, findings: Findings,
                                       grade_id: str | None, shown: str) -> None:
    new = '"grade": false, "locked": false' if grade_id is None else (
        f'"grade": false, "grade_id": {grade_id}, "locked": false')
    text = edited_source(2, IMPL, new)
    finding = run(make_course, findings, text, "IMP142")
    assert finding.line == line_of(text, new)
    assert finding.message == shown


def test_duplicate_grade_id(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, TEST_CELL, IMPL_CELL)
    finding = run(make_course, findings, text, "IMP143")
    first = line_of(text, IMPL_CELL)
    assert finding.line == line_of(text, '"grade": true')
    assert finding.message == (f'grade_id "activations-impl" is already used by the cell on '
                               f"line {first}")


def test_grade_id_may_repeat_across_files(make_course: CourseFactory, findings: Findings) -> None:
    other = source(3).replace('"grade_id": "layers-impl"', IMPL_CELL)
    assert findings(make_course({"src/03_layers/03_layers.py": other}), "IMP143") == []


def test_flag_that_is_not_a_boolean(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, '"locked": true, "points": 5', '"locked": "true", "points": 5')
    root = make_course({SOURCE: text})
    finding = run(make_course, findings, text, "IMP144")
    assert finding.line == line_of(text, TEST_CELL)
    assert finding.message == ('nbgrader "locked" is "true", not true or false '
                               '(cell "test-activations-impl")')
    assert findings(root, "IMP146") == []


@pytest.mark.parametrize(("points", "shown"), [
    ("", "has no points"), (', "points": -1', "has points -1"),
    (', "points": "5"', 'has points "5"')])
def test_graded_cell_points(make_course: CourseFactory, findings: Findings, points: str,
                            shown: str) -> None:
    text = edited_source(2, '"locked": true, "points": 5', f'"locked": true{points}')
    finding = run(make_course, findings, text, "IMP145")
    assert finding.line == line_of(text, TEST_CELL)
    assert finding.message == f'graded cell "test-activations-impl" {shown}; give it a number >= 0'


def test_unlocked_test_cell(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, TEST, TEST.replace('"locked": true', '"locked": false'))
    finding = run(make_course, findings, text, "IMP146")
    assert finding.line == line_of(text, TEST_CELL)
    assert 'autograded test cell "test-activations-impl" is not locked' in finding.message


def test_manually_graded_answer_need_not_be_locked(make_course: CourseFactory,
                                                   findings: Findings) -> None:
    text = edited_source(2, f'{IMPL}, "schema_version": 3, "solution": true',
                   f'{IMPL.replace("false", "true", 1)}, "points": 2, "solution": true')
    assert findings(make_course({SOURCE: text}), "IMP14") == []


@pytest.mark.parametrize(("flags", "shown"), [
    ('"grade": false, "solution": true', "is solution but not grade"),
    ('"grade": true, "points": 1, "locked": true, "solution": false',
     "is grade but not solution")])
def test_markdown_answer_cells(make_course: CourseFactory, findings: Findings, flags: str,
                               shown: str) -> None:
    cell = f'# %% [markdown] nbgrader={{"grade_id": "why", {flags}}}'
    text = source(2) + f'\n{cell}\n"""\nWhy?\n"""\n'
    finding = run(make_course, findings, text, "IMP147")
    assert finding.line == line_of(text, '"grade_id": "why"')
    assert finding.message == f'markdown cell "why" {shown}'


def test_markdown_answer_that_is_both_passes(make_course: CourseFactory,
                                             findings: Findings) -> None:
    cell = ('# %% [markdown] nbgrader={"grade": true, "grade_id": "why", "points": 2, '
            '"solution": true}')
    text = source(2) + f'\n{cell}\n"""\nWhy?\n"""\n'
    assert findings(make_course({SOURCE: text}), "IMP1") == []


def test_region_never_closed(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, "    ### END SOLUTION\n", "")
    finding = run(make_course, findings, text, "IMP151")
    assert finding.line == line_of(text, "### BEGIN SOLUTION")
    assert finding.message == "### BEGIN SOLUTION is never closed before the cell ends"


def test_region_end_without_begin(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, "    ### BEGIN SOLUTION\n", "")
    finding = run(make_course, findings, text, "IMP151")
    assert finding.line == line_of(text, "### END SOLUTION")
    assert finding.message == "### END SOLUTION without a matching ### BEGIN SOLUTION"


def test_nested_region(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, "    return value\n", "    ### BEGIN SOLUTION\n    return value\n")
    found = findings(make_course({SOURCE: text}), "IMP151")
    outer = line_of(text, "### BEGIN SOLUTION")
    assert (found[0].path, found[0].line) == (SOURCE, outer + 1)
    assert found[0].message == f"### BEGIN SOLUTION inside the region opened on line {outer}"


def test_region_outside_solution_cell(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, '"solution": true}', '"solution": false}')
    finding = run(make_course, findings, text, "IMP152")
    assert finding.line == line_of(text, "### BEGIN SOLUTION")
    cell = line_of(text, IMPL_CELL)
    assert finding.message == ("### BEGIN SOLUTION in a cell that is not a solution cell "
                               f"(the cell starts on line {cell})")


def test_region_in_cell_without_metadata(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2) + ("\n# %%\ndef extra():\n    ### BEGIN SOLUTION\n    pass\n"
                        "    ### END SOLUTION\n")
    finding = run(make_course, findings, text, "IMP152")
    assert finding.line == len(text.split("\n")) - 3


def test_solution_cell_without_region(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, "    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "")
    finding = run(make_course, findings, text, "IMP153")
    assert finding.line == line_of(text, IMPL_CELL)
    assert finding.message.startswith('solution cell "activations-impl" has no ### BEGIN SOLUTION')


def test_solution_cells_without_regions_are_one_finding_per_module(
        make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, "    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "")
    text += ('\n# %% nbgrader={"grade": false, "grade_id": "extra-impl", "locked": false, '
             '"schema_version": 3, "solution": true}\ndef extra():\n    return 1\n')
    finding = run(make_course, findings, text, "IMP153")
    assert finding.message.startswith('2 solution cells have no ### BEGIN SOLUTION region')
    assert '"activations-impl", "extra-impl"' in finding.message and len(finding.places) == 1
