"""A course shaped like TinyTorch 2026 under the tinytorch-2026 profile: read without false
findings, every planted break of its conventions found at its file and line, and no
convention check at all on a course that states none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from course2026 import PACKAGE, files_2026, module_id, source
from coursebuilder import CourseFactory, line_of, only

from tinyrelease.checks.catalog import all_checks
from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import run_gates
from tinyrelease.checks.findings import Finding, Severity

Findings = Callable[[Path, str], list[Finding]]
MID = module_id(2)
SOURCE = f"src/{MID}/{MID}.py"
ABOUT = f"src/{MID}/ABOUT.md"
CONVENTION_CODES = sorted(c.code for c in all_checks() if c.convention)


def shaped(make_course: CourseFactory, changes: dict[str, str | None] | None = None) -> Path:
    return make_course({**files_2026(), **(changes or {})}, base=False)


def edited(old: str, new: str, number: int = 2, count: int = 1) -> dict[str, str | None]:
    text = source(number)
    assert old in text
    return {f"src/{module_id(number)}/{module_id(number)}.py": text.replace(old, new, count)}


def static_findings(root: Path) -> list[Finding]:
    return [f for f in run_gates(load_course(root)).findings if f.waived is None]


def test_shaped_course_reads_clean_but_for_its_stale_map(make_course: CourseFactory) -> None:
    root = shaped(make_course)
    course = load_course(root)
    assert course.conventions.profile == "tinytorch-2026"
    module = course.module(MID)
    assert module is not None and module.title == "Activations"
    assert module.stated("difficulty") is not None
    assert module.stated("time").path == ABOUT  # type: ignore[union-attr]
    assert [r.role for r in module.source.regions] == ["core", "core"]  # type: ignore[union-attr]
    finding = only(static_findings(root))
    assert (finding.code, finding.path, finding.line) == ("IMP105", "src/LEARNING_PATH.md", 9)
    assert '"Module 03: Autograd" (03 is 03_dataloader, Autograd is 04_autograd)' in (
        finding.message)
    assert '"Module 04: DataLoader" (04 is 04_autograd' in finding.message


def test_profile_detected_from_the_info_blocks(make_course: CourseFactory) -> None:
    pyproject = files_2026()["pyproject.toml"].split("[tool.tinyrelease.conventions]")[0]
    course = load_course(shaped(make_course, {"pyproject.toml": pyproject}))
    assert (course.conventions.profile, course.conventions.stated) == ("tinytorch-2026", False)
    assert "5 of 5 ABOUT.md files carry a \"Module Info\" admonition" in (
        course.conventions.evidence)


@pytest.mark.parametrize("statement", ['profile = "none"', None])
def test_no_convention_check_without_conventions(make_course: CourseFactory,
                                                 statement: str | None) -> None:
    """Every convention broken at once; a course that states none (or states "none") and
    matches no profile hears of none of them."""
    pyproject = files_2026()["pyproject.toml"].split("[tool.tinyrelease.conventions]")[0]
    if statement:
        pyproject += f"\n[tool.tinyrelease.conventions]\n{statement}\n"
    broken = source(2).replace("## 🔗", "## Prerequisites - and more").replace(
        "#| export\ndef", "def").replace("TODO:", "").replace("**Expected**", "")
    changes: dict[str, str | None] = {"pyproject.toml": pyproject, SOURCE: broken}
    for number in range(1, 6):  # no info blocks: nothing to detect a profile from
        changes[f"src/{module_id(number)}/ABOUT.md"] = f"# {module_id(number)}\n\nText.\n"
    course = load_course(shaped(make_course, changes))
    assert course.conventions.profile == "none"
    fired = {f.code for f in run_gates(course).findings}
    assert fired & set(CONVENTION_CODES) == set()


# The module spine and headings


def test_spine_missing_unknown_and_out_of_order(make_course: CourseFactory,
                                                findings: Findings) -> None:
    text = source(2).replace("## 💡 Introduction: Why Activations", "## A Detour").replace(
        "## 🔧 Integration: Putting Steps Together", "### Putting Steps Together")
    text = text.replace("## ⭐ Aha Moment: Steps Compose\n", "").replace(
        "## 🤔 ML Systems Reflection Questions", "## ⭐ Aha Moment: Early\n\n"
        "## 🤔 ML Systems Reflection Questions")
    finding = only(findings(shaped(make_course, {SOURCE: text}), "EDU161"))
    assert (finding.path, finding.severity) == (SOURCE, Severity.ERROR)
    assert "does not follow the 13-section spine" in finding.message
    assert "no '💡 Introduction', '🔧 Integration' section" in finding.message
    assert '"## A Detour" is not a section of the spine (make it a ### subsection)' in (
        finding.message)
    assert '"## 🤔 ML Systems Reflection Questions" comes after "⭐ Aha Moment"' in (
        finding.message)
    assert (SOURCE, line_of(text, "## A Detour")) in finding.places


def test_capstone_needs_no_systems_analysis(make_course: CourseFactory,
                                            findings: Findings) -> None:
    assert "📊 Systems Analysis" not in source(5)
    assert findings(shaped(make_course), "EDU161") == []
    without = source(4).replace("## 📊 Systems Analysis: Cost of Autograd", "### Cost")
    finding = only(findings(shaped(make_course, {f"src/{module_id(4)}/{module_id(4)}.py":
                                                 without}), "EDU161"))
    assert "no '📊 Systems Analysis' section" in finding.message


def test_repeated_sections(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace("## 🏗️ Implementation: More Activations",
                             "## 🏗️ Implementation: Activations Steps")
    finding = only(findings(shaped(make_course, {SOURCE: text}), "EDU162"))
    second = line_of(text, "### Part 2")  # the repeat is the heading just above it
    assert finding.path == SOURCE and finding.line is not None and finding.line < second
    assert '"## 🏗️ Implementation: Activations Steps" (first on line' in finding.message


def test_dash_subtitles(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace("## 💡 Introduction: Why", "## 💡 Introduction - Why").replace(
        "### Question 2: Speed", "### Question 2 - Speed")
    finding = only(findings(shaped(make_course, {SOURCE: text}), "EDU163"))
    assert (finding.path, finding.line) == (SOURCE, line_of(text, "## 💡 Introduction - Why"))
    assert finding.message.startswith('2 headings use "-" instead of ":"')
    assert finding.places == ((SOURCE, line_of(text, "### Question 2 - Speed")),)


@pytest.mark.parametrize(("old", "new", "said"), [
    ("### Systems Insights Discovered\n", "", "Key Accomplishments, Ready for Next Steps"),
    ("**Next**: the module after this one.\n", "**Next**: the module after this one.\n\n"
     "A closing remark.\n", "text after the Next line"),
    ("Export with: `tito", "Run `tito", "Ready for Next Steps, **Next**:"),
])
def test_summary_form(make_course: CourseFactory, findings: Findings, old: str, new: str,
                      said: str) -> None:
    text = source(2).replace(old, new)
    finding = only(findings(shaped(make_course, {SOURCE: text}), "EDU164"))
    assert (finding.path, finding.line) == (SOURCE, line_of(text, "## 🚀 MODULE SUMMARY"))
    assert said in finding.message
    assert "expected Key Accomplishments, Systems Insights Discovered, Ready for Next Steps, " \
           "Export with:, **Next**:, in that order" in finding.message


def test_dependencies_labels(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace("**External Dependencies**: NumPy.\n\n", "")
    finding = only(findings(shaped(make_course, {SOURCE: text}), "EDU165"))
    assert (finding.path, finding.line) == (SOURCE, line_of(text, "## 📋 Module Dependencies"))
    assert "has the labels Prerequisites, TinyTorch Dependencies, Dependency Flow" in (
        finding.message)


def test_dependencies_match_the_imports(make_course: CourseFactory, findings: Findings) -> None:
    number = 4  # imports tensor and activations, lists both
    mid = module_id(number)
    text = source(number).replace(f"`{PACKAGE}.core.activations`", f"`{PACKAGE}.core.dataloader`")
    finding = only(findings(shaped(make_course, {f"src/{mid}/{mid}.py": text}), "EDU165"))
    assert finding.path == f"src/{mid}/{mid}.py"
    assert ("the TinyTorch Dependencies list does not match the imports: imports "
            "02_activations without listing it; lists 03_dataloader but does not import it"
            ) == finding.message


def test_reflection_questions(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace("### Question 2: Speed", "### Speed")
    finding = only(findings(shaped(make_course, {SOURCE: text}), "EDU166"))
    assert (finding.path, finding.line) == (SOURCE, line_of(text, "### Speed"))
    as_code = source(2).replace('# %% [markdown]\n"""\n## 🤔 ML Systems Reflection Questions',
                                '# %%\n"""\n## 🤔 ML Systems Reflection Questions')
    finding = only(findings(shaped(make_course, {SOURCE: as_code}), "EDU166"))
    assert "is written in a code cell" in finding.message


# Exercises and unit tests


def test_exercise_without_lead_in(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace('# %% [markdown]\n"""\n### Part 2', '# %%\n"""\n### Part 2')
    finding = only(findings(shaped(make_course, {SOURCE: text}), "IMP161"))
    assert finding.path == SOURCE
    assert finding.line == line_of(text, '# %% nbgrader={"grade": false, "grade_id": '
                                         '"activations-step2"')
    assert finding.message == ("exercises without a Markdown cell before them: "
                               "activations-step2")


def test_exercise_not_exported_and_unscaffolded(make_course: CourseFactory,
                                                findings: Findings) -> None:
    text = source(2).replace("#| export\ndef activations_step1", "def activations_step1").replace(
        "    APPROACH:\n    1. Multiply by 2.\n", "")
    root = shaped(make_course, {SOURCE: text})
    exported = only(findings(root, "IMP162"))
    assert exported.line == line_of(text, '"grade_id": "activations-step1"')
    assert "activations-step1 opens with 'def activations_step1(value):'" in exported.message
    scaffold = only(findings(root, "IMP163"))
    assert scaffold.line == line_of(text, '"grade_id": "activations-step2"')
    assert scaffold.message == "exercises without their scaffold: activations-step2 (no APPROACH:)"


def test_too_many_exercises_before_a_test(make_course: CourseFactory,
                                          findings: Findings) -> None:
    root = shaped(make_course, {"pyproject.toml": files_2026()["pyproject.toml"]
                                + "\n[tool.tinyrelease.conventions.exercises]\n"
                                  "max_before_test = 0\n"})
    found = findings(root, "IMP164")
    assert {f.path for f in found} == {f"src/{module_id(n)}/{module_id(n)}.py" for n in range(1, 6)}
    assert all(f.message.startswith("runs of more than 0 exercises without a test: 1 "
                                    "exercises from") for f in found)
    assert findings(shaped(make_course), "IMP164") == []


def test_unit_test_briefing_and_grammar(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace("**Why it matters**: later steps rely on it.\n", "", 1).replace(
        'print("✅ step 2 works")', 'print("done")')
    root = shaped(make_course, {SOURCE: text})
    briefing = only(findings(root, "IMP165"))
    assert briefing.line == line_of(text, '"grade_id": "test-activations-step1"')
    assert "test-activations-step1 (no **Why it matters**)" in briefing.message
    grammar = only(findings(root, "IMP166"))
    assert grammar.line == line_of(text, '"grade_id": "test-activations-step2"')
    assert "test-activations-step2 prints no 🧪 Unit Test: / ✅" in grammar.message
    heading = source(2).replace("### 🧪 Unit Test: Activations Step 1", "#### Unit Test 1")
    finding = only(findings(shaped(make_course, {SOURCE: heading}), "IMP166"))
    assert '"#### Unit Test 1"' in finding.message


def test_module_test_run_outside_the_tail_cell(make_course: CourseFactory,
                                               findings: Findings) -> None:
    text = source(2).replace('    print("✅ module 02 works")\n',
                             '    print("✅ module 02 works")\n\nif __name__ == "__main__":\n'
                             "    test_module()\n")
    finding = only(findings(shaped(make_course, {SOURCE: text}), "IMP167"))
    assert finding.line == line_of(text, '"grade_id": "module-test"')
    assert "test_module() runs from the cell on line" in finding.message
    no_demo = source(2).replace("    print()\n    demo_activations()\n", "")
    finding = only(findings(shaped(make_course, {SOURCE: no_demo}), "IMP167"))
    assert "the last code cell calls test_module under the main guard, not test_module() " \
           "then demo_...()" in finding.message


def test_unknown_solution_role(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2).replace("role=core", "role=scafold", 1)
    finding = only(findings(shaped(make_course, {SOURCE: text}), "IMP155"))
    assert (finding.path, finding.line) == (SOURCE, line_of(text, "role=scafold"))
    assert "role='scafold'" in finding.message
    assert "known: core, scaffold, challenge, instructor" in finding.message


# ABOUT.md without front matter


def test_info_block(make_course: CourseFactory, findings: Findings) -> None:
    about = files_2026()[ABOUT]
    broken = about.replace("Difficulty: ●●○○", "Difficulty: hard-ish")
    finding = only(findings(shaped(make_course, {ABOUT: broken}), "DOC104"))
    assert (finding.path, finding.line) == (ABOUT, line_of(broken, "**FOUNDATION TIER**"))
    assert 'has Difficulty "hard-ish", which cannot be read' in finding.message
    gone = about.replace(":::{admonition} Module Info", ":::{note}")
    finding = only(findings(shaped(make_course, {ABOUT: gone}), "DOC104"))
    assert 'ABOUT.md has no "Module Info" admonition' in finding.message


def test_time_on_the_info_line_is_the_record(make_course: CourseFactory,
                                             findings: Findings) -> None:
    readme = "# Activations\n\n**Time**: 9-12 hours\n"
    finding = only(findings(shaped(make_course, {f"src/{MID}/README.md": readme}), "IMP101"))
    assert (finding.path, finding.line) == (f"src/{MID}/README.md", 3)
    info = line_of(files_2026()[ABOUT], "**FOUNDATION TIER**")
    assert finding.message == (f'time "9-12 hours" differs from "3-5 hours" in {ABOUT} line {info}')


def test_info_line_prerequisites_point_back(make_course: CourseFactory,
                                            findings: Findings) -> None:
    about = files_2026()[ABOUT].replace("Prerequisites: 01\n", "Prerequisites: 01, 04\n")
    finding = only(findings(shaped(make_course, {ABOUT: about}), "EDU132"))
    assert (finding.path, finding.line) == (ABOUT, line_of(about, "**FOUNDATION TIER**"))
    assert 'prerequisite "04" is module 04, which does not come before 02_activations' in (
        finding.message)


def test_heading_number_in_the_course_form(make_course: CourseFactory,
                                           findings: Findings) -> None:
    about = files_2026()[ABOUT].replace("# Module 02:", "# Module 05:")
    finding = only(findings(shaped(make_course, {ABOUT: about}), "DOC102"))
    assert 'write "# Module 02: Title"' in finding.message


def test_dependencies_read_as_written(make_course: CourseFactory, findings: Findings) -> None:
    """Bold module names in list items belong to the list; a paragraph explaining what the
    module does not import lists nothing."""
    number = 4
    mid = module_id(number)
    listed = (f"**TinyTorch Dependencies**:\n- **Module 01 (Tensor)**: the data\n"
              f"  - Used for: everything\n- **Module 02 (Activations)**: the functions\n\n"
              "Nothing comes from Module 03 (DataLoader): batches arrive later, in "
              f"`{PACKAGE}.core.dataloader`.\n")
    text = source(number).replace(
        f"**TinyTorch Dependencies**: `{PACKAGE}.core.tensor`, `{PACKAGE}.core.activations`\n",
        listed)
    assert listed in text
    assert findings(shaped(make_course, {f"src/{mid}/{mid}.py": text}), "EDU165") == []


def test_a_solution_cell_without_a_region_is_not_an_exercise(make_course: CourseFactory,
                                                             findings: Findings) -> None:
    """A setup cell marked as a solution is IMP153's finding (it has no region), not four
    findings about a malformed exercise."""
    text = source(2).replace('"grade_id": "imports", "solution": false',
                             '"grade_id": "imports", "solution": true')
    root = shaped(make_course, {SOURCE: text})
    assert only(findings(root, "IMP153")).path == SOURCE
    for code in ("IMP161", "IMP162", "IMP163", "IMP164"):
        assert findings(root, code) == []


def test_dependencies_as_a_table(make_course: CourseFactory, findings: Findings) -> None:
    """The table form: one row per dependency. A row naming a module the data comes from is
    fine; a module the code imports needs its row."""
    number = 4
    mid = module_id(number)
    rows = ("| Dependency | Origin | Purpose |\n| :--- | :--- | :--- |\n"
            "| `tensor_step1` | Module 01 (`core.tensor`) | values |\n"
            "| batches | Module 03 (`core.dataloader`) | where the data comes from |\n")
    text = source(number)
    start = text.index("**Prerequisites**: the modules listed")
    end = text.index("**Dependency Flow**: earlier modules, then this one.\n")
    text = text[:start] + rows + text[end + len("**Dependency Flow**: earlier modules, then "
                                                "this one.\n"):]
    finding = only(findings(shaped(make_course, {f"src/{mid}/{mid}.py": text}), "EDU165"))
    assert finding.message == ("the dependencies table does not match the imports: imports "
                               "02_activations without listing it")
    assert finding.line == line_of(text, f"from {PACKAGE}.core.activations import")
