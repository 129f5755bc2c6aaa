"""The pure parts: version bumps and candidates, and rewriting every place a version is stated."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from tinyrelease.release import versions
from tinyrelease.release.errors import Refused


@pytest.mark.parametrize(("base", "kind", "expected"), [
    ("0.3.1", "patch", "0.3.2"), ("0.3.1", "minor", "0.4.0"), ("0.3.1", "major", "1.0.0"),
    ("1.0", "patch", "1.0.1")])
def test_release_bump(base: str, kind: str, expected: str) -> None:
    assert versions.bump(Version(base), kind) == Version(expected)


def test_release_candidates_and_next_dev() -> None:
    assert str(versions.candidate(Version("0.4.0"), 2)) == "0.4.0rc2"
    assert str(versions.next_dev(Version("0.4.0"))) == "0.5.0.dev0"
    assert versions.tag_of(Version("0.4.0rc1")) == "v0.4.0rc1"


def test_release_target_follows_the_last_final_tag() -> None:
    tags = ["v0.1.0", "v0.2.0rc1", "v0.2.0", "nonsense"]
    assert versions.target_for(Version("0.3.0.dev0"), tags, "patch", None) == Version("0.2.1")
    assert versions.target_for(Version("0.3.0.dev0"), tags, "minor", "0.3.0") == Version("0.3.0")
    with pytest.raises(Refused, match="does not follow from 0.2.0: a minor release after 0.2.0 "
                                      "is 0.3.0"):
        versions.target_for(Version("0.3.0.dev0"), tags, "minor", "0.5.0")


def test_release_rewrite_everywhere_keeps_formatting(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "tinynn"  # the package\nversion = "0.1.0"   # bumped by release\n')
    (tmp_path / "tinynn").mkdir()
    (tmp_path / "tinynn" / "__init__.py").write_text('"""x"""\n__version__ = "0.1.0"\n')
    (tmp_path / "settings.ini").write_text("[DEFAULT]\nlib_name = tinynn\nversion = 0.1.0\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "_config.yml").write_text("title: x\nversion: '0.1.0'\n")
    (tmp_path / "README.md").write_text("pip install tinynn==0.1.0 (v0.1.0); not 10.1.0\n")
    changed = versions.rewrite(tmp_path, "tinynn", "0.1.0", "0.2.0rc1")
    assert sorted(changed) == ["README.md", "book/_config.yml", "pyproject.toml",
                               "settings.ini", "tinynn/__init__.py"]
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[project]\nname = "tinynn"  # the package\nversion = "0.2.0rc1"   # bumped by release\n')
    assert (tmp_path / "README.md").read_text() == (
        "pip install tinynn==0.2.0rc1 (v0.2.0rc1); not 10.1.0\n")
    sites = versions.find_sites(tmp_path, "tinynn")
    assert {(s.path, s.value) for s in sites} == {
        ("pyproject.toml", "0.2.0rc1"), ("tinynn/__init__.py", "0.2.0rc1"),
        ("settings.ini", "0.2.0rc1"), ("book/_config.yml", "0.2.0rc1")}
    assert next(s.line for s in sites if s.path == "pyproject.toml") == 3


def test_release_rewrite_leaves_every_file_when_one_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "0.1.0"\n')
    (tmp_path / "settings.ini").write_text("[DEFAULT]\nversion = 0.1.0\n")
    (tmp_path / "README.md").write_bytes(b"\xff\xfe broken utf-8 v0.1.0")
    with pytest.raises(UnicodeDecodeError):
        versions.rewrite(tmp_path, None, "0.1.0", "0.2.0")
    assert (tmp_path / "pyproject.toml").read_text() == '[project]\nversion = "0.1.0"\n'
    assert (tmp_path / "settings.ini").read_text() == "[DEFAULT]\nversion = 0.1.0\n"


TINYTORCH_SITES = {"quarto/install.sh": 'TINYTORCH_VERSION="{version}"',
                   "README.md": "badge/version-{version}-D4740C",
                   "scripts/pin.sh": "--branch {tag}"}


def test_configured_sites_are_found_and_rewritten_with_the_rest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "0.1.9"\n')
    (tmp_path / "quarto").mkdir()
    (tmp_path / "quarto" / "install.sh").write_text('#!/bin/sh\nTINYTORCH_VERSION="0.1.9"\n')
    (tmp_path / "README.md").write_text(
        "![v](https://img.shields.io/badge/version-0.1.9-D4740C)\npip install tinytorch==0.1.9\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "pin.sh").write_text(
        "git clone --branch tinytorch-v0.1.9 URL  # not --branch v1.2.0 of the book\n")
    configured = versions.Configured(TINYTORCH_SITES, "tinytorch-v")
    assert [(s.path, s.line, s.value) for s in versions.find_sites(tmp_path, None, configured)] \
        == [("pyproject.toml", 2, "0.1.9"), ("quarto/install.sh", 2, "0.1.9"),
            ("README.md", 1, "0.1.9"), ("scripts/pin.sh", 1, "0.1.9")]
    texts = versions.rewrites(tmp_path, None, "0.1.9", "0.2.0", configured)
    assert texts["quarto/install.sh"] == '#!/bin/sh\nTINYTORCH_VERSION="0.2.0"\n'
    assert texts["README.md"] == ("![v](https://img.shields.io/badge/version-0.2.0-D4740C)\n"
                                  "pip install tinytorch==0.2.0\n")
    assert texts["scripts/pin.sh"] == ("git clone --branch tinytorch-v0.2.0 URL  # not --branch "
                                       "v1.2.0 of the book\n")


def test_a_configured_site_the_file_lacks_says_so(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "0.1.9"\n')
    (tmp_path / "README.md").write_text("no badge here\n")
    configured = versions.Configured({"README.md": TINYTORCH_SITES["README.md"]}, "v")
    site = versions.find_sites(tmp_path, None, configured)[1]
    assert site.said() == "README.md has no 'badge/version-{version}-D4740C'"
