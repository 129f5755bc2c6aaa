"""The testing gate tries the documentation's examples: each command line calling the course's
console script is parsed by the script's own argparse parser and never run, each snippet that
imports the package is run, and what fails is told at the line a reader sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from coursebuilder import PYPROJECT, CourseFactory, about, edited_source, line_of, only

from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import GateResult, run_gates
from tinyrelease.checks.execution.gates import Execution

CLI = """import argparse
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(prog="mini")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build")
    build.add_argument("module")
    build.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    Path({ran!r}).write_text(args.module)  # the command's body: it must never run


def plain():
    print("no argparse here")
"""

README = """# Mini course

```console
$ mini build 01_tensor --fast
built 01_tensor
$ mini build 01_tensor --fastest
```

Without a command, `mini` does nothing, and `mini build` needs a module:

```bash
mini
mini build <module>
```

Commands of an older version, both gone:

```console
$ mini serve
$ mini deploy --now
```

The plain tool: `plain go`. The broken one: `broken go`.
"""

SNIPPETS = """
## Try it

```python
from minicourse.core.tensor import make_tensor

print(make_tensor(2))
```

```python
import minicourse

value = minicourse.core.tensor.make_tensor(1)
minicourse.no_such_thing(value)
```

<!-- tinyrelease: skip -->
```python
import minicourse
minicourse.also_missing()
```

```python
# tinyrelease: skip
import minicourse
minicourse.missing_too()
```

```python
result = compute_something()
```

```python
import minicourse

minicourse.core.tensor.make_tensor(training_data)
```

```python
from minicourse.core.tensor import make_tensor

make_tensor(json.dumps([1]))
```

```python
from minicourse.core.tensor import make_tensor

make_tensor(None)
```
"""
# the package's own line fails for None: a snippet calling it is told where, in the source
TENSOR = edited_source(1, "    return value\n", "    return value + 0\n")
SCRIPTS = ('\n[project.scripts]\nmini = "minicli:main"\nplain = "minicli:plain"\n'
           'broken = "nosuchmodule.cli:main"\n')


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> tuple[GateResult, Path, Path]:
    """One course whose README shows good and bad commands and whose first ABOUT.md has good,
    failing and opted-out snippets; the testing gate runs only these two checks, once."""
    base = tmp_path_factory.mktemp("documented")
    ran = base / "the-command-ran.txt"
    root = CourseFactory(base)({"minicli.py": CLI.format(ran=str(ran)), "README.md": README,
                                "pyproject.toml": PYPROJECT + SCRIPTS,
                                "src/01_tensor/ABOUT.md": about(1) + SNIPPETS,
                                "src/01_tensor/01_tensor.py": TENSOR})
    course = load_course(root)
    report = run_gates(course, ["testing"], select=["TST206", "TST207"],
                       execution=Execution(course, "standard", base / "work"))
    return report.gates[0], root, ran


def test_a_command_argparse_rejects_is_told_in_its_words(
        documented: tuple[GateResult, Path, Path]) -> None:
    gate, _, _ = documented
    unknown, missing, gone = sorted((f for f in gate.findings if f.code == "TST206"
                                     and f.path == "README.md"), key=lambda f: f.line or 0)
    assert unknown.line == line_of(README, "$ mini build 01_tensor --fastest")
    assert unknown.message == ("documented command `mini build 01_tensor --fastest` does not "
                               "parse: mini: error: unrecognized arguments: --fastest")
    assert missing.line == line_of(README, "mini\nmini build")
    assert missing.message == ("documented command `mini` does not parse: mini: error: the "
                               "following arguments are required: command")
    # two subcommands the parser does not have are one cause, each command listed
    assert (gone.line, gone.places) == (line_of(README, "$ mini serve"),
                                        (("README.md", line_of(README, "$ mini deploy")),))
    assert gone.message.startswith("2 documented commands fail alike (`mini serve`; `mini "
                                   "deploy --now`): does not parse: mini: error: argument "
                                   "command: invalid choice (choose from ")
    # prose naming a command without its arguments (`mini build`) is not a command line
    assert gate.artifacts["examples"]["commands_parsed"] == 2  # type: ignore[index]
    assert gate.artifacts["examples"]["commands_with_placeholders"] == 1  # type: ignore[index]


def test_parsing_never_runs_the_command(documented: tuple[GateResult, Path, Path]) -> None:
    _, root, ran = documented
    assert not ran.exists()
    subprocess.run([sys.executable, "-c", "import minicli, sys; sys.argv = ['mini', 'build', "
                    "'x']; minicli.main()"], cwd=root, check=True, env={**os.environ})
    assert ran.read_text() == "x"  # the same command, run for real, does its work
    ran.unlink()


def test_a_script_that_cannot_be_imported_is_one_finding(
        documented: tuple[GateResult, Path, Path]) -> None:
    gate, root, _ = documented
    finding = only([f for f in gate.findings if f.path == "pyproject.toml"])
    assert finding.code == "TST206"
    assert finding.line == line_of((root / "pyproject.toml").read_text(), "broken =")
    assert finding.message == ("console script `broken` (nosuchmodule.cli:main) cannot be "
                               "imported (1 documented command not checked): "
                               "ModuleNotFoundError: No module named 'nosuchmodule'")


def test_a_script_without_argparse_is_not_checked(
        documented: tuple[GateResult, Path, Path]) -> None:
    gate, _, _ = documented
    assert "documented commands of `plain`: not checked (1 documented command): the script " \
        "does not parse its arguments with argparse" in gate.skipped_steps


def test_a_failing_snippet_is_told_at_the_line_that_raised(
        documented: tuple[GateResult, Path, Path]) -> None:
    gate, root, _ = documented
    page = (root / "src/01_tensor/ABOUT.md").read_text()
    missing, unimported, inside = sorted((f for f in gate.findings if f.code == "TST207"),
                                         key=lambda f: f.line or 0)
    assert (missing.path, missing.line) == ("src/01_tensor/ABOUT.md",
                                            line_of(page, "minicourse.no_such_thing(value)"))
    assert missing.module == "01_tensor"
    assert missing.message == ("documentation snippet fails at `minicourse.no_such_thing("
                               "value)`: AttributeError: module 'minicourse' has no attribute "
                               "'no_such_thing'")
    assert unimported.line == line_of(page, "make_tensor(json.dumps")
    assert unimported.message.endswith("NameError: name 'json' is not defined (it is in json: "
                                       "an import is missing)")
    assert inside.line == line_of(page, "make_tensor(None)")
    cell = line_of(TENSOR, '# %% nbgrader={"grade": false, "grade_id": "tensor-impl"')
    assert inside.message == ("documentation snippet fails at `make_tensor(None)`: TypeError: "
                              "unsupported operand type(s) for +: 'NoneType' and 'int' (raised "
                              f"at src/01_tensor/01_tensor.py:{cell})")
    counts = gate.artifacts["examples"]
    assert counts["snippets_run"] == 5 and counts["opted_out"] == 2  # type: ignore[index]
    assert counts["snippet_fragments"] == 1  # type: ignore[index]
    assert counts["snippets_continuing_others"] == 1  # type: ignore[index]  # training_data
    assert gate.status == "fail"


def test_without_an_export_the_examples_are_skipped_with_the_reason(
        make_course: CourseFactory, tmp_path: Path) -> None:
    config = PYPROJECT + SCRIPTS + '\n[tool.tinyrelease]\nexport_command = "false"\n'
    course = load_course(make_course({"pyproject.toml": config, "README.md": README}))
    report = run_gates(course, ["testing"], select=["TST206", "TST207"],
                       execution=Execution(course, "standard", tmp_path / "work"))
    gate = report.gates[0]
    assert gate.skipped == {"TST206": "the export step failed (TST205)",
                            "TST207": "the export step failed (TST205)"}
    assert gate.findings == []
