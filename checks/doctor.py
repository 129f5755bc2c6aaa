"""`tinyrelease doctor` (also `python -m checks doctor`, `nox -s doctor`): what this machine
and this Python environment have for each gate and task, what a missing tool turns off, and
the command that fixes it. Credentials are reported as present or absent, never shown.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tinyrelease.checks.console import Printer, escape
from tinyrelease.checks.environment import Tool, tools
from tinyrelease.checks.errors import UsageError
from tinyrelease.checks.options import UsageParser


def build_parser() -> UsageParser:
    parser = UsageParser(prog="tinyrelease doctor", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--course", type=Path, help="also check this course's git remote and "
                        "the package index credentials")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when anything is missing (for CI)")
    return parser


def run_doctor(argv: list[str], console: Printer) -> int:
    args = build_parser().parse_args(argv)
    if args.course is not None and not args.course.is_dir():
        raise UsageError(f"--course {args.course}: not a directory")
    found = tools(args.course)
    machine = [t for t in found if t.machine]
    packages = [t for t in found if not t.machine]
    _section(console, "This machine", machine)
    _section(console, f"This Python environment ({sys.prefix}); nox sessions install their "
             "own", packages)
    missing = [t for t in found if t.found is None]
    if not missing:
        console.print("[green]Everything the gates and tasks use is here.[/]")
        return 0
    console.print(f"\n[yellow]{len(missing)} missing[/]: "
                  + "; ".join(f"{escape(t.name)} ({escape(t.without)})" for t in missing),
                  highlight=False, soft_wrap=True)
    return 1 if args.strict else 0


def _section(console: Printer, title: str, rows: list[Tool]) -> None:
    """One line per tool; a missing one also says what it turns off and how to fix it."""
    console.print(f"\n[bold]{escape(title)}[/]", highlight=False, soft_wrap=True)
    for tool in rows:
        if tool.found:
            console.print(f"  [green]✓[/] {escape(tool.name)}: {escape(tool.found)} "
                          f"[dim]({escape(tool.needed_for)})[/]", highlight=False,
                          soft_wrap=True)
        else:
            console.print(f"  [red]✗[/] {escape(tool.name)}: missing, for "
                          f"{escape(tool.needed_for)}; without it {escape(tool.without)}. "
                          f"Fix: {escape(tool.fix)}", highlight=False, soft_wrap=True)
