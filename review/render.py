"""The review as files: one Markdown report per reviewer, the consolidated plan in Markdown,
and review.json for the pipelines; every file written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

from tinyrelease.checks.reports import write_atomic
from tinyrelease.review.consolidate import Plan
from tinyrelease.review.model import Item, Priority, Report, Table

FILES = {"education": "education.md", "developer": "developer.md", "quality": "quality.md",
         "packaging": "packaging.md"}
SUMMARY = "consolidated.md"
JSON = "review.json"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(columns: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _items(items: list[Item], reviewer: bool = False) -> list[str]:
    if not items:
        return ["No action items."]
    columns = ["#", "priority", "code", *(["reviewer"] if reviewer else []), "where",
               "effort (h)", "action"]
    rows = [[str(n), (i.priority or i.info.priority).value, i.code,
             *([i.reviewer] if reviewer else []), f"`{i.at()}`", f"{i.effort or 0:g}", i.message]
            for n, i in enumerate(items, start=1)]
    return table(columns, rows)


def report_markdown(report: Report) -> str:
    verdict = ("**Approved**: no HIGH item." if report.approved else
               f"**Changes requested**: {sum(i.priority is Priority.HIGH for i in report.items)} "
               "HIGH item(s) must be fixed (or overridden with a reason) before the release.")
    lines = [f"# {report.title} report", "", verdict, "", "## Action items", ""]
    lines += _items(sorted(report.items, key=lambda i: (i.priority or i.info.priority).rank))
    for evidence in report.tables:
        lines += ["", f"## {evidence.title}", ""] + _evidence(evidence)
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report.notes]
    if report.external:
        lines += ["", "## External reviewer", "", report.external.strip()]
    return "\n".join(lines) + "\n"


def _evidence(evidence: Table) -> list[str]:
    return table(evidence.columns, evidence.rows) if evidence.rows else ["(nothing measured)"]


def plan_markdown(plan: Plan, header: dict[str, object]) -> str:
    lines = ["# Pre-release review: consolidated report", "",
             f"Course `{header['course']}` at commit `{header.get('commit') or 'unknown'}`"
             f"{' (uncommitted changes)' if header.get('dirty') else ''}, written "
             f"{header['written']}.", "", "## Approvals", ""]
    lines += table(["reviewer", "approval", "HIGH", "MEDIUM", "LOW", "report"], [
        [r.title, "approved" if r.approved else "changes requested",
         *(str(sum(i.priority is p for i in r.items)) for p in Priority),
         f"[{FILES[r.reviewer]}]({FILES[r.reviewer]})"] for r in plan.reports])
    lines += ["", "## Effort", ""]
    lines += table(["priority", "items", "effort (h)"],
                   [[p.value, str(plan.count(p)), f"{plan.effort(p):g}"] for p in Priority]
                   + [["total", str(len(plan.items)), f"{plan.effort():g}"]])
    lines += ["", "## Suggested order", "",
              "HIGH items first (each blocks a reviewer's approval), the cheapest first within "
              "a priority.", ""] + _items(plan.items, reviewer=True)
    return "\n".join(lines) + "\n"


def plan_json(plan: Plan, header: dict[str, object]) -> dict[str, object]:
    return {**header, "approved": plan.approved,
            "reviewers": {r.reviewer: {
                "title": r.title, "approved": r.approved,
                "items": [i.to_json() for i in r.items], "notes": r.notes,
                "tables": [{"title": t.title, "columns": t.columns, "rows": t.rows}
                           for t in r.tables], "external": r.external} for r in plan.reports},
            "plan": {"items": [i.to_json() for i in plan.items],
                     "effort_h": {**{p.value: plan.effort(p) for p in Priority},
                                  "total": plan.effort()}}}


def write(plan: Plan, header: dict[str, object], out: Path) -> list[Path]:
    written = []
    for report in plan.reports:
        write_atomic(out / FILES[report.reviewer], report_markdown(report))
        written.append(out / FILES[report.reviewer])
    write_atomic(out / SUMMARY, plan_markdown(plan, header))
    # review.json last: its presence means the review is complete
    write_atomic(out / JSON, json.dumps(plan_json(plan, header), indent=2) + "\n")
    return [*written, out / SUMMARY, out / JSON]
