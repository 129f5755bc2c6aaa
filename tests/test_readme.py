"""The README stays true: its check reference matches the declarations, its set-up is two
commands, and every other command it shows is one that works: nox sessions and invoke tasks
exist and accept the options shown, and the cheap commands are run for real."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from invoke.parser import Parser

from tinyrelease.checks.reference import updated

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
EXAMPLE = REPO / "examples" / "tinycourse"
PLACEHOLDERS = ("../TinyTorch", "../mycourse")
SETUP = ['python -m pip install "nox[uv]" && nox -s gates',
         'python -m pip install "nox[uv]" && nox -s lint typecheck tests']


def shown_commands() -> list[list[str]]:
    """Every command of the README's shell blocks (comments dropped, `&&` split)."""
    text = README.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```(?:sh|text)\n(.*?)\n```", text, re.DOTALL):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            command: list[str] = []
            for word in [*words, "&&"]:
                if word == "&&":
                    if command:
                        found.append(command)
                    command = []
                else:
                    command.append(word)
    return found


def test_check_reference_is_in_sync() -> None:
    text = README.read_text(encoding="utf-8")
    assert updated(text) == text, "run: python -m checks.reference --write README.md"


def test_setup_has_exactly_two_commands() -> None:
    setup = README.read_text(encoding="utf-8").split("## Set-up")[1].split("\n## ")[0]
    first = setup.split("\n### ")[0]
    assert re.findall(r"```sh\n(.*?)\n```", first, re.DOTALL) == SETUP


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert SETUP[1] in ci


def test_one_install_line_installs_every_extra() -> None:
    installs = [c for c in shown_commands() if c[:4] == ["python", "-m", "pip", "install"]]
    assert ["python", "-m", "pip", "install", "-e", ".[all]"] in installs
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert extras["all"] == [f"tinyrelease[{','.join(e for e in extras if e != 'all')}]"]


@pytest.fixture(scope="module")
def sessions() -> set[str]:
    listed = subprocess.run([sys.executable, "-m", "nox", "-l", "--json", "-k", ""], cwd=REPO,
                            capture_output=True, text=True, check=True)
    return {entry["session"] for entry in json.loads(listed.stdout)}


def _real(args: list[str]) -> list[str]:
    """The placeholders the README uses for a course, made the example course."""
    return [str(EXAMPLE) if arg in PLACEHOLDERS else arg for arg in args]


def test_every_nox_command_names_a_session_and_valid_options(sessions: set[str]) -> None:
    from tinyrelease.book.cli import build_parser as book_parser
    from tinyrelease.book.cli import with_command
    from tinyrelease.checks.options import build_parser as checks_parser
    from tinyrelease.review.__main__ import build_parser as review_parser

    parsers = {"book": book_parser(), "review": review_parser()}
    shown = [c for c in shown_commands() if c[:1] == ["nox"]]
    assert len(shown) >= 10
    for command in shown:
        name = command[command.index("-s") + 1]
        assert name in sessions, command
        posargs = _real(command[command.index("--") + 1:]) if "--" in command else []
        parser = parsers.get(name, checks_parser())
        if posargs or name in parsers:  # a UsageError fails the test
            parser.parse_args(with_command(posargs) if name == "book" else posargs)


def test_every_invoke_command_names_a_task_with_valid_options() -> None:
    sys.path.insert(0, str(REPO))
    import tasks

    contexts = tasks.namespace.to_contexts()
    shown = [c for c in shown_commands() if c[:1] == ["invoke"] and c[1:2] != ["--list"]]
    assert len(shown) >= 10
    for command in shown:
        parsed = Parser(contexts=contexts).parse_argv(_real(command[1:]))
        assert [ctx.name for ctx in parsed] == [command[1]], command


def test_the_cheap_commands_run(tmp_path: Path) -> None:
    """`python -m checks ...`, `tinyrelease doctor` and `invoke --list`, for real."""
    runnable = [c for c in shown_commands() if c[:3] == ["python", "-m", "checks"]
                or c[:1] == ["tinyrelease"] or c == ["invoke", "--list"]]
    assert len(runnable) >= 4
    bin_dir = Path(sys.executable).parent
    for command in runnable:
        argv = _real(command)
        if argv[0] != "python":
            argv = [str(bin_dir / argv[0]), *argv[1:]]
        else:
            argv[0] = sys.executable
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True,
                              env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
        assert done.returncode == 0, (command, done.stdout[-500:], done.stderr[-500:])
        assert "Traceback" not in done.stderr
