"""A course with a book of its own (`site/` with `_config.yml`, as TinyTorch has): that book is
built, from a copy, after its module pages are refreshed from each ABOUT.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tinyrelease.book.assemble import own_book_dir
from tinyrelease.book.build import build_book
from tinyrelease.book.errors import BookError
from tinyrelease.checks.course import load_course

TOC = """format: jb-book
root: intro
parts:
- caption: Foundation Tier
  chapters:
  - file: modules/01_tensor_ABOUT
  - file: modules/02_activations_ABOUT
"""


def test_the_course_site_is_built_with_fresh_module_pages(make_course: Callable[..., Path],
                                                          tmp_path: Path) -> None:
    root = make_course({
        "site/_config.yml": "title: The course's own site\nexecute:\n  execute_notebooks: 'off'\n",
        "site/_toc.yml": TOC,
        "site/intro.md": "# Welcome\n\nThe course's own front page.\n",
        "site/modules/01_tensor_ABOUT.md": "# 01. Stale copy\n\nOld text.\n",
    })
    course = load_course(root)
    assert own_book_dir(course) == "site"
    result = build_book(course, tmp_path / "out", tmp_path / "none.json")
    assert result.status == 0, result.warnings
    html = (result.html / "modules" / "01_tensor_ABOUT.html").read_text(encoding="utf-8")
    assert "Stale copy" not in html and "This module builds tensor" in html
    assert (result.html / "modules" / "02_activations_ABOUT.html").is_file()
    assert "own front page." in (result.html / "intro.html").read_text(encoding="utf-8")
    assert result.module_pages == {"01_tensor": "modules/01_tensor_ABOUT",
                                   "02_activations": "modules/02_activations_ABOUT"}
    # the course's own files are untouched: the refresh happened in the build folder
    assert "Stale copy" in (root / "site/modules/01_tensor_ABOUT.md").read_text(encoding="utf-8")
    assert not (root / "site" / "_build").exists()


def test_book_dir_in_the_config_wins(make_course: Callable[..., Path]) -> None:
    root = make_course({"tinyrelease.toml": 'book_dir = "handbook"\n'})
    assert own_book_dir(load_course(root)) == "handbook"


def test_a_page_linking_out_of_the_course_is_never_published(
        make_course: Callable[..., Path], tmp_path: Path) -> None:
    """`site/secret.md -> /elsewhere/passwd` listed in the TOC: not copied, not built, not
    published, and DOC001 names the link."""
    from tinyrelease.checks.engine import run_gates

    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:the maintainer's secret\n")
    root = make_course({
        "site/_config.yml": "title: The course's own site\nexecute:\n  execute_notebooks: 'off'\n",
        "site/_toc.yml": TOC + "  - file: secret\n",
        "site/intro.md": "# Welcome\n",
    })
    (root / "site" / "secret.md").symlink_to(secret)
    course = load_course(root)
    result = build_book(course, tmp_path / "out", tmp_path / "none.json")
    built = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not any("the maintainer's secret" in p.read_text(encoding="utf-8", errors="replace")
                   for p in built)
    assert not (result.html / "secret.html").exists()
    [found] = [f for f in run_gates(course, ["documentation"], select=["DOC001"]).findings]
    assert found.message == ("site/secret.md is a symlink that leaves the course root; the "
                             "book never copies or publishes what it points to")


def test_a_setting_naming_a_file_out_of_the_course_is_refused(
        make_course: Callable[..., Path], tmp_path: Path) -> None:
    """`html_extra_path: ["/elsewhere/passwd"]` would have Sphinx copy the file into the site:
    the build stops before Sphinx runs, naming the setting."""
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:the maintainer's secret\n")
    root = make_course({
        "site/_config.yml": ("title: Site\nexecute:\n  execute_notebooks: 'off'\nsphinx:\n"
                             f"  config:\n    html_extra_path: ['{secret}']\n"
                             "    html_baseurl: /course/\n"),  # a URL path, no file: fine
        "site/_toc.yml": TOC, "site/intro.md": "# Welcome\n"})
    with pytest.raises(BookError) as refused:
        build_book(load_course(root), tmp_path / "out", tmp_path / "none.json")
    assert str(refused.value) == (f"site/_config.yml: sphinx.config.html_extra_path names "
                                  f"{secret}, outside the course; the book is built only from "
                                  "the course's own files")
    assert not (tmp_path / "out" / "html").exists()


def test_the_books_own_code_never_sees_the_maintainers_credentials(
        make_course: Callable[..., Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A local Sphinx extension of the course runs in the build: without our secrets."""
    seen = tmp_path / "seen.json"
    grab = ("import json, os\n\n\ndef setup(app):\n"
            f"    open({str(seen)!r}, 'w').write(json.dumps(sorted(os.environ)))\n"
            "    return {'parallel_read_safe': True}\n")
    root = make_course({
        "site/_config.yml": ("title: Site\nexecute:\n  execute_notebooks: 'off'\nsphinx:\n"
                             "  local_extensions:\n    grab: _ext\n"),
        "site/_toc.yml": TOC, "site/intro.md": "# Welcome\n", "site/_ext/grab.py": grab})
    monkeypatch.setenv("TWINE_PASSWORD", "the-maintainers-secret")
    monkeypatch.setenv("GITHUB_TOKEN", "a-token")
    result = build_book(load_course(root), tmp_path / "out", tmp_path / "none.json")
    assert result.status == 0, result.warnings
    names = json.loads(seen.read_text(encoding="utf-8"))
    assert "PATH" in names and "TWINE_PASSWORD" not in names and "GITHUB_TOKEN" not in names
