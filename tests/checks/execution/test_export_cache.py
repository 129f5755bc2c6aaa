"""The nbdev export with its cache: after one module's edit only that module is converted and
exported, and the package it writes is byte for byte the one a full export writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coursebuilder import PACKAGE, CourseFactory

from tinyrelease.checks.execution.export import NBDEV_EXPORTER

LOSSES = "src/04_losses/04_losses.py"
EXTRA = "\n# %%\n#| export\ndef scaled_losses(value):\n    return 2 * value\n"


def export(root: Path, cache: Path | None = None, fresh: bool = False) -> str:
    """The exporter as the testing gate runs it, in the course copy; what it printed."""
    options = ["--cache-dir", str(cache), *(["--fresh"] if fresh else [])] if cache else []
    done = subprocess.run([sys.executable, "-m", NBDEV_EXPORTER, "--course", ".", *options],
                          cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def package(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / PACKAGE).rglob("*.py"))}


def test_a_partial_re_export_writes_what_a_full_export_writes(make_course: CourseFactory,
                                                              tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    edited = make_course()
    assert "kept from earlier exports: 0 of 8 steps" in export(edited, cache, fresh=True)
    with (edited / LOSSES).open("a", encoding="utf-8") as stream:
        stream.write(EXTRA)
    said = export(edited, cache)
    # the three untouched modules' notebooks and files come from the cache
    assert "kept from earlier exports: 6 of 8 steps" in said
    assert f"{PACKAGE}/core/losses.py" in said
    full = make_course({LOSSES: (edited / LOSSES).read_text(encoding="utf-8")})
    export(full)
    assert package(edited) == package(full)
    assert "def scaled_losses" in package(full)[f"{PACKAGE}/core/losses.py"].decode()
    assert "scaled_losses" in package(full)[f"{PACKAGE}/_modidx.py"].decode()
    assert "kept from earlier exports: 8 of 8 steps" in export(edited, cache)
    assert package(edited) == package(full)


def test_a_notebook_exporting_into_another_module_is_never_kept(make_course: CourseFactory,
                                                                tmp_path: Path) -> None:
    """A cell that appends to another module's file depends on what is there: nbdev's own
    export runs it every time, in its order."""
    cache = tmp_path / "cache"
    elsewhere = "\n# %%\n#| export core.tensor\ndef tensor_twice(value):\n    return 2 * value\n"
    root = make_course()
    with (root / LOSSES).open("a", encoding="utf-8") as stream:
        stream.write(elsewhere)
    export(root, cache)
    assert "kept from earlier exports: 7 of 8 steps" in export(root, cache)
    full = make_course({LOSSES: (root / LOSSES).read_text(encoding="utf-8")})
    export(full)
    assert package(root) == package(full)
    assert package(root)[f"{PACKAGE}/core/tensor.py"].decode().count("def tensor_twice") == 1
