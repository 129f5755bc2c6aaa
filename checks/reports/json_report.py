"""`report.json`: the machine-readable report every other tool (book, release, CI) reads."""

from __future__ import annotations

import json

from checks.engine import GatesReport


def render(report: GatesReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
