"""The built site in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) opens the index and every module page from a web server on loopback.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tinyrelease.book.errors import BookError
from tinyrelease.checks import environment

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
_REFRESH = re.compile(r'http-equiv="Refresh"\s+content="0;\s*url=([^"]+)"', re.IGNORECASE)
MIN_CHAPTER_CHARS = 200  # a title and a facts table alone come to about 60


@dataclass(frozen=True)
class PageProblem:
    """What went wrong on one page of the site (`modules/01_tensor.html`)."""

    code: str
    page: str
    message: str


@dataclass
class BrowserReport:
    problems: list[PageProblem] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        """The server's access log would drown the gate's output."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that drops a connection mid-file (a closed page) is not a server error."""


@contextmanager
def serve(html: Path) -> Iterator[str]:
    """Serve `html` on a free loopback port for as long as the block runs."""
    server = _Server(("127.0.0.1", 0), partial(_QuietHandler, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def check_in_browser(html: Path, module_pages: dict[str, str], shots: Path) -> BrowserReport:
    """Open the index, the root page and each module page, and screenshot every one of them
    into `shots` (`index.png`, `intro.png`, `modules/01_tensor.png`)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BookError("the browser check needs playwright: install the `book` dependency "
                        "group (nox -s book does)") from None
    executable = environment.chromium()
    if executable is None:
        raise BookError(f"{environment.CHROMIUM}: no Chromium to open the site with "
                        "(sudo apt-get install chromium)")
    report = BrowserReport()
    home = _redirect_target(html / "index.html")
    pages = [("index.html", None)] + ([(home, None)] if home else []) + [
        (f"{doc}.html", module) for module, doc in module_pages.items()]
    # every page it opens is photographed; the index only redirects, so the page it leads to
    # is the one a reader sees there, and its picture is index.png
    shoot = {page: shots / f"{page.removesuffix('.html')}.png" for page, _ in pages
             if not (home and page == "index.html")}
    if home:
        shoot[home] = shots / "index.png"
    with serve(html) as base, sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(executable),
                                                 args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            raise BookError(f"{executable} did not start: {str(error).splitlines()[0]}") from None
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            # Offline by design: anything not on our loopback server is refused at once.
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(base) else route.abort())
            for page_path, module in pages:
                _visit(context, base, page_path, module, shoot.get(page_path), report)
        finally:
            browser.close()
    return report


def _redirect_target(index: Path) -> str | None:
    """Jupyter Book's index.html only redirects to the root page; the root page is the one a
    reader sees, so it is the one to open and photograph as well."""
    try:
        found = _REFRESH.search(index.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return found[1] if found and "://" not in found[1] else None


def _visit(context: object, base: str, page_path: str, module: str | None, shot: Path | None,
           report: BrowserReport) -> None:
    page = context.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(_own_error(error, base)))
    try:
        response = page.goto(base + page_path, wait_until="load")
        if response is None or response.status >= 400:
            status = response.status if response else "no response"
            report.problems.append(PageProblem("DOC221", page_path, f"{page_path} did not "
                                               f"open in Chromium (HTTP {status})"))
            return
        report.opened.append(page_path)
        for message in filter(None, errors):
            report.problems.append(PageProblem("DOC222", page_path,
                                               f"{page_path}: script error: {message}"))
        if module is not None:
            text = page.inner_text("article") if page.query_selector("article") else ""
            if len(text.strip()) < MIN_CHAPTER_CHARS:
                report.problems.append(PageProblem(
                    "DOC223", page_path, f"the chapter of {module} shows only "
                    f"{len(text.strip())} characters of text in Chromium"))
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=False)
            report.screenshots.append(shot)
    finally:
        page.close()


def _own_error(error: object, base: str) -> str:
    """The error's message when it comes from a script of our site, else '' (ignored)."""
    stack = getattr(error, "stack", "") or ""
    message = getattr(error, "message", None) or str(error)
    foreign = "http" in stack and base not in stack
    return "" if foreign else message.splitlines()[0]
