"""The optional external reviewer: a configured command (a language-model CLI, say) that reads
each report on stdin and whose answer is appended. Off by default; its failure never breaks.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from review.model import Report
from review.render import report_markdown

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
    env = {**os.environ, "TINYRELEASE_REVIEWER": reviewer}
    try:
        done = subprocess.run(list(command), input=text, capture_output=True, text=True,
                              errors="replace", timeout=timeout, cwd=cwd, env=env, check=False)
    except FileNotFoundError:
        return None, "command not found"
    except subprocess.TimeoutExpired:
        return None, f"no answer within {timeout:g} s (review.external_timeout)"
    except OSError as error:
        return None, str(error)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return None, f"exit {done.returncode}: {last[:300]}"
    if not done.stdout.strip():
        return None, "empty answer"
    return done.stdout.strip(), ""
