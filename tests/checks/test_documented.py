"""What the documentation shows learners to type and run: the commands that call the course's
console scripts and the snippets that import its package, each at the line a reader sees."""

from __future__ import annotations

from coursebuilder import line_of

from tinyrelease.checks.documented import Documented, read_page

PAGE = """# Using the course

```console
$ mini build 01_tensor --fast
building 01_tensor
$ mini build 02_activations \\
    --fast
```

```bash
cd course && mini build 03_layers | tee log.txt  # then read the log
mini build <module>
mini build NN_name
mini build 04_losses --level MODULE
export X=1; PYTHONPATH=. mini build 04_losses 2>&1
git status
```

```
mini build 01_tensor          0.87s
```

Run `mini build 01_tensor` or `$ mini check` when done; `mini` is the course's tool.

<!-- tinyrelease: skip -->
```sh
mini removed-command
```
"""


def read(text: str, package: str | None = "minicourse") -> Documented:
    found = Documented()
    read_page(text, "README.md", ["mini"], package, found)
    return found


def test_commands_are_read_as_the_shell_splits_them() -> None:
    found = read(PAGE)
    shown = [(c.line, c.text) for c in found.commands]
    assert shown == [
        (line_of(PAGE, "$ mini build 01_tensor"), "mini build 01_tensor --fast"),
        (line_of(PAGE, "$ mini build 02_"), "mini build 02_activations --fast"),
        (line_of(PAGE, "cd course"), "mini build 03_layers"),
        (line_of(PAGE, "export X=1"), "mini build 04_losses"),
        (line_of(PAGE, "Run `mini"), "mini build 01_tensor"),
        (line_of(PAGE, "Run `mini"), "mini check"),
    ]
    assert found.placeholders == 3  # <module>, NN_name and MODULE are not checked
    assert found.opted_out == 1


def test_snippets_that_import_the_package_with_the_line_of_each_line() -> None:
    page = ("Intro\n\n```python\nimport minicourse\n\nminicourse.go()\n```\n\n"
            "```python\nx = compute()\n```\n\n"
            "```pycon\n>>> from minicourse.core import tensor\n>>> tensor.make(\n... 2)\n2\n```\n"
            "\n```{code-cell} python\n:tags: [hide]\n%matplotlib inline\nimport minicourse\n```\n"
            "\n```python\n# tinyrelease: skip\nimport minicourse\n```\n")
    found = read(page)
    first, doctest, cell = found.snippets
    assert first.code == "import minicourse\n\nminicourse.go()\n"
    assert first.line_of(3) == line_of(page, "minicourse.go()")
    assert doctest.code == "from minicourse.core import tensor\ntensor.make(\n2)\n"
    assert doctest.line_of(2) == line_of(page, ">>> tensor.make(")
    assert cell.code == "\nimport minicourse\n"
    assert cell.line_of(2) == line_of(page, "import minicourse\n```\n\n```python\n# tiny")
    assert found.fragments == 1 and found.opted_out == 1


def test_a_python_block_holding_a_fence_is_not_a_snippet() -> None:
    page = '```python\n"""\n```python\nimport minicourse\n```\n"""\n```\n'
    assert read(page).snippets == []


def test_code_inside_directives_is_read_too() -> None:
    page = "````{admonition} Try it\n```bash\nmini build 01_tensor\n```\n````\n"
    [command] = read(page).commands
    assert command.line == 3
