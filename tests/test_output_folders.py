"""A command run from the course's own folder writes its output (`build/...`) there: a
`build` link the course committed is refused, so nothing is written, or cleared, outside the
course through it. A folder outside the course is the user's own, links and all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory

from tinyrelease.book.cli import main as book
from tinyrelease.checks.assignments.cli import main as assignments
from tinyrelease.checks.cli import main as gates
from tinyrelease.review.__main__ import main as review

COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "gates": lambda course: gates([*course, "--static-only"]),
    "review": lambda course: review([*course, "--static-only", "--no-external"]),
    "book": book,
    "assignments": assignments,
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_build_link_in_the_course_is_refused_when_run_from_the_course(
        command: str, make_course: CourseFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "build").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.chdir(root)

    assert COMMANDS[command](["--course", "."]) == 2

    said = capsys.readouterr().err.strip().splitlines()
    assert said == [f"tinyrelease: error: {root.resolve()}/build is a symlink (to {elsewhere}); "
                    "tinyrelease writes its output only into a real folder: remove the link "
                    "(git rm it if it is committed)"]
    assert list(elsewhere.iterdir()) == []


def test_a_linked_report_folder_outside_the_course_is_the_users_choice(
        make_course: CourseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_course()
    elsewhere = tmp_path / "bigger-disk"
    elsewhere.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    (work / "build").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.chdir(work)

    assert gates(["--course", str(root), "--static-only"]) in (0, 1)

    assert (elsewhere / "gates" / "partial" / "report.json").is_file()


def test_the_books_student_notebooks_are_not_read_through_a_link_of_the_course(
        make_course: CourseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The book publishes the student notebooks of `build/assignments`: a link there that the
    course committed is refused like one in the book's own output folder."""
    root = make_course()
    elsewhere = tmp_path / "someone-elses-release"
    elsewhere.mkdir()
    (root / "build").mkdir()
    (root / "build" / "assignments").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.chdir(root)

    assert book(["--course", "."]) == 2

    said = capsys.readouterr().err
    assert f"{root.resolve()}/build/assignments is a symlink (to {elsewhere})" in said
    assert not (root / "build" / "book").exists()

