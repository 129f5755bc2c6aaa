"""`tinyrelease doctor`: what the machine has, what a missing tool turns off and the command
that fixes it; credentials only as present or absent."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from tinyrelease.checks import environment
from tinyrelease.checks.cli import main
from tinyrelease.checks.progress import Board


def test_doctor_names_what_is_missing_and_the_fix(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(environment, "CHROMIUM", tmp_path / "no-chromium")
    assert main(["doctor"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Chromium" in out and "sudo apt-get install chromium" in out
    assert "DOC221-DOC223" in out
    assert main(["doctor", "--strict"]) == 1


def test_doctor_never_shows_a_credential(make_course: object, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TWINE_USERNAME", "maintainer")
    monkeypatch.setenv("TWINE_PASSWORD", "s3cret-value-42")
    course = tmp_path / "course"
    course.mkdir()
    assert main(["doctor", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "s3cret-value-42" not in out and "TWINE_PASSWORD" in out


def test_doctor_refuses_a_missing_course(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--course", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("tinyrelease: error: --course")


def test_progress_off_a_terminal_prints_only_finished_steps() -> None:
    stream = io.StringIO()
    with Board(Console(file=stream, force_terminal=False, width=100)) as board:
        with board.step("build", "build the wheel"):
            pass
        board.start("gates", "gates at level standard")
        board.finish("gates", "fail gates (3 errors)")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("✓ build the wheel (") and lines[0].endswith(" s)")
    assert lines[1] == "fail gates (3 errors)"
