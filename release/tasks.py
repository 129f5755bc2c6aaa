"""The invoke collection `release` (status, patch, minor, major, hotfix, backport, abort) and
the `demo` task; each body calls the importable pipeline and turns errors into one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from invoke import Collection, Context, Exit, task

from tinyrelease.checks.errors import TinyReleaseError, redact_urls
from tinyrelease.release import pipelines
from tinyrelease.release.model import Kind, Request
from tinyrelease.release.pipelines import Output

DEFAULT_COURSE = Path(__file__).resolve().parent.parent / "examples" / "tinycourse"
COURSE = "course repository (default: $COURSE_ROOT, then examples/tinycourse)"
RUN_HELP = {"course": COURSE, "dry_run": "print the plan and the commands, change nothing",
            "yes": "do not ask before the first change (CI)",
            "skip_gates": "skip the gates (and the candidate's review, which runs them); the "
                          "REASON goes into the reports",
            "version": "the final version, when it must be stated (checked against the bump)"}


def course_path(course: str) -> Path:
    return Path(course or os.environ.get("COURSE_ROOT") or DEFAULT_COURSE)


@contextmanager
def boundary() -> Iterator[None]:
    """Expected failures end as one line and a non-zero exit, never a traceback."""
    try:
        yield
    except TinyReleaseError as error:
        raise Exit(f"tinyrelease: error: {redact_urls(str(error))}", code=error.exit_code) from None


def _run(kind: str, course: str, dry_run: bool, yes: bool, skip_gates: str,
         version: str) -> None:
    with boundary():
        request = Request(Kind(kind), version or None, skip_gates or None, dry_run, yes)
        pipelines.release(course_path(course), request, Output())


def _pipeline(kind: str, doc: str) -> Callable[..., None]:
    def body(c: Context, course: str = "", dry_run: bool = False, yes: bool = False,
             skip_gates: str = "", version: str = "") -> None:
        _run(kind, course, dry_run, yes, skip_gates, version)

    body.__name__, body.__doc__ = kind, doc
    return task(help=RUN_HELP, name=kind)(body)


patch = _pipeline("patch", "Patch release (fixes): RC, review, then final, from the dev branch.")
minor = _pipeline("minor", "Minor release (new modules, features): RC, review, then final.")
major = _pipeline("major", "Major release (complete module set): RC, review, then final.")
hotfix = _pipeline("hotfix", "Emergency fix from main: branch, your fix, fast-track, release.")


@task(help={"course": COURSE, "kind": "the release type to plan when none is under way"})
def status(c: Context, course: str = "", kind: str = "minor") -> None:
    """Print the plan of the release under way (or the next one): done / to do / blocked."""
    with boundary():
        pipelines.status(course_path(course), kind, Output())


@task(help={"course": COURSE, "to": "branch to carry the fix to (repeatable)",
            "source": "the hotfix branch (default: the newest hotfix/v*)"}, iterable=["to"])
def backport(c: Context, to: list[str], course: str = "", source: str = "") -> None:
    """Cherry-pick the newest hotfix onto other branches; conflicts are reported and undone."""
    from tinyrelease.release.repair import backport as run_backport

    with boundary():
        run_backport(course_path(course), to, source or None, Output())


@task(help={"course": COURSE})
def abort(c: Context, course: str = "") -> None:
    """Undo the local effects of an unfinished release; report what was already published."""
    from tinyrelease.release.repair import abort as run_abort

    with boundary():
        run_abort(course_path(course), Output())


@task(help={"keep": "keep the sandbox directory after the demo",
            "monorepo": "the course in course/ of a monorepo beside another project: a direct "
                        "release tagged course-vX.Y.Z, the other project proven untouched"})
def demo(c: Context, keep: bool = False, monorepo: bool = False) -> None:
    """A full minor release of the example course in a throw-away sandbox (RC and final)."""
    from tinyrelease.release.demo import run_demo

    with boundary():
        run_demo(DEFAULT_COURSE, keep, Output(), monorepo)


@task(help={"type": "patch, minor or major", "course": COURSE,
            "version": "the final version (default: the next one of this type)",
            "gates_report": "gates report.json (default build/gates/report.json)",
            "review_dir": "the review's folder (default build/review)",
            "out": "where to write the checklist (default build/review/CHECKLIST-TYPE.md)"})
def checklist(c: Context, type: str = "minor", course: str = "", version: str = "",
              gates_report: str = "build/gates/report.json", review_dir: str = "build/review",
              out: str = "") -> None:
    """Render the checklist of the next release, ticking only what the tools verified."""
    from tinyrelease.release.checklist import render_checklist

    with boundary():
        path, ticked, total, final = render_checklist(
            course_path(course), type, version or None, Path(gates_report), Path(review_dir),
            Path(out) if out else None)
    print(f"{path}: checklist of {final}, {ticked} of {total} checkable items verified")


namespace = Collection("release", status, patch, minor, major, hotfix, backport, abort,
                       checklist)


def attach(root: Collection) -> None:
    """Add `release.*` and `demo` to the project's top-level collection."""
    root.add_collection(namespace)
    root.add_task(demo)
