"""Sharing a run's suites among pytest processes so that together they report what one
session over all of them reports.

One session differs from separate ones where modules meet by name. pytest's default import
mode names a test file by its file name (with the packages above it), so a second
`test_x.py` in another folder fails to import ("import file mismatch") once the first is
imported; a process whose suites hold such a second file therefore imports the first one
ahead of its own and deselects its tests. A module the tests import by name from their own
folder (`import helpers`) would silently be another folder's in one session: suites that
share such a name stay in one process. Where the course configures how pytest collects
(its own file patterns, ignored paths, import mode), this is not modelled and the suites
run in one session.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tinyrelease.checks.course import TestFile

TEST_FILE = re.compile(r"(test_.*|.*_test)\.py")
SKIPPED_FOLDERS = {"build", "dist", "node_modules", "venv", "CVS", "_darcs", "{arch}",
                   "__pycache__"}
PYTEST_CONFIG = ("pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
# what, configured, changes which files pytest collects or how it names them
UNMODELLED = ("python_files", "norecursedirs", "import-mode", "import_mode", "--ignore",
              "--deselect", "collect_ignore", "pytest_ignore_collect", "pytest_collect_file",
              "consider_namespace_packages", "confcutdir", "rootdir", "--pyargs")


@dataclass
class Share:
    """One pytest session's suites (their folders), and the test files it imports ahead of
    them (deselected)."""

    suites: list[str]
    ahead: list[str] = field(default_factory=list)


def share_out(suites: list[str], parts: int, estimates: dict[str, float],
              workdir: Path, tests: list[TestFile] | None) -> list[Share]:
    """The suites (folders) in at most `parts` shares of about equal expected seconds: the
    longest first, each to the share with the least so far (each in the suites' order)."""
    if parts <= 1 or len(suites) < 2 or tests is None or not collection_modelled(workdir):
        return [Share(suites)]
    units = _sharing_names(suites, workdir, tests)
    count = min(parts, len(units))
    shares: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count

    def cost(unit: list[str]) -> float:
        return sum(estimates.get(s, 0.0) for s in unit)

    for unit in sorted(units, key=lambda u: -cost(u)):
        least = min(range(count), key=lambda i: (loads[i], len(shares[i])))
        shares[least] += unit
        loads[least] += cost(unit)
    order = {s: i for i, s in enumerate(suites)}
    made = [sorted(s, key=order.__getitem__) for s in shares if s]
    files = {suite: test_files(workdir, suite) for suite in suites}
    return [Share(s, _ahead(s, files)) for s in made]


def collection_modelled(workdir: Path) -> bool:
    """Whether pytest collects the course's tests as `_test_files` assumes: nothing in its
    pytest configuration or its conftest files changes which files or how they import."""
    texts = [workdir / name for name in PYTEST_CONFIG]
    texts += [Path(here) / "conftest.py" for here, _, files in os.walk(workdir / "tests")
              if "conftest.py" in files]
    texts.append(workdir / "conftest.py")
    for path in texts:
        if path.is_symlink() or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name != "conftest.py" and not re.search(r"\[(tool[.:])?pytest", text):
            continue
        if any(word in text for word in UNMODELLED):
            return False
    return True


def test_files(workdir: Path, folder: str) -> list[tuple[str, str]]:
    """The test files pytest collects below `folder`, in its order (entries by name, depth
    first), each with the module name its default import mode gives it."""
    found: list[tuple[str, str]] = []

    def visit(path: Path) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIPPED_FOLDERS and not entry.name.startswith(".") \
                        and not entry.name.endswith(".egg"):
                    visit(Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and TEST_FILE.fullmatch(entry.name):
                rel = Path(entry.path).relative_to(workdir).as_posix()
                found.append((module_name(Path(entry.path)), rel))

    visit(workdir / folder)
    return found


def module_name(file: Path) -> str:
    """The name pytest's default import mode imports `file` under: its stem, with the
    packages above it (folders holding `__init__.py` whose names are identifiers)."""
    parts, up = [file.stem], file.parent
    while (up / "__init__.py").is_file() and up.name.isidentifier():
        parts.insert(0, up.name)
        up = up.parent
    return ".".join(parts)


def _ahead(share: list[str], files: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The first file of each module name the share's test files have, when one session
    (over the suites of `files`, in their order) would have imported it from a suite of
    another share (so theirs fail as they would)."""
    first: dict[str, tuple[str, str]] = {}
    for suite, found in files.items():
        for name, rel in found:
            first.setdefault(name, (suite, rel))
    names = {name for s in share for name, _ in files[s]}
    return [rel for name, (owner, rel) in first.items() if name in names and owner not in share]


def _sharing_names(suites: list[str], workdir: Path, tests: list[TestFile]
                   ) -> list[list[str]]:
    """The suites joined wherever tests of two import a module of the same name from their
    own folders."""
    parent = list(range(len(suites)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, suite in enumerate(suites):
        for test in (t for t in tests if t.path.startswith(suite + "/")):
            here = workdir / test.path
            for name in {i.module.split(".")[0] for i in test.imports if i.module}:
                local = here.with_name(f"{name}.py").is_file() or (
                    here.parent / name / "__init__.py").is_file()
                if not local:
                    continue
                if name in owner:
                    parent[find(index)] = find(owner[name])
                else:
                    owner[name] = index
    units: dict[int, list[str]] = {}
    for index, suite in enumerate(suites):
        units.setdefault(find(index), []).append(suite)
    return list(units.values())
