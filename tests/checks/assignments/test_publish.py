"""What a release takes from the student release: a validation verdict for its checklist, and
one zip per module with the manifest for its bundle."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tinyrelease.checks.assignments.publish import module_zips, notebooks, validation_state

PASSED = {"status": "pass", "modules": "all", "skipped": {}, "blank_notebook_points": 0}


def release(folder: Path, course: Path, validation: dict[str, object] | None = None) -> Path:
    notebook = folder / "01_tensor" / "01_tensor.ipynb"
    notebook.parent.mkdir(parents=True, exist_ok=True)
    notebook.write_text('{"cells": []}', encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({
        "course": str(course), "validation": validation or PASSED, "modules": [
            {"module": "01_tensor", "notebook": "01_tensor/01_tensor.ipynb",
             "sha256": hashlib.sha256(notebook.read_bytes()).hexdigest()}]}))
    return folder


def test_a_complete_passing_validation_is_verified(tmp_path: Path) -> None:
    folder = release(tmp_path / "assignments", tmp_path)
    assert validation_state(folder, tmp_path) == (
        True, "pass on 1 notebooks, a blank notebook earns 0 points")
    assert notebooks(folder, tmp_path) == {"01_tensor": folder / "01_tensor/01_tensor.ipynb"}


@pytest.mark.parametrize(("change", "seen"), [
    ({"status": "fail"}, (False, "fail on 1 notebooks")),
    ({"modules": ["01_tensor"]}, (False, "a partial release")),
    ({"skipped": {"IMP204": "no kernel"}}, (False, "not every step ran: IMP204 skipped"))])
def test_what_a_checklist_does_not_tick(tmp_path: Path, change: dict[str, object],
                                        seen: tuple[bool, str]) -> None:
    folder = release(tmp_path / "assignments", tmp_path, {**PASSED, **change})
    verified, note = validation_state(folder, tmp_path)
    assert (verified, note[:len(seen[1])]) == seen


def test_another_course_or_a_changed_notebook_is_not_verified(tmp_path: Path) -> None:
    folder = release(tmp_path / "assignments", tmp_path / "other")
    assert validation_state(folder, tmp_path)[0] is False and notebooks(folder, tmp_path) == {}
    folder = release(tmp_path / "again", tmp_path)
    (folder / "01_tensor" / "01_tensor.ipynb").write_text("{}", encoding="utf-8")
    assert validation_state(folder, tmp_path) == (
        False, "notebooks changed since they were validated: 01_tensor")
    assert validation_state(tmp_path / "none", tmp_path)[0] is None


def test_one_zip_per_module_and_the_manifest(tmp_path: Path) -> None:
    folder = release(tmp_path / "assignments", tmp_path)
    written = module_zips(folder, tmp_path / "bundle", prefix="course-0.2.0-")
    assert [p.name for p in written] == ["course-0.2.0-01_tensor.zip",
                                         "course-0.2.0-assignments-manifest.json"]
    with zipfile.ZipFile(written[0]) as archive:
        assert archive.namelist() == ["01_tensor/01_tensor.ipynb"]
    again = module_zips(folder, tmp_path / "again")
    assert again[0].read_bytes() == written[0].read_bytes()
