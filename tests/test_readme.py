"""The README stays true: its check reference matches the declarations, its set-up is two
commands, and every session it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from checks.reference import updated

README = Path(__file__).resolve().parent.parent / "README.md"


def test_check_reference_is_in_sync() -> None:
    text = README.read_text(encoding="utf-8")
    assert updated(text) == text, "run: python -m checks.reference --write README.md"


def test_setup_has_exactly_two_commands() -> None:
    setup = README.read_text(encoding="utf-8").split("## Set-up")[1].split("\n## ")[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, re.DOTALL)
    assert commands == ['python -m pip install "nox[uv]" && nox -s gates',
                        'python -m pip install "nox[uv]" && nox -s tests']


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pip install "nox[uv]" && nox -s tests' in ci
