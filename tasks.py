"""invoke tasks that compose the nox sessions: `invoke gates`, `invoke test`, `invoke bench`.

Release pipelines (release.patch / minor / major / hotfix) and the book land here next.
"""

from __future__ import annotations

import shlex

from invoke import Collection, Context, task

from book import tasks as book_tasks


def _nox(c: Context, session: str, *args: str) -> None:
    c.run(shlex.join(["nox", "-s", session, *(["--", *args] if args else [])]))


@task(help={"course": "course root (default: $COURSE_ROOT, then examples/tinycourse)",
            "level": "quick, standard or comprehensive"})
def gates(c: Context, course: str = "", level: str = "standard") -> None:
    """Run the six quality gates on a course."""
    _nox(c, "gates", *(["--course", course] if course else []), "--level", level)


@task
def test(c: Context) -> None:
    """Run tinyrelease's own test suite."""
    _nox(c, "tests")


@task
def bench(c: Context) -> None:
    """Print the benchmark numbers."""
    _nox(c, "bench")


namespace = Collection(gates, test, bench)
__import__("release.tasks").tasks.attach(namespace)  # release.* pipelines and demo (issue #5)
__import__("review.tasks").tasks.attach(namespace)  # release.review, release.checklist (#6)
namespace.add_collection(Collection.from_module(book_tasks, name="book"))
