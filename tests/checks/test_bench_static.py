"""`nox -s bench -- --course PATH` finds a course's own validators in its CI workflows."""

from __future__ import annotations

from pathlib import Path

import pytest
from coursebuilder import CourseFactory

from tinyrelease.checks.bench_static import bench_side_by_side, validators, workflow_files

VALIDATOR_WORKFLOW = """\
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: python .ci/check.py
"""
WORKFLOW = """\
name: Release check
on: workflow_dispatch
jobs:
  content:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install
        run: pip install -r requirements.txt
      - name: Lessons
        run: |
          echo "checking lessons"
          python .ci/check_lessons.py
          python .ci/check_lessons.py --strict  # again, stricter
      - name: Build
        run: python -m build
      - name: Not in the course
        run: python .ci/gone.py
  site:
    runs-on: ubuntu-latest
    steps:
      - name: Pages
        working-directory: site
        run: python3 check_pages.py --all
"""


def test_the_validators_are_the_python_script_steps_the_course_holds(tmp_path: Path) -> None:
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/release.yml").write_text(WORKFLOW)
    (tmp_path / ".github/workflows/ci.yml").write_text(
        "jobs:\n  t:\n    steps:\n      - run: python .ci/check_lessons.py --ci\n")
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci/check_lessons.py").write_text("print('ok')\n")
    (tmp_path / "site").mkdir()
    (tmp_path / "site/check_pages.py").write_text("print('ok')\n")
    found = validators(tmp_path, workflow_files(tmp_path))
    assert [(str(v), v.cwd) for v in found] == [
        ("python .ci/check_lessons.py", "."), ("python .ci/check_lessons.py --strict", "."),
        ("python check_pages.py --all", "site")]
    everywhere = validators(tmp_path, workflow_files(tmp_path, ".github/workflows/ci.yml"))
    assert [str(v) for v in everywhere] == ["python .ci/check_lessons.py --ci"]


def test_the_side_by_side_prints_each_run_and_what_no_run_goes_below(
        make_course: CourseFactory, capsys: pytest.CaptureFixture[str]) -> None:
    """Ours (cold, one module edited, unchanged) and the floors under them (our imports; the
    course's Python parsed once), each a whole process, as ratios of the course's validators."""
    root = make_course({".github/workflows/release-check.yml": VALIDATOR_WORKFLOW,
                        ".ci/check.py": "print('checked')\n"})
    bench_side_by_side(root, rounds=1)
    shown = capsys.readouterr().out
    rows = {line.split("  ")[1].strip(): line for line in shown.splitlines()
            if line.startswith("  ") and " s  peak " in line}
    assert list(rows) == ["their 1 validator runs", "ours static, cold",
                          "ours static, one module edited", "ours static, unchanged",
                          "floor: interpreter + our imports", "floor: ast.parse, one core"]
    assert "(under every one module edited run)  exit 0" in rows[
        "floor: interpreter + our imports"]
    assert "(under every cold run)  exit 0" in rows["floor: ast.parse, one core"]
    assert "(target ≤ 0.50×)" in rows["ours static, one module edited"]
