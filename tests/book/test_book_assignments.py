"""The book links each chapter to its module's student notebook, from the manifest of
`nox -s assignments`, only for this course and only for notebooks the manifest vouches for."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from coursebuilder import CourseFactory

from tinyrelease.book.assemble import assemble
from tinyrelease.checks.course import load_course

LINK = ("**Student notebook:** {download}`01_tensor.ipynb "
        "<../_assignments/01_tensor/01_tensor.ipynb>`")


def release(folder: Path, course: Path, tamper: bool = False) -> Path:
    """A student release as `python -m checks.assignments` writes it (module 01 only)."""
    notebook = folder / "01_tensor" / "01_tensor.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text('{"cells": []}', encoding="utf-8")
    digest = hashlib.sha256(notebook.read_bytes()).hexdigest()
    if tamper:
        notebook.write_text('{"cells": [1]}', encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"course": str(course), "modules": [
        {"module": "01_tensor", "notebook": "01_tensor/01_tensor.ipynb", "sha256": digest}]}))
    return folder


def test_chapter_links_its_student_notebook(make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course()
    book = assemble(load_course(root), tmp_path / "source", tmp_path / "none.json",
                    release(tmp_path / "assignments", root))
    chapter = (tmp_path / "source" / "modules" / "01_tensor.md").read_text(encoding="utf-8")
    assert LINK in chapter
    copied = tmp_path / "source" / "_assignments" / "01_tensor" / "01_tensor.ipynb"
    assert copied.read_text(encoding="utf-8") == '{"cells": []}'
    assert "Student notebook" not in (tmp_path / "source" / "modules" / "02_activations.md"
                                      ).read_text(encoding="utf-8")
    assert book.sources.locate("modules/01_tensor.md", 12)[0] == "src/01_tensor/ABOUT.md"


def test_no_link_to_another_course_or_a_changed_notebook(make_course: CourseFactory,
                                                         tmp_path: Path) -> None:
    root, other = make_course(), make_course()
    for name, folder in (("other", release(tmp_path / "other", other)),
                         ("changed", release(tmp_path / "changed", root, tamper=True))):
        assemble(load_course(root), tmp_path / name, tmp_path / "none.json", folder)
        chapter = (tmp_path / name / "modules" / "01_tensor.md").read_text(encoding="utf-8")
        assert "Student notebook" not in chapter
        assert not (tmp_path / name / "_assignments").exists()
