"""The course model reads the base course completely."""

from __future__ import annotations

from pathlib import Path

from coursebuilder import CourseFactory

from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import run_gates


def test_base_course_is_read_whole(make_course: CourseFactory) -> None:
    course = load_course(make_course())
    assert [m.id for m in course.modules] == ["01_tensor", "02_activations", "03_layers",
                                             "04_losses"]
    first = course.modules[0]
    assert first.meta is not None and first.meta.title == "Tensor"
    assert first.source is not None and first.source.default_exp == [("core.tensor", 31)]
    assert course.learning_path is not None and len(course.learning_path.entries) == 4
    assert course.package is not None and "minicourse.core.tensor" in course.package.modules


def test_base_course_passes_every_gate(make_course: CourseFactory) -> None:
    report = run_gates(load_course(make_course()))
    assert [f for f in report.findings if f.severity.value == "error"] == []
    assert report.status == "pass"


def test_each_file_is_read_once(make_course: CourseFactory, tmp_path: Path) -> None:
    course = load_course(make_course())
    run_gates(course)
    assert course.files.reads == len(course.files._texts) - sum(
        1 for text in course.files._texts.values() if text is None)
