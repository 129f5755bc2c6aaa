"""The static checks of the testing gate on tiny courses broken in one place each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory

from checks.findings import Finding

Findings = Callable[[Path, str], list[Finding]]


@pytest.mark.parametrize("code", ["TST101", "TST102", "TST103", "TST104", "TST105"])
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
    from checks.course import load_course
    from checks.execution.testing import plan_suites
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
