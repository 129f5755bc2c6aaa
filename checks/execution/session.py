"""What a nox session needs to know about the course before tinyrelease is installed in it:
its root and report folder (from the session's arguments) and its requirements. Standard
library only: the noxfile imports it before anything is installed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DEFAULT_COURSE = Path("examples") / "tinycourse"
DEFAULT_REPORTS = Path("build") / "gates"
# written into a nox environment after its install: what was asked of it (the gate cache keys
# on it, so a changed environment means a fresh result)
REQUIREMENTS_MARKER = ".tinyrelease-requirements"
# the gates with an execution part (tests, builds), each run in its own nox session
EXECUTING_GATES = ("implementation", "testing", "package", "documentation")


def _option(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def course_root(args: list[str]) -> Path:
    """--course from the arguments, else $COURSE_ROOT, else the bundled example course."""
    given = _option(args, "--course")
    return Path(given or os.environ.get("COURSE_ROOT") or DEFAULT_COURSE)


def gate_arguments(gate: str, args: list[str]) -> list[str]:
    """A gate session's arguments: its reports go into `<report dir>/<gate>/`, beside the
    other gates' (the consolidated report of `nox -s gates` sits one level up)."""
    base = Path(_option(args, "--report-dir") or DEFAULT_REPORTS)
    rest, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--report-dir":
            skip = True
        elif not arg.startswith("--report-dir="):
            rest.append(arg)
    return ["--gate", gate, "--report-dir", str(base / gate), *rest]


BOOK_DIRS = ("site", "docs", "book")
TEST_EXTRAS = ("test", "tests", "testing")
DOCS_EXTRAS = ("docs", "doc", "book")
_REQUIREMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._ -]*\])?\s*"
                          r"([<>=!~][^;#]*)?(;[^#]*)?$")


def course_requirements(root: Path, gate: str | None = None) -> list[str]:
    """What the course declares it needs for `gate`: its project dependencies, and for the
    testing and package gates its requirements.txt and test extras, for the documentation
    gate its book's requirements.txt and docs extras. Only plain requirements are taken (no
    pip options, paths or URLs); a missing or broken file adds nothing."""
    project = _project(root)
    found = _strings(project.get("dependencies"))
    extras = project.get("optional-dependencies")
    extras = extras if isinstance(extras, dict) else {}
    if gate in (None, "testing", "package", "review"):
        found += _requirements_file(root / "requirements.txt")
        found += [r for name in TEST_EXTRAS for r in _strings(extras.get(name))]
    if gate == "documentation":
        found += [r for d in BOOK_DIRS for r in _requirements_file(root / d / "requirements.txt")]
        found += [r for name in DOCS_EXTRAS for r in _strings(extras.get(name))]
        found = [r for r in found if _name(r) not in OWN_BOOK_TOOLS]
    return list(dict.fromkeys(r for r in found if _REQUIREMENT.match(r.strip())))


# the book is built with tinyrelease's own Jupyter Book 1: a course's pin of these is left out
OWN_BOOK_TOOLS = ("jupyter-book", "sphinx")


def overridden_book_requirements(root: Path) -> list[str]:
    """The course's book requirements that tinyrelease's own book tools replace."""
    declared = [r for d in BOOK_DIRS for r in _requirements_file(root / d / "requirements.txt")]
    extras = _project(root).get("optional-dependencies")
    extras = extras if isinstance(extras, dict) else {}
    declared += [r for name in DOCS_EXTRAS for r in _strings(extras.get(name))]
    return list(dict.fromkeys(r for r in declared if _name(r) in OWN_BOOK_TOOLS))


def _name(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return re.sub(r"[-_.]+", "-", found[0]).lower() if found else ""


def _project(root: Path) -> dict[str, object]:
    import tomllib

    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError):
        return {}
    project = document.get("project")
    return project if isinstance(project, dict) else {}


def _strings(value: object) -> list[str]:
    return [v.strip() for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _requirements_file(path: Path) -> list[str]:
    if path.is_symlink() or not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "-"))]
