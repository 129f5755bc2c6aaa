"""The static checks of the student release: swallowed failures, near-miss markers, roles and
tiers, cells with nothing to fill in, grade ids across the course, stated points."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import PYPROJECT, CourseFactory, about, edited_source, line_of, only, source

from tinyrelease.checks.findings import Finding, Severity

Findings = Callable[[Path, str], list[Finding]]
SOURCE = "src/02_activations/02_activations.py"
TEST_BODY = ('    """🔬 make_activations returns its value."""\n'
             "    assert make_activations(3) == 3\n")


def run(make_course: CourseFactory, findings: Findings, text: str, code: str,
        changes: dict[str, str | bytes | None] | None = None) -> Finding:
    finding = only(findings(make_course({SOURCE: text, **(changes or {})}), code))
    assert (finding.path, finding.module) == (SOURCE, "02_activations")
    return finding


@pytest.mark.parametrize("code", ["IMP171", "IMP172", "IMP173", "IMP174", "IMP175", "IMP176",
                                  "IMP178"])
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


@pytest.mark.parametrize(("handler", "body"), [
    ("except NotImplementedError:\n        pass", "assert make_activations(3) == 3"),
    ("except Exception as error:\n        print(error)", "assert make_activations(3) == 3"),
    ("except:\n        print('not yet')", "assert make_activations(3) == 3"),
    ("except (ValueError, AssertionError):\n        pass", "assert make_activations(3) == 3"),
    ("except Exception:\n        pass", "make_activations(None)\n        assert False")])
def test_graded_test_that_swallows_its_failure(make_course: CourseFactory, findings: Findings,
                                               handler: str, body: str) -> None:
    swallowing = f"    try:\n        {body}\n    {handler}\n"
    text = edited_source(2, TEST_BODY, '    """🔬 make_activations."""\n' + swallowing)
    finding = run(make_course, findings, text, "IMP171")
    assert finding.line == line_of(text, handler.split("\n")[0])
    assert finding.message.startswith('graded test "test-activations-impl" (5 points) catches ')
    assert finding.message.endswith("so a missing implementation passes")


@pytest.mark.parametrize("body", [
    "    try:\n        make_activations(None)\n        assert False, 'should raise'\n"
    "    except ValueError:\n        pass\n",
    "    try:\n        make_activations(None)\n        raise AssertionError('should raise')\n"
    "    except TypeError:\n        pass\n",
    "    try:\n        make_activations(3)\n    except Exception as error:\n"
    "        raise AssertionError('failed') from error\n",
    # an interface that must raise NotImplementedError: the test fails when it does not
    "    try:\n        make_activations(3)\n        assert False, 'must raise'\n"
    "    except NotImplementedError:\n        pass\n"])
def test_expected_raise_idiom_and_narrow_handlers_pass(make_course: CourseFactory,
                                                       findings: Findings, body: str) -> None:
    text = edited_source(2, TEST_BODY, '    """🔬 make_activations."""\n' + body)
    assert findings(make_course({SOURCE: text}), "IMP171") == []


def test_swallowing_in_an_ungraded_cell_is_not_a_grading_problem(
        make_course: CourseFactory, findings: Findings) -> None:
    text = source(2) + "\n# %%\ntry:\n    make_activations(1)\nexcept Exception:\n    pass\n"
    assert findings(make_course({SOURCE: text}), "IMP171") == []


@pytest.mark.parametrize(("marker", "why"), [
    ("    ### BEGIN SOLUTON", "nbgrader does not read it"),
    ("    ### begin solution", "nbgrader does not read it"),
    ("    ## BEGIN SOLUTION", "has 2 `#`: nbgrader reads it"),
    ("    #### END HIDDEN TESTS", "has 4 `#`: nbgrader reads it")])
def test_near_miss_markers(make_course: CourseFactory, findings: Findings, marker: str,
                           why: str) -> None:
    text = edited_source(2, "    return value\n", f"{marker}\n    return value\n")
    finding = run(make_course, findings, text, "IMP172")
    assert finding.line == line_of(text, marker)
    assert finding.message.startswith(f"`{marker.strip()}` looks like `### ")
    assert why in finding.message


@pytest.mark.parametrize("comment", ["    # end of solution checks", "    # Begin with the sum",
                                     "    ### BEGIN SOLUTION role=scaffold"])
def test_ordinary_comments_and_roles_are_not_markers(make_course: CourseFactory,
                                                     findings: Findings, comment: str) -> None:
    text = edited_source(2, "    return value\n", f"{comment}\n    return value\n")
    assert findings(make_course({SOURCE: text}), "IMP172") == []


def test_unknown_role(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, "### BEGIN SOLUTION", '### BEGIN SOLUTION role="tutor"')
    finding = run(make_course, findings, text, "IMP173")
    assert finding.line == line_of(text, "role=")
    assert finding.message.startswith('solution role "tutor" is not one of core, scaffold')


def test_unknown_tier(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({"pyproject.toml": PYPROJECT + '\n[tool.tinyrelease.assignments]\n'
                        'tier = "teacher"\n'})
    finding = only(findings(root, "IMP173"))
    assert finding.path == "pyproject.toml"
    assert "assignments.tier = 'teacher' is not one of student, challenge" in finding.message


def test_solution_cell_with_only_scaffold_regions(make_course: CourseFactory,
                                                  findings: Findings) -> None:
    text = edited_source(2, "### BEGIN SOLUTION", "### BEGIN SOLUTION role=scaffold")
    finding = run(make_course, findings, text, "IMP176")
    assert finding.severity is Severity.WARNING
    assert finding.line == line_of(text, '"grade_id": "activations-impl"')
    assert finding.message == ('solution cell "activations-impl" has nothing to fill in for '
                               "the student tier")


def test_challenge_tier_clears_challenge_regions(make_course: CourseFactory,
                                                findings: Findings) -> None:
    text = edited_source(2, "### BEGIN SOLUTION", "### BEGIN SOLUTION role=challenge")
    config = PYPROJECT + '\n[tool.tinyrelease.assignments]\ntier = "challenge"\n'
    found = findings(make_course({SOURCE: text, "pyproject.toml": config}), "IMP176")
    assert [f.module for f in found] == ["01_tensor", "03_layers", "04_losses"]


def test_grade_id_repeated_across_modules_is_fine(make_course: CourseFactory,
                                                 findings: Findings) -> None:
    """nbgrader keeps grade ids per notebook: two modules may both have `imports` (TinyTorch
    2026 repeats its ids in every module); one id twice in one file is IMP143's."""
    text = source(3).replace('"grade_id": "test-layers-impl"',
                             '"grade_id": "test-activations-impl"')
    root = make_course({"src/03_layers/03_layers.py": text})
    assert findings(root, "IMP143") == []
    assert [f.code for f in findings(root, "IMP") if "test-activations-impl" in f.message] == []


def test_points_stated_in_the_front_matter(make_course: CourseFactory, findings: Findings) -> None:
    text = about(2).replace('time_estimate: "2-4 hours"', 'time_estimate: "2-4 hours"\npoints: 20')
    root = make_course({"src/02_activations/ABOUT.md": text})
    finding = only(findings(root, "IMP178"))
    assert (finding.path, finding.line) == ("src/02_activations/ABOUT.md",
                                            line_of(text, "points: 20"))
    assert finding.message == "02_activations states 20 points; its graded cells total 5"


def test_points_stated_in_the_settings(make_course: CourseFactory, findings: Findings) -> None:
    config = PYPROJECT + ('\n[tool.tinyrelease.assignments.points]\n"01_tensor" = 5\n'
                          "total = 30\n")
    finding = only(findings(make_course({"pyproject.toml": config}), "IMP178"))
    assert (finding.path, finding.module) == ("pyproject.toml", None)
    assert finding.message == "the course states 30 points in all; its graded cells total 20"
