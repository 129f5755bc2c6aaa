"""The optional external reviewer: a configured command (a language-model CLI, say) that reads
each report on stdin and whose answer is appended. Off by default; its failure never breaks.
"""

from __future__ import annotations

from pathlib import Path

from tinyrelease.checks.process import run
from tinyrelease.review.model import Report
from tinyrelease.review.render import report_markdown

MAX_ANSWER = 20_000


def consult(reports: list[Report], command: tuple[str, ...], timeout: float, cwd: Path) -> None:
    """Append the command's answer to each report, or a note saying why there is none."""
    if not command:
        return
    for report in reports:
        answer, problem = ask(command, report_markdown(report), timeout, cwd, report.reviewer)
        if answer:
            report.external = answer[:MAX_ANSWER]
        else:
            report.notes.append(f"external reviewer `{command[0]}` gave no answer: {problem}")


def ask(command: tuple[str, ...], text: str, timeout: float, cwd: Path, reviewer: str
        ) -> tuple[str | None, str]:
    """The command's answer to `text`. It is a command the course configured, so it runs like
    the course's own code: without the maintainer's credentials (a key it needs is let through
    by naming it in $TINYRELEASE_PASS_ENV)."""
    done = run(list(command), cwd=cwd, env={"TINYRELEASE_REVIEWER": reviewer}, timeout=timeout,
               stdin=text, stderr=False)
    if done.returncode == 127:
        return None, "command not found"
    if done.returncode == 124:
        return None, f"no answer within {timeout:g} s (review.external_timeout)"
    if done.returncode != 0:
        last = (done.errors.strip().splitlines() or ["(no output)"])[-1]
        return None, f"exit {done.returncode}: {last[:300]}"
    if not done.output.strip():
        return None, "empty answer"
    return done.output.strip(), ""
