"""`python -m book build|check|deploy`: the command line of the course book, with every expected
failure turned into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tinyrelease.checks.boundary import output_folder
from tinyrelease.checks.options import UsageParser, course_root, guarded

DEFAULT_ASSIGNMENTS = Path("build") / "assignments"
DEFAULT_OUT = Path("build") / "book"
DEFAULT_REPORT = Path("build") / "gates" / "report.json"


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="python -m book",
                         description="Build, check and deploy a course book.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=UsageParser)
    for name, text in (("build", "assemble and build the book (the default)"),
                       ("check", "build, link-check and open the book in Chromium"),
                       ("deploy", "build if needed and publish with ghp-import")):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("--course", type=Path, help="course root (default: $COURSE_ROOT, "
                             "then examples/tinycourse)")
        command.add_argument("--out", type=Path, default=DEFAULT_OUT, help="build folder")
        command.add_argument("--gates-report", type=Path, default=DEFAULT_REPORT)
        command.add_argument("--assignments", type=Path, default=DEFAULT_ASSIGNMENTS,
                             help="the student release to link each chapter to "
                             "(default: build/assignments, from nox -s assignments)")
        command.add_argument("--strict", action="store_true", help="warnings fail the build")
    check = commands.choices["check"]
    check.add_argument("--level", choices=("quick", "standard", "comprehensive"),
                       default="standard")
    check.add_argument("--no-browser", action="store_true", help="skip the Chromium check")
    deploy = commands.choices["deploy"]
    deploy.add_argument("--remote", default="origin")
    deploy.add_argument("--branch", default="gh-pages")
    deploy.add_argument("--prefix", help="publish under this folder (dev) and keep the root")
    deploy.add_argument("--cname", help="custom domain written to CNAME")
    deploy.add_argument("--manifest", action="append", default=[], metavar="KEY=VALUE",
                        help="write release-manifest.json at the site's root with this field "
                             "(repeat it) and the site's content hash")
    deploy.add_argument("--force", action="store_true",
                        help="deploy even from a dirty tree or with failed gates")
    deploy.add_argument("--dry-run", action="store_true", help="show what would be published")
    return parser


def with_command(argv: list[str]) -> list[str]:
    """`argv` with its command: options alone (`nox -s book -- --course PATH`) mean build."""
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        return ["build", *argv]
    return argv


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(with_command(argv))
    root = course_root(args.course)
    # our own output: the book written, the student release and the gates' report read back
    # and published with it
    for ours in (args.out, args.assignments, args.gates_report):
        output_folder(ours, root)
    if args.command == "check":
        return _check(root, args)
    from tinyrelease.book.build import build_book
    from tinyrelease.checks.store import open_course

    started = time.perf_counter()
    result = build_book(open_course(root), args.out, args.gates_report, strict=args.strict,
                        assignments=args.assignments)
    for warning in result.warnings:
        path, line, _ = (result.sources.locate(warning.page, warning.line) if warning.page
                         else ("-", None, None))
        print(f"{path}:{line or ''}: warning: {warning.message}", file=sys.stderr)
    print(f"book: {result.html / 'index.html'} ({len(result.warnings)} warnings, "
          f"{time.perf_counter() - started:.1f} s)")
    if result.status != 0:
        return 1
    if args.command == "deploy":
        return _deploy(root, args, result.html, result.info)
    return 0


def _check(root: Path, args: argparse.Namespace) -> int:
    from tinyrelease.book.gate import documentation_findings

    level = "comprehensive" if args.strict else args.level
    findings = documentation_findings(root, level, args.out, args.gates_report,
                                      browser=not args.no_browser)
    for finding in findings:
        print(f"{finding.at()}: {finding.severity.value}: {finding.code} {finding.message}")
    failed = any(f.counts for f in findings)
    print(f"documentation (execution): {'fail' if failed else 'pass'}, "
          f"{len(findings)} findings; screenshots in {args.out / 'screenshots'}")
    return 1 if failed else 0


def _deploy(root: Path, args: argparse.Namespace, html: Path, info: dict[str, object]) -> int:
    from tinyrelease.book.deploy import DeployOptions, deploy, plan_deploy
    from tinyrelease.book.manifest import manifest_fields, write_manifest

    options = DeployOptions(args.remote, args.branch, args.prefix, args.cname, args.force)
    if args.manifest:
        write_manifest(html, manifest_fields(args.manifest))
    plan = plan_deploy(html, root, info, options)
    if args.dry_run:
        print("\n".join(["dry run, nothing published:", *plan.describe()]))
        return 0
    commit = deploy(plan)
    print(f"published {plan.index_path} to {options.remote}/{options.branch} at {commit[:12]}")
    print(json.dumps({"remote": options.remote, "branch": options.branch, "commit": commit}))
    return 0


def main(argv: list[str] | None = None) -> int:
    return guarded(run, argv)
