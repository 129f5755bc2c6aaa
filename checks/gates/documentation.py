"""The checks of the documentation gate: each ABOUT.md page's heading, sections, checkpoint
markers and links, stale copies of the pages, and the pages and links of a Quarto site.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from urllib.parse import unquote

from tinyrelease.checks import quarto
from tinyrelease.checks.about import About, numbered_title
from tinyrelease.checks.course import Course, Module, StaleCopy
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.common import read_problems
from tinyrelease.checks.markdown import is_external, normalise_heading
from tinyrelease.checks.registry import Hit, check

REQUIRED_SECTIONS = ("Overview", "Learning Objectives", "Build → Use → Reflect",
                     "Implementation Guide", "Getting Started", "Testing",
                     "Systems Thinking Questions", "Ready to Build?")
_BUILD = normalise_heading("Build →")


@check("DOC001", "Files of the documentation gate are readable")
def files_readable(course: Course) -> Iterator[Hit]:
    """A file this gate reads is a symlink leaving the course root, too large, or not UTF-8.

    Why: the gate cannot judge a file it cannot read, and a link out of the course root would
    make the checks read (and a release ship) files that are not part of the course.
    Fix: replace the link with the file itself, split or remove the huge file, or re-save the
    file as UTF-8.
    """
    yield from read_problems(course, "documentation")


# The page heading --------------------------------------------------------------------------

@check("DOC101", "ABOUT.md has a numbered title heading",
       convention="about-heading")
def heading_present(course: Course) -> Iterator[Hit]:
    """ABOUT.md has no level-one heading in the course's form (`# 05. Autograd`, or
    `# Module 05: Autograd` in the tinytorch-2026 profile) after its front matter.

    Why: the heading is the page title in the book and in its navigation; without it the page
    shows with no title or with the first section's name.
    Fix: add the heading right after the front matter, with the module's number and title.
    """
    for module, about in _pages(course):
        if about.h1 is None:
            yield Hit(f'ABOUT.md has no "{_heading(course, module.number)}" heading', about.path)


@check("DOC102", "Heading number equals the directory number",
       convention="about-heading")
def heading_number(course: Course) -> Iterator[Hit]:
    """The title heading of ABOUT.md (`# 05. Autograd`, `# Module 05: Autograd`) has no number
    or a number other than the module directory's.

    Why: learners find modules by number; a page numbered differently from its directory is
    usually left over from a renumbering, and the book then shows two modules with one number.
    Fix: write the directory's number in the heading.
    """
    for module, about in _pages(course):
        number, _ = numbered_title(about.h1.text) if about.h1 else (module.number, "")
        if about.h1 is not None and number != module.number:
            found = "has no module number" if number is None else f"has number {number:02d}"
            yield Hit(f'heading "# {about.h1.text}" {found}, but the directory is {module.id}; '
                      f'write "{_heading(course, module.number)}"', about.path, about.h1.line)


def _heading(course: Course, number: int) -> str:
    """The course's form of a module page's title heading (`# NN. Title`) for a number."""
    form = str(course.conventions.get("about-heading", "pattern", "# NN. Title"))
    return form.replace("NN", f"{number:02d}")


@check("DOC103", "Heading title equals the front-matter title", severity=Severity.WARNING,
       convention="about-heading")
def heading_title(course: Course) -> Iterator[Hit]:
    """The title in the `# NN. Title` heading differs from the front-matter `title` (or the
    `title` of `module.yaml`; the part before " - " of a "Short - Subtitle" title is accepted
    too).

    Why: the book's cards and navigation show the front-matter title and the page shows the
    heading; two names for one module confuse learners and searches.
    Fix: make the heading and the front-matter title the same.
    """
    for module, about in _pages(course):
        meta = module.meta
        title = meta.title if meta else None
        if about.h1 is None or not title:
            continue
        _, heading = numbered_title(about.h1.text)
        if _spaced(heading) not in {_spaced(title), _spaced(title.split(" - ")[0])}:
            where = ("the front-matter title" if meta is about.meta
                     else f"the title in {meta.path}" if meta else "the title")
            yield Hit(f'heading title "{heading}" differs from {where} "{title}"',
                      about.path, about.h1.line)


@check("DOC104", "ABOUT.md carries the module's info block", convention="module-info")
def info_block(course: Course) -> Iterator[Hit]:
    """ABOUT.md has no "Module Info" admonition (`:::{admonition} Module Info`) whose bold
    info line states the tier, `Difficulty:`, `Time:` and `Prerequisites:`, or a value on it
    cannot be read (difficulty as `●●○○`, time as an hour range).

    Why: the info block is how the course states a module's difficulty, time and
    prerequisites when ABOUT.md has no front matter; the course map and the book are checked
    against it.
    Fix: write the admonition after the title, with the info line
    `**FOUNDATION TIER** | Difficulty: ●●○○ | Time: 3-5 hours | Prerequisites: 01`.
    """
    title = str(course.conventions.get("module-info", "admonition", "Module Info"))
    fields = list(course.conventions.get("module-info", "fields", []))
    for module, about in _pages(course):
        tier = about.tier
        if title not in about.admonitions or tier is None:
            what = "no info line" if title in about.admonitions else f'no "{title}" admonition'
            yield Hit(f"ABOUT.md has {what} stating tier, {', '.join(fields)}", about.path,
                      about.h1.line if about.h1 else None, module.id)
            continue
        given = {"Difficulty": tier.difficulty_text, "Time": tier.time_text,
                 "Prerequisites": tier.prerequisites}
        missing = [name for name in fields if not given.get(name)]
        unread = [f'{name} "{given[name]}"' for name, value in (
            ("Difficulty", tier.difficulty), ("Time", tier.time))
                  if name in fields and given.get(name) and value is None]
        if missing or unread:
            said = ([f"lacks {', '.join(missing)}"] if missing else []) + (
                [f"has {', '.join(unread)}, which cannot be read"] if unread else [])
            yield Hit(f"the info line {' and '.join(said)}", about.path, tier.line, module.id)


# Sections and checkpoints ------------------------------------------------------------------

@check("DOC111", "ABOUT.md has the required sections",
       convention="about-sections")
def required_sections(course: Course) -> Iterator[Hit]:
    """ABOUT.md lacks some of the `##` sections every module page has: Overview, Learning
    Objectives, Build → Use → Reflect (or → Optimize, → Analyze), Implementation Guide,
    Getting Started, Testing, Systems Thinking Questions, Ready to Build?.

    Why: learners move between modules expecting the same page structure; a missing section
    is usually content that was never written or a heading that was renamed.
    Fix: add the sections (emoji and punctuation in the headings do not matter).
    """
    required = course.conventions.get("about-sections", "sections", REQUIRED_SECTIONS)
    exempt = set(course.conventions.get("about-sections", "exempt", ()))
    for module, about in _pages(course):
        if module.name in exempt:
            continue
        headings = [normalise_heading(h.text.replace("->", "→")) for h in about.sections]
        missing = [name for name in required if not any(
            _is_section(heading, name) for heading in headings)]
        if missing:
            yield Hit(f"ABOUT.md lacks the sections {', '.join(missing)}", about.path,
                      about.h1.line if about.h1 else None)


def _is_section(heading: str, required: str) -> bool:
    """Whether a normalised `##` heading is the required section (or starts with its name)."""
    if required.startswith("Ready"):  # the call to action: "Ready to Build?", "Ready for ..."
        return heading.startswith("ready ")
    wanted = _BUILD if required.startswith("Build") else normalise_heading(required)
    return heading == wanted or heading.startswith(wanted + " ")


@check("DOC121", "Long modules have checkpoint markers", severity=Severity.WARNING,
       convention="checkpoints")
def checkpoints(course: Course) -> Iterator[Hit]:
    """A module whose time estimate reaches `limits.checkpoint_hours` (8 by default) has
    fewer than two `**✓ CHECKPOINT N: label**` markers in ABOUT.md.

    Why: a module of a working day or more needs places where learners can stop, check what
    they have and pick up again; the course's rule is two or more markers.
    Fix: add bold `**✓ CHECKPOINT 1: label**` lines after the major parts of the guide.
    """
    hours = course.conventions.get("checkpoints", "hours",
                                   course.config.limits.checkpoint_hours)
    wanted = course.conventions.get("checkpoints", "markers", 2)
    for _module, about in _pages(course):
        meta = about.meta
        if meta and meta.time and meta.time.high >= hours and len(about.checkpoints) < wanted:
            found = len(about.checkpoints)
            yield Hit(f'time estimate "{meta.time}" reaches {hours} hours but ABOUT.md has '
                      f"{found or 'no'} checkpoint marker{'' if found == 1 else 's'} "
                      f"(**✓ CHECKPOINT N: label**); {wanted} or more expected", about.path,
                      meta.line_of("time_estimate"))


# Links and copies --------------------------------------------------------------------------

@check("DOC131", "Relative links in ABOUT.md resolve")
def links_resolve(course: Course) -> Iterator[Hit]:
    """A relative link or image in ABOUT.md points to a file or folder that does not exist in
    the course (web addresses and in-page anchors are not checked here, nor links to `.html`
    pages: those are addresses in the built book, which its own link check follows).

    Why: prev/next navigation, images and source links break when files move or modules are
    renumbered, and learners land on a 404.
    Fix: point the link at the file's current path, relative to the ABOUT.md folder.
    """
    for module, about in _pages(course):
        for link in about.links:
            target = unquote(link.target.split("#", 1)[0].split("?", 1)[0])
            if not target or is_external(link.target) or target.endswith((".html", ".htm")):
                continue
            rel = posixpath.normpath(posixpath.join(module.dir, target))
            kind = "image" if link.image else "link"
            if rel == ".." or rel.startswith("../"):
                yield Hit(f'{kind} "{link.target}" points outside the course', about.path,
                          link.line)
            elif not (course.files.exists(rel) or course.files.is_dir(rel)):
                yield Hit(f'{kind} "{link.target}" is broken: {rel} does not exist', about.path,
                          link.line)


@check("DOC132", "Pages and links of the course's Quarto site resolve")
def quarto_links(course: Course) -> Iterator[Hit]:
    """A page the course's Quarto site names in its `_quarto.yml` (sidebar, navbar, chapters,
    render list), or a relative link or image in one of its `.qmd`/`.md` pages, points to a
    file that does not exist in the course. An `.html` address counts when its source page is
    there; links that leave the course (a monorepo's shared files) are not followed. Each
    missing file is one finding, listing every place that names it: an error for a page, a
    warning for any other file (an image, a PDF, a logo), which a publishing workflow may add
    at deploy time (TinyTorch injects its PDFs).

    Why: `quarto render` stops on a page its configuration names and cannot find, and a broken
    link or image in a page is a 404 for every reader of the published site; the site is
    checked here whether or not Quarto is installed.
    Fix: create the page, or point the entry or link at the file's current path (relative to
    the page, or to the site's folder when it starts with `/`).
    """
    for site in quarto.sites(course.files):
        missing: dict[str, list[quarto.Reference]] = {}  # one page, however it is named
        for reference in quarto.references(course.files, site):
            if reference.resolved and not quarto.exists(course.files, reference.resolved):
                missing.setdefault(quarto.page_of(reference.resolved), []).append(reference)
        for named in missing.values():
            first = named[0]
            rel = quarto.source_of(first.resolved)
            more = f" and {len(named) - 1} more place(s)" if len(named) > 1 else ""
            page = quarto.is_page(first.resolved)
            yield Hit(f'{rel} does not exist: "{first.target}" names it{more}'
                      + ("" if page else " (a warning: a publishing workflow may add it)"),
                      first.source, first.line, severity=None if page else Severity.WARNING,
                      places=tuple((r.source, r.line) for r in named[1:]))


@check("DOC141", "No stale copies of ABOUT.md", severity=Severity.WARNING)
def stale_pages(course: Course) -> Iterator[Hit]:
    """A copy of a module's ABOUT.md outside the source of truth (the learner workspace
    `modules/`, or an older layout's folder) differs from the original.

    Why: readers, links and tools that still open the copy see an outdated page, and edits
    made to the copy are silently lost.
    Fix: delete the copy (`git rm`), or regenerate it from the original.
    """
    stale = [copy for copy in course.stale if copy.original.endswith("ABOUT.md") and copy.differs]
    by_tree: dict[str, list[StaleCopy]] = {}  # one cause: one stale tree
    for copy in stale:
        by_tree.setdefault(copy.path.split("/")[0], []).append(copy)
    for tree, copies in by_tree.items():
        first = copies[0]
        if len(copies) == 1:
            yield Hit(f"{first.path} is a stale copy of {first.original} and differs from it",
                      first.path, module=first.module)
            continue
        yield Hit(f"{tree}/ holds {len(copies)} stale copies of module pages that differ from "
                  f"their originals ({first.path} of {first.original}, ...): delete them or "
                  "regenerate them from the originals", first.path,
                  places=tuple((c.path, None) for c in copies[1:]))


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _pages(course: Course) -> Iterator[tuple[Module, About]]:
    """Each module with its ABOUT.md; modules without one are reported by EDU111."""
    for module in course.modules:
        if module.about is not None:
            yield module, module.about
