"""The checks of the systems gate on tiny courses broken in one place each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, line_of, only, source

from tinyrelease.checks.findings import Finding, Severity

Findings = Callable[[Path, str], list[Finding]]
TENSOR = "src/01_tensor/01_tensor.py"


@pytest.mark.parametrize("code", ["SYS101", "SYS102", "SYS103", "SYS111", "SYS112", "SYS113",
                                  "SYS121", "SYS122"])
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


@pytest.mark.parametrize(("code", "heading", "what"), [
    ("SYS101", "## Systems Analysis: Memory", "memory analysis"),
    ("SYS102", "## Systems Analysis: Performance", "performance analysis"),
    ("SYS103", "## Production Context", "production context"),
])
def test_analysis_section_missing(make_course: CourseFactory, findings: Findings, code: str,
                                  heading: str, what: str) -> None:
    text = source(1).replace(heading, "## More Notes")
    [found] = findings(make_course({TENSOR: text}), code)
    assert (found.path, found.line, found.module) == (TENSOR, None, "01_tensor")
    assert f"has no {what} section" in found.message


@pytest.mark.parametrize(("code", "heading", "prose"), [
    ("SYS101", "## Systems Analysis: Memory", "A tensor value holds one reference"),
    ("SYS102", "## Systems Analysis: Performance", "Each call is constant time"),
    ("SYS103", "## Production Context", "Production frameworks such as PyTorch"),
])
def test_analysis_section_without_content(make_course: CourseFactory, findings: Findings,
                                          code: str, heading: str, prose: str) -> None:
    text = "\n".join("TODO: write this." if line.startswith(prose) else line
                     for line in source(1).split("\n"))
    [found] = findings(make_course({TENSOR: text}), code)
    assert (found.path, found.line) == (TENSOR, line_of(text, heading))
    assert f"\"{heading[3:]}\" has 3 words of prose; an analysis needs at least 15" in found.message


def test_subsections_count_toward_their_section(make_course: CourseFactory,
                                                findings: Findings) -> None:
    text = source(1).replace("## Systems Analysis: Memory\n\nA tensor value",
                             "## Systems Analysis: Memory\n\n### Measured\n\nA tensor value")
    assert findings(make_course({TENSOR: text}), "SYS101") == []


def test_module_without_analyze_functions(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace("analyze_", "measure_")
    [found] = findings(make_course({TENSOR: text}), "SYS111")
    assert (found.path, found.line, found.severity) == (TENSOR, None, Severity.WARNING)
    assert "defines no analyze_* function" in found.message


def test_analyze_function_never_called(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace('if __name__ == "__main__":\n    analyze_tensor_memory()\n', "")
    [found] = findings(make_course({TENSOR: text}), "SYS112")
    assert (found.path, found.line) == (TENSOR, line_of(text, "def analyze_tensor_memory"))
    assert found.message == f"analyze_tensor_memory() is defined but never called in {TENSOR}"


DEMOS = """
# %%
def explore_tensor_sizes():
    print(make_tensor(1))


def run_tensor_example(size=3):
    print(make_tensor(size))


def demo_tensor():
    print(make_tensor(2))
"""


def test_demos_never_called_are_one_finding(make_course: CourseFactory,
                                            findings: Findings) -> None:
    text = source(1) + DEMOS
    found = only(findings(make_course({TENSOR: text}), "SYS112"))
    assert (found.code, found.path, found.line, found.module) == (
        "SYS112", TENSOR, line_of(text, "def explore_tensor_sizes"), "01_tensor")
    assert found.places == ((TENSOR, line_of(text, "def run_tensor_example")),
                            (TENSOR, line_of(text, "def demo_tensor")))
    assert found.message == (f"3 demo functions are defined but never called in {TENSOR}: "
                             "explore_tensor_sizes(), run_tensor_example(), demo_tensor()")


def test_tools_and_called_demos_pass(make_course: CourseFactory, findings: Findings) -> None:
    """A function that takes data, or ships in the package, is a tool; a demo called passes."""
    text = source(1) + DEMOS.replace(
        "def explore_tensor_sizes():", "def explore_tensor_sizes(values):").replace(
        "def run_tensor_example(size=3):", "# %%\n#| export\ndef run_tensor_example(size=3):"
    ).replace("def demo_tensor():", "# %%\ndef demo_tensor():") + (
        '\nif __name__ == "__main__":\n    demo_tensor()\n')
    assert findings(make_course({TENSOR: text}), "SYS112") == []


def test_analyze_docstring_without_marker(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace('"""📊 Print', '"""Print')
    [found] = findings(make_course({TENSOR: text}), "SYS113")
    assert (found.line, found.severity) == (line_of(text, "def analyze_"), Severity.WARNING)
    assert "analyze_tensor_memory() docstring does not start with 📊" in found.message


def test_broken_source_is_left_to_the_package_gate(make_course: CourseFactory,
                                                   findings: Findings) -> None:
    text = source(1).replace("def make_tensor(value):", "def make_tensor(value:")
    assert findings(make_course({TENSOR: text}), "SYS11") == []


def test_reflection_section_missing(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace("## Reflection Questions", "## Wrapping Up")
    [found] = findings(make_course({TENSOR: text}), "SYS121")
    assert (found.path, found.line) == (TENSOR, None)
    assert "has no reflection questions section" in found.message


def test_reflection_section_without_question(make_course: CourseFactory,
                                             findings: Findings) -> None:
    text = source(1).replace("1. How would tensor scale to a large batch?", "Think it over.")
    [found] = findings(make_course({TENSOR: text}), "SYS121")
    assert (found.path, found.line) == (TENSOR, line_of(text, "## Reflection Questions"))
    assert "\"Reflection Questions\" asks no question" in found.message


def test_summary_missing(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace("## Module Summary", "## The End")
    [found] = findings(make_course({TENSOR: text}), "SYS122")
    assert (found.path, found.line, found.module) == (TENSOR, None, "01_tensor")
    assert "has no module summary section" in found.message
