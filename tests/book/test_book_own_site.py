"""A course with a book of its own (`site/` with `_config.yml`, as TinyTorch has): that book is
built, from a copy, after its module pages are refreshed from each ABOUT.md."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from book.assemble import own_book_dir
from book.build import build_book
from checks.course import load_course

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
    from checks.engine import run_gates

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
