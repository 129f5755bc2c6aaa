"""The checklist every pipeline run writes: until the review templates (issue #6) render it,
a plain Markdown list of the plan's steps with their state and why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from release.plan import Plan
from release.versions import write_atomic

MARKS = {"done": "[x]", "todo": "[ ]", "blocked": "[!]", "skipped": "[-]"}


def render(plan: Plan, problems: list[str]) -> str:
    """Markdown: one line per step, `[x]` only for what the tools verified."""
    release = plan.release
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# Release checklist: {release.kind} {release.version}", "",
             f"Stage: {release.stage} · branch `{release.branch}` · written {when}", ""]
    lines += [f"- {MARKS[s.status]} **{s.key}**: {s.title} ({s.status}: {s.why})"
              for s in plan.steps]
    if problems:
        lines += ["", "## Blocking problems", ""] + [f"- {p}" for p in problems]
    return "\n".join(lines) + "\n"


def write_checklist(plan: Plan, problems: list[str], root: Path) -> Path:
    folder = plan.release.folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "CHECKLIST.md"
    write_atomic(path, render(plan, problems))
    return path
