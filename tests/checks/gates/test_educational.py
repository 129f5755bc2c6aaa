"""The educational gate: module numbering, metadata, objectives, references, load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import PYPROJECT, CourseFactory, about, only, source

from tinyrelease.checks.findings import Finding, Severity

Findings = Callable[[Path, str], list[Finding]]
CODES = ["EDU101", "EDU102", "EDU103", "EDU111", "EDU112", "EDU113", "EDU114", "EDU121",
         "EDU122", "EDU123", "EDU131", "EDU132", "EDU133", "EDU141", "EDU151", "EDU152",
         "EDU153"]
ABOUT1, ABOUT2 = "src/01_tensor/ABOUT.md", "src/02_activations/ABOUT.md"
SOURCE1, SOURCE2 = "src/01_tensor/01_tensor.py", "src/02_activations/02_activations.py"


def with_limits(**limits: int) -> str:
    return PYPROJECT + "\n[tool.tinyrelease.limits]\n" + "".join(
        f"{key} = {value}\n" for key, value in limits.items())


@pytest.mark.parametrize("code", CODES)
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


# Module numbering


def test_misnamed_module_dir(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({"src/05-Metrics/ABOUT.md": about(4)})
    finding = only(findings(root, "EDU101"))
    assert (finding.path, finding.line, finding.severity) == ("src/05-Metrics", None,
                                                              Severity.ERROR)
    assert '"05-Metrics" is not named NN_name' in finding.message
    assert '"05_metrics"' in finding.message


def test_two_modules_with_one_number(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({"src/04_metrics/ABOUT.md": about(4)})
    finding = only(findings(root, "EDU102"))
    assert (finding.path, finding.module) == ("src/04_metrics", "04_metrics")
    assert "module 04_metrics has the number 04 of module 04_losses" in finding.message


@pytest.mark.parametrize(("removed", "missing"), [([3], "03"), ([2, 3], "02-03")])
def test_gap_in_module_numbers(make_course: CourseFactory, findings: Findings,
                               removed: list[int], missing: str) -> None:
    ids = {2: "02_activations", 3: "03_layers"}
    root = make_course({f"src/{ids[n]}/{name}": None for n in removed
                        for name in ("ABOUT.md", f"{ids[n]}.py")})
    finding = only(findings(root, "EDU103"))
    assert (finding.path, finding.severity) == ("src/04_losses", Severity.WARNING)
    assert f"no module numbered {missing} comes before 04_losses" in finding.message


# Module metadata


def test_module_without_about(make_course: CourseFactory, findings: Findings) -> None:
    finding = only(findings(make_course({ABOUT2: None}), "EDU111"))
    assert (finding.path, finding.line, finding.module) == ("src/02_activations", None,
                                                            "02_activations")
    assert finding.message == "module 02_activations has no ABOUT.md"


def test_legacy_metadata_counts(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({
        "modules/source/01_tensor/tensor_dev.py": source(1),
        "modules/source/01_tensor/module.yaml": 'name: tensor\ntitle: "Tensor"\n',
        "modules/source/02_activations/activations_dev.py": source(2),
        "modules/source/03_layers/layers_dev.py": source(3),
        "book/chapters/03-layers.md": '---\ntitle: "Layers"\n---\n# Layers\n',
    }, base=False)
    finding = only(findings(root, "EDU111"))
    assert finding.path == "modules/source/02_activations"
    assert "no ABOUT.md, module.yaml or book chapter front matter" in finding.message


@pytest.mark.parametrize(("text", "line", "message"), [
    (about(1).replace('title: "Tensor"', 'title: "Tensor'), 3, "ABOUT.md has invalid YAML"),
    ("---\ntitle: Tensor\n", 1, "front matter is never closed"),
    ("# 01. Tensor\n", 1, "ABOUT.md has no front matter"),
    ("---\n- just a list\n---\n# 01. Tensor\n", 1, "is not a mapping"),
])
def test_front_matter_unreadable(make_course: CourseFactory, findings: Findings, text: str,
                                 line: int, message: str) -> None:
    finding = only(findings(make_course({ABOUT1: text}), "EDU112"))
    assert (finding.path, finding.line) == (ABOUT1, line)
    assert message in finding.message


def test_front_matter_key_missing(make_course: CourseFactory, findings: Findings) -> None:
    text = about(1).replace('next_steps: ["02_activations"]\n', "")
    finding = only(findings(make_course({ABOUT1: text}), "EDU113"))
    assert (finding.path, finding.line) == (ABOUT1, 1)
    assert finding.message == "front matter lacks next_steps"


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ('title: "Tensor"', "title: 42", 2, "title is 42; write text"),
    ('difficulty: "⭐"', 'difficulty: "very hard"', 4, 'difficulty "very hard" is not a'),
    ('time_estimate: "2-3 hours"', 'time_estimate: "a while"', 5,
     'time_estimate "a while" is not an hour range'),
    ("prerequisites: []", 'prerequisites: "none"', 6,
     'prerequisites is "none"; write a list of strings'),
    ('  - "Measure the memory cost of tensor"', "  - 3", 8, "items that are not strings: [3]"),
])
def test_front_matter_wrong_type(make_course: CourseFactory, findings: Findings, old: str,
                                 new: str, line: int, message: str) -> None:
    finding = only(findings(make_course({ABOUT1: about(1).replace(old, new)}), "EDU114"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, line, Severity.ERROR)
    assert message in finding.message


def test_front_matter_accepts_variants(make_course: CourseFactory, findings: Findings) -> None:
    text = about(1).replace('difficulty: "⭐"', "difficulty: 2").replace(
        'time_estimate: "2-3 hours"', "time_estimate: 1.5-2 hours")
    assert findings(make_course({ABOUT1: text}), "EDU114") == []


# Learning objectives


def test_too_few_objectives(make_course: CourseFactory, findings: Findings) -> None:
    lines = about(1).split("\n")
    text = "\n".join(lines[:10] + lines[13:])
    finding = only(findings(make_course({ABOUT1: text}), "EDU121"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, 8, Severity.WARNING)
    assert finding.message == "2 learning objectives; the course asks for 3 to 7"


def test_objective_limit_from_config(make_course: CourseFactory, findings: Findings) -> None:
    found = findings(make_course({"pyproject.toml": with_limits(max_objectives=4)}), "EDU121")
    assert len(found) == 4
    assert "5 learning objectives; the course asks for 3 to 4" in found[0].message


def test_source_without_objectives(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace("## Learning Objectives", "## What you will do")
    finding = only(findings(make_course({SOURCE1: text}), "EDU122"))
    assert (finding.path, finding.line, finding.severity) == (SOURCE1, None, Severity.WARNING)
    assert "has no Learning Objectives section; ABOUT.md lists 5 objectives" in finding.message


def test_objective_missing_from_source(make_course: CourseFactory, findings: Findings) -> None:
    text = about(1).replace("Measure the memory cost of tensor",
                            "Profile cache misses during convolution kernels")
    finding = only(findings(make_course({ABOUT1: text}), "EDU123"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, 11, Severity.WARNING)
    assert finding.message == (
        "1 of 5 learning objectives of ABOUT.md could not be matched to a bullet of the "
        "Learning Objectives of src/01_tensor/01_tensor.py: "
        '"Profile cache misses during convolution kernels"')


def test_objectives_the_source_words_differently_still_match(make_course: CourseFactory,
                                                             findings: Findings) -> None:
    """CamelCase names and plurals: the pairs a maintainer would call the same objective."""
    text = about(4).replace("Implement the core losses operations from scratch",
                            "Implement MSE and CrossEntropy losses")
    root = make_course({"src/04_losses/ABOUT.md": text, "src/04_losses/04_losses.py":
                        source(4).replace("- Implement the core losses operations from scratch",
                                          "- Implement MSELoss / CrossEntropyLoss")})
    assert findings(root, "EDU123") == []


def test_unmatched_objectives_are_one_finding_per_module(make_course: CourseFactory,
                                                         findings: Findings) -> None:
    text = about(1).replace("Measure the memory cost of tensor", "Profile cache misses").replace(
        "Compare tensor with the PyTorch equivalent", "Tune convolution kernels")
    finding = only(findings(make_course({ABOUT1: text}), "EDU123"))
    assert finding.message.startswith("2 of 5 learning objectives")
    assert finding.places == ((ABOUT1, 13),)  # the second objective it could not match


def test_reworded_objective_still_matches(make_course: CourseFactory,
                                          findings: Findings) -> None:
    text = about(1).replace("Implement the core tensor operations from scratch",
                            "Implement core Tensor operation from scratch in NumPy")
    heading = source(1).replace("## Learning Objectives", "### 🎯 Learning Goals")
    assert findings(make_course({ABOUT1: text, SOURCE1: heading}), "EDU12") == []


# Prerequisites, next steps and imports


@pytest.mark.parametrize("prerequisite", ["01_tensor", "tensor", "Tensor", "Module 01", "01",
                                          "Tensor (Foundation Tier)", "Modules 01-01 - basics"])
def test_prerequisite_forms_accepted(make_course: CourseFactory, findings: Findings,
                                     prerequisite: str) -> None:
    text = about(2).replace('prerequisites: ["01_tensor"]', f'prerequisites: ["{prerequisite}"]')
    assert findings(make_course({ABOUT2: text}), "EDU13") == []


def test_prerequisite_names_no_module(make_course: CourseFactory, findings: Findings) -> None:
    text = about(2).replace('prerequisites: ["01_tensor"]',
                            'prerequisites:\n  - "01_tensor"\n  - "Linear algebra"')
    finding = only(findings(make_course({ABOUT2: text}), "EDU131"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT2, 8, Severity.WARNING)
    assert finding.message == 'prerequisite "Linear algebra" names no module of this course'


def test_last_module_may_point_outside(make_course: CourseFactory, findings: Findings) -> None:
    text = about(4).replace("next_steps: []", 'next_steps: ["Build your own project"]')
    assert findings(make_course({"src/04_losses/ABOUT.md": text}), "EDU131") == []


def test_prerequisite_from_later_module(make_course: CourseFactory, findings: Findings) -> None:
    text = about(2).replace('prerequisites: ["01_tensor"]', 'prerequisites: ["03_layers"]')
    finding = only(findings(make_course({ABOUT2: text}), "EDU132"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT2, 6, Severity.ERROR)
    assert ('prerequisite "03_layers" is module 03, which does not come before 02_activations'
            == finding.message)


def test_next_step_backwards(make_course: CourseFactory, findings: Findings) -> None:
    text = about(2).replace('next_steps: ["03_layers"]', 'next_steps: ["Tensor"]')
    finding = only(findings(make_course({ABOUT2: text}), "EDU133"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT2, 7, Severity.ERROR)
    assert 'next step "Tensor" is module 01, which does not come after 02_activations' \
        == finding.message


def test_import_from_later_module(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace("from minicourse.core.tensor import *\n",
                             "from minicourse.core.tensor import *\n"
                             "from minicourse.core import losses\n")
    finding = only(findings(make_course({SOURCE2: text}), "EDU141"))
    assert (finding.path, finding.line, finding.severity) == (SOURCE2, 33, Severity.ERROR)
    assert finding.message == ("imports minicourse.core.losses, which the later module "
                               "04_losses exports; learners reach 02_activations first")


# Cognitive load


def test_module_too_long(make_course: CourseFactory, findings: Findings) -> None:
    found = findings(make_course({"pyproject.toml": with_limits(max_module_lines=50)}), "EDU151")
    assert [f.path for f in found][0] == SOURCE1 and len(found) == 4
    assert (found[0].line, found[0].severity) == (None, Severity.WARNING)
    assert "01_tensor.py has 97 lines, over the limit of 50" in found[0].message


def test_cell_too_long(make_course: CourseFactory, findings: Findings) -> None:
    solution = "    ### END SOLUTION\n"
    text = source(1).replace(solution, solution + "\nscale = 1\n" * 10)  # code beside the def
    root = make_course({"pyproject.toml": with_limits(max_cell_lines=12), SOURCE1: text})
    first = next(f for f in findings(root, "EDU152") if f.path == SOURCE1)
    assert (first.line, first.severity) == (33, Severity.WARNING)
    assert first.message == ("code cell has 26 lines, over the limit of 12 "
                             "(limits.max_cell_lines)")


def test_a_long_cell_that_is_one_class_or_function_is_not_counted(
        make_course: CourseFactory, findings: Findings) -> None:
    solution = "    ### BEGIN SOLUTION\n"
    text = source(1).replace(solution, solution + "    x = 1\n" * 20)  # one long function
    root = make_course({"pyproject.toml": with_limits(max_cell_lines=12), SOURCE1: text})
    assert not [f for f in findings(root, "EDU152") if f.path == SOURCE1]


def test_long_run_of_code_cells(make_course: CourseFactory, findings: Findings) -> None:
    # the markdown cell between the unit test and the analysis becomes a code cell
    text = source(1).replace('# %% [markdown]\n"""\n## Systems Analysis',
                             '# %%\n"""\n## Systems Analysis')
    root = make_course({"pyproject.toml": with_limits(max_code_run=3), SOURCE1: text})
    finding = only(findings(root, "EDU153"))
    assert (finding.path, finding.line, finding.severity) == (SOURCE1, 48, Severity.WARNING)
    assert finding.message == ("4 code cells in a row (lines 48-86) with no markdown cell "
                               "between them; the limit is 3 (limits.max_code_run)")
