"""The tests inside module sources: names, one test_module, the main guard, markers, exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, edited_source, line_of, only, source

from tinyrelease.checks.findings import Finding, Severity

Findings = Callable[[Path, str], list[Finding]]
CODES = ["IMP121", "IMP122", "IMP123", "IMP124", "IMP125", "IMP126", "IMP127"]
SOURCE = "src/02_activations/02_activations.py"
UNIT = "def test_unit_make_activations():"
MODULE_TEST = "def test_module():"
GUARDED_UNIT = 'if __name__ == "__main__":\n    test_unit_make_activations()\n'


@pytest.mark.parametrize("code", CODES)
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


def test_other_test_names_are_errors(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, "# %%\ndef test_module", "# %%\ndef test_shapes():\n    pass\n\n"
                   "class Helper:\n    def test_method(self):\n        pass\n\n"
                   "def test_module")
    finding = only(findings(make_course({SOURCE: text}), "IMP121"))
    assert (finding.path, finding.line, finding.module) == (
        SOURCE, line_of(text, "def test_shapes"), "02_activations")
    assert "test function test_shapes() is neither test_unit_* nor test_module" in finding.message


def test_missing_test_module(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, MODULE_TEST, "def check_module():").replace("    test_module()",
                                                               "    check_module()")
    finding = only(findings(make_course({SOURCE: text}), "IMP122"))
    assert (finding.path, finding.line) == (SOURCE, None)
    assert f"{SOURCE} defines no test_module() integration test" == finding.message


def test_second_test_module(make_course: CourseFactory, findings: Findings) -> None:
    text = source(2) + '\n# %%\ndef test_module():\n    """🧪 Again."""\n'
    finding = only(findings(make_course({SOURCE: text}), "IMP122"))
    first = line_of(text, MODULE_TEST)
    assert finding.line == len(text.split("\n")) - 2
    assert f"test_module() is defined again (first on line {first})" in finding.message


def test_syntax_error_skips_the_source(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, MODULE_TEST, "def test_module(:")
    assert findings(make_course({SOURCE: text}), "IMP122") == []


def test_unit_test_not_called_under_guard(make_course: CourseFactory,
                                          findings: Findings) -> None:
    text = edited_source(2, GUARDED_UNIT, "test_unit_make_activations()\n").replace(
        '"""🧪 Everything in the module works together."""\n    test_unit_make_activations()',
        '"""🧪 Everything in the module works together."""\n    assert True')
    finding = only(findings(make_course({SOURCE: text}), "IMP123"))
    assert (finding.path, finding.line) == (SOURCE, line_of(text, UNIT))
    assert 'test_unit_make_activations() is never called under `if __name__ == "__main__":`' \
        in finding.message


def test_docstring_without_marker_warns(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, '"""🔬 make_activations', '"""make_activations')
    finding = only(findings(make_course({SOURCE: text}), "IMP124"))
    assert (finding.path, finding.line, finding.severity) == (
        SOURCE, line_of(text, UNIT), Severity.WARNING)
    assert finding.message == ('the docstring of test_unit_make_activations() starts with '
                               '"make_activations returns its value."; start it with 🔬')


def test_test_module_marker(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, '"""🧪 ', '"""🔬 ')
    finding = only(findings(make_course({SOURCE: text}), "IMP124"))
    assert finding.line == line_of(text, MODULE_TEST)
    assert finding.message.endswith("start it with 🧪")


def test_test_in_export_cell(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, f"{UNIT}\n", f"#| export\n{UNIT}\n")
    finding = only(findings(make_course({SOURCE: text}), "IMP125"))
    assert (finding.path, finding.line) == (SOURCE, line_of(text, UNIT))
    cell = line_of(text, '"grade_id": "test-activations-impl"')
    assert f"defined in the `#| export` cell starting on line {cell}" in finding.message


def test_a_unit_test_run_by_test_module_counts_as_run(make_course: CourseFactory,
                                                      findings: Findings) -> None:
    """Only `test_module()` is called under the guard; it calls the unit test, which runs."""
    text = edited_source(2, GUARDED_UNIT, "")
    assert "test_unit_make_activations()" in text.split("def test_module():")[1]
    assert findings(make_course({SOURCE: text}), "IMP123") == []


UNIT_BODY = ('    """🔬 make_activations returns its value."""\n'
             "    assert make_activations(3) == 3\n")


def test_source_tests_that_cannot_fail(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, UNIT_BODY, (
        '    """🔬 make_activations returns its value."""\n    try:\n'
        "        assert make_activations(3) == 3\n    except Exception as error:\n"
        '        print(f"not yet: {error}")\n')).replace(
        '"""🧪 Everything in the module works together."""\n',
        '"""🧪 Everything in the module works together."""\n'
        '    if make_activations(0) != 0:\n        assert True, "zero is fine either way"\n')
    found = only(findings(make_course({SOURCE: text}), "IMP126"))
    handler, constant = line_of(text, "except Exception"), line_of(text, "assert True")
    assert (found.code, found.path, found.line, found.module) == (
        "IMP126", SOURCE, handler, "02_activations")
    assert found.places == ((SOURCE, constant),)
    assert found.message == (
        f"2 places in {SOURCE} keep its tests from failing: test_unit_make_activations() "
        "catches `Exception` and only prints, so any error passes the test "
        f"(line {handler}); test_module() asserts `True`, which never fails (line {constant})")


def test_graded_cell_code_is_a_test(make_course: CourseFactory, findings: Findings) -> None:
    text = edited_source(2, GUARDED_UNIT, (
        "try:\n    assert make_activations(-1) == -1\nexcept AssertionError:\n    pass\n\n"
        + GUARDED_UNIT))
    found = only(findings(make_course({SOURCE: text}), "IMP126"))
    assert (found.path, found.line) == (SOURCE, line_of(text, "except AssertionError"))
    assert found.message.startswith("the graded cell `test-activations-impl` catches "
                                    "`AssertionError` and only passes")


def test_an_assert_of_a_tuple_is_told_once(make_course: CourseFactory,
                                           findings: Findings) -> None:
    """Python warns of `assert (x, "why")` when it compiles the source: PKG105 tells it."""
    text = edited_source(2, "    assert make_activations(3) == 3\n",
                         '    assert (make_activations(3) == 3, "three")\n')
    assert findings(make_course({SOURCE: text}), "IMP126") == []
    found = only(findings(make_course({SOURCE: text}), "PKG105"))
    assert found.line == line_of(text, "assert (make_activations")
    assert "assertion is always true" in found.message


def test_expected_raise_in_a_source_test_passes(make_course: CourseFactory,
                                                findings: Findings) -> None:
    text = edited_source(2, UNIT_BODY, UNIT_BODY + (
        '    try:\n        make_activations.backward()\n'
        '        assert False, "backward comes in a later module"\n'
        "    except AttributeError:\n        pass\n")).replace(
        "def analyze_activations_memory():\n",
        "def analyze_activations_memory():\n    try:\n        import psutil\n"
        "    except ImportError:\n        return\n")
    assert findings(make_course({SOURCE: text}), "IMP126") == []


LATER_HELPER = """
# %%
def check_shapes():
    \"\"\"Called by test_module, defined below its runner.\"\"\"
    assert make_activations([1]) == [1]
"""


def test_runner_calling_a_later_definition(make_course: CourseFactory,
                                           findings: Findings) -> None:
    text = edited_source(2, '"""🧪 Everything in the module works together."""\n',
                         '"""🧪 Everything in the module works together."""\n'
                         "    check_shapes()\n").replace(
        "# %% [markdown]\n\"\"\"\n## Reflection Questions", LATER_HELPER.lstrip("\n")
        + "\n# %% [markdown]\n\"\"\"\n## Reflection Questions")
    found = only(findings(make_course({SOURCE: text}), "IMP127"))
    runner = line_of(text, 'if __name__ == "__main__":\n    test_module()')
    assert (found.code, found.path, found.line, found.module) == (
        "IMP127", SOURCE, runner, "02_activations")
    assert found.message == (
        f"the block on line {runner} calls check_shapes() (through test_module()), defined "
        f"only on line {line_of(text, 'def check_shapes')}: running the notebook top to "
        "bottom raises NameError there")


def test_runners_calling_later_definitions_are_one_finding(make_course: CourseFactory,
                                                           findings: Findings) -> None:
    text = edited_source(2, GUARDED_UNIT, GUARDED_UNIT + "    Probe()\n    test_module()\n"
                         ).replace("    analyze_activations_memory()\n",
                                   "    analyze_activations_memory()\n    Summary()\n"
                                   ) + "\n# %%\nclass Summary:\n    pass\n"
    found = only(findings(make_course({SOURCE: text}), "IMP127"))
    first = line_of(text, GUARDED_UNIT)
    second = line_of(text, 'if __name__ == "__main__":\n    analyze_')
    assert (found.line, found.places) == (first, ((SOURCE, second),))
    assert found.message.startswith("2 calls of `if __name__ == \"__main__\":` blocks reach "
                                    "what is defined only further down")
    assert (f"the block on line {first} calls test_module(), defined only on line "
            f"{line_of(text, MODULE_TEST)}; the block on line {second} calls Summary(), "
            f"defined only on line {line_of(text, 'class Summary')}") in found.message
    assert "Probe()" not in found.message  # defined nowhere in the module: not ours to judge


def test_runner_leaves_methods_and_local_names_alone(make_course: CourseFactory,
                                                     findings: Findings) -> None:
    text = edited_source(2, UNIT_BODY, UNIT_BODY + (
        "    test_module = make_activations\n    test_module(1)\n"
        "    values = [3]\n    values.append(4)\n")).replace(
        "def test_module():", "def append(item):\n    return item\n\n\ndef test_module():")
    assert findings(make_course({SOURCE: text}), "IMP127") == []
