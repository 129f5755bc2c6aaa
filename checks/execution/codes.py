"""The findings the execution gates report, declared so that the check reference, the SARIF
rules and `--explain` describe them like the static checks.
"""

from tinyrelease.checks.findings import Severity
from tinyrelease.checks.registry import declare_execution, session_code

DOCUMENTATION_CODES: dict[str, tuple[str, str]] = {
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
    "DOC231": (
        "The course's Quarto site renders",
        "`quarto render` failed on a Quarto site of the course (a folder with `_quarto.yml`), "
        "rendered in a copy of the course without tinyrelease's credentials. The finding "
        "carries the end of Quarto's output. Without Quarto on the machine, or when the site "
        "uses files outside the course (a monorepo's shared configuration), the render is "
        "skipped with that reason; the site's pages and links are checked either way (DOC132).",
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

declare_execution("TST201", "Course tests pass", """
    A test of the course failed; the finding names the test and the line of the failing
    assertion.

    Why: a release must prove that what learners build works.
    Fix: run the named test (`pytest PATH::NAME`) and fix the module or the test.
    """)
declare_execution("TST202", "Test files import", """
    pytest could not import a test file, so none of its tests ran.

    Why: a test file that fails to import hides every test in it; the other files still run.
    Fix: fix the import (usually a module renamed or not exported) at the line given.
    """)
declare_execution("TST203", "Coverage reaches the threshold", """
    Line coverage of the course package by all suites is under the threshold
    (`coverage_threshold`, 80 by default); the finding names the least-covered modules.

    Why: the release bar is every suite passing and at least 80% of the package covered.
    Fix: add tests for the named modules, or lower the threshold in [tool.tinyrelease].
    """)
declare_execution("TST204", "Test suites run", """
    A suite could not be run at all (pytest missing or crashing), or collected no tests.

    Why: a suite that does not run proves nothing, and silently passes otherwise.
    Fix: install the course's test dependencies (`nox -s testing` does) or add tests.
    """)
declare_execution("TST205", "Tests run on the exported package", """
    The course's export step failed, so its tests were not run against a fresh package.

    Why: tests of a stale package prove nothing about the sources learners edit.
    Fix: fix the export (the package gate's PKG201 shows its output).
    """)
declare_execution("TST206", "Documented commands parse", """
    A command line of the README, an ABOUT.md or a book page calls one of the course's console
    scripts (`[project.scripts]`) with arguments its own argparse parser rejects; the finding
    quotes argparse's error line. Commands are read from shell code blocks (bash, sh, shell,
    console or no language; `$ ` prompts stripped) and from inline code that starts with the
    script's name. They are parsed, never run: the script's entry point is started with
    argparse patched to stop as soon as the outermost parse returns. Lines with something to
    fill in (`<module>`, `NN`, `...`, `[--flag]`, `$VAR`, `MODULE`) are not checked, nothing
    is substituted, and a script that does not use argparse is not checked (the gate says so).

    Why: learners type what the documentation shows; a renamed subcommand or flag leaves
    every page that shows the old one failing at the first step.
    Fix: update the command at the places listed (or the parser, if the page is right). A
    block that must stay as it is takes `<!-- tinyrelease: skip -->` on the line above its
    fence.
    """)
declare_execution("TST207", "Documentation snippets run", """
    A Python code block of an ABOUT.md or a book page (fenced as `python`, `py` or
    `{code-cell} python`, `>>>` examples too) that imports the course package raised when run
    on the exported package; the finding points at the line that raised, with the exception's
    last line (and the course's own line, when the package raised). Each snippet runs in a
    fresh interpreter of the testing gate's environment, in a scratch folder (never the
    course), with `MPLBACKEND=Agg` and a time limit. Blocks that do not import the package
    are fragments and are not run, and so is a snippet that uses a name nothing defines (it
    continues code shown elsewhere); a name the package or the standard library has is a
    missing import, and is reported. Notebook magics (`%`, `!` lines) are left out.

    Why: a snippet is the first code a learner copies; one that fails teaches that the
    documentation cannot be trusted.
    Fix: correct the snippet (or the package). A snippet that is not meant to run on its own
    takes `<!-- tinyrelease: skip -->` on the line right before its fence, or
    `# tinyrelease: skip` as its first line.
    """)
declare_execution("PKG201", "The export step succeeds", """
    The course's export command (`export_command`, e.g. `tito src export --all`, or
    tinyrelease's jupytext + nbdev exporter) failed.

    Why: the package learners install is produced by the export.
    Fix: run the export command by hand and fix what it reports.
    """)
declare_execution("PKG202", "Exported cells reach the package", """
    The code of an `#| export` cell is not in the package file of the module's `default_exp`
    after a fresh export.

    Why: learners' work that is not exported is missing from the package they import.
    Fix: check the cell's directive and the module's `default_exp`, then export again.
    """)
declare_execution("PKG203", "The committed package matches a fresh export", """
    A file of the course package differs from what the export writes from the sources.

    Why: the package was edited by hand or not exported after the sources changed.
    Fix: run the export and commit the result.
    """, Severity.WARNING)
declare_execution("PKG204", "The package builds", """
    `python -m build` could not build the sdist and the wheel.

    Why: nothing can be released or installed without them.
    Fix: run `python -m build` in the course and fix `pyproject.toml` or the package.
    """)
declare_execution("PKG205", "twine check --strict passes", """
    `twine check --strict` rejects a built distribution (metadata, long description).

    Why: the index would reject the upload, or render the project page badly.
    Fix: fix the metadata twine names (readme, content type, license).
    """)
declare_execution("PKG206", "The wheel carries only the package", """
    The wheel contains tests, notebooks, caches or files outside the package.

    Why: learners install what the wheel carries; stray files break or bloat installs.
    Fix: restrict package discovery in `pyproject.toml` (e.g. `include = ["pkg*"]`).
    """)
declare_execution("PKG207", "The wheel carries every exported module", """
    A module some source exports is missing from the built wheel.

    Why: `import pkg.module` fails for every learner who installs the release.
    Fix: make package discovery include the module's folder (and its `__init__.py`).
    """)
declare_execution("PKG208", "The installed package imports", """
    Installing the wheel into a fresh environment and importing the package or one of its
    exported modules failed (on the interpreter named). The finding points at the source cell
    that wrote the failing line; a `NameError` for a name the module imports in a cell without
    `#| export` says so.

    Why: `import tinytorch` failing from a fresh clone is exactly what a course can ship.
    Fix: export the cell that imports the name, add the missing dependency to
    `pyproject.toml`, or fix the import named.
    """)

declare_execution("PKG210", "Names the sources import from the package exist", """
    A module source writes `from pkg.module import name`, and the package built from the
    course, installed in a fresh environment, has no `name` in that module (its module itself
    imports; a module that fails to import is PKG208).

    Why: the line runs in the learner's notebook; a name that was renamed, or defined in a
    cell without `#| export`, raises ImportError for every learner at that cell.
    Fix: export the cell that defines the name, or import the name the module now has.
    """)

declare_execution("PKG209", "Changes carry a changelog fragment", """
    `towncrier check` finds no fragment in the changelog folder for the changes since the
    development branch (courses with a [tool.towncrier] configuration).

    Why: the release notes are built from the fragments; a change without one is a change
    learners are never told about.
    Fix: `towncrier create +name.feature.md --content "what changed"` and commit it.
    """)

for _code, (_title, _docs) in DOCUMENTATION_CODES.items():
    declare_execution(_code, _title, _docs)

for _gate in ("implementation", "testing", "package", "documentation"):
    declare_execution(session_code(_gate), f"The {_gate} session runs", f"""
        The {_gate} gate's nox session failed before it wrote its report (its environment
        could not be created, or a dependency of the course failed to install).

        Why: a gate that did not run cannot pass.
        Fix: run `nox -s {_gate}` and read its output.
        """)
