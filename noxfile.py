"""Every gate and build of tinyrelease as a nox session, each in its own uv environment.

`nox -s gates` judges the bundled example course; `nox -s gates -- --course ../TinyTorch`
judges another. Arguments after `--` go to `python -m checks` (the same options everywhere).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))  # the stdlib-only helpers of checks.execution
from tinyrelease.checks.execution.session import (  # noqa: E402
    REQUIREMENTS_MARKER,
    course_requirements,
    course_root,
    gate_arguments,
)

os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


def _one_run_at_a_time() -> None:
    """Two nox runs in one checkout would create the same environments at once: the second
    waits. The sessions a run starts (nox's parallel workers, nested runs) inherit the lock."""
    if os.environ.get("TINYRELEASE_NOX_LOCKED") or not hasattr(os, "fork"):
        return
    import fcntl

    Path(".nox").mkdir(exist_ok=True)
    handle = open(".nox/.tinyrelease.lock", "w")  # noqa: SIM115 - held until nox exits
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("nox: another nox run is using this checkout's environments; waiting for it",
              file=sys.stderr, flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    _HELD.append(handle)
    os.environ["TINYRELEASE_NOX_LOCKED"] = "1"


_HELD: list[object] = []
_one_run_at_a_time()
nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["gates"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
GATES = ("educational", "implementation", "testing", "package", "documentation", "systems")
GATE_EXTRAS = {"implementation": ("assignments",), "testing": ("testing", "export"),
               "package": ("package",), "documentation": ("book",)}


def _install(session: nox.Session, *extras: str, groups: tuple[str, ...] = (),
             course: str | None = None) -> None:
    """Install tinyrelease (editable, with `extras`) and the dependency `groups`, unless the
    reused environment already has exactly these requirements; then compile what has no
    bytecode yet (`BYTECODE`)."""
    target = f".[{','.join(extras)}]" if extras else "."
    requirements = [r for g in groups for r in nox.project.dependency_groups(PYPROJECT, g)]
    if course:  # what the course declares it needs for this session (a gate, the review)
        requirements += course_requirements(course_root(list(session.posargs)), course)
    key = hashlib.sha256("\n".join([Path("pyproject.toml").read_text(), target, *requirements,
                                    "with bytecode"]).encode()).hexdigest()
    marker = Path(session.virtualenv.location) / REQUIREMENTS_MARKER
    installing = not marker.is_file() or marker.read_text() != key
    if installing:
        marker.unlink(missing_ok=True)
        session.install("-e", target, *requirements)
    else:
        session.log("environment reused: requirements unchanged")
    session.run_install("python", "-c", BYTECODE, *OWN_CODE,
                        *(["site-packages"] if installing else []), silent=True)
    if installing:
        marker.write_text(key)


# The environment's bytecode, as pip leaves it: uv leaves it to each module's first import,
# which never writes it where PYTHONDONTWRITEBYTECODE is set (as in many containers), so every
# run, and every course process a gate starts, compiled pytest, numpy, nbdev... anew (TinyTorch's
# testing gate after an edit: 8.1 s -> 5.9 s). tinyrelease itself is installed editable: its
# bytecode is brought up to date on every run (only what changed is compiled).
OWN_CODE = ("checks", "book", "review", "release", "tinyrelease")
BYTECODE = ("import compileall, sys, sysconfig; [compileall.compile_dir(sysconfig.get_path("
            "'purelib'), quiet=2, workers=0) if f == 'site-packages' else compileall.compile_dir("
            "f, quiet=2) for f in sys.argv[1:]]")


def _gate(name: str) -> None:
    @nox.session(name=name, tags=["gate"], allow_parallel=True)
    def gate(session: nox.Session) -> None:
        _install(session, *GATE_EXTRAS.get(name, ()),
                 course=name if name in GATE_EXTRAS else None)
        session.run("python", "-m", "checks", *gate_arguments(name, list(session.posargs)))

    gate.__doc__ = f"Run the {name} gate on the course (reports in build/gates/{name})."


for _name in GATES:
    _gate(_name)


@nox.session
def gates(session: nox.Session) -> None:
    """Run all six gates (cached; the execution gates as parallel nox sessions)."""
    _install(session)
    session.run("python", "-m", "checks", "--isolated", *session.posargs)


@nox.session
def assignments(session: nox.Session) -> None:
    """Build the student notebooks with nbgrader into build/assignments and validate them."""
    _install(session, "assignments", course="implementation")
    session.run("python", "-m", "checks.assignments", *session.posargs)


@nox.session
def doctor(session: nox.Session) -> None:
    """What this machine has for each gate and task, and what a missing tool turns off."""
    _install(session)
    session.run("python", "-m", "checks", "doctor", *session.posargs)


@nox.session
def book(session: nox.Session) -> None:
    """Build the course book into build/book (also `-- check`, `-- deploy --dry-run`), with
    what the course's book needs (its Sphinx extensions), as the documentation gate has."""
    _install(session, "book", course="documentation")
    session.run("python", "-m", "book", *session.posargs)  # no command: build


@nox.session
def review(session: nox.Session) -> None:
    """Pre-release review of the course: four reviewer reports and the plan (build/review)."""
    _install(session, "review", course="review")
    session.run("python", "-m", "review", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run tinyrelease's own test suite."""
    _install(session, "all", groups=("test",))
    # two workers (CI has 2 cores; most tests wait on subprocesses, kernels and builds), a
    # file's tests on one worker so module-scoped fixtures (a released course) are made once
    workers = os.environ.get("TINYRELEASE_TEST_WORKERS", "2")
    session.run("pytest", "-n", workers, "--dist", "loadfile", "--durations=15",
                *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Time the static checks on a synthetic 20-module course (about 35,000 source lines);
    with `-- --course PATH`, on that course beside its own validators, then every gate, then
    its testing gate cold, warm, after a one-module edit and against plain pytest."""
    _install(session, "export", "testing", course="testing")
    session.run("python", "-m", "checks.bench", *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check tinyrelease with mypy: strict on checks/, the other packages as written."""
    _install(session, "all", groups=("typecheck",))
    session.run("mypy", "--strict", "-p", "tinyrelease.checks")
    session.run("mypy", "-p", "tinyrelease.book", "-p", "tinyrelease.review", "-p",
                "tinyrelease.release")


@nox.session
def lint(session: nox.Session) -> None:
    """Lint tinyrelease's own code with ruff."""
    _install(session, groups=("lint",))
    session.run("ruff", "check", "tinyrelease/__init__.py", "checks", "book", "release", "review",
                "tests", "noxfile.py", "tasks.py")
