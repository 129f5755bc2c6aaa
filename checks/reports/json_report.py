"""`report.json`: the machine-readable report every other tool (book, release, CI) reads."""

from __future__ import annotations

import json

from tinyrelease.checks.results import GatesReport

OPEN_LEVELS = 4  # below this depth each value is one line: one finding, one SARIF result
# json.dumps(value, ensure_ascii=False), without a new encoder for each of a thousand values
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def render(report: GatesReport) -> str:
    return readable(report.to_json()) + "\n"


def readable(value: object, depth: int = 0) -> str:
    """JSON indented by two spaces down to `OPEN_LEVELS`, each deeper value on one line:
    as readable as `indent=2` for the findings, and encoded by json's C encoder (an indented
    dump is Python code, five times slower on a course with a thousand findings)."""
    if depth >= OPEN_LEVELS or not isinstance(value, dict | list) or not value:
        return _ENCODE(value)
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{_ENCODE(str(k))}: {readable(v, depth + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    return "[\n" + ",\n".join(f"{inner}{readable(v, depth + 1)}" for v in value) + f"\n{pad}]"
