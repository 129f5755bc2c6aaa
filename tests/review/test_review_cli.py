"""`python -m review`: the files, the consolidated plan with the course's effort table, the
external reviewer, and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coursebuilder import PYPROJECT, CourseFactory
from reviewhelpers import covered, review_json

from tinyrelease.review.run import run_review

REPO = Path(__file__).resolve().parents[2]


def configured(table: str) -> str:
    return PYPROJECT + "\n[tool.tinyrelease.review]\n" + table


def review_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "review", *args], cwd=REPO, text=True,
                          capture_output=True, check=False)


def test_static_review_writes_every_file_and_exits_1(make_course: CourseFactory,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = review_cli("--course", str(make_course(covered())), "--out", str(out),
                      "--static-only")
    assert done.returncode == 1, done.stderr
    assert "Quality Assurance    changes requested  (1 HIGH, 0 MEDIUM, 0 LOW)" in done.stdout
    assert "Education Reviewer   approved" in done.stdout
    data = review_json(out)
    assert data["approved"] is False and data["executed"] is False
    assert [i["code"] for i in data["reviewers"]["quality"]["items"]] == ["QA001"]
    assert sorted(p.name for p in out.glob("*.md")) == [
        "consolidated.md", "developer.md", "education.md", "packaging.md", "quality.md"]


def test_effort_table_from_the_config_and_suggested_order(make_course: CourseFactory,
                                                          tmp_path: Path) -> None:
    tests = covered()
    del tests["tests/04_losses/test_losses_objectives.py"]
    root = make_course({**tests, "pyproject.toml": configured(
        "[tool.tinyrelease.review.effort]\nER101 = 3.0\nQA001 = 0.25\n")})
    plan = run_review(root, tmp_path / "out", execute=False, external=False).plan
    codes = [i.code for i in plan.items]
    assert codes[:2] == ["QA001", "PM001"]         # HIGH, cheapest first
    assert codes.count("ER101") == 5 and all(i.effort == 3.0 for i in plan.items
                                             if i.code == "ER101")
    assert [i.priority.value for i in plan.items] == sorted(
        (i.priority.value for i in plan.items), key=["HIGH", "MEDIUM", "LOW"].index)
    assert plan.effort() == sum(i.effort or 0 for i in plan.items)
    summary = (tmp_path / "out" / "consolidated.md").read_text(encoding="utf-8")
    assert f"| total | {len(plan.items)} | {plan.effort():g} |" in summary
    assert "| 1 | HIGH | QA001 | quality | `-` | 0.25 |" in summary


def test_external_reviewer_answers_and_its_failure_never_breaks(make_course: CourseFactory,
                                                                tmp_path: Path) -> None:
    answer = ('external = ["python", "-c", "import sys; t = sys.stdin.read(); '
              "print('second opinion on', t.splitlines()[0])\"]\n")
    root = make_course({**covered(), "pyproject.toml": configured(answer)})
    run_review(root, tmp_path / "a", execute=False)
    text = (tmp_path / "a" / "education.md").read_text(encoding="utf-8")
    assert text.rstrip().endswith("second opinion on # Education Reviewer report")

    broken = 'external = ["python", "-c", "import sys; sys.exit(3)"]\n'
    root = make_course({**covered(), "pyproject.toml": configured(broken)})
    review = run_review(root, tmp_path / "b", execute=False)
    notes = review_json(tmp_path / "b")["reviewers"]["developer"]["notes"]
    assert "external reviewer `python` gave no answer: exit 3: (no output)" in notes
    assert review.plan.approvals["developer"] is True


def test_bad_config_is_one_line(make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course({"pyproject.toml": configured("[tool.tinyrelease.review.effort]\n"
                                                     "XX999 = 1\n")})
    done = review_cli("--course", str(root), "--out", str(tmp_path / "out"), "--static-only")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"tinyrelease: error: {root / 'pyproject.toml'}: "
                           "[tool.tinyrelease.review] effort: no review item has the code "
                           "XX999\n")
    assert not (tmp_path / "out" / "review.json").exists()
