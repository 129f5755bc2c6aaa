"""What a run skipped and why, grouped for people: one line per reason, codes folded into
ranges (`DOC221-DOC223: no Chromium on this machine`); and what it served from cache."""

from __future__ import annotations

from collections import defaultdict

from tinyrelease.checks.results import GatesReport


def code_ranges(codes: list[str]) -> str:
    """`DOC221-DOC223, PKG209`: consecutive codes of one prefix folded into a range."""
    ordered = sorted(set(codes))
    parts: list[str] = []
    run: list[str] = []
    for code in ordered:
        if run and code[:3] == run[-1][:3] and code[3:].isdigit() and run[-1][3:].isdigit() \
                and int(code[3:]) == int(run[-1][3:]) + 1:
            run.append(code)
            continue
        if run:
            parts.append(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [code]
    if run:
        parts.append(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ", ".join(parts)


def skipped_by_reason(skipped: dict[str, str]) -> list[tuple[str, str]]:
    """(codes, reason) pairs, one per distinct reason, in code order."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for code, reason in sorted(skipped.items()):
        grouped[reason].append(code)
    return [(code_ranges(codes), reason) for reason, codes in grouped.items()]


def cached_by_run(report: GatesReport) -> list[str]:
    """`tests/01_tensor, tests/02_activations: unchanged since the run of 2026-05-01 20:31:02
    UTC`, one line per earlier run that produced steps this run served from cache."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for gate in report.gates:
        for step, ran_at in gate.cached_steps.items():
            grouped[ran_at].append(step)
    return [f"{', '.join(steps)}: from cache, unchanged since the run of "
            f"{ran_at.replace('T', ' ').rstrip('Z')} UTC"
            for ran_at, steps in sorted(grouped.items())]
