"""What this machine and this Python environment can do for the gates and tasks: which tools
are present (never their secrets), what each missing one turns off, and the command that fixes
it. `tinyrelease doctor` prints it; the gates say before they start what they will skip; the
gate cache keys on it, so installing Chromium re-runs the documentation gate.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

from tinyrelease.checks.execution.session import REQUIREMENTS_MARKER

CHROMIUM = Path(os.environ.get("TINYRELEASE_CHROMIUM", "/usr/bin/chromium"))
SOURCE_PACKAGES = ("checks", "book", "release", "review")
# the distributions whose versions change what a gate finds, per gate
GATE_DISTRIBUTIONS = {
    "implementation": ("nbgrader", "nbclient", "ipykernel", "nbformat", "jupytext", "nbdev",
                       "execnb", "fastcore"),
    "testing": ("pytest", "pytest-cov", "coverage", "jupytext", "nbdev", "execnb", "fastcore"),
    "package": ("build", "twine", "towncrier", "jupytext", "nbdev", "execnb", "fastcore", "uv"),
    "documentation": ("jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme", "playwright",
                      "matplotlib"),
}
STATIC_DISTRIBUTIONS = ("PyYAML", "jupytext", "markdown-it-py")
INSTALL_ALL = 'python -m pip install -e ".[all]"'


class Tool(NamedTuple):
    """One thing a gate or task needs: whether it is here, what it serves, the fix."""

    name: str
    found: str | None      # a version or a path; None when missing
    needed_for: str
    without: str           # what is skipped or fails without it
    fix: str
    machine: bool = True   # False: a package of this Python environment (nox installs its own)


def chromium() -> Path | None:
    """Debian's Chromium, which the browser checks drive (Playwright never downloads one)."""
    return CHROMIUM if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK) else None


@cache
def interpreters() -> dict[str, Path | None]:
    """The supported Pythons found on PATH or in pyenv (None: not on this machine)."""
    from tinyrelease.checks.execution.interpreters import SUPPORTED, find_interpreter

    return {version: find_interpreter(version) for version in SUPPORTED}


def distribution(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@cache
def _installed() -> dict[str, str]:
    """The version of each distribution installed on `sys.path`, from the names of its
    `.dist-info` / `.egg-info` folders (what the gate keys need, without importing
    importlib.metadata); the first on the path wins, as for imports."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            stem = name.rsplit(".", 1)[0]
            if name.endswith((".dist-info", ".egg-info")) and "-" in stem:
                project, version = stem.split("-")[:2]
                found.setdefault(_normalised(project), version)
    return found


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def missing_requirements(requirements: list[str]) -> list[str]:
    """The requirements whose distribution is not installed in this environment."""
    import re

    names = [(r, re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r.strip())) for r in requirements]
    return [r for r, name in names if name and distribution(name[0]) is None]


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@cache
def source_digest() -> str:
    """A hash of tinyrelease's own code and data: a new version of a check is a new result."""
    digest = hashlib.sha256()
    base = Path(__file__).resolve().parent.parent
    for package in SOURCE_PACKAGES:  # os.walk: every run hashes it, pathlib costs twice as much
        for folder, dirs, files in os.walk(base / package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            rel = Path(folder).relative_to(base).as_posix()
            for name in sorted(n for n in files if not n.endswith(".pyc")):
                with open(os.path.join(folder, name), "rb") as stream:
                    digest.update(f"{rel}/{name}".encode() + b"\0")
                    digest.update(hashlib.sha256(stream.read()).digest())
    return digest.hexdigest()


def gate_environment(gate: str, level: str, envdir: Path | None = None) -> str:
    """What, besides the course and the settings, decides a gate's result on this machine:
    the versions of the tools it runs (read from its nox environment's requirements marker
    when it runs in one), Chromium for the documentation gate, the interpreters for the
    comprehensive package gate."""
    facts: dict[str, object] = {}
    if envdir is not None:
        facts["environment"] = _read(envdir / REQUIREMENTS_MARKER)
        facts["python"] = _read(envdir / "pyvenv.cfg")
    else:
        facts["python"] = sys.version.split()[0]
        names = (*STATIC_DISTRIBUTIONS, *GATE_DISTRIBUTIONS.get(gate, ()))
        facts["distributions"] = {name: _installed().get(_normalised(name)) for name in names}
    if gate == "documentation":
        found = chromium()
        facts["chromium"] = _file_identity(found) if found else None
    if gate == "package" and level == "comprehensive":
        facts["interpreters"] = {v: str(p) if p else None for v, p in interpreters().items()}
    return json.dumps(facts, sort_keys=True)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _file_identity(path: Path) -> str:
    info = path.stat()
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def tools(course_root: Path | None = None) -> list[Tool]:
    """Every tool the gates and tasks use, machine first, then this environment's packages."""
    import shutil

    found = [
        Tool("uv", shutil.which("uv"), "nox sessions (nox -s ...)", "nox cannot create the "
             "gate environments", 'python -m pip install "nox[uv]"'),
        Tool("nox", distribution("nox"), "nox -s gates, the invoke tasks", "the sessions and "
             "tasks cannot run", 'python -m pip install "nox[uv]"'),
        *(Tool(f"Python {version}", str(path) if path else None, "install-and-import at the "
               "comprehensive level", f"PKG208 is not checked on Python {version}",
               f"pyenv install {version} (or your system's python{version} package)")
          for version, path in interpreters().items()),
        Tool("git", shutil.which("git"), "releases, --changed-since, book deploy, the review",
             "nothing can be released or deployed", "sudo apt-get install git"),
        Tool("git identity", _git_identity(), "release and deploy commits",
             "git refuses to commit", 'git config --global user.name "..." && '
             'git config --global user.email "..."'),
        Tool("Chromium", str(chromium()) if chromium() else None, "DOC221-DOC223 (the book "
             "opened in a browser)", "the browser checks are skipped",
             "sudo apt-get install chromium"),
        Tool("gh", shutil.which("gh"), "the GitHub release of a final", "the GitHub release "
             "step is skipped (the bundle is still written)", "install the GitHub CLI, gh auth "
             "login"),
    ]
    packages = [
        ("jupytext", "jupytext", "the export step and the static source parser"),
        ("nbdev", "nbdev", "the export step (PKG201-PKG203, TST205)"),
        ("nbgrader", "nbgrader", "the student release (IMP201-IMP206, nox -s assignments)"),
        ("nbclient", "nbclient", "running the notebooks (IMP202-IMP205)"),
        ("ipykernel", "ipykernel", "the notebooks' kernel (IMP202-IMP205)"),
        ("pytest", "pytest", "the testing gate's suites (TST201-TST204)"),
        ("pytest-cov", "pytest_cov", "the coverage threshold (TST203)"),
        ("build", "build", "the package gate's build (PKG204-PKG208, PKG210)"),
        ("twine", "twine", "twine check (PKG205) and uploads"),
        ("towncrier", "towncrier", "the changelog check (PKG209) and release notes"),
        ("jupyter-book", "jupyter_book", "the book (DOC201-DOC212, nox -s book)"),
        ("playwright", "playwright", "the browser checks (DOC221-DOC223)"),
        ("matplotlib", "matplotlib", "the learning-path chart of the book"),
        ("invoke", "invoke", "invoke release.*, book.*, demo"),
        ("pypiserver", "pypiserver", "invoke demo's package index"),
        ("passlib", "passlib", "invoke demo's index password"),
        ("ruff", "ruff", "the review's code report"),
    ]
    for name, module, needed in packages:
        version = distribution(name) if importable(module) else None
        found.append(Tool(name, version, needed, f"{needed.split(' (')[0]} cannot run in this "
                          "environment", INSTALL_ALL, machine=False))
    if course_root is not None:
        found += _course_tools(course_root)
    return found


def _git_identity() -> str | None:
    from tinyrelease.checks.git import Git

    name = Git(Path.cwd()).run("config", "user.name", check=False)
    email = Git(Path.cwd()).run("config", "user.email", check=False)
    if not (name.ok and email.ok and name.output.strip() and email.output.strip()):
        return None
    return f"{name.output.strip()} <{email.output.strip()}>"


def _course_tools(root: Path) -> list[Tool]:
    """The course's remote and its index credentials: present or not, never their values."""
    from tinyrelease.checks.git import Git

    remote = Git(root).run("ls-remote", "--heads", "origin", check=False)
    credentials = [name for name in ("TWINE_USERNAME", "TWINE_PASSWORD") if os.environ.get(name)]
    pypirc = Path.home() / ".pypirc"
    where = ", ".join(credentials + ([str(pypirc)] if pypirc.is_file() else []))
    return [
        Tool("course remote", "origin reachable" if remote.ok else None, "releases and "
             "deploys of this course", "the release cannot fetch or push",
             f"git -C {root} remote add origin URL (or check the network)"),
        Tool("index credentials", f"set in {where}" if where else None, "uploads to the "
             "package index", "the upload step fails", "export TWINE_USERNAME=... "
             "TWINE_PASSWORD=... (or write ~/.pypirc)"),
    ]


def will_skip(gates: list[str], level: str, isolated: bool) -> list[str]:
    """What the coming run will leave out for want of a tool, one phrase each (with the fix).
    In isolated runs the sessions install their own packages: only machine tools count."""
    lines = []
    if "documentation" in gates and level != "quick":
        if chromium() is None:
            lines.append("DOC221-DOC223 (no Chromium: sudo apt-get install chromium)")
        if not isolated and not importable("jupyter_book"):
            lines.append(f"DOC201-DOC223 (no jupyter-book here: {INSTALL_ALL})")
    if "implementation" in gates and level != "quick" and not isolated and not all(
            importable(m) for m in ("nbgrader", "nbclient", "ipykernel")):
        lines.append(f"IMP201-IMP206 (no nbgrader, nbclient or ipykernel here: {INSTALL_ALL})")
    if "testing" in gates and level != "quick" and not isolated and not importable("pytest"):
        lines.append(f"TST201-TST204 (no pytest here: {INSTALL_ALL})")
    if "package" in gates and level != "quick" and not isolated and not importable("build"):
        lines.append(f"PKG204-PKG208, PKG210 (no build here: {INSTALL_ALL})")
    if "package" in gates and level == "comprehensive":
        missing = [v for v, path in interpreters().items() if path is None]
        if missing:
            lines.append(f"install-and-import on Python {', '.join(missing)} (not on this "
                         "machine)")
    return lines
