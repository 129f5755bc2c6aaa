"""The checks of the systems gate: each module analyses memory, performance and production
use, measures them with `analyze_*` functions, and ends with reflection and a summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from tinyrelease.checks.course import Course, Module
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.common import grouped, kept, read_problems
from tinyrelease.checks.registry import Hit, check
from tinyrelease.checks.source import Function, ModuleSource

MIN_WORDS = 15
_NUMBERED = re.compile(r"^[*_\s]*\d+[.)]\s*\S")
_DEMO = re.compile(r"^(?:analyze_|explore_|demo_)\w|^run_\w+_example$")


def _sources(course: Course, convention: str | None = None
             ) -> Iterator[tuple[Module, ModuleSource]]:
    """The modules with a source; with a convention, those it does not exempt (the capstone
    has a structure of its own)."""
    exempt = set(course.conventions.get(convention, "exempt", ())) if convention else set()
    for module in course.modules:
        if module.source is not None and module.name not in exempt:
            yield module, module.source


def _analyze_functions(course: Course) -> Iterator[tuple[Module, ModuleSource, Function]]:
    """The analysis demos: the demos named `analyze_*`."""
    for module, source, function in _demos(course):
        if function.name.startswith("analyze_"):
            yield module, source, function


def _demos(course: Course) -> Iterator[tuple[Module, ModuleSource, Function]]:
    """The demos: top-level `analyze_*`, `explore_*`, `demo_*` and `run_*_example` functions
    that take no argument and are not exported (one that takes data, or ships in the
    package, is a tool of the course)."""
    for module, source in _sources(course):
        if source.syntax_error is None:
            exported = {cell.index for cell in source.cells if cell.exported}
            for function in source.functions:
                if (_DEMO.match(function.name) and not function.in_class
                        and function.required == 0 and function.cell not in exported):
                    yield module, source, function


def _words(course: Course, kind: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """The heading keywords of a kind of section, from the course's conventions."""
    return tuple(course.conventions.get("systems-sections", kind, default))


def _analysis(course: Course, what: str, keywords: tuple[str, ...]) -> Iterator[Hit]:
    """Each module has a heading, or a bold label opening a paragraph, that names `what` with
    one of the keywords, with prose under it."""
    for module, source in _sources(course, "systems-sections"):
        yield from kept(source, f"SYS analysis {module.id} {what} {keywords}",
                        partial(_analysed, module.id, source, what, keywords))


def _analysed(module: str, source: ModuleSource, what: str, keywords: tuple[str, ...]
              ) -> Iterator[Hit]:
    matching = [s for s in (*source.sections, *source.labels)
                if any(word in s.title.lower() for word in keywords)]
    if not matching:
        named = " or ".join(f'"{word}"' for word in keywords)
        yield Hit(f"{source.path} has no {what} section (a markdown heading or a bold "
                  f"label with {named})", source.path, None, module)
        return
    fullest = max(matching, key=lambda s: s.words)
    if fullest.words < MIN_WORDS:
        yield Hit(f"the {what} section \"{fullest.title}\" has {fullest.words} words of "
                  f"prose; an analysis needs at least {MIN_WORDS}", source.path,
                  fullest.line, module)


@check("SYS001", "Files of the systems gate are readable")
def files_readable(course: Course) -> Iterator[Hit]:
    """A file this gate reads is a symlink leaving the course root, too large, or not UTF-8.

    Why: the gate cannot judge a file it cannot read, and a link out of the course root would
    make the checks read (and a release ship) files that are not part of the course.
    Fix: replace the link with the file itself, split or remove the huge file, or re-save the
    file as UTF-8.
    """
    yield from read_problems(course, "systems")


@check("SYS101", "Each module analyses memory",
       convention="systems-sections")
def memory_analysis(course: Course) -> Iterator[Hit]:
    """A module source has no memory analysis: no markdown heading mentioning memory, or one
    followed by fewer than 15 words of prose.

    Why: the course teaches ML systems; every module states what its structures cost in memory,
    and a heading with no analysis under it teaches nothing.
    Fix: add a `## Memory Analysis` section that explains and measures the module's memory use.
    """
    yield from _analysis(course, "memory analysis", _words(course, "memory", ("memory",)))


@check("SYS102", "Each module analyses performance",
       convention="systems-sections")
def performance_analysis(course: Course) -> Iterator[Hit]:
    """A module source has no performance analysis: no markdown heading mentioning performance,
    complexity or scaling, or one followed by fewer than 15 words of prose.

    Why: learners should leave each module knowing how its operations scale, not only that they
    work.
    Fix: add a `## Performance Analysis` section on the time complexity and measured speed.
    """
    yield from _analysis(course, "performance analysis", _words(
        course, "performance", ("performance", "complexity", "scaling")))


@check("SYS103", "Each module places itself in production",
       convention="systems-sections")
def production_context(course: Course) -> Iterator[Hit]:
    """A module source has no production context: no markdown heading mentioning production, or
    one followed by fewer than 15 words of prose.

    Why: the course connects what learners build to how PyTorch and production systems do it;
    without it a module is an exercise, not systems engineering.
    Fix: add a `## Production Context` section comparing the module with real frameworks.
    """
    yield from _analysis(course, "production context", _words(course, "production",
                                                               ("production",)))


@check("SYS111", "Each module has analyze functions", severity=Severity.WARNING,
       convention="analyze-functions")
def has_analyze_functions(course: Course) -> Iterator[Hit]:
    """A module source defines no top-level `analyze_*` function.

    Why: the systems analysis is measured, not only described: `analyze_*` functions let
    learners see the memory and time of what they built.
    Fix: add an `analyze_<topic>()` function (docstring starting with 📊) and call it under
    `if __name__ == "__main__":`.
    """
    for module, source in _sources(course, "analyze-functions"):
        if source.syntax_error is None and not any(
                f.name.startswith("analyze_") and not f.in_class for f in source.functions):
            yield Hit(f"{source.path} defines no analyze_* function", source.path, None,
                      module.id)


@check("SYS112", "Demo functions are called")
def demos_called(course: Course) -> Iterator[Hit]:
    """A module source defines a demo, a top-level function named `analyze_*`, `explore_*`,
    `demo_*` or `run_*_example` that takes no argument, and never calls it. A function that
    takes arguments is a tool for learners to call, and one in an `#| export` cell ships in
    the package for them: neither is a demo.

    Why: a demo that never runs shows learners nothing, and it silently rots as the code it
    measures changes.
    Fix: call it under `if __name__ == "__main__":` after its definition, or remove it.
    """
    hits = [Hit(f"{function.name}() is defined but never called in {source.path}",
                source.path, function.line, module.id)
            for module, source, function in _demos(course) if function.name not in source.calls]
    yield from grouped(hits, lambda hit: hit.module, lambda group: (
        f"{len(group)} demo functions are defined but never called in {group[0].path}: "
        + ", ".join(h.message.split(" is defined")[0] for h in group)))


@check("SYS113", "analyze docstrings start with 📊", severity=Severity.WARNING,
       convention="analyze-functions")
def analyze_docstrings(course: Course) -> Iterator[Hit]:
    """An `analyze_*` function's docstring does not start with 📊.

    Why: the course marks its kinds of functions with an emoji (🔬 unit test, 🧪 module test,
    📊 analysis) so learners see at a glance what a cell is for.
    Fix: start the docstring with 📊 and a one-line summary of what it measures.
    """
    for module, source, function in _analyze_functions(course):
        if not function.docstring.lstrip().startswith("📊"):
            shown = function.docstring.strip().split("\n")[0][:40] or "no docstring"
            yield Hit(f"{function.name}() docstring does not start with 📊 ({shown!r})",
                      source.path, function.line, module.id)


@check("SYS121", "Each module asks reflection questions",
       convention="systems-sections")
def reflection_questions(course: Course) -> Iterator[Hit]:
    """A module source has no reflection section (a heading with "reflection", "ML systems
    thinking" or "questions"), or the section asks no question.

    Why: the reflection questions make learners connect the module to systems trade-offs; the
    course ends every module with them.
    Fix: add a `## Reflection Questions` section with numbered questions.
    """
    keywords = _words(course, "reflection", ("reflection", "ml systems thinking", "questions"))
    for module, source in _sources(course):
        yield from kept(source, f"SYS121 {module.id} {keywords}",
                        partial(_reflection, module.id, source, keywords))


def _reflection(module: str, source: ModuleSource, keywords: tuple[str, ...]) -> Iterator[Hit]:
    sections = [s for s in source.sections if any(k in s.title.lower() for k in keywords)]
    asked = any(_NUMBERED.match(text) or text.strip().rstrip("*_ ").endswith("?")
                for section in sections for text in section.body)
    if not sections:
        yield Hit(f"{source.path} has no reflection questions section", source.path, None,
                  module)
    elif not asked:
        yield Hit(f"the section \"{sections[0].title}\" asks no question (no line ending in "
                  "'?' and no numbered item)", source.path, sections[0].line, module)


@check("SYS122", "Each module ends with a summary",
       convention="systems-sections")
def module_summary(course: Course) -> Iterator[Hit]:
    """A module source has no summary section (a markdown heading with "summary").

    Why: the summary tells learners what they built and what comes next; without it the module
    stops rather than ends.
    Fix: add a `## Module Summary` section at the end of the source.
    """
    for module, source in _sources(course):
        yield from kept(source, f"SYS122 {module.id}", partial(_summary, module.id, source))


def _summary(module: str, source: ModuleSource) -> Iterator[Hit]:
    if not any("summary" in title.lower() for title, _ in source.markdown_headings):
        yield Hit(f"{source.path} has no module summary section", source.path, None, module)
