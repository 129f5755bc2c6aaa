"""The documentation's examples kept by what they reach: after one module's edit, a snippet
that cannot reach it is served from the cache, one that imports it (by name or at run time)
runs again, and the findings are those of a run without the cache."""

from __future__ import annotations

from pathlib import Path

from coursebuilder import PYPROJECT, CourseFactory, about, edited_source

from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import GateResult, run_gates
from tinyrelease.checks.execution.gates import Execution

SNIPPETS = """
## Try it

```python
from minicourse.core.tensor import make_tensor

print(make_tensor(2))
```

```python
from minicourse.core.losses import make_losses

make_losses(None)
```

```python
import importlib
import minicourse

importlib.import_module(minicourse.__name__ + ".core.losses").make_losses(None)
```
"""
CLI = ("import argparse\n\n\ndef main():\n    parser = argparse.ArgumentParser(prog='mini')\n"
       "    parser.add_argument('module')\n    parser.parse_args()\n")
README = "# Mini course\n\n```console\n$ mini 01_tensor\n$ mini\n```\n"
SCRIPTS = '\n[project.scripts]\nmini = "minicli:main"\n'
LOSSES = "src/04_losses/04_losses.py"


def run_examples(root: Path, work: Path, cache: Path | None) -> GateResult:
    course = load_course(root)
    execution = Execution(course, "standard", work, None, cache, cache is not None)
    return run_gates(course, ["testing"], select=["TST206", "TST207"],
                     execution=execution).gates[0]


def test_an_edit_reruns_only_the_examples_that_reach_it(make_course: CourseFactory,
                                                        tmp_path: Path) -> None:
    root = make_course({"minicli.py": CLI, "README.md": README,
                        "pyproject.toml": PYPROJECT + SCRIPTS,
                        "src/01_tensor/ABOUT.md": about(1) + SNIPPETS,
                        # the package imports none of its modules: a snippet reaches its own
                        "minicourse/__init__.py": '__version__ = "0.1.0"\n'})
    first = run_examples(root, tmp_path / "work1", tmp_path / "cache")
    assert [f.code for f in first.findings] == ["TST206"]  # `mini` without its module
    # make_losses(None) now fails: only the two snippets that reach losses can say so
    (root / LOSSES).write_text(edited_source(4, "    return value\n", "    return value + 0\n"),
                               encoding="utf-8")
    edited = run_examples(root, tmp_path / "work2", tmp_path / "cache")
    counts = edited.artifacts["examples"]
    assert counts["snippets_cached"] == 1  # type: ignore[index]
    assert counts["commands_cached"] == 2  # type: ignore[index]
    fresh = run_examples(root, tmp_path / "work3", None)
    said = [(f.code, f.path, f.line, f.message) for f in edited.findings]
    assert said == [(f.code, f.path, f.line, f.message) for f in fresh.findings]
    # both snippets reaching losses ran again, the one importing it at run time too
    [failed] = [f for f in edited.findings if f.code == "TST207"]
    assert failed.message.startswith("2 documentation snippets fail with the same error: "
                                     "TypeError: unsupported operand type(s) for +: 'NoneType'")
    assert len({failed.line, *(line for _, line in failed.places)}) == 2
    # a page's new command is read from the page, not from the kept reading of the pages
    (root / "README.md").write_text(README + "\n```console\n$ mini 02_activations --bad\n```\n",
                                    encoding="utf-8")
    again = run_examples(root, tmp_path / "work4", tmp_path / "cache")
    assert any("--bad" in f.message for f in again.findings)
