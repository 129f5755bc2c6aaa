"""`nox -s bench -- --course PATH` finds a course's own validators in its CI workflows."""

from __future__ import annotations

from pathlib import Path

from tinyrelease.checks.bench_static import validators, workflow_files

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
