"""The package gate exports, builds, checks and installs the course package for real."""

from __future__ import annotations

from pathlib import Path

from coursebuilder import PYPROJECT, CourseFactory, package_files, source

from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import GatesReport, run_gates
from tinyrelease.checks.execution.gates import Execution
from tinyrelease.checks.findings import Finding

NO_OP_EXPORT = PYPROJECT + '\n[tool.tinyrelease]\nexport_command = ["python", "-c", "pass"]\n'


def run_package(root: Path, work: Path, level: str = "standard") -> GatesReport:
    course = load_course(root)
    return run_gates(course, ["package"], level=level, execution=Execution(course, level, work))


def codes(report: GatesReport, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def test_clean_course_builds_installs_and_imports(make_course: CourseFactory,
                                                  tmp_path: Path) -> None:
    report = run_package(make_course(), tmp_path)
    gate = report.gates[0]
    assert gate.status == "pass", gate.findings
    assert gate.artifacts["wheel"] == "minicourse-0.1.0-py3-none-any.whl"
    assert "minicourse/core/tensor.py" in gate.artifacts["wheel_contents"]
    # no export_command: the nbdev project is exported as nbdev would, found from settings.ini
    assert "an nbdev project: settings.ini says lib_path = minicourse, nbs_path = src" in \
        gate.artifacts["export"]
    assert "PKG201" in gate.checks_run and "PKG203" in gate.checks_run


def test_export_cell_missing_from_package(make_course: CourseFactory, tmp_path: Path) -> None:
    extra = source(1).replace("# %% [markdown]\n\"\"\"\n## Testing", "# %%\n#| export\n"
                              "def make_scalar(value):\n    return float(value)\n\n"
                              "# %% [markdown]\n\"\"\"\n## Testing", 1)
    root = make_course({"src/01_tensor/01_tensor.py": extra, "pyproject.toml": NO_OP_EXPORT})
    [finding] = codes(run_package(root, tmp_path), "PKG202")
    assert finding.path == "src/01_tensor/01_tensor.py"
    assert "is not in minicourse/core/tensor.py after a fresh export" in finding.message
    assert extra.split("\n")[finding.line - 1] == "# %%"


def test_init_importing_a_missing_module_fails_import(make_course: CourseFactory,
                                                      tmp_path: Path) -> None:
    init = package_files()["minicourse/__init__.py"] + "from .core import autograd\n"
    report = run_package(make_course({"minicourse/__init__.py": init}), tmp_path)
    [finding] = codes(report, "PKG208")
    assert finding.path == "minicourse/__init__.py"
    assert "import minicourse fails on Python 3.11" in finding.message
    assert "autograd" in finding.message


def test_broken_pyproject_fails_the_build(make_course: CourseFactory, tmp_path: Path) -> None:
    report = run_package(make_course({"pyproject.toml": PYPROJECT.replace(
        'version = "0.1.0"', 'version = 0.1.0')}), tmp_path)
    assert codes(report, "PKG204")[0].path == "pyproject.toml"
    assert any(f.code == "PKG121" and f.line == 7 for f in report.findings)


def test_stray_files_in_the_wheel(make_course: CourseFactory, tmp_path: Path) -> None:
    loose = PYPROJECT.replace('include = ["minicourse*"]', 'include = ["minicourse*", "tests*"]')
    root = make_course({"pyproject.toml": loose, "tests/__init__.py": "",
                        "tests/01_tensor/__init__.py": ""})
    [stray] = [f.message for f in codes(run_package(root, tmp_path), "PKG206")]  # one cause
    assert stray.startswith("the wheel carries 6 file(s) that are not the package: ")
    assert "tests/01_tensor/test_tensor_core.py" in stray


def test_a_package_the_course_ships_on_purpose_is_not_stray(make_course: CourseFactory,
                                                             tmp_path: Path) -> None:
    """A CLI package the course includes and runs as a console script belongs in the wheel."""
    shipped = PYPROJECT.replace('include = ["minicourse*"]', 'include = ["minicourse*", "cli*"]'
                                ).replace("[project.urls]", '[project.scripts]\n'
                                          'mini = "cli.main:main"\n\n[project.urls]')
    root = make_course({"pyproject.toml": shipped, "cli/__init__.py": "",
                        "cli/main.py": "def main():\n    return 0\n"})
    report = run_package(root, tmp_path)
    assert codes(report, "PKG206") == []
    assert "cli/main.py" in report.gates[0].artifacts["wheel_contents"]


def test_comprehensive_installs_on_every_interpreter(make_course: CourseFactory,
                                                     tmp_path: Path) -> None:
    from tinyrelease.checks.execution.interpreters import SUPPORTED, find_interpreter
    report = run_package(make_course(), tmp_path, level="comprehensive")
    missing = [v for v in SUPPORTED if find_interpreter(v) is None]
    assert report.gates[0].status == "pass"
    assert sorted((tmp_path / "package").glob("venv-*")) == [
        tmp_path / "package" / f"venv-{v}" for v in SUPPORTED if v not in missing]
    assert [s for s in report.gates[0].skipped_steps if "no interpreter" in s] == [
        f"install-and-import on Python {v}: no interpreter found" for v in missing]


def test_changes_without_a_changelog_fragment(make_course: CourseFactory, tmp_path: Path) -> None:
    import subprocess
    root = make_course({"pyproject.toml": PYPROJECT + '\n[tool.towncrier]\ndirectory = '
                        '"changelog.d"\n', "changelog.d/.gitkeep": ""})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", "-b", "dev"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    subprocess.run([*git, "switch", "-qc", "feature"], cwd=root, check=True)
    (root / "src/01_tensor/ABOUT.md").write_text("changed\n")
    subprocess.run([*git, "commit", "-qam", "change"], cwd=root, check=True)
    [finding] = codes(run_package(root, tmp_path / "a"), "PKG209")
    assert finding.path == "changelog.d"
    assert "no changelog fragment for the changes since dev" in finding.message
    (root / "changelog.d/+about.doc.md").write_text("Rewrote the tensor page.\n")
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "fragment"], cwd=root, check=True)
    assert codes(run_package(root, tmp_path / "b"), "PKG209") == []


def test_an_export_directive_below_code_is_named(make_course: CourseFactory,
                                                 tmp_path: Path) -> None:
    late = source(1).replace("# %% [markdown]\n\"\"\"\n## Testing", "# %%\nimport math\n\n"
                             "#| export\ndef make_scalar(value):\n    return float(value)\n\n"
                             "# %% [markdown]\n\"\"\"\n## Testing", 1)
    [finding] = codes(run_package(make_course({"src/01_tensor/01_tensor.py": late}), tmp_path),
                      "PKG202")
    assert finding.message.endswith("its `#| export` comes after code, and nbdev reads "
                                    "directives only at the top of a cell")


def test_a_name_the_sources_import_that_the_package_lacks(make_course: CourseFactory,
                                                          tmp_path: Path) -> None:
    """`make_scalar` is defined in a cell without `#| export`: the notebook of module 01 has
    it, the installed package does not, and module 02's import of it fails for learners."""
    tensor = source(1).replace("# %% [markdown]\n\"\"\"\n## Testing", "# %%\n"
                               "def make_scalar(value):\n    return float(value)\n\n"
                               "# %% [markdown]\n\"\"\"\n## Testing", 1)
    importing = source(2).replace("from minicourse.core.tensor import *",
                                  "from minicourse.core.tensor import make_tensor, make_scalar")
    root = make_course({"src/01_tensor/01_tensor.py": tensor,
                        "src/02_activations/02_activations.py": importing})
    [finding] = codes(run_package(root, tmp_path), "PKG210")
    assert (finding.path, finding.module) == ("src/02_activations/02_activations.py",
                                              "02_activations")
    assert importing.split("\n")[finding.line - 1].startswith("from minicourse.core.tensor")
    assert finding.message == ("`from minicourse.core.tensor import make_scalar`: the installed "
                               "minicourse.core.tensor has no make_scalar")


def run_cached(root: Path, work: Path, cache: Path) -> GatesReport:
    course = load_course(root)
    return run_gates(course, ["package"], level="standard",
                     execution=Execution(course, "standard", work, cache=cache))


BUILD_STEP = "the distributions (build, twine, install and import)"


def test_the_build_is_served_from_cache_until_a_file_it_reads_changes(
        make_course: CourseFactory, tmp_path: Path) -> None:
    """Pages and tests are not in the distributions: editing them reuses the build, with
    its dist files; a new file in the package folder may be packaged, and an edited package
    file is, so each builds again."""
    from tinyrelease.checks.reports.skips import cached_by_run

    root = make_course()
    cold = run_cached(root, tmp_path / "a", tmp_path / "cache")
    assert cold.gates[0].cached_steps == {} and cold.gates[0].status == "pass"
    with open(root / "src/01_tensor/ABOUT.md", "a") as page:
        page.write("\nOne more sentence.\n")
    with open(root / "tests/01_tensor/test_tensor_core.py", "a") as test:
        test.write("\n\ndef test_more():\n    assert True\n")
    warm = run_cached(root, tmp_path / "b", tmp_path / "cache")
    ran_at = warm.gates[0].cached_steps[BUILD_STEP]
    assert cached_by_run(warm) == [f"{BUILD_STEP}: from cache, unchanged since the run of "
                                   f"{ran_at.replace('T', ' ').rstrip('Z')} UTC"]
    assert warm.findings == cold.findings
    assert warm.gates[0].artifacts["wheel_contents"] == cold.gates[0].artifacts["wheel_contents"]
    assert sorted(p.name for p in (tmp_path / "b/package/dist").iterdir()) == [
        "minicourse-0.1.0-py3-none-any.whl", "minicourse-0.1.0.tar.gz"]
    (root / "minicourse/extra.py").write_text("VALUE = 1\n")
    added = run_cached(root, tmp_path / "c", tmp_path / "cache")
    assert added.gates[0].cached_steps == {}
    assert "minicourse/extra.py" in added.gates[0].artifacts["wheel_contents"]
    assert codes(added, "PKG208") == []
    with open(root / "minicourse/__init__.py", "a") as init:  # a packaged file, now broken
        init.write("from .core import autograd\n")
    edited = run_cached(root, tmp_path / "d", tmp_path / "cache")
    assert edited.gates[0].cached_steps == {}
    [finding] = codes(edited, "PKG208")
    assert "import minicourse fails on Python 3.11" in finding.message


def test_the_build_key_reads_what_setup_py_names_and_nothing_through_a_link(
        make_course: CourseFactory, tmp_path: Path) -> None:
    """A `setup.py` that reads a file the distributions do not carry (its version) keys the
    build on that file; a file reached through a linked folder is never read."""
    from tinyrelease.checks.execution.package_cache import _named_in_setup
    from tinyrelease.checks.execution.suites import SuiteInputs

    root = make_course({"setup.py": 'from setuptools import setup\n'
                                    'setup(version=open("./VERSION.txt").read().strip())\n',
                        "VERSION.txt": "0.1.0\n"})
    assert _named_in_setup(root) == ["VERSION.txt"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not the course's\n")
    (root / "linked").symlink_to(outside)
    inputs = SuiteInputs(load_course(root), root, "")
    assert inputs.digest("linked/secret.txt") == "through a link out of the course"
    assert inputs.digest("VERSION.txt") != inputs.digest("setup.py")
