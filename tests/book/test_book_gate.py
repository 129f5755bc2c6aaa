"""The documentation gate's execution part: the example course's book builds and passes; a
broken link and a missing image fail it at the right file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bookcourse import EXAMPLE, needs_chromium
from coursebuilder import about

from tinyrelease.book.gate import documentation_findings
from tinyrelease.checks.execution.codes import DOCUMENTATION_CODES as EXECUTION_CODES
from tinyrelease.checks.findings import Severity


@needs_chromium
def test_the_example_course_passes(tmp_path: Path) -> None:
    findings = documentation_findings(EXAMPLE, "comprehensive", tmp_path / "book")
    assert [f for f in findings if f.counts] == []
    shots = tmp_path / "book" / "screenshots"
    assert (shots / "index.png").is_file() and (shots / "modules" / "04_losses.png").is_file()


def broken_course(make_course: Callable[..., Path], extra: str) -> tuple[Path, int]:
    text = about(2).replace("Start now.", f"Start now.\n\n{extra}")
    line = text.split("\n").index(extra) + 1
    return make_course({"src/02_activations/ABOUT.md": text}), line


def test_a_broken_link_fails_at_its_line(make_course: Callable[..., Path], tmp_path: Path) -> None:
    root, line = broken_course(make_course, "Read [the old notes](notes.md) first.")
    findings = documentation_findings(root, "comprehensive", tmp_path / "book", browser=False)
    found = [f for f in findings if f.code == "DOC201"]
    assert len(found) == 1 and found[0].counts
    assert (found[0].path, found[0].line) == ("src/02_activations/ABOUT.md", line)
    assert "notes.md" in found[0].message and found[0].module == "02_activations"


def test_a_missing_image_fails_at_its_line(make_course: Callable[..., Path],
                                           tmp_path: Path) -> None:
    root, line = broken_course(make_course, "![The data flow](flow.png)")
    standard = documentation_findings(root, "standard", tmp_path / "book", browser=False)
    assert [(f.code, f.severity, f.path, f.line) for f in standard] == [
        ("DOC201", Severity.WARNING, "src/02_activations/ABOUT.md", line)]
    assert "flow.png" in standard[0].message
    strict = documentation_findings(root, "comprehensive", tmp_path / "book", browser=False)
    assert [(f.code, f.severity, f.line) for f in strict] == [("DOC201", Severity.ERROR, line)]


def test_a_raw_html_link_is_caught_on_the_built_site(make_course: Callable[..., Path],
                                                     tmp_path: Path) -> None:
    root, line = broken_course(make_course, 'See <a href="gone.html">the old page</a>.')
    findings = documentation_findings(root, "standard", tmp_path / "book", browser=False)
    assert [(f.code, f.path, f.line) for f in findings] == [
        ("DOC211", "src/02_activations/ABOUT.md", line)]


def test_every_execution_code_is_documented() -> None:
    assert all(code.startswith("DOC2") and title and len(docs) > 80
               for code, (title, docs) in EXECUTION_CODES.items())
