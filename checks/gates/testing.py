"""The static checks of the testing gate: one test directory per module and none left over,
test files that parse, collect together and import only what the sources export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from tinyrelease.checks.course import Course
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.common import cannot_fail, grouped, read_problems
from tinyrelease.checks.layout import MODULE_DIR
from tinyrelease.checks.registry import Hit, check


@check("TST001", "Files of the testing gate are readable")
def files_readable(course: Course) -> Iterator[Hit]:
    """A file this gate reads is a symlink leaving the course root, too large, or not UTF-8.

    Why: the gate cannot judge a file it cannot read, and a link out of the course root would
    make the checks read (and a release ship) files that are not part of the course.
    Fix: replace the link with the file itself, split or remove the huge file, or re-save the
    file as UTF-8.
    """
    yield from read_problems(course, "testing")


def _module_of_folder(course: Course, folder: str) -> str | None:
    """The module a test folder belongs to (`tests/03_layers/...` -> `03_layers`)."""
    return course.tests.module_of(folder)


def _importable(course: Course, name: str, exported: set[str] | None = None) -> bool:
    """A package module a fresh export provides: exported, or a package above exported ones."""
    exported = course.exported_modules if exported is None else exported
    tree = course.package.modules if course.package else {}
    return (name in exported or tree.get(name, "").endswith("__init__.py")
            or any(target.startswith(name + ".") for target in exported))


@check("TST101", "Every module has a tests directory")
def module_tests_exist(course: Course) -> Iterator[Hit]:
    """A module has no test directory `tests/<module id>/`.

    Why: the release bar is that every module's suite passes; a module without one is never
    tested outside its own notebook, so breakage from later modules goes unnoticed.
    Fix: create `tests/<module id>/` with at least a `test_<name>_core.py`, or rename the
    module's test directory to the module's id after a renumbering.
    """
    if any(problem.path == course.tests.root for problem in course.files.problems):
        return  # TST001 says why tests/ was not read (a link out of the course, no access)
    if not course.tests.folders:
        yield Hit("tests/ holds no test directories (expected one per module, such as "
                  f"tests/{course.modules[0].id}/)" if course.modules else "tests/ is empty",
                  course.tests.root)
        return
    for module in course.modules:
        if module.id not in course.tests.module_folders:
            yield Hit(f"module {module.id} has no tests directory tests/{module.id}/",
                      module.dir, module=module.id)


@check("TST102", "Test directories name real modules")
def test_folders_name_modules(course: Course) -> Iterator[Hit]:
    """A test directory is named like a module (`NN_name`) but no module has that id.

    Why: renumbering modules leaves the old test directories behind; their tests then test
    nothing, or test a module under the wrong number, and readers cannot tell which is which.
    Fix: rename the directory to the module's current id, or delete it if the module is gone.
    Directories not shaped like a module (`integration`, `checkpoints`, `milestones`) are fine.
    """
    owner = {folder: module for module, folder in course.tests.module_folders.items()}
    renamed = []
    for folder in course.tests.folders:
        shape = MODULE_DIR.match(folder)
        if shape is None or course.module(folder) is not None:
            continue
        if folder in owner:
            renamed.append(Hit(f"tests/{folder}/ holds the tests of {owner[folder]} under its "
                               f"old number (they run as its suite): rename it tests/"
                               f"{owner[folder]}/", f"{course.tests.root}/{folder}",
                               module=owner[folder], severity=Severity.WARNING))
            continue
        moved = [m.id for m in course.modules if m.name == shape["name"]]
        hint = (f"; module {moved[0]} has the same name and its own tests/"
                f"{course.tests.module_folders.get(moved[0], moved[0])}/ (a leftover of a "
                "renumbering?)" if moved else ", and no module has its name")
        yield Hit(f"tests/{folder}/ is named like a module but no module {folder} exists{hint}",
                  f"{course.tests.root}/{folder}")
    yield from grouped(renamed, lambda hit: "renumbered", lambda hits: (
        f"{len(hits)} test folders keep the old numbers of renumbered modules (they run as "
        "their suites): " + "; ".join(h.message.split(" (they run")[0].replace(
            "holds the tests of ", "→ ").replace(" under its old number", "") for h in hits)
        + "; rename them"))


@check("TST103", "Test files are valid Python")
def test_files_parse(course: Course) -> Iterator[Hit]:
    """A test file does not parse as Python.

    Why: pytest stops collecting with an error on such a file, and every test in it is lost.
    Fix: correct the syntax at the line given.
    """
    for test in course.tests.files:
        if test.syntax_error is not None:
            line, message = test.syntax_error
            yield Hit(f"{test.path} does not parse: {message} (line {line})", test.path, line,
                      _module_of_folder(course, test.folder))


@check("TST104", "Test file names are unique across plain directories")
def test_basenames_unique(course: Course) -> Iterator[Hit]:
    """Test files share a basename in several test directories that have no `__init__.py`.

    Why: pytest's default import mode imports such files by their basename, so the second one
    fails to collect with "import file mismatch" and the whole run errors.
    Fix: rename the files to unique names (`test_tensor_core.py`), or add an empty
    `__init__.py` to each of those test directories.
    """
    paths: dict[str, list[str]] = defaultdict(list)
    for test in course.tests.files:
        if test.folder not in course.tests.packages:
            paths[test.path.rsplit("/", 1)[1]].append(test.path)
    for basename, found in sorted(paths.items()):
        if len(found) > 1:
            found.sort()
            yield Hit(f"{basename} is in {len(found)} test directories without __init__.py "
                      f"({', '.join(found)}); pytest cannot collect both", found[1], None,
                      _module_of_folder(course, found[1].rsplit("/", 1)[0]),
                      places=tuple((path, None) for path in found[2:]))


@check("TST105", "Tests import only modules the sources export")
def test_imports_exported(course: Course) -> Iterator[Hit]:
    """A test imports a package module (`pkg.core.dense`) that no module source exports.

    Why: the test passes only where a stale generated file still exists; from a fresh export
    the import fails and the whole test file errors (or, when the test guards the import with
    `try`/`except ImportError`, it passes without testing anything).
    Fix: import the module the source exports to now (its `#| default_exp`), or restore the
    `default_exp` the test expects.
    """
    name = course.package_name
    if name is None or not course.exports_known:
        return
    hits: dict[str, list[Hit]] = {}  # one cause per module the sources no longer export
    exported, importable = course.exported_modules, dict[str, bool]()
    for test in course.tests.files:
        for found in test.imports:
            if not found.module.startswith(name + "."):
                continue
            if found.module not in importable:
                importable[found.module] = _importable(course, found.module, exported)
            if not importable[found.module]:
                hits.setdefault(found.module, []).append(Hit(
                    f"{test.path} imports {found.module}, which no module source exports "
                    f"(no `#| default_exp {found.module[len(name) + 1:]}`)", test.path,
                    found.line, _module_of_folder(course, test.folder)))
    for module, group in hits.items():
        first = group[0]
        if len(group) == 1:
            yield first
            continue
        files = len({hit.path for hit in group})
        yield Hit(f"{files} test file(s) import {module}, which no module source exports (no "
                  f"`#| default_exp {module[len(name) + 1:]}`)", first.path, first.line,
                  first.module, places=tuple((h.path, h.line) for h in group[1:] if h.path))


@check("TST111", "Tests can fail")
def tests_can_fail(course: Course) -> Iterator[Hit]:
    """A test in a test file cannot fail where it should: it returns False (pytest ignores a
    test's return value), asserts a constant such as `assert True`, or catches what a missing
    or broken implementation raises (a bare `except:`, `Exception`, `AssertionError`,
    `ImportError`, `NotImplementedError`, `AttributeError`, `NameError`) and then only passes,
    prints, returns or sets a flag it never checks. A handler after `assert False` or
    `pytest.fail(...)` that it does not catch is the expected-raise idiom, and is left alone.

    Why: such a test passes while the code it tests is missing or wrong, so the suite's green
    says nothing; learners and the release bar trust it.
    Fix: let the error propagate, or fail with `pytest.fail(...)`; skip with `pytest.skip(...)`
    or `pytest.importorskip(...)` what truly cannot run; assert instead of returning a verdict;
    test the raise with `pytest.raises(...)`.
    """
    for test_file in course.tests.files:
        yield from cannot_fail(test_file.unfailing, test_file.path, None)
