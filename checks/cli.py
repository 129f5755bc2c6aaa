"""`python -m checks` (also `tinyrelease`, and `nox -s gates --`): judge a course with the
gates, print the result, write the reports; `tinyrelease doctor` tells what the machine has.

Exit status: 0 when no unwaived error, 1 when there is one, 2 for a usage error or a course
that cannot be read at all (one line on stderr, never a traceback).
"""

from __future__ import annotations

from tinyrelease.checks.console import Printer, for_output
from tinyrelease.checks.errors import UsageError
from tinyrelease.checks.options import build_parser, guarded


def run(argv: list[str], console: Printer) -> int:
    if argv[:1] == ["doctor"]:
        from tinyrelease.checks.doctor import run_doctor

        return run_doctor(argv[1:], console)
    if argv[:1] == ["gates"]:
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    if args.list_checks:
        return list_checks(console)
    if args.explain:
        return explain(args.explain.upper(), console)
    from tinyrelease.checks.replay import replay

    replayed = replay(args, console)
    if isinstance(replayed, int):
        return replayed
    from tinyrelease.checks.runner import run_and_report

    return run_and_report(args, console, replayed)


def list_checks(console: Printer) -> int:
    from tinyrelease.checks.catalog import all_checks

    for item in all_checks():
        console.print(f"{item.code}  {item.gate:<15} {item.severity.value:<8} {item.title}",
                      highlight=False, markup=False)
    return 0


def explain(code: str, console: Printer) -> int:
    from tinyrelease.checks.catalog import lookup

    item = lookup(code)
    if item is None:
        raise UsageError(f"no check has the code {code} (see --list-checks)")
    console.print(f"{item.code} {item.title}\ngate: {item.gate} · severity: "
                  f"{item.severity.value}\n\n{item.docs}", highlight=False, markup=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    return guarded(lambda args: run(args, for_output()), argv)
