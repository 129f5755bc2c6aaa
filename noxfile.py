"""Every gate and build of tinyrelease as a nox session, each in its own uv environment.

`nox -s gates` judges the bundled example course; `nox -s gates -- --course ../TinyTorch`
judges another. Arguments after `--` go to `python -m checks`.
"""

from __future__ import annotations

import os

import nox

os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv"
nox.options.sessions = ["gates"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
GATES = ("educational", "implementation", "testing", "package", "documentation", "systems")


def _install(session: nox.Session, *groups: str) -> None:
    session.install(".", *(req for group in groups
                           for req in nox.project.dependency_groups(PYPROJECT, group)))


def _gate(name: str) -> None:
    @nox.session(name=name, tags=["gate"])
    def gate(session: nox.Session) -> None:
        _install(session)
        session.run("python", "-m", "checks", "--gate", name,
                    "--report-dir", f"build/gates/{name}", *session.posargs)

    gate.__doc__ = f"Run the {name} gate on the course."


for _name in GATES:
    _gate(_name)


@nox.session
def gates(session: nox.Session) -> None:
    """Run all six gates for the level and write the consolidated reports to build/gates."""
    _install(session)
    session.run("python", "-m", "checks", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run tinyrelease's own test suite."""
    _install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Time the static checks on a synthetic 20-module course (about 35,000 source lines)."""
    _install(session)
    session.run("python", "-m", "checks.bench", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint tinyrelease's own code with ruff."""
    _install(session, "lint")
    session.run("ruff", "check", "checks", "tests", "noxfile.py", "tasks.py")
