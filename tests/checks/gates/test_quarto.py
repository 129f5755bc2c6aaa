"""DOC132: a course's Quarto site (a folder with `_quarto.yml`, as a monorepo course keeps its
website) names pages and links files that exist; DOC231: the site is rendered when Quarto is
installed, else skipped with the reason."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, line_of, only

from tinyrelease.book.gate import render_quarto
from tinyrelease.checks.course import load_course
from tinyrelease.checks.execution.gates import Execution, ExecutionResult
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.quarto import outside_files

Findings = Callable[[Path, str], list[Finding]]

CONFIG = """\
project:
  type: website
  output-dir: _build
  post-render:
    - ../../shared/scripts/stats.py
  resources:
    - assets/downloads/**

website:
  title: "Small Course"
  navbar:
    left:
      - text: Home
        href: ./index.qmd
      - text: Guide (PDF)
        href: assets/downloads/Guide.pdf
  sidebar:
    - id: main
      contents:
        - text: Home
          href: index.qmd
        - section: Modules
          contents:
            - href: modules/01_tensor.qmd
              text: "01. Tensor"
            - href: modules/02_activations.qmd
              text: "02. Activations"

metadata-files:
  - ../../shared/config/navbar.yml
format:
  html:
    include-in-header:
      - file: ../../shared/head.html
"""

INDEX = """\
---
title: "Welcome"
---

Start with [the tensor module](modules/01_tensor.qmd) or read the
[rendered page](modules/01_tensor.html#overview), see @fig-path and
the [guide](assets/downloads/Guide.pdf) a workflow adds at deploy.

![The path](/assets/path.svg)

```markdown
[inside a code block](nowhere.qmd)
```

{{< include _snippet.qmd >}}

[Shared glossary](../../shared/glossary.qmd) and [the book](https://example.org/book).
"""

TENSOR = """\
---
title: "01. Tensor"
---

Back [home](../index.qmd). Next: [activations](02_activations.qmd).
"""


def site(extra: dict[str, str] | None = None) -> dict[str, str]:
    files = {"quarto/_quarto.yml": CONFIG, "quarto/index.qmd": INDEX,
             "quarto/modules/01_tensor.qmd": TENSOR,
             "quarto/modules/02_activations.qmd": "# 02. Activations\n",
             "quarto/assets/path.svg": "<svg/>\n", "quarto/_snippet.qmd": "A snippet.\n",
             # neither a README nor the render's output is a page of the site
             "quarto/README.md": "[not a page](missing.qmd)\n",
             "quarto/_build/index.html": "<a href='gone.html'>x</a>\n",
             "quarto/_build/notes.md": "[rendered copy](gone.qmd)\n"}
    return {**files, **(extra or {})}


def test_a_site_whose_pages_and_links_resolve_passes(make_course: CourseFactory,
                                                    findings: Findings) -> None:
    root = make_course(site())
    assert findings(root, "DOC132") == []


def test_a_missing_page_is_one_finding_listing_every_place(make_course: CourseFactory,
                                                           findings: Findings) -> None:
    config = CONFIG.replace('            - href: modules/02_activations.qmd\n',
                            '            - href: modules/02_activations.qmd\n'
                            '            - href: modules/03_layers.qmd\n')
    tensor = TENSOR + "\nLater: [layers](03_layers.html) and ![plot](img/loss.png).\n"
    index = INDEX + "\nSkip ahead to [layers](./modules/03_layers.qmd#top).\n"
    root = make_course(site({"quarto/_quarto.yml": config, "quarto/modules/01_tensor.qmd": tensor,
                             "quarto/index.qmd": index}))
    found: list[Finding] = sorted(findings(root, "DOC132"),
                                  key=lambda f: f.message)
    assert [f.message for f in found] == [
        'quarto/modules/03_layers.qmd does not exist: "modules/03_layers.qmd" names it and 2 '
        "more place(s)",
        'quarto/modules/img/loss.png does not exist: "img/loss.png" names it (a warning: a '
        "publishing workflow may add it)"
    ]
    assert [f.severity for f in found] == [Severity.ERROR, Severity.WARNING]
    layers = found[0]
    assert (layers.path, layers.line) == ("quarto/_quarto.yml",
                                          line_of(config, "modules/03_layers.qmd"))
    assert sorted(layers.places) == sorted((("quarto/index.qmd", line_of(index, "Skip ahead")),
                                            ("quarto/modules/01_tensor.qmd",
                                             line_of(tensor, "Later:"))))


def test_links_leaving_the_course_are_not_followed(make_course: CourseFactory,
                                                   findings: Findings, tmp_path: Path) -> None:
    outside = tmp_path / "secret.qmd"
    outside.write_text("secret\n")
    root = make_course(site({"quarto/modules/02_activations.qmd":
                             "[out](../../../../secret.qmd) [gone](../../../../nothing.qmd)\n"}))
    os.symlink(outside, root / "quarto" / "linked.qmd")
    config = CONFIG.replace("        - text: Home\n          href: index.qmd\n",
                            "        - text: Home\n          href: index.qmd\n"
                            "        - href: linked.qmd\n")
    (root / "quarto" / "_quarto.yml").write_text(config)
    found = only(findings(root, "DOC132"))
    # a link that leaves the root is not a file of the course: it is not read, nor reported
    assert found.message == 'quarto/linked.qmd does not exist: "linked.qmd" names it'


def _execution(root: Path, tmp_path: Path) -> Execution:
    return Execution(load_course(root), "standard", tmp_path / "work")


def _path_with(tmp_path: Path, program: str | None) -> str:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    if program:
        tool = folder / program
        tool.write_text("#!/bin/sh\nexit 3\n")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return str(folder)


def test_without_quarto_the_render_is_skipped_with_the_reason(
        make_course: CourseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with(tmp_path, None))
    result = ExecutionResult()
    render_quarto(_execution(make_course(site()), tmp_path), result)
    assert result.skipped == {"DOC231": "Quarto is not installed: the site in quarto/ was not "
                              "rendered (its pages and links were checked, DOC132); install it "
                              "from https://quarto.org/docs/get-started/"}
    assert result.findings == []


def test_a_site_using_files_outside_the_course_is_not_rendered_from_a_copy(
        make_course: CourseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with(tmp_path, "quarto"))  # there, but never run
    result = ExecutionResult()
    render_quarto(_execution(make_course(site()), tmp_path), result)
    assert result.skipped["DOC231"] == (
        "the Quarto site in quarto/ uses files outside the course (../../shared/config/navbar.yml"
        ", ../../shared/head.html, ../../shared/scripts/stats.py): render it in its repository")
    assert not (tmp_path / "work" / "quarto").exists()


def test_a_course_without_a_quarto_site_has_nothing_to_render(
        make_course: CourseFactory, tmp_path: Path) -> None:
    result = ExecutionResult()
    render_quarto(_execution(make_course(), tmp_path), result)
    assert (result.ran, result.skipped) == (["DOC231"], {})


@pytest.mark.skipif(not any((Path(p) / "quarto").is_file()
                            for p in os.environ.get("PATH", "").split(os.pathsep)),
                    reason="Quarto is not installed on this machine")
def test_a_self_contained_site_is_rendered(make_course: CourseFactory, tmp_path: Path) -> None:
    config = CONFIG.split("metadata-files:")[0].replace(
        "  post-render:\n    - ../../shared/scripts/stats.py\n", "")
    root = make_course(site({"quarto/_quarto.yml": config,
                             "quarto/index.qmd": "---\ntitle: Welcome\n---\n\nHello.\n"}))
    result = ExecutionResult()
    render_quarto(_execution(root, tmp_path), result)
    assert (result.skipped, result.findings) == ({}, [])
    assert (tmp_path / "work" / "quarto" / "quarto" / "index.html").is_file()


def test_html_blocks_table_rows_and_site_files_are_checked_too(make_course: CourseFactory,
                                                               findings: Findings) -> None:
    config = CONFIG.replace("  title: \"Small Course\"\n",
                            "  title: \"Small Course\"\n  favicon: assets/favicon.svg\n")
    page = ("# 02. Activations\n\n| Guide | Where |\n|---|---|\n| One | [see](guide.qmd) |\n"
            "| Two | [see](guide.qmd) |\n\n```{=html}\n<a class=\"button\" "
            "href=\"../slides/02.pdf\">Slides</a>\n```\n\n```html\n<a href=\"shown-only.qmd\">"
            "</a>\n```\n")
    root = make_course(site({"quarto/_quarto.yml": config,
                             "quarto/modules/02_activations.qmd": page}))
    found = sorted(findings(root, "DOC132"), key=lambda f: f.message)
    assert [(f.message, f.path, f.line) for f in found] == [
        ('quarto/assets/favicon.svg does not exist: "assets/favicon.svg" names it (a warning: '
         "a publishing workflow may add it)",
         "quarto/_quarto.yml", line_of(config, "favicon")),
        ('quarto/modules/guide.qmd does not exist: "guide.qmd" names it and 1 more place(s)',
         "quarto/modules/02_activations.qmd", line_of(page, "| One")),
        ('quarto/slides/02.pdf does not exist: "../slides/02.pdf" names it (a warning: a '
         "publishing workflow may add it)",
         "quarto/modules/02_activations.qmd", line_of(page, "<a class")),
    ]
    assert found[1].places == (("quarto/modules/02_activations.qmd", line_of(page, "| Two")),)


def test_a_hostile_quarto_config_is_refused_not_expanded(make_course: CourseFactory,
                                                         findings: Findings) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
        f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
        for n in range(12))
    root = make_course(site({"quarto/_quarto.yml": bomb}))
    # read by the one YAML reader: refused, not expanded; the pages are still checked, now
    # without the resources glob that covered the PDF
    found = only(findings(root, "DOC132"))
    assert found.message.startswith('quarto/assets/downloads/Guide.pdf does not exist')
    assert outside_files(load_course(root).files, "quarto") == []
