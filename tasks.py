"""invoke tasks that compose the nox sessions and the pipelines: `invoke gates`, `assignments`,
`book.build`, `book.deploy`, `release.patch | minor | major | hotfix`, `release.review`, `demo`
(`invoke -l`).
"""

from __future__ import annotations

import shlex

from invoke import Collection, Context, task

from tinyrelease.book import tasks as book_tasks
from tinyrelease.release import tasks as release_tasks
from tinyrelease.review import tasks as review_tasks


def _nox(c: Context, session: str, *args: str) -> None:
    c.run(shlex.join(["nox", "-s", session, *(["--", *args] if args else [])]))


@task(help={"course": "course root (default: $COURSE_ROOT, then examples/tinycourse)",
            "level": "quick, standard or comprehensive"})
def gates(c: Context, course: str = "", level: str = "standard") -> None:
    """Run the six quality gates on a course."""
    _nox(c, "gates", *(["--course", course] if course else []), "--level", level)


@task(help={"course": "course root (default: $COURSE_ROOT, then examples/tinycourse)",
            "modules": "only these modules, comma-separated (a partial release)"})
def assignments(c: Context, course: str = "", modules: str = "") -> None:
    """Build and validate the student notebooks (build/assignments)."""
    _nox(c, "assignments", *(["--course", course] if course else []),
         *(["--modules", modules] if modules else []))


@task
def test(c: Context) -> None:
    """Run tinyrelease's own test suite."""
    _nox(c, "tests")


@task
def bench(c: Context) -> None:
    """Print the benchmark numbers."""
    _nox(c, "bench")


namespace = Collection(gates, assignments, test, bench)
namespace.add_collection(Collection.from_module(book_tasks, name="book"))
release_tasks.attach(namespace)  # release.patch / minor / major / hotfix / ..., and demo
review_tasks.attach(namespace)  # release.review and release.checklist join that collection
