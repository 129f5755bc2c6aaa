"""The static checks of the testing gate on tiny courses broken in one place each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, line_of, only

from tinyrelease.checks.findings import Finding

Findings = Callable[[Path, str], list[Finding]]


@pytest.mark.parametrize("code", ["TST101", "TST102", "TST103", "TST104", "TST105", "TST111"])
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


def test_module_without_tests_directory(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({"tests/02_activations/test_activations_core.py": None})
    [found] = findings(root, "TST101")
    assert (found.path, found.line, found.module) == ("src/02_activations", None, "02_activations")
    assert "has no tests directory tests/02_activations/" in found.message


def test_course_without_any_tests_is_one_finding(make_course: CourseFactory,
                                                 findings: Findings) -> None:
    root = make_course({f"tests/{mid}/test_{mid[3:]}_core.py": None
                        for mid in ("01_tensor", "02_activations", "03_layers", "04_losses")})
    [found] = findings(root, "TST101")
    assert found.path == "tests" and "no test directories" in found.message


def test_orphan_test_directory(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({"tests/07_layers/test_old.py": "def test_old():\n    pass\n",
                        "tests/integration/test_flow.py": "def test_flow():\n    pass\n"})
    [found] = findings(root, "TST102")
    assert (found.code, found.path, found.line) == ("TST102", "tests/07_layers", None)
    assert "no module 07_layers exists; module 03_layers has the same name" in found.message


def test_test_file_with_syntax_error(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({"tests/01_tensor/test_tensor_core.py": "import os\n\ndef broken(:\n"})
    [found] = findings(root, "TST103")
    assert (found.path, found.line, found.module) == (
        "tests/01_tensor/test_tensor_core.py", 3, "01_tensor")
    assert "does not parse" in found.message


def test_duplicate_basenames_without_packages(make_course: CourseFactory,
                                              findings: Findings) -> None:
    root = make_course({"tests/integration/test_tensor_core.py": "def test_x():\n    pass\n"})
    [found] = findings(root, "TST104")
    assert (found.path, found.line) == ("tests/integration/test_tensor_core.py", None)
    assert ("test_tensor_core.py is in 2 test directories without __init__.py "
            "(tests/01_tensor/test_tensor_core.py, tests/integration/test_tensor_core.py)"
            ) in found.message


def test_duplicate_basenames_in_packages_are_fine(make_course: CourseFactory,
                                                  findings: Findings) -> None:
    root = make_course({"tests/integration/test_tensor_core.py": "def test_x():\n    pass\n",
                        "tests/integration/__init__.py": ""})
    assert findings(root, "TST104") == []


def test_import_of_module_no_source_exports(make_course: CourseFactory,
                                            findings: Findings) -> None:
    root = make_course({"tests/03_layers/test_layers_core.py": (
        "import numpy\nimport minicourse\nfrom minicourse.core import layers\n"
        "from minicourse.core.layers import make_layers\n"
        "from minicourse.core.dense import Dense\n")})
    [found] = findings(root, "TST105")
    assert (found.path, found.line, found.module) == (
        "tests/03_layers/test_layers_core.py", 5, "03_layers")
    assert "imports minicourse.core.dense, which no module source exports" in found.message


def test_renumbered_test_folders_are_their_modules_suites(make_course: CourseFactory,
                                                         findings: Findings) -> None:
    """`tests/07_layers` for the module now numbered `03_layers`: its suite, under a warning."""
    from coursebuilder import test_file

    root = make_course({"tests/03_layers/test_layers_core.py": None,
                        "tests/07_layers/test_layers_core.py": test_file(3)})
    assert findings(root, "TST101") == []
    [found] = findings(root, "TST102")
    assert found.severity.value == "warning" and found.module == "03_layers"
    assert found.message == ("tests/07_layers/ holds the tests of 03_layers under its old "
                             "number (they run as its suite): rename it tests/03_layers/")
    from tinyrelease.checks.course import load_course
    from tinyrelease.checks.execution.testing import plan_suites
    suites, _ = plan_suites(load_course(root), None, False)
    assert ("03_layers", "tests/07_layers") in {(s.module, s.path) for s in suites}


def test_one_stale_module_imported_by_many_tests_is_one_finding(make_course: CourseFactory,
                                                                findings: Findings) -> None:
    stale = "from minicourse.core.dense import Dense\n\n\ndef test_dense():\n    assert Dense\n"
    root = make_course({"tests/02_activations/test_dense_use.py": stale,
                        "tests/03_layers/test_dense_core.py": stale,
                        "tests/integration/test_dense_flow.py": stale})
    [found] = findings(root, "TST105")
    assert found.message == ("3 test file(s) import minicourse.core.dense, which no module "
                             "source exports (no `#| default_exp core.dense`)")
    assert (found.path, found.line) == ("tests/02_activations/test_dense_use.py", 1)
    assert found.places == (("tests/03_layers/test_dense_core.py", 1),
                            ("tests/integration/test_dense_flow.py", 1))


CORE_TEST = "tests/02_activations/test_activations_core.py"
CANNOT_FAIL = """import numpy as np


class TestActivations:
    def test_relu(self):
        try:
            from minicourse.core.activations import relu
            assert relu(-1.0) == 0.0
        except ImportError:
            assert True, "relu is not written yet"

    def test_shape(self):
        from minicourse.core.activations import make_activations
        if hasattr(make_activations(np.ones(3)), "shape"):
            assert True


def test_gradient():
    from minicourse.core.activations import make_activations
    if make_activations(2.0) != 2.0:
        print("wrong value")
        return False
    return True


def test_batch():
    try:
        from minicourse.core.activations import make_activations
        assert make_activations([1, 2]) == [1, 2]
    except Exception as error:
        print(f"batch failed: {error}")
"""


def test_tests_that_cannot_fail_are_one_finding_per_file(make_course: CourseFactory,
                                                          findings: Findings) -> None:
    root = make_course({CORE_TEST: CANNOT_FAIL})
    found = only(findings(root, "TST111"))
    lines = [line_of(CANNOT_FAIL, needle) for needle in (
        "except ImportError:", "assert True\n", "return False", "except Exception as error:")]
    assert (found.code, found.path, found.line, found.module) == (
        "TST111", CORE_TEST, lines[0], None)
    assert found.places == tuple((CORE_TEST, line) for line in lines[1:])
    assert found.message.startswith(f"4 places in {CORE_TEST} keep its tests from failing: ")
    for words in (f"TestActivations.test_relu() catches `ImportError` and only asserts a "
                  f"constant, so a missing module passes the test (line {lines[0]})",
                  f"TestActivations.test_shape() asserts `True`, which never fails "
                  f"(line {lines[1]})",
                  f"test_gradient() returns False, which pytest ignores: the test passes "
                  f"(line {lines[2]})",
                  "test_batch() catches `Exception` and only prints, so any error passes "
                  "the test"):
        assert words in found.message


def test_one_place_is_told_on_its_own(make_course: CourseFactory, findings: Findings) -> None:
    text = ("def test_import():\n    try:\n        import minicourse.core.tensor\n"
            "    except:\n        return\n")
    found = only(findings(make_course({CORE_TEST: text}), "TST111"))
    assert (found.path, found.line, found.places) == (CORE_TEST, 4, ())
    assert found.message == ("test_import() catches a bare `except:` and only returns, so any "
                             "error passes the test")


def test_an_assert_of_a_tuple_never_fails(make_course: CourseFactory,
                                          findings: Findings) -> None:
    text = ("from minicourse.core.tensor import make_tensor\n\n\ndef test_make_tensor():\n"
            '    assert (make_tensor(2) == 3, "two")\n')
    found = only(findings(make_course({CORE_TEST: text}), "TST111"))
    assert (found.path, found.line) == (CORE_TEST, 5)
    assert found.message == ("test_make_tensor() asserts `(make_tensor(2) == 3, 'two')`, which "
                             "never fails")


PASSING_IDIOMS = """import pytest

from minicourse.core.activations import make_activations


def test_unfinished_part_raises():
    try:
        make_activations.backward()
        assert False, "backward should not exist yet"
    except AttributeError:
        pass


def test_or_fail():
    try:
        make_activations(None)
        pytest.fail("None should be refused")
    except Exception:
        pass


def test_or_else():
    try:
        make_activations("x")
    except Exception:
        pass
    else:
        pytest.fail("text should be refused")


def test_flag_checked_later():
    try:
        make_activations(1)
        ok = True
    except Exception:
        ok = False
    assert ok


def test_optional_dependency():
    try:
        import matplotlib
    except ImportError:
        matplotlib = None
    assert make_activations(1) == 1


def test_skipped_when_missing():
    try:
        from minicourse.core.layers import Linear
    except ImportError:
        pytest.skip("layers come later")
    assert Linear


def test_reraised():
    try:
        assert make_activations(2) == 2
    except AssertionError:
        print("see the lesson on activations")
        raise


def test_implementation_raises_assertion():
    try:
        make_activations([[1], [2, 3]])
    except (ValueError, AssertionError) as error:
        print(f"ragged input refused: {error}")


def test_reached_the_end():
    assert make_activations(3) == 3
    assert True, "everything above passed"


def test_verdict_after_checks():
    assert make_activations(4) == 4
    return True


def test_nested_helper():
    def close(a, b):
        if abs(a - b) > 1e-6:
            return False
        return True
    assert close(make_activations(0.5), 0.5)


def test_package(name, module):
    try:
        __import__(module)
    except Exception as error:
        return False, str(error)
    return True, name


class TestPackages:
    @pytest.mark.parametrize("name", ["numpy"])
    def test_packages(self, name):
        ok, why = test_package(name, name)
        assert ok, why


def helper_swallows():
    try:
        make_activations(1)
    except Exception:
        return False
"""


def test_idioms_that_can_fail_pass(make_course: CourseFactory, findings: Findings) -> None:
    assert findings(make_course({CORE_TEST: PASSING_IDIOMS}), "TST111") == []
