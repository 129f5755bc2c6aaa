"""The example course's book, built for real with Jupyter Book: chapters by tier, the learning
path with its chart, release notes, the quality dashboard and the check reference."""

from __future__ import annotations

import re
from pathlib import Path

from bookcourse import BuiltCourse

from tinyrelease.book.build import build_book
from tinyrelease.checks.catalog import all_checks
from tinyrelease.checks.course import load_course
from tinyrelease.checks.execution.codes import DOCUMENTATION_CODES as EXECUTION_CODES


def page(built: BuiltCourse, name: str) -> str:
    return (built.result.html / name).read_text(encoding="utf-8")


def test_every_module_has_a_chapter_with_title_difficulty_and_time(built: BuiltCourse) -> None:
    assert built.result.status == 0
    assert built.result.warnings == []
    for module in load_course(built.root).modules:
        html = page(built, f"modules/{module.id}.html")
        title = f"{module.number:02d}. {module.meta.title}"
        assert re.search(rf"<h1>{re.escape(title)}", html), title
        assert module.meta.time.text in html and module.meta.difficulty.text in html
        assert "Learning Objectives" in html


def test_chapters_are_grouped_into_parts_by_tier(built: BuiltCourse) -> None:
    index = page(built, "intro.html")
    captions = re.findall(r'<p aria-level="2" class="caption" role="heading">'
                          r'<span class="caption-text">([^<]+)</span>', index)
    assert captions[1:3] == ["Foundation Tier", "Architecture Tier"]
    foundation = index.split("Foundation Tier")[1].split("Architecture Tier")[0]
    assert "01. Tensor" in foundation and "02. Activations" in foundation
    assert "03. Layers" not in foundation


def test_module_links_lead_to_chapters_and_copied_sources(built: BuiltCourse) -> None:
    html = page(built, "modules/01_tensor.html")
    assert 'href="02_activations.html"' in html  # was ../02_activations/ABOUT.md
    assert 'href="../learning-path.html"' in html  # was ../LEARNING_PATH.md
    download = re.search(r'href="(\.\./_downloads/[^"]+/01_tensor\.py)"', html)
    assert download and (built.result.html / "modules" / download[1]).is_file()


def test_learning_path_has_the_table_and_the_chart(built: BuiltCourse) -> None:
    html = page(built, "learning-path.html")
    for row in ("01. Tensor", "2-3 hours", "03. Layers", "3-4 hours", "Architecture Tier"):
        assert row in html
    assert "9-14 hours" in html
    chart = built.result.html / "_images" / "learning-path.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000
    assert 'src="_images/learning-path.png"' in html


def test_release_notes_come_from_the_changelog(built: BuiltCourse) -> None:
    html = page(built, "release-notes.html")
    assert "0.1.0" in html and "MSELoss and a log-sum-exp CrossEntropyLoss" in html


def test_dashboard_shows_each_gate_status(built: BuiltCourse) -> None:
    html = page(built, "quality.html")
    for gate in ("educational", "implementation", "testing", "package", "documentation",
                 "systems"):
        assert re.search(rf"<td><p>{gate}</p></td>\s*<td><p>✅ pass</p></td>", html), gate
    assert "Overall: ✅ pass" in html


def test_check_reference_has_an_anchor_per_code(built: BuiltCourse) -> None:
    html = page(built, "checks.html")
    codes = [c.code for c in all_checks()] + list(EXECUTION_CODES)
    for code in codes:
        assert f'id="check-{code.lower()}"' in html, code
    assert all_checks()[0].title in html


def test_a_second_build_with_nothing_changed_runs_no_sphinx(built: BuiltCourse) -> None:
    index = built.result.html / "index.html"
    before = index.stat().st_mtime_ns
    again = build_book(load_course(built.root), built.out, built.report)
    assert again.status == 0 and index.stat().st_mtime_ns == before


def test_a_changed_module_rebuilds_its_chapter(built: BuiltCourse, tmp_path: Path) -> None:
    about = built.root / "src" / "04_losses" / "ABOUT.md"
    original = about.read_text(encoding="utf-8")
    try:
        about.write_text(original.replace("## Overview", "## Overview\n\nFreshly edited."),
                         encoding="utf-8")
        result = build_book(load_course(built.root), built.out, built.report)
        assert "Freshly edited." in page(built, "modules/04_losses.html")
        assert result.warnings == []
    finally:
        about.write_text(original, encoding="utf-8")
        build_book(load_course(built.root), built.out, built.report)


def test_without_a_report_the_dashboard_says_so(make_course: object, tmp_path: Path) -> None:
    root = make_course()  # type: ignore[operator]
    result = build_book(load_course(root), tmp_path / "out", tmp_path / "none.json")
    html = (result.html / "quality.html").read_text(encoding="utf-8")
    assert "No gates report was found" in html
    assert result.info["gates"] == "missing"
