"""Helpers of the review tests: tests that cover the mini course's objectives, tiny wheels for
dependency conflicts, git repositories of a course, and reading a review's items.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

from coursebuilder import PACKAGE, TITLES

from tinyrelease.review.model import Priority, Report


def objective_tests(number: int) -> str:
    """A test file whose tests name every objective of the mini course's module `number`."""
    name = TITLES[number].lower()
    return f'''import pytest

from {PACKAGE}.core.{name} import make_{name}


def test_core_operations_from_scratch():
    """The core operations, built from scratch, return their input."""
    assert make_{name}(4) == 4


def test_value_survives_a_training_loop():
    """Used over and over as in a training loop, the value does not change."""
    value = 1
    for _ in range(3):
        value = make_{name}(value)
    assert value == 1


def test_memory_cost_is_one_reference():
    """The memory cost is one reference to the value."""
    value = object()
    assert make_{name}(value) is value


def test_small_hand_checked_examples():
    """Small hand-checked examples, including the boundary 0."""
    assert make_{name}(0) == 0


def test_pytorch_equivalent_is_identity():
    """Like its PyTorch equivalent here, it keeps the value."""
    with pytest.raises(TypeError):
        make_{name}()
'''


def covered(modules: int = 4) -> dict[str, str]:
    return {f"tests/{mid}/test_{mid[3:]}_objectives.py": objective_tests(n)
            for n in range(1, modules + 1) if (mid := f"{n:02d}_{TITLES[n].lower()}")}


def items(report: Report, code: str) -> list:
    return [i for i in report.items if i.code == code]


def priorities(report: Report) -> set[Priority]:
    return {i.priority for i in report.items}


def make_wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    """A valid pure-Python wheel written by hand (no build step): for dependency tests."""
    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    files = {f"{module}/__init__.py": f'__version__ = "{version}"\n',
             f"{info}/METADATA": "Metadata-Version: 2.1\n"
             f"Name: {name}\nVersion: {version}\n"
             + "".join(f"Requires-Dist: {r}\n" for r in requires),
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
             "Tag: py3-none-any\n"}
    record = []
    for rel, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{rel},sha256={digest.decode()},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for rel, text in files.items():
            archive.writestr(rel, text)
    return path


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                               "HOME": str(root), "PATH": "/usr/bin:/bin"})
    return done.stdout


def repository(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "course")
    return root


def review_json(folder: Path) -> dict:
    return json.loads((folder / "review.json").read_text(encoding="utf-8"))
