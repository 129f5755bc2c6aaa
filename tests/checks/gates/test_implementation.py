"""The implementation gate: time and difficulty agree, the course map adds up, prerequisites
form a chain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, about, learning_path, line_of, only

from tinyrelease.checks.course import load_course
from tinyrelease.checks.findings import Finding
from tinyrelease.checks.gates.common import resolve_module_reference

Findings = Callable[[Path, str], list[Finding]]
CODES = ["IMP101", "IMP102", "IMP103", "IMP105", "IMP111", "IMP112", "IMP113", "IMP114", "IMP131"]
MAP = "src/LEARNING_PATH.md"
ABOUT2 = "src/02_activations/ABOUT.md"


@pytest.mark.parametrize("code", CODES)
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


def test_map_time_differs_from_front_matter(make_course: CourseFactory,
                                            findings: Findings) -> None:
    text = learning_path().replace("(2-4 hours, ⭐⭐)", "(3-4 hours, ⭐⭐)")
    finding = only(findings(make_course({MAP: text}), "IMP101"))
    assert (finding.path, finding.line, finding.module) == (MAP, 11, "02_activations")
    assert finding.message == f'time "3-4 hours" differs from "2-4 hours" in {ABOUT2} line 5'


@pytest.mark.parametrize("spelling", ["2-4 hrs", "2 - 4 hours", "2.0-4 hours"])
def test_time_spelling_does_not_matter(make_course: CourseFactory, findings: Findings,
                                       spelling: str) -> None:
    text = learning_path().replace("(2-4 hours, ⭐⭐)", f"({spelling}, ⭐⭐)")
    assert findings(make_course({MAP: text}), "IMP101") == []


def test_tier_line_time_differs(make_course: CourseFactory, findings: Findings) -> None:
    text = about(2).replace("| Time: 2-4 hours", "| Time: 2-5 hours")
    finding = only(findings(make_course({ABOUT2: text}), "IMP101"))
    assert (finding.path, finding.line) == (ABOUT2, line_of(text, "TIER**"))
    assert '"2-5 hours" differs from "2-4 hours"' in finding.message


def test_readme_and_module_yaml_times_differ(make_course: CourseFactory,
                                             findings: Findings) -> None:
    readme = "# Activations\n\n**Time**: 1-2 hours | **Difficulty**: ⭐⭐\n"
    module_yaml = 'name: activations\ntitle: "Activations"\ntime_estimate: "2-6 hours"\n'
    root = make_course({"src/02_activations/README.md": readme,
                        "src/02_activations/module.yaml": module_yaml})
    found = findings(root, "IMP101")
    assert {(f.path, f.line) for f in found} == {("src/02_activations/README.md", 3),
                                                 ("src/02_activations/module.yaml", 3)}
    assert any('time "1-2 hours" differs' in f.message for f in found)


def test_difficulty_differs_in_map(make_course: CourseFactory, findings: Findings) -> None:
    text = learning_path().replace("(2-4 hours, ⭐⭐)", "(2-4 hours, ⭐⭐⭐)")
    found = findings(make_course({MAP: text}), "IMP102")
    finding = only(found)
    assert (finding.path, finding.line) == (MAP, 11)
    assert finding.message == f'difficulty "⭐⭐⭐" differs from "⭐⭐" in {ABOUT2} line 4'


@pytest.mark.parametrize("spelling", ["⭐⭐ (2/4)", "2/4", "2"])
def test_difficulty_spelling_does_not_matter(make_course: CourseFactory, findings: Findings,
                                             spelling: str) -> None:
    text = about(2).replace('difficulty: "⭐⭐"', f'difficulty: "{spelling}"')
    assert findings(make_course({ABOUT2: text}), "IMP102") == []


def test_tier_line_difficulty_differs(make_course: CourseFactory, findings: Findings) -> None:
    text = about(2).replace("Difficulty: ⭐⭐ (2/4)", "Difficulty: ⭐⭐⭐ (3/4)")
    finding = only(findings(make_course({ABOUT2: text}), "IMP102"))
    assert (finding.path, finding.line) == (ABOUT2, line_of(text, "TIER**"))
    assert '"⭐⭐⭐ (3/4)" differs from "⭐⭐"' in finding.message


def test_no_metadata_is_skipped(make_course: CourseFactory, findings: Findings) -> None:
    broken = about(2).replace('time_estimate: "2-4 hours"', "time_estimate: [")
    assert findings(make_course({ABOUT2: broken}), "IMP101") == []


def test_pages_with_old_module_numbers(make_course: CourseFactory, findings: Findings) -> None:
    """`02_tensor` for the module that is 01_tensor is stale wherever a page writes it; names
    that are not modules (a milestone, a script file) are never judged."""
    readme = ("# Course\n\nStart with `tito module complete 02_tensor`.\n"
              "Then run milestones/01_perceptron and 04_layers.py.\n"
              "Finally 02_tensor again, and 03_layers.\n")
    guide = "Run `tito module test 05_losses`.\n"
    found = findings(make_course({"README.md": readme, "docs/guide.md": guide}), "IMP105")
    assert [(f.path, f.line, f.places) for f in found] == [
        ("README.md", 3, (("README.md", 5),)), ("docs/guide.md", 1, ())]
    assert found[0].message == ("README.md still uses old module numbers: 02_tensor (now "
                                "01_tensor); lines 3, 5")
    assert "05_losses (now 04_losses)" in found[1].message


def test_map_left_in_the_old_order(make_course: CourseFactory, findings: Findings) -> None:
    """After a renumbering the map's lines name other modules: one finding names them all,
    and their times are not compared with the modules now at those numbers."""
    text = learning_path().replace("Module 03: Layers", "Module 03: Losses", 1).replace(
        "Module 04: Losses", "Module 04: Layers", 1)
    root = make_course({MAP: text})
    finding = only(findings(root, "IMP105"))
    assert (finding.path, finding.line) == (MAP, line_of(text, "Module 03: Losses"))
    assert ('"Module 03: Losses" (03 is 03_layers, Losses is 04_losses), "Module 04: Layers" '
            "(04 is 04_losses, Layers is 03_layers)") in finding.message
    assert findings(root, "IMP101") == [] and findings(root, "IMP102") == []


def test_map_line_without_module(make_course: CourseFactory, findings: Findings) -> None:
    text = learning_path() + "\n**Module 05: Optimizers** (2-3 hours, ⭐⭐)\n"
    finding = only(findings(make_course({MAP: text}), "IMP103"))
    assert (finding.path, finding.line) == (MAP, line_of(text, "Module 05"))
    assert '"Module 05: Optimizers" has no module folder src/05_*' in finding.message


def test_module_without_map_line(make_course: CourseFactory, findings: Findings) -> None:
    text = learning_path().replace("**Module 04: Losses** (2-3 hours, ⭐⭐⭐)", "")
    found = findings(make_course({MAP: text}), "IMP103")
    finding = only(found)
    assert (finding.path, finding.line, finding.module) == (MAP, None, "04_losses")
    assert "module 04_losses has no `**Module 04: ...**` line" in finding.message


def test_phase_time_differs(make_course: CourseFactory, findings: Findings) -> None:
    text = learning_path().replace("**Time**: 5-8 hours", "**Time**: 5-9 hours")
    finding = only(findings(make_course({MAP: text}), "IMP111"))
    assert (finding.path, finding.line) == (MAP, 15)
    assert finding.message == ('Phase 2 time "5-9 hours" differs from the sum of its 2 module '
                               "lines, 5-8 hours")


def test_phase_difficulty_does_not_span(make_course: CourseFactory, findings: Findings) -> None:
    text = learning_path().replace("⭐-⭐⭐ building", "⭐-⭐⭐⭐ building")
    finding = only(findings(make_course({MAP: text}), "IMP112"))
    assert (finding.path, finding.line) == (MAP, 7)
    assert 'Phase 1 difficulty "⭐-⭐⭐⭐" does not span its modules' in finding.message
    assert "from ⭐ (Module 01) to ⭐⭐ (Module 02)" in finding.message


def test_each_total_is_checked(make_course: CourseFactory, findings: Findings) -> None:
    text = learning_path() + "\n## Summary\n\n**Total Time**: 10-15 hours\n"
    finding = only(findings(make_course({MAP: text}), "IMP113"))
    assert (finding.path, finding.line) == (MAP, line_of(text, "10-15 hours"))
    assert finding.message == ('total time "10-15 hours" differs from the sum of the 4 module '
                               "lines, 9-15 hours")


def test_module_line_outside_phase_range(make_course: CourseFactory, findings: Findings) -> None:
    text = learning_path().replace("(Modules 03-04)", "(Modules 03-03)")
    finding = only(findings(make_course({MAP: text}), "IMP114"))
    assert (finding.path, finding.line) == (MAP, 19)
    assert '"Module 04: Losses" is listed under Phase 2 (Modules 03-03' in finding.message


def test_prerequisite_cycle_reported_once(make_course: CourseFactory,
                                          findings: Findings) -> None:
    text = about(2).replace('prerequisites: ["01_tensor"]', 'prerequisites: ["Layers"]')
    finding = only(findings(make_course({ABOUT2: text}), "IMP131"))
    assert (finding.path, finding.line) == (ABOUT2, 6)
    assert finding.message == ("prerequisites form a cycle (each needs the next): "
                               "02_activations → 03_layers → 02_activations")


def test_module_requiring_itself_is_left_to_edu132(make_course: CourseFactory,
                                                    findings: Findings) -> None:
    text = about(2).replace('prerequisites: ["01_tensor"]', 'prerequisites: ["activations"]')
    assert findings(make_course({ABOUT2: text}), "IMP131") == []


def test_longer_cycle_is_listed(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({
        ABOUT2: about(2).replace('prerequisites: ["01_tensor"]', 'prerequisites: ["04_losses"]'),
        "src/04_losses/ABOUT.md": about(4).replace('["03_layers"]', '["Layers (Module 03)"]')})
    finding = only(findings(root, "IMP131"))
    assert (finding.path, finding.line) == (ABOUT2, 6)
    assert finding.message.endswith("02_activations → 04_losses → 03_layers → 02_activations")


@pytest.mark.parametrize(("reference", "expected"), [
    ("01_tensor", "01_tensor"), ("tensor", "01_tensor"), ("Layers", "03_layers"),
    ("Activations (Module 02)", "02_activations"), ("Losses", "04_losses"),
    ("Benchmarking (Module 03)", "03_layers"), ("Optimization (Modules 02-03)", None),
    ("Basic Python", None)])
def test_module_references_resolve(make_course: CourseFactory, reference: str,
                                   expected: str | None) -> None:
    subtitled = about(4).replace('title: "Losses"', 'title: "Losses - Measuring Error"')
    course = load_course(make_course({"src/04_losses/ABOUT.md": subtitled}))
    found = resolve_module_reference(course, reference)
    assert (found.id if found else None) == expected


def test_imp104_missing_course_map(make_course: CourseFactory, findings: Findings) -> None:
    [finding] = findings(make_course({"src/LEARNING_PATH.md": None}), "IMP104")
    assert finding.path == "src/LEARNING_PATH.md"
    assert "is missing: the course has no map of its modules" in finding.message
