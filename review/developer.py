"""The Module Developer: the implementation gate's findings, ruff on the course's module
sources, and the alignment of the course's public API with the PyTorch names it mirrors.
"""

from __future__ import annotations

from collections import defaultdict

from tinyrelease.checks.findings import Severity
from tinyrelease.review import api
from tinyrelease.review.evidence import Evidence
from tinyrelease.review.model import Item, Report, Table

# ruff rules that are bugs rather than style: syntax errors, undefined or redefined names,
# unused variables, comparisons that are always wrong
_LIKELY_BUGS = ("E9", "F63", "F7", "F82", "F811", "F841", "B0")
# a finding the Education Reviewer makes its own item (the grading holes, ER133): one cause is
# one item, its effort counted once
_EDUCATION_OWNS = {"IMP204"}


def review(evidence: Evidence) -> Report:
    report = Report("developer")
    for finding in (f for f in evidence.gate("implementation")
                    if f.waived is None and f.code not in _EDUCATION_OWNS):
        code = "MD100" if finding.severity is Severity.ERROR else "MD102"
        report.items.append(Item(code, f"{finding.code}: {finding.message}"
                                 f"{finding.also(limit=3)}", finding.path, finding.line,
                                 finding.module))
    report.tables.append(_ruff(evidence, report))
    report.tables.append(_alignment(evidence, report))
    return report


def _ruff(evidence: Evidence, report: Report) -> Table:
    table = Table("Code quality (ruff)", ["file", "rule", "count", "first line", "message"])
    if evidence.ruff is None:
        report.items.append(Item("MD119", f"code quality not measured: {evidence.ruff_problem}"))
        report.notes.append(f"ruff did not run: {evidence.ruff_problem}")
        return table
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for entry in evidence.ruff:
        groups[(entry.get("filename", "?"), str(entry.get("code") or "syntax"))].append(entry)
    modules = {m.source_path: m.id for m in evidence.course.modules}
    for (path, rule), entries in sorted(groups.items()):
        first = min(entries, key=lambda e: (e.get("location") or {}).get("row", 0))
        line = (first.get("location") or {}).get("row")
        message = str(first.get("message", ""))
        table.rows.append([path, rule, str(len(entries)), str(line), message])
        bug = rule == "syntax" or rule.startswith(_LIKELY_BUGS)
        times = f"{len(entries)}× " if len(entries) > 1 else ""
        report.items.append(Item("MD111" if bug else "MD112",
                                 f"ruff {rule}: {times}{message}", path, line, modules.get(path)))
    if not evidence.ruff:
        report.notes.append("ruff found nothing in the module sources")
    return table


def _alignment(evidence: Evidence, report: Report) -> Table:
    table = Table("API alignment with PyTorch", ["PyTorch", "course", "where", "status"])
    for entry in api.align(evidence.course):
        found = entry.found
        where = f"{found.path}:{found.line}" if found else "-"
        status = entry.status
        if entry.status == "renamed" and found is not None:
            report.items.append(Item(
                "MD121", f"{found.name} mirrors {entry.torch}: name it {entry.expected} so "
                "learners can move to PyTorch without relearning the name", found.path,
                found.line, found.module))
        if entry.params is not None and found is not None:
            ours, theirs = entry.params
            status += f"; parameters ({', '.join(ours)}) vs ({', '.join(theirs)})"
            report.items.append(Item(
                "MD122", f"{found.name}({', '.join(ours)}) mirrors {entry.torch}"
                f"({', '.join(theirs)}): use PyTorch's parameter names", found.path, found.line,
                found.module))
        table.rows.append([entry.torch, found.name if found else "-", where, status])
    covered = sum(1 for row in table.rows if row[1] != "-")
    report.notes.append(f"{covered} of the {len(table.rows)} PyTorch classes and methods "
                        "listed have a counterpart in the course")
    return table
