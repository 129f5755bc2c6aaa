"""Scratch folders deleted behind the run: gone from their place at once, their contents
deleted before the process ends, what a killed run left swept by the next one."""

from __future__ import annotations

import threading
from pathlib import Path

from tinyrelease.checks.execution.workspace import discard, sweep_discarded


def _wait_for_deletions() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("discard "):
            thread.join()


def test_a_discarded_folder_leaves_its_place_at_once_and_is_deleted_behind(
        tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not ours", encoding="utf-8")
    place = tmp_path / "scratch" / "process-1"
    (place / "deep").mkdir(parents=True)
    (place / "deep" / "data.txt").write_text("x" * 1000, encoding="utf-8")
    (place / "link").symlink_to(outside, target_is_directory=True)

    discard(place)
    assert not place.exists()  # the name is free for the next copy at once
    place.mkdir()  # and a new copy there is not touched by the deletion going on
    (place / "new.txt").write_text("fresh", encoding="utf-8")
    _wait_for_deletions()

    assert sorted(p.name for p in place.parent.iterdir()) == ["process-1"]
    assert [p.name for p in place.iterdir()] == ["new.txt"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "not ours"  # link not followed


def test_what_a_killed_run_was_deleting_is_swept_by_the_next(tmp_path: Path) -> None:
    left = tmp_path / "process-1.discarded-4242-0"
    (left / "deep").mkdir(parents=True)
    other = tmp_path / "process-10"
    other.mkdir()

    sweep_discarded(tmp_path, "process-1")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["process-10"]


def test_a_linked_folder_is_not_discarded(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("kept", encoding="utf-8")
    link = tmp_path / "process-1"
    link.symlink_to(target, target_is_directory=True)

    discard(link)
    _wait_for_deletions()

    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"

