"""The documentation gate's execution findings (DOC2xx): built, link-checked and opened in a
browser. Declared here as code -> (title, docs) so the check reference can list them.
"""

from __future__ import annotations

EXECUTION_CODES: dict[str, tuple[str, str]] = {
    "DOC201": (
        "The book builds without warnings",
        "Jupyter Book (Sphinx) warned while building the course book: a broken cross-reference, "
        "a missing image, a bad directive. The finding points at the course file and line the "
        "page was made from. At the comprehensive level the build is strict and any warning "
        "fails the gate; at the standard level warnings are reported. Fix the Markdown at that "
        "line, then run `nox -s book`.",
    ),
    "DOC202": (
        "The book builds at all",
        "The book could not be built: the configuration is invalid, the course's own book "
        "(`site/` or `docs/`) lacks `_toc.yml`, or Sphinx stopped with an error. Nothing can "
        "be published until it builds; the message names the cause.",
    ),
    "DOC211": (
        "Internal links of the built site resolve",
        "A link in the built HTML points to a page or file of the site that does not exist. "
        "Links are checked offline on the HTML, so links rewritten by the theme count too. "
        "The finding names the course file the page came from; fix or remove the link.",
    ),
    "DOC212": (
        "Internal anchors of the built site exist",
        "A link points to a `#anchor` that no element of the target page carries: a renamed "
        "heading or a stale check code. Use the heading's current anchor (headings get anchors "
        "from their text) or a MyST label.",
    ),
    "DOC221": (
        "Every page opens in a browser",
        "Headless Chromium could not load the index or a module page from a local web server "
        "(a missing page or an HTTP error). The learner would see a broken site.",
    ),
    "DOC222": (
        "Pages raise no script errors",
        "A script of the site raised an uncaught error while Chromium showed the page. Errors "
        "from other origins are ignored; ours break search, navigation or the theme.",
    ),
    "DOC223": (
        "Module chapters are not empty",
        "A module chapter shows less text than a page should (its ABOUT.md is empty, or "
        "everything failed to render). Fill in the module's ABOUT.md.",
    ),
}
