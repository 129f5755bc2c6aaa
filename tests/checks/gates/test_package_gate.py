"""The static checks of the package gate on tiny courses broken in one place each."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import (
    PACKAGE,
    PYPROJECT,
    SETTINGS,
    CourseFactory,
    line_of,
    only,
    package_files,
    source,
)

from tinyrelease.checks.findings import Finding, Severity

Findings = Callable[[Path, str], list[Finding]]
TENSOR = "src/01_tensor/01_tensor.py"
INIT = f"{PACKAGE}/__init__.py"


@pytest.mark.parametrize("code", ["PKG101", "PKG102", "PKG103", "PKG104", "PKG105", "PKG111",
                                  "PKG121", "PKG122", "PKG123", "PKG124", "PKG125", "PKG126"])
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


def test_source_with_syntax_error(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace("def make_tensor(value):", "def make_tensor(value:")
    [found] = findings(make_course({TENSOR: text}), "PKG101")
    assert (found.path, found.line) == (TENSOR, line_of(text, "def make_tensor(value:"))
    assert "is not valid Python" in found.message


def test_compiler_warnings_are_one_finding(make_course: CourseFactory,
                                           findings: Findings) -> None:
    text = source(1).replace('    """Build a tensor value."""\n', (
        '    """Build a tensor value."""\n    pattern = "\\d+ items"\n'
        '    if value is "empty":\n        return None\n'))
    found = only(findings(make_course({TENSOR: text}), "PKG105"))
    escape, literal = line_of(text, "pattern = "), line_of(text, 'if value is "empty"')
    assert (found.code, found.path, found.line, found.module) == (
        "PKG105", TENSOR, escape, "01_tensor")
    assert found.places == ((TENSOR, literal),)
    assert found.message.startswith(f"Python warns 2 times when it compiles {TENSOR}: ")
    assert f"invalid escape sequence '\\d' (line {escape})" in found.message
    assert '"is" with' in found.message and f'Did you mean "=="? (line {literal})' \
        in found.message  # Python's words, which 3.13 made more precise


def test_escapes_in_markdown_and_raw_strings_pass(make_course: CourseFactory,
                                                  findings: Findings) -> None:
    text = source(1).replace("We check the implementation", "We check \\(x\\) in the "
                             "implementation").replace('    """Build a tensor value."""\n', (
                                 '    """Build a tensor value."""\n    pattern = r"\\d+"\n'))
    assert "\\(x\\)" in text
    assert findings(make_course({TENSOR: text}), "PKG105") == []


def test_source_without_default_exp(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace("#| default_exp core.tensor\n", "")
    [found] = findings(make_course({TENSOR: text}), "PKG102")
    assert (found.path, found.line, found.module) == (TENSOR, None, "01_tensor")
    assert "has no `#| default_exp`" in found.message


def test_source_with_two_default_exp(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace("#| export\n", "#| export\n#| default_exp core.other\n")
    [found] = findings(make_course({TENSOR: text}), "PKG102")
    assert (found.path, found.line) == (TENSOR, line_of(text, "#| default_exp core.other"))
    assert "2 `#| default_exp` directives: `core.tensor` (line 31), `core.other`" in found.message


def test_export_claim_differs(make_course: CourseFactory, findings: Findings) -> None:
    text = source(1).replace(f"`{PACKAGE}.core.tensor`", f"`{PACKAGE}.core.tensors`")
    [found] = findings(make_course({TENSOR: text}), "PKG103")
    assert (found.path, found.line) == (TENSOR, line_of(text, "Code exports to"))
    assert (f"says the code exports to `{PACKAGE}.core.tensors`, but `#| default_exp "
            f"core.tensor` on line 31 exports it to `{PACKAGE}.core.tensor`") in found.message


def test_export_claim_without_package_prefix_is_fine(make_course: CourseFactory,
                                                     findings: Findings) -> None:
    text = source(1).replace(f"`{PACKAGE}.core.tensor`", "`core.tensor`")
    assert findings(make_course({TENSOR: text}), "PKG103") == []


def test_two_sources_export_to_one_module(make_course: CourseFactory, findings: Findings) -> None:
    path = "src/02_activations/02_activations.py"
    [found] = findings(make_course({path: source(2).replace("core.activations", "core.tensor")}),
                       "PKG104")
    assert (found.path, found.line, found.module) == (path, 31, "02_activations")
    assert f"exports to `core.tensor`, as {TENSOR} does" in found.message


def test_stale_copy_exports_to_another_module(make_course: CourseFactory,
                                              findings: Findings) -> None:
    root = make_course({"modules/03_layers/layers.py": source(3).replace("core.layers",
                                                                         "core.tensor"),
                        "modules/01_tensor/tensor.py": source(1)})
    [found] = findings(root, "PKG104")
    assert (found.path, found.line) == ("modules/03_layers/layers.py", None)
    assert f"exports to `core.tensor`, as {TENSOR} does" in found.message


def test_package_imports_module_no_source_exports(make_course: CourseFactory,
                                                  findings: Findings) -> None:
    init = package_files()[INIT] + ("from . import core\nfrom .core.tensor import make_tensor\n"
                                    "from .core import dense\n")
    [found] = findings(make_course({INIT: init}), "PKG111")
    assert (found.path, found.line) == (INIT, line_of(init, "from .core import dense"))
    assert found.message.endswith(f"imports {PACKAGE}.core.dense, which no module source "
                                  f"exports; `import {PACKAGE}` fails")


def test_a_stale_committed_module_is_named_as_what_the_import_leans_on(
        make_course: CourseFactory, findings: Findings) -> None:
    init = package_files()[INIT] + "from .data.loader import DataLoader\n"
    root = make_course({INIT: init, f"{PACKAGE}/data/__init__.py": "",
                        f"{PACKAGE}/data/loader.py": "class DataLoader:\n    pass\n"})
    [found] = findings(root, "PKG111")
    assert found.message.endswith(f"it works only through the stale committed {PACKAGE}/data/"
                                  "loader.py, which no export writes (a fresh export leaves it "
                                  "out of date)")


def test_pyproject_missing(make_course: CourseFactory, findings: Findings) -> None:
    [found] = findings(make_course({"pyproject.toml": None}), "PKG121")
    assert (found.path, found.line) == ("pyproject.toml", None)
    assert "pyproject.toml is missing" in found.message


def test_pyproject_invalid(make_course: CourseFactory, findings: Findings) -> None:
    [found] = findings(make_course({"pyproject.toml": PYPROJECT + "[broken\n"}), "PKG121")
    assert (found.path, found.line) == ("pyproject.toml", PYPROJECT.count("\n") + 1)
    assert "invalid TOML" in found.message


def test_settings_invalid(make_course: CourseFactory, findings: Findings) -> None:
    [found] = findings(make_course({"settings.ini": SETTINGS.replace("[DEFAULT]\n", "")}),
                       "PKG122")
    assert (found.path, found.line) == ("settings.ini", 1)
    assert "invalid INI" in found.message


def test_settings_missing_with_nbdev_sources(make_course: CourseFactory,
                                             findings: Findings) -> None:
    [found] = findings(make_course({"settings.ini": None}), "PKG123")
    assert (found.path, found.severity) == ("settings.ini", Severity.WARNING)
    assert f"but {TENSOR} and 3 more use `#| default_exp`" in found.message


def test_settings_version_differs(make_course: CourseFactory, findings: Findings) -> None:
    settings = SETTINGS.replace("version = 0.1.0", "version = 0.2.0")
    [found] = findings(make_course({"settings.ini": settings}), "PKG124")
    assert (found.path, found.line) == ("settings.ini", line_of(settings, "version ="))
    assert "version '0.2.0' in settings.ini differs from '0.1.0' in pyproject.toml" in found.message


def test_package_version_differs(make_course: CourseFactory, findings: Findings) -> None:
    init = package_files()[INIT].replace('"0.1.0"', '"0.1.1"')
    [found] = findings(make_course({INIT: init}), "PKG124")
    assert (found.path, found.line) == (INIT, 1)
    assert f"version '0.1.1' in {INIT} differs from '0.1.0' in pyproject.toml" in found.message


def test_license_differs(make_course: CourseFactory, findings: Findings) -> None:
    settings = SETTINGS.replace("license = mit", "license = apache2")
    [found] = findings(make_course({"settings.ini": settings}), "PKG125")
    assert (found.path, found.line) == ("settings.ini", line_of(settings, "license ="))
    assert "license 'apache2' in settings.ini differs from 'MIT' in pyproject.toml" in found.message


def test_license_spellings_agree(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({
        "pyproject.toml": PYPROJECT.replace('license = "MIT"', 'license = {text = "Apache-2.0"}'),
        "settings.ini": SETTINGS.replace("license = mit", "license = apache2")})
    assert findings(root, "PKG125") == []


def test_git_url_not_among_project_urls(make_course: CourseFactory, findings: Findings) -> None:
    settings = SETTINGS.replace(f"git_url = https://example.org/{PACKAGE}",
                                "git_url = https://example.org/elsewhere.git")
    [found] = findings(make_course({"settings.ini": settings}), "PKG126")
    assert (found.path, found.line, found.severity) == (
        "settings.ini", line_of(settings, "git_url"), Severity.WARNING)
    assert "git_url https://example.org/elsewhere.git in settings.ini is not among" in found.message


def test_git_url_with_suffix_matches(make_course: CourseFactory, findings: Findings) -> None:
    settings = SETTINGS.replace(f"git_url = https://example.org/{PACKAGE}",
                                f"git_url = https://example.org/{PACKAGE}.git/")
    assert findings(make_course({"settings.ini": settings}), "PKG126") == []


def test_pkg124_book_config_and_readme_pin_must_agree(make_course: CourseFactory,
                                                      findings: Findings) -> None:
    root = make_course({"site/_config.yml": "title: Mini\nversion: 0.0.9\n",
                        "README.md": "# Mini\n\n    pip install minicourse==0.1.0\n"
                                     "    pip install minicourse==0.2.0\n"})
    found = [(f.path, f.line, f.message) for f in findings(root, "PKG124")]
    assert found == [
        ("README.md", 4, "version '0.2.0' in README.md differs from '0.1.0' in pyproject.toml"),
        ("site/_config.yml", 2,
         "version '0.0.9' in site/_config.yml differs from '0.1.0' in pyproject.toml")]


def test_names_from_one_stale_module_are_one_finding(make_course: CourseFactory,
                                                     findings: Findings) -> None:
    init = package_files()[INIT] + ("from .data.loader import Dataset, DataLoader\n"
                                    "from .data.loader import Compose\n")
    [found] = findings(make_course({INIT: init}), "PKG111")
    assert found.message.startswith(f"{INIT} imports {PACKAGE}.data.loader (Dataset, "
                                    "DataLoader, Compose), which no module source exports")
    assert found.places == ((INIT, line_of(init, "from .data.loader import Compose")),)


RELEASED = ("# Changelog\n\n## [Unreleased]\n\n## [0.1.15] — 2026-09-29\n\n- Written up.\n\n"
            "## [0.1.14] — 2026-09-21\n\n- Tagged.\n\n## [0.1.9] and earlier\n\nSee the "
            "releases.\n")


def tagged(root: Path, *tags: str) -> Path:
    """The course committed in a git repository of its own, with lightweight `tags`."""
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false",
                  "commit", "-qm", "course"], *(["tag", tag] for tag in tags)):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def test_released_sections_and_tags_agree(make_course: CourseFactory,
                                          findings: Findings) -> None:
    changelog = RELEASED.replace("## [0.1.15] — 2026-09-29\n\n- Written up.\n\n", "")
    root = tagged(make_course({"CHANGELOG.md": changelog}), "v0.1.14", "v0.1.5", "v0.2.0rc1")
    assert findings(root, "PKG127") == []  # 0.1.5 is among "0.1.9 and earlier"; rc1 no release
    assert findings(make_course({"CHANGELOG.md": RELEASED}), "PKG127") == []  # no tag: not asked


def test_a_section_never_tagged_and_a_tag_without_section(make_course: CourseFactory,
                                                          findings: Findings) -> None:
    pyproject = PYPROJECT + '\n[tool.tinyrelease.release]\ntag_prefix = "tinytorch-v"\n'
    root = tagged(make_course({"CHANGELOG.md": RELEASED, "pyproject.toml": pyproject}),
                  "tinytorch-v0.1.14", "tinytorch-v0.1.12", "v2.0.0",
                  "tinytorch-slides-v0.1.0")
    found = {f.severity: f for f in findings(root, "PKG127")}
    untagged, unwritten = found[Severity.ERROR], found[Severity.WARNING]
    assert (untagged.path, untagged.line, untagged.severity) == (
        "CHANGELOG.md", line_of(RELEASED, "## [0.1.15]"), Severity.ERROR)
    assert untagged.message == ("the section [0.1.15] has no release tag tinytorch-v0.1.15: "
                                "tag the release, or move its notes back under [Unreleased]")
    assert (unwritten.path, unwritten.line, unwritten.severity) == (
        "CHANGELOG.md", None, Severity.WARNING)
    assert unwritten.message == ("the release tag tinytorch-v0.1.12 has no section in "
                                 "CHANGELOG.md: add ## [0.1.12] with its notes")
