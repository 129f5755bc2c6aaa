"""The educational gate's checks of a module source's anatomy, for courses whose conventions
fix it (the tinytorch-2026 profile): the spine of `##` sections, heading grammar, the summary,
the Module Dependencies section and the reflection questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import ModuleSource, SourceHeading

_BOLD_LABEL = re.compile(r"^\s*(?:[-*]\s+)?\*\*(?P<label>[^*]+?):?\*\*")


def _sources(course: Course) -> Iterator[tuple[Module, ModuleSource]]:
    for module in course.modules:
        if module.source is not None:
            yield module, module.source


def _plain(text: str) -> str:
    """A heading as compared: without emoji variation selectors or surrounding space."""
    return text.replace("\ufe0f", "").strip()


def _entry(heading: str, spine: list[str]) -> int | None:
    """The index of the spine entry a `##` heading belongs to (it starts with the entry)."""
    text = _plain(heading)
    return next((i for i, entry in enumerate(spine) if text.startswith(_plain(entry))), None)


def _section(source: ModuleSource, starts: str) -> tuple[SourceHeading, int] | None:
    """The `##` heading starting with `starts` and the line where its section ends."""
    headings = source.headings
    for index, heading in enumerate(headings):
        if heading.level == 2 and _plain(heading.text).startswith(_plain(starts)):
            end = next((h.line for h in headings[index + 1:] if h.level <= 2),
                       source.line_count + 1)
            return heading, end
    return None


def _places(problems: list[tuple[int, str]], path: str) -> tuple[tuple[str, int | None], ...]:
    return tuple((path, line) for line, _ in problems[1:])


@check("EDU161", "Module sections follow the spine", convention="spine")
def spine(course: Course) -> Iterator[Hit]:
    """A module source's `##` sections are not the course's spine: one is missing, one is not
    in the spine at all, or they come out of order (the tinytorch-2026 profile: 🔗
    Prerequisites & Progress, 🎯 Learning Objectives, ... 🚀 MODULE SUMMARY; only 🏗️
    may repeat, and the capstone has no 📊 Systems Analysis).

    Why: learners move between twenty modules expecting the same route through each; a
    section out of place is usually a heading written as `##` that belongs under another.
    Fix: add the missing sections, make headings that are not in the spine `###` subsections,
    and move sections into the spine's order.
    """
    entries = list(course.conventions.get("spine", "sections", []))
    repeatable = {_plain(e) for e in course.conventions.get("spine", "repeatable", [])}
    for module, source in _sources(course):
        exempt = set(course.conventions.get("spine", "exempt", {}).get(module.name, []))
        problems: list[tuple[int, str]] = []
        last, seen = -1, set[int]()
        for heading in (h for h in source.headings if h.level == 2):
            index = _entry(heading.text, entries)
            if index is None:
                problems.append((heading.line, f'"## {heading.text}" is not a section of the '
                                 "spine (make it a ### subsection)"))
                continue
            if index < last or (index == last and _plain(entries[index]) not in repeatable):
                problems.append((heading.line, f'"## {heading.text}" comes after '
                                 f'"{entries[last]}"'))
            last, seen = max(last, index), seen | {index}
        missing = [e for i, e in enumerate(entries) if i not in seen and e not in exempt]
        if missing:
            problems.insert(0, (source.headings[0].line if source.headings else 1,
                                f"no {', '.join(repr(m) for m in missing)} section"))
        if problems:
            yield Hit(f"{source.path} does not follow the {len(entries)}-section spine: "
                      + "; ".join(text for _, text in problems), source.path, problems[0][0],
                      module.id, places=_places(problems, source.path))


@check("EDU162", "No two `##` sections of a module share a heading", convention="spine")
def duplicate_sections(course: Course) -> Iterator[Hit]:
    """Two `##` headings of one module source have the same text.

    Why: the book's table of contents and links to a section (`#the-heading`) then lead to the
    first one only; a repeated heading is usually a section pasted twice.
    Fix: merge the sections or give the second its own name.
    """
    if not course.conventions.get("spine", "unique", False):
        return
    for module, source in _sources(course):
        seen: dict[str, int] = {}
        repeats = []
        for heading in (h for h in source.headings if h.level == 2):
            if heading.text in seen:
                repeats.append((heading.line, f'"## {heading.text}" (first on line '
                                f"{seen[heading.text]})"))
            seen.setdefault(heading.text, heading.line)
        if repeats:
            yield Hit("repeated ## headings: " + ", ".join(text for _, text in repeats),
                      source.path, repeats[0][0], module.id, places=_places(repeats, source.path))


@check("EDU163", "Subtitled headings use the course's separator", convention="headings")
def subtitle_separator(course: Course) -> Iterator[Hit]:
    """A `##` or `###` heading separates its subtitle with " - " where the course writes ": "
    (`## 🏗️ Implementation: Sigmoid`).

    Why: one grammar for headings keeps the table of contents readable and lets tools split a
    heading into its section and subtitle.
    Fix: write the separator the course uses.
    """
    levels = set(course.conventions.get("headings", "levels", [2, 3]))
    wrong = str(course.conventions.get("headings", "not_separator", " - "))
    right = str(course.conventions.get("headings", "separator", ": "))
    for module, source in _sources(course):
        found = [(h.line, f'"{"#" * h.level} {h.text}"') for h in source.headings
                 if h.level in levels and wrong in h.text]
        if found:
            yield Hit(f"{len(found)} heading{'s' if len(found) > 1 else ''} use "
                      f'"{wrong.strip()}" instead of "{right.strip()}": '
                      + ", ".join(text for _, text in found[:5])
                      + (f", and {len(found) - 5} more" if len(found) > 5 else ""),
                      source.path, found[0][0], module.id, places=_places(found, source.path))


@check("EDU164", "The module summary ends the module in the course's form",
       convention="summary")
def summary_form(course: Course) -> Iterator[Hit]:
    """The module summary (`## 🚀 MODULE SUMMARY`) is missing, lacks its subsections (Key
    Accomplishments, Systems Insights Discovered, Ready for Next Steps) in order, or does not
    end with the export command (`Export with: ...`) and a `**Next**:` line.

    Why: the summary is where a learner checks what they built and learns how to hand it in
    and where to go next; the export line is the command that makes their work importable.
    Fix: write the summary's subsections in order and end it with the two lines.
    """
    table = course.conventions.values.get("summary", {})
    wanted = [*table.get("subsections", []), table.get("export_line", "Export with:"),
              table.get("next_line", "**Next**:")]
    for module, source in _sources(course):
        found = _section(source, str(table.get("heading", "🚀 MODULE SUMMARY")))
        if found is None:
            yield Hit(f"no \"## {table.get('heading')}\" section", source.path, None, module.id)
            continue
        heading, end = found
        seen = _summary_parts(source, heading.line, end, wanted)
        if [text for _, text in seen] != wanted:
            yield Hit(f"the summary has {', '.join(t for _, t in seen) or 'none of its parts'}; "
                      f"expected {', '.join(wanted)}, in that order, ending the module",
                      source.path, heading.line, module.id)


def _summary_parts(source: ModuleSource, start: int, end: int,
                   wanted: list[str]) -> list[tuple[int, str]]:
    """The summary's `###` subsections and its export and Next lines, in order; anything
    written after the Next line counts as a part too, so that a summary must end on it."""
    parts: list[tuple[int, str]] = []
    last_marker = wanted[-1]
    for cell in source.cells:
        if cell.kind != "markdown" or cell.end_line < start or cell.line > end:
            continue
        for number, text in cell.markdown_lines():
            if not start < number < end or not text.strip():
                continue
            stripped = text.strip()
            if stripped.startswith("### "):
                parts.append((number, stripped[4:].strip()))
            elif any(stripped.startswith(marker) for marker in wanted[-2:]):
                parts.append((number, next(m for m in wanted[-2:] if stripped.startswith(m))))
            elif parts and parts[-1][1] == last_marker:
                parts.append((number, "text after the Next line"))
    return parts


@check("EDU165", "Module Dependencies names its imports", convention="dependencies")
def dependencies_section(course: Course) -> Iterator[Hit]:
    """The Module Dependencies section lacks one of its labelled lists (**Prerequisites**,
    **External Dependencies**, **TinyTorch Dependencies**, **Dependency Flow**, in order), or
    its list of the course's own modules (or its table of dependencies, one row each, the
    other form the course writes) differs from what the source imports.

    Why: the section tells a learner which earlier modules must work before this one can; a
    list that no longer matches the imports sends them to fix the wrong module first.
    Fix: write the four labels in order, and list exactly the course modules the source
    imports (`from pkg.core.tensor import Tensor` lists the tensor module).
    """
    table = course.conventions.values.get("dependencies", {})
    labels = [str(label) for label in table.get("labels", [])]
    for module, source in _sources(course):
        found = _section(source, str(table.get("heading", "📋 Module Dependencies")))
        if found is None:
            continue  # the spine says when the section is missing
        heading, end = found
        lines = [(n, t) for c in source.cells if c.kind == "markdown"
                 for n, t in c.markdown_lines() if heading.line < n < end]
        present = [m["label"].strip() for _, t in lines if (m := _BOLD_LABEL.match(t))
                   and m["label"].strip() in labels]
        rows = [(n, t) for n, t in lines if t.lstrip().startswith("|")]
        if present != labels and rows and table.get("tables", True):
            # a table of dependencies (one row each) is the other form the course writes
            yield from _listed_imports(course, module, source, rows, None, labels)
            continue
        if present != labels:
            yield Hit(f"Module Dependencies has the labels {', '.join(present) or 'none'}; "
                      f"expected {', '.join(labels)}, in that order", source.path, heading.line,
                      module.id)
            continue
        yield from _listed_imports(course, module, source, lines, str(table["package_label"]),
                                   labels)


def _listed_imports(course: Course, module: Module, source: ModuleSource,
                    lines: list[tuple[int, str]], label: str | None,
                    labels: list[str]) -> Iterator[Hit]:
    """Compare the modules listed under the package label (every line of a table, with no
    label) with those the source imports."""
    package = course.package_name
    if not package:
        return
    owners = {m.exports: m for m in course.modules if m.exports}
    listed: dict[str, int] = {}
    inside = label is None
    for number, text in lines:
        # a known label opens its list; bold text in a list item (`- **Module 01**`) does not
        if (match := _BOLD_LABEL.match(text)) and match["label"].strip() in labels and (
                not text.lstrip().startswith(("- ", "* ", "+ "))):
            inside = match["label"].strip() == label
        # the list's items, and the label's own line; prose between them only explains
        if inside and (match or label is None or re.match(r"^\s*(?:[-*+]|\d+[.)])\s", text)):
            for target in _named_modules(text, course, package, owners):
                if target != module.exports:
                    listed.setdefault(target, number)
    imported = {i.module.removeprefix(f"{package}."): i.line for i in source.imports
                if i.module.startswith(f"{package}.")
                and i.module.removeprefix(f"{package}.") in owners
                and i.module.removeprefix(f"{package}.") != module.exports}
    # a listed module imported only inside a function is still imported; a table names the
    # modules data comes from as well, so only a list says what must not be missing from it
    anywhere = set(imported) | _imported_anywhere(source, package)
    missing = sorted(set(imported) - set(listed))
    extra = sorted(set(listed) - anywhere) if label is not None else []
    if missing or extra:
        said = [f"imports {', '.join(owners[t].id for t in missing)} without listing it"
                if missing else "",
                f"lists {', '.join(owners[t].id for t in extra)} but does not import it"
                if extra else ""]
        line = next(iter(listed.values()), None) if extra else imported[missing[0]]
        yield Hit(f"the {label or 'dependencies'} {'list' if label else 'table'} does not match "
                  "the imports: "
                  + "; ".join(s for s in said if s), source.path, line, module.id)


def _imported_anywhere(source: ModuleSource, package: str) -> set[str]:
    """The package modules a source's code cells import, at any depth (`    from pkg.x
    import y` inside a function)."""
    pattern = re.compile(rf"^\s*(?:from|import)\s+{re.escape(package)}\.([\w.]+)")
    return {match[1] for cell in source.cells if cell.kind == "code" for line in cell.lines
            if (match := pattern.match(line))}


def _named_modules(text: str, course: Course, package: str,
                   owners: dict[str, Module]) -> list[str]:
    """The export targets a line of the dependencies list names: `pkg.core.tensor`,
    `core.tensor`, `Module 01`, or `01_tensor`."""
    found = [t for t in owners if re.search(rf"(?<![\w.]){re.escape(t)}(?![\w])", text)
             or f"{package}.{t}" in text]
    for number in re.findall(r"\bModules?\s+(\d{1,2})\b|\b(\d{2})_[a-z]", text):
        value = int(next(n for n in number if n))
        found += [m.exports for m in course.modules if m.number == value and m.exports]
    return list(dict.fromkeys(found))


@check("EDU166", "Reflection questions are numbered Markdown", convention="reflection")
def reflection_questions(course: Course) -> Iterator[Hit]:
    """The reflection section (`## 🤔 ML Systems Reflection Questions`) is written in a code
    cell, or its `###` questions are not `Question 1: ...`, `Question 2: ...` in order (a
    final `Bonus Question: ...` is allowed).

    Why: in a code cell the questions render as Python comments, not as text a learner
    answers; numbered questions are how instructors refer to them when grading.
    Fix: move the section into a markdown cell and number its questions from 1.
    """
    table = course.conventions.values.get("reflection", {})
    title = str(table.get("heading", "🤔 ML Systems Reflection Questions"))
    question, bonus = str(table.get("question", "Question")), str(table.get("bonus", "Bonus"))
    for module, source in _sources(course):
        in_code = next((c for c in source.cells if c.kind == "code"
                        and any(_plain(title) in _plain(line) for line in c.lines)), None)
        if in_code is not None:
            yield Hit(f'"{title}" is written in a code cell, which renders as comments',
                      source.path, in_code.line, module.id)
            continue
        found = _section(source, title)
        if found is None:
            continue
        heading, end = found
        problems, expected = [], 1
        for inner in (h for h in source.headings if heading.line < h.line < end and h.level == 3):
            match = re.match(rf"{re.escape(question)}\s+(\d+)\s*:", inner.text)
            if inner.text.startswith(bonus):
                continue
            if match is None or int(match[1]) != expected:
                problems.append((inner.line, f'"### {inner.text}"'))
            expected = int(match[1]) + 1 if match else expected + 1
        if problems:
            yield Hit(f"reflection questions not numbered \"### {question} N: ...\" from 1: "
                      + ", ".join(text for _, text in problems), source.path, problems[0][0],
                      module.id, places=_places(problems, source.path))
