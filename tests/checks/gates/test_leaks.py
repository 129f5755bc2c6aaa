"""What the student release would give away: a solution reprinted outside its region, and
exercise scaffolding left in the docstrings of pre-solved functions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, edited_source, line_of, only, source

from tinyrelease.checks.findings import Finding

Findings = Callable[[Path, str], list[Finding]]
SOURCE = "src/02_activations/02_activations.py"
SOLUTION = ("    scaled = [float(item) * 2.0 for item in value]\n"
            "    shifted = [item - min(scaled) for item in scaled]\n"
            "    return sum(shifted) / max(len(shifted), 1)\n")
PROSE = '## Testing Activations\n\nWe check the implementation on a small example.\n'


def with_solution(prose: str = PROSE) -> str:
    text = edited_source(2, "    return value\n", SOLUTION)
    return text.replace(PROSE, prose)


@pytest.mark.parametrize("code", ["IMP174", "IMP175"])
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


def test_solution_reprinted_in_the_prose(make_course: CourseFactory, findings: Findings) -> None:
    prompted = SOLUTION.replace("\n    ", "\n... ").strip()
    reprinted = f"{PROSE}\n```python\n>>> {prompted}\n```\n"
    text = with_solution(reprinted)
    finding = only(findings(make_course({SOURCE: text}), "IMP174"))
    assert (finding.path, finding.module) == (SOURCE, "02_activations")
    assert finding.line == line_of(text, ">>> scaled")
    begin = line_of(text, "### BEGIN SOLUTION")
    assert finding.message == (f"3 lines of the solution region on line {begin} reappear "
                               "outside it, so students read the answer")


def test_one_shared_line_is_not_a_leak(make_course: CourseFactory, findings: Findings) -> None:
    text = with_solution(PROSE + "\nFor instance `scaled = [float(item) * 2.0 for item in "
                         "value]` doubles.\n")
    assert findings(make_course({SOURCE: text}), "IMP174") == []


def test_a_copy_in_a_cell_the_release_stubs_is_not_read(make_course: CourseFactory,
                                                        findings: Findings) -> None:
    """A solution cell without a region ships as nbgrader's stub (IMP153 says so): what it
    holds never reaches students."""
    stubbed = ('# %% nbgrader={"grade": false, "grade_id": "export-copy", "locked": false, '
               '"schema_version": 3, "solution": true}\ndef copy(value):\n' + SOLUTION)
    text = with_solution() + "\n" + stubbed
    assert findings(make_course({SOURCE: text}), "IMP174") == []
    given = with_solution() + "\n# %%\ndef copy(value):\n" + SOLUTION
    assert len(findings(make_course({SOURCE: given}), "IMP174")) == 1


def test_a_kept_region_may_be_shown(make_course: CourseFactory, findings: Findings) -> None:
    reprinted = PROSE + "\n```python\n" + SOLUTION + "```\n"
    text = with_solution(reprinted).replace("### BEGIN SOLUTION",
                                            "### BEGIN SOLUTION role=scaffold")
    assert findings(make_course({SOURCE: text}), "IMP174") == []


SCAFFOLDED = '''#| export
def helper_{name}(value):
    """Prepare a value.

    TODO: Implement the preparation.
    HINT: use a list.
    """
    return [value]


def make_{name}(value):
    """Build a {name} value.

    TODO: return the value.
    """
'''


def test_todo_left_above_presolved_code(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, '#| export\ndef make_activations(value):\n    """Build a activations '
                         'value."""\n', SCAFFOLDED.format(name="activations"))
    finding = only(findings(make_course({SOURCE: text}), "IMP175"))
    assert (finding.path, finding.module) == (SOURCE, "02_activations")
    assert finding.line == line_of(text, "def helper_activations")
    assert finding.message == "helper_activations() ships pre-solved but its docstring says TODO:"


def test_one_finding_per_module(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, '#| export\ndef make_activations(value):\n    """Build a activations '
                         'value."""\n', SCAFFOLDED.format(name="activations"))
    text = text.replace("### BEGIN SOLUTION", "### BEGIN SOLUTION role=scaffold")
    finding = only(findings(make_course({SOURCE: text}), "IMP175"))
    assert finding.places == ((SOURCE, line_of(text, "def make_activations")),)
    assert finding.message == ("2 pre-solved functions keep exercise scaffolding (TODO/HINT) in "
                               "their docstrings: helper_activations(), make_activations()")


def test_scaffolding_outside_exercise_cells_is_left_alone(make_course: CourseFactory,
                                                          findings: Findings) -> None:
    text = source(2) + '\n# %%\ndef later():\n    """TODO: tidy up."""\n'
    assert findings(make_course({SOURCE: text}), "IMP175") == []
