"""The built site in headless Chromium: the index and every module page open, screenshots are
saved, and a missing page, a script error or an empty chapter are reported."""

from __future__ import annotations

import shutil
from pathlib import Path

from bookcourse import BuiltCourse, needs_chromium

from tinyrelease.book.browser import check_in_browser

PNG = b"\x89PNG\r\n\x1a\n"


@needs_chromium
def test_the_site_opens_in_chromium(built: BuiltCourse, tmp_path: Path) -> None:
    report = check_in_browser(built.result.html, built.result.module_pages, tmp_path)
    assert report.problems == []
    assert report.opened == ["index.html", "intro.html"] + [f"modules/{m}.html" for m in
                                              ("01_tensor", "02_activations", "03_layers",
                                               "04_losses")]
    # every page it opened, photographed; the root page a reader lands on as index.png
    shots = [tmp_path / "index.png", *(tmp_path / f"modules/{m}.png" for m in (
        "01_tensor", "02_activations", "03_layers", "04_losses"))]
    for shot in shots:
        assert shot.read_bytes()[:8] == PNG and shot.stat().st_size > 20_000


@needs_chromium
def test_broken_pages_are_reported(built: BuiltCourse, tmp_path: Path) -> None:
    html = tmp_path / "html"
    shutil.copytree(built.result.html, html)
    (html / "modules" / "03_layers.html").unlink()
    erroring = html / "modules" / "02_activations.html"
    erroring.write_text(erroring.read_text(encoding="utf-8").replace(
        "</body>", "<script>throw new Error('the widget broke')</script></body>"),
        encoding="utf-8")
    empty = html / "modules" / "04_losses.html"
    text = empty.read_text(encoding="utf-8")
    start, end = text.index("<article"), text.index("</article>")
    empty.write_text(text[:start] + "<article><h1>04. Losses</h1>" + text[end:],
                     encoding="utf-8")
    report = check_in_browser(html, built.result.module_pages, tmp_path / "shots")
    found = {(p.code, p.page) for p in report.problems}
    assert {("DOC221", "modules/03_layers.html"), ("DOC222", "modules/02_activations.html"),
            ("DOC223", "modules/04_losses.html")} <= found
    # the gutted page may also trip the theme's own script; the intact pages report nothing
    assert not {page for _, page in found} & {"index.html", "modules/01_tensor.html"}
    assert any("the widget broke" in p.message for p in report.problems)
