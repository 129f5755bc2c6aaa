"""The documentation gate's execution part: build the course's book, check its links offline
and open it in headless Chromium; every problem is a DOC2xx `Finding` at a course file and line.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tinyrelease.book.build import BuildResult, build_book
from tinyrelease.book.errors import BookError
from tinyrelease.book.links import check_links, line_of
from tinyrelease.checks import quarto
from tinyrelease.checks.environment import INSTALL_ALL, chromium, importable
from tinyrelease.checks.execution.gates import Execution, ExecutionResult
from tinyrelease.checks.execution.session import overridden_book_requirements
from tinyrelease.checks.execution.workspace import workspace
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.process import run
from tinyrelease.checks.store import open_course

__all__ = ["documentation_findings", "execute_documentation"]


def execute_documentation(execution: Execution, wanted: set[str]) -> ExecutionResult:
    """Build the course's book (strict at the comprehensive level), check its links offline
    and open it in headless Chromium when the machine has one."""
    result = ExecutionResult()
    if not importable("jupyter_book"):
        result.skip(wanted, "the book tools are not installed here (jupyter_book): nox -s "
                    f"documentation installs them, or {INSTALL_ALL}")
        return result
    browser_codes = {c for c in wanted if c.startswith("DOC22")}
    browser = bool(browser_codes) and chromium() is not None
    if browser_codes and not browser:
        result.skip(browser_codes, "no Chromium on this machine (sudo apt-get install chromium)")
    findings = documentation_findings(execution.course.root, execution.level,
                                      execution.work_dir / "book", browser=browser)
    extension = next((m[1] for f in findings if f.code == "DOC202"
                      and (m := re.search(r"Could not import extension (\S+)", f.message))), None)
    if extension is not None:  # our environment lacks what the course's book declares
        result.skip(wanted, f"the book needs the Sphinx extension {extension}, which is not "
                    "installed here: nox -s documentation installs the course's book "
                    "requirements (site/requirements.txt, docs extras)")
        return result
    result.did(wanted - browser_codes - {"DOC231"} if not browser else wanted - {"DOC231"})
    result.findings = findings
    if "DOC231" in wanted:
        render_quarto(execution, result)
    if replaced := overridden_book_requirements(execution.course.root):
        result.steps_skipped.append(f"the course's {', '.join(replaced)}: built with "
                                    "tinyrelease's own Jupyter Book 1 instead")
    return result


def render_quarto(execution: Execution, result: ExecutionResult) -> None:
    """`quarto render` each Quarto site of the course in a copy of it (DOC231), or say why
    not: Quarto is not installed, or the site uses files outside the course."""
    files = execution.course.files
    found = quarto.sites(files)
    if not found:
        result.did({"DOC231"})  # nothing to render
        return
    shown = ", ".join(f"{site or '.'}/" for site in found)
    program = shutil.which("quarto")
    if program is None:
        result.skip({"DOC231"}, f"Quarto is not installed: the site in {shown} was not "
                    "rendered (its pages and links were checked, DOC132); install it from "
                    "https://quarto.org/docs/get-started/")
        return
    outside = sorted({name for site in found for name in quarto.outside_files(files, site)})
    if outside:
        listed = ", ".join(outside[:3]) + (f" and {len(outside) - 3} more" if len(outside) > 3
                                           else "")
        result.skip({"DOC231"}, f"the Quarto site in {shown} uses files outside the course "
                    f"({listed}): render it in its repository")
        return
    result.did({"DOC231"})
    with workspace(execution.course.root, keep=execution.work_dir / "quarto-course") as copy:
        for site in found:
            out = execution.work_dir / "quarto" / (site or "site")
            done = run([program, "render", str(copy / site), "--output-dir", str(out)],
                       cwd=copy / site, timeout=1800)
            if not done.ok:
                config = f"{site}/{quarto.CONFIG}" if site else quarto.CONFIG
                result.findings.append(Finding("DOC231", f"`quarto render {site or '.'}` "
                                               f"failed:\n{done.tail()}", config, None))


def documentation_findings(course_root: Path, level: str, build_dir: Path,
                           gates_report: Path | None = None,
                           browser: bool = True) -> list[Finding]:
    """Build the book of the course at `course_root` into `build_dir` (strict at the
    comprehensive level), check its internal links and open it in Chromium."""
    course = open_course(course_root)
    strict = level == "comprehensive"
    try:
        result = build_book(course, build_dir, gates_report or build_dir / "no-report.json",
                            strict=strict)
    except BookError as error:
        return [Finding("DOC202", str(error), severity=Severity.ERROR)]
    findings = _warning_findings(result, strict)
    if not (result.html / "index.html").is_file():
        return [*findings, Finding("DOC202", f"the book has no index.html in {result.html}")]
    findings += _group(_link_findings(result, findings), _link_cause, _links_message)
    findings = _group(findings, _warning_cause, _warnings_message)
    if browser:
        findings += _browser_findings(result, build_dir / "screenshots")
    return findings


_LEXING = re.compile(r"^the book build warns: Lexing literal_block .* as (\"\w+\")", re.DOTALL)


def _warning_cause(finding: Finding) -> str | None:
    """What several warnings share when they have one cause: code blocks labelled with a
    language they are not written in, headings that skip a level; else each is its own."""
    if finding.code != "DOC201":
        return None
    if lexing := _LEXING.match(finding.message):
        return f"lexing {lexing[1]}"
    if "[myst.header]" in finding.message:
        return "headings"
    return finding.message  # the same warning on several pages (a page missing from the TOC)


def _warnings_message(group: list[Finding]) -> str:
    first = group[0].message
    if lexing := _LEXING.match(first):
        return (f"the book build warns {len(group)} times that a literal block labelled "
                f"{lexing[1]} does not lex as that language (Sphinx retries in relaxed mode): "
                "label blocks of program output `text`, or fix the code")
    said = first.removeprefix("the book build warns: ")
    return f"the book build warns {len(group)} times: {said}"


def _link_cause(finding: Finding) -> str | None:
    """Broken links to the same kind of target (`../02_activations/ABOUT.html` on every
    module page) come from one way of writing links."""
    target = finding.message.split(" links to ", 1)[-1].split(", whose", 1)[0]
    return re.sub(r"\d{2}[_-][\w-]+", "{module}", target)


def _links_message(group: list[Finding]) -> str:
    target = _link_cause(group[0])
    return (f"{len(group)} pages link to {target} (for one module or another), which the "
            f"built site does not have: first {group[0].message}")


def _group(findings: list[Finding], cause: Callable[[Finding], str | None],
           message: Callable[[list[Finding]], str]) -> list[Finding]:
    """One cause, one finding: findings with the same cause become one at the first place."""
    groups: dict[str, list[Finding]] = {}
    alone = []
    for finding in findings:
        key = cause(finding)
        if key is None:
            alone.append(finding)
        else:
            groups.setdefault(f"{finding.code}:{key}", []).append(finding)
    merged = [group[0] if len(group) == 1 else replace(
        group[0], message=message(group), module=group[0].module if len({f.module for f in group})
        == 1 else None, places=tuple((f.path, f.line) for f in group[1:] if f.path))
        for group in groups.values()]
    return merged + alone


def _warning_findings(result: BuildResult, strict: bool) -> list[Finding]:
    severity = Severity.ERROR if strict else Severity.WARNING
    found = []
    for warning in result.warnings:
        path, line, module = (result.sources.locate(warning.page, warning.line)
                              if warning.page else (None, None, None))
        found.append(Finding("DOC201", f"the book build warns: {warning.message}", path, line,
                             module, severity))
    return found


def _link_findings(result: BuildResult, warned: list[Finding]) -> list[Finding]:
    """Broken links the build did not already warn about (MyST leaves an unresolved reference
    in the page as `#target`; one finding for it is enough)."""
    found = []
    for broken in check_links(result.html):
        page = next((p for p in result.sources.pages if p.rsplit(".", 1)[0] == broken.docname),
                    None)
        bare = broken.target.lstrip("#").rsplit("/", 1)[-1]
        if any(bare and bare in w.message for w in warned):
            continue
        line = None
        if page is not None:
            text = (result.out / "source" / page).read_text(encoding="utf-8", errors="replace")
            line = line_of(text, broken.target)
        path, line, module = result.sources.locate(page or broken.page, line)
        what = "anchor" if broken.missing_anchor else "target"
        found.append(Finding("DOC212" if broken.missing_anchor else "DOC211",
                             f"{broken.page} links to {broken.target}, whose {what} does not "
                             "exist in the built site", path, line, module))
    return found


def _browser_findings(result: BuildResult, shots: Path) -> list[Finding]:
    from tinyrelease.book.browser import check_in_browser

    try:
        report = check_in_browser(result.html, result.module_pages, shots)
    except BookError as error:
        return [Finding("DOC221", str(error))]
    found = []
    for problem in report.problems:
        docname = problem.page.removesuffix(".html")
        page = next((p for p in result.sources.pages if p.rsplit(".", 1)[0] == docname),
                    problem.page)
        path, line, module = result.sources.locate(page, None)
        found.append(Finding(problem.code, problem.message, path, line, module))
    return found
