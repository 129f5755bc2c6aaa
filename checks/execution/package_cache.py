"""The package gate's distribution step (build, twine, install, import) kept by what the build
can read: an edit to a test or a page leaves the package as it was, so its result and its
distributions are served from the cache with the date of the run that built them.

The key is read from the exported copy in two steps. The index key holds the environment,
the names of every file of the copy (a new file may be picked up by the backend), the course's
tags and, when the version comes from git, its HEAD commit; its entry names the files the last
build packaged. The full key adds the content of those files, of the build configuration and
of the module sources (findings point at their cells). Entries hold JSON and copies of the
dist files, never anything pickled.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tinyrelease.checks.cache import IGNORED_DIRS, prune, read_json_object, write_atomic
from tinyrelease.checks.course import Course
from tinyrelease.checks.execution.suites import SuiteInputs, step_environment
from tinyrelease.checks.findings import Finding
from tinyrelease.checks.git import Git

# files that configure a build whatever the backend packages
BUILD_CONFIG = ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in", "settings.ini")
VCS_VERSIONS = ("setuptools-scm", "setuptools_scm", "hatch-vcs", "hatch_vcs", "versioningit")


@dataclass
class BuiltDistributions:
    """The distribution step's outcome as a run left it, with when that run built it."""

    findings: list[Finding]
    artifacts: dict[str, object]
    skipped: list[str]
    ran_at: str


class BuildCache:
    """`<folder>/package/<key>.json` with the dist files in `<key>.dist/`, and
    `<folder>/package/index/<key>.json` naming the files the build packaged."""

    def __init__(self, folder: Path, course: Course, copy: Path, level: str, tags: str) -> None:
        self.folder, self.course, self.copy = folder / "package", course, copy
        self.inputs = SuiteInputs(course, copy, "")
        self.index_key = _sha([step_environment(level, "package"), str(level == "comprehensive"),
                               tags, _vcs_head(course), *_names(copy)])

    def load(self, dist: Path) -> BuiltDistributions | None:
        """The cached outcome whose inputs are those of the copy, its dist files copied into
        `dist`; None when there is none (or it is incomplete)."""
        index = read_json_object(self.folder / "index" / f"{self.index_key}.json")
        if index is None or not isinstance(index.get("packaged"), list):
            return None
        key = self._key([str(p) for p in index["packaged"]])
        entry = read_json_object(self.folder / f"{key}.json")
        if entry is None:
            return None
        try:
            built = BuiltDistributions([Finding.from_json(f) for f in entry["findings"]],
                                       dict(entry["artifacts"]),
                                       [str(s) for s in entry["skipped"]], str(entry["ran_at"]))
            files = [str(name) for name in entry["files"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        stored = self.folder / f"{key}.dist"
        if not files or any("/" in n or n.startswith(".") or not (stored / n).is_file()
                            for n in files):
            return None
        shutil.rmtree(dist, ignore_errors=True)
        dist.mkdir(parents=True)
        for name in files:
            shutil.copyfile(stored / name, dist / name)
        return built

    def store(self, dist: Path, built: BuiltDistributions) -> None:
        """Keep an outcome whose build made both distributions (a failed build is cheap)."""
        wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
        if not wheels or not sdists or any(p.is_symlink() for p in (*wheels, *sdists)):
            return  # nothing is read through a link the course's backend may have made
        packaged = _packaged(self.copy, sdists[0], wheels[0])
        if packaged is None:
            return
        key = self._key(packaged)
        files = [p.name for p in (*wheels, *sdists)]
        stored = self.folder / f"{key}.dist"
        temp = self.folder / f".{key}.{os.getpid()}.dist"
        try:
            shutil.rmtree(temp, ignore_errors=True)
            temp.mkdir(parents=True)
            for name in files:
                shutil.copyfile(dist / name, temp / name)
            shutil.rmtree(stored, ignore_errors=True)
            os.replace(temp, stored)
        except OSError:
            shutil.rmtree(temp, ignore_errors=True)
            return  # a cache that cannot be written only costs time
        write_atomic(self.folder / f"{key}.json", json.dumps({
            "findings": [f.to_json() for f in built.findings], "artifacts": built.artifacts,
            "skipped": built.skipped, "ran_at": built.ran_at, "files": files}))
        write_atomic(self.folder / "index" / f"{self.index_key}.json",
                     json.dumps({"packaged": packaged}))
        self._prune()

    def _key(self, packaged: list[str]) -> str:
        config = [*BUILD_CONFIG, *_named_by_config(self.course), *_named_in_setup(self.copy)]
        config += [m.source_path for m in self.course.modules if m.source_path]
        files = sorted(set(packaged) | {rel for rel in config if _inside(rel)})
        return _sha([self.index_key, *(f"{rel}\0{self.inputs.digest(rel)}" for rel in files)])

    def _prune(self) -> None:
        try:
            prune(self.folder)
            kept = {p.with_suffix(".dist").name for p in self.folder.glob("*.json")}
            for stale in self.folder.glob("*.dist"):
                if stale.name not in kept and not stale.name.startswith("."):
                    shutil.rmtree(stale, ignore_errors=True)
            prune(self.folder / "index")
        except OSError:
            pass  # a failed prune only costs space


def _sha(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _names(copy: Path) -> list[str]:
    """The name of every file of the copy, build output and caches aside."""
    found = []
    for here, dirs, files in os.walk(copy):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.endswith(".egg-info"))
        prefix = Path(here).relative_to(copy).as_posix()
        found += [name if prefix == "." else f"{prefix}/{name}" for name in files
                  if not name.endswith(".pyc")]
    return sorted(found)


def _inside(rel: str) -> bool:
    path = PurePosixPath(rel)
    return bool(rel) and not path.is_absolute() and ".." not in path.parts


def _packaged(copy: Path, sdist: Path, wheel: Path) -> list[str] | None:
    """The files of the copy the distributions were made from: the sdist's members (under
    its top folder) and every file whose path ends as a wheel member's does (build makes the
    wheel from the source tree too, so it may carry files the sdist lacks)."""
    try:
        with tarfile.open(sdist) as archive:
            members = [m.name for m in archive.getmembers() if m.isfile()]
        with zipfile.ZipFile(wheel) as archive:
            inside = {n for n in archive.namelist()
                      if not n.endswith("/") and ".dist-info/" not in n}
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError):
        return None
    found = set()
    for name in members:
        under = PurePosixPath(name).parts[1:]
        if under and under != ("PKG-INFO",) and not any(p.endswith(".egg-info") for p in under):
            found.add("/".join(under))
    for rel in _names(copy):
        parts = rel.split("/")
        if any("/".join(parts[i:]) in inside for i in range(len(parts))):
            found.add(rel)
    return sorted(rel for rel in found if _inside(rel))


def _named_by_config(course: Course) -> list[str]:
    """The readme and license files `[project]` names, the files a dynamic version or
    dependency list is read from, and where the course's settings live."""
    project = course.pyproject.project if course.pyproject else {}
    named = []
    for field in ("readme", "license"):
        value = project.get(field)
        if isinstance(value, dict):
            value = value.get("file")
        if isinstance(value, str):
            named.append(value)
    files = project.get("license-files")
    if isinstance(files, list):
        named += [f for f in files if isinstance(f, str) and not any(c in f for c in "*?[")]
    tool = course.pyproject.data.get("tool") if course.pyproject else None
    setuptools = tool.get("setuptools") if isinstance(tool, dict) else None
    dynamic = setuptools.get("dynamic") if isinstance(setuptools, dict) else None
    for value in dynamic.values() if isinstance(dynamic, dict) else []:
        file = value.get("file") if isinstance(value, dict) else None
        named += [file] if isinstance(file, str) else [
            f for f in file if isinstance(f, str)] if isinstance(file, list) else []
    hatch = tool.get("hatch") if isinstance(tool, dict) else None
    version = hatch.get("version") if isinstance(hatch, dict) else None
    if isinstance(version, dict) and isinstance(version.get("path"), str):
        named.append(version["path"])
    if isinstance(course.config.source, str):
        named.append(course.config.source)
    return named


def _named_in_setup(copy: Path) -> list[str]:
    """The files a `setup.py` names in its string literals (a version or a readme it reads):
    its code is never run here, only parsed."""
    path = copy / "setup.py"
    if path.is_symlink() or not path.is_file():
        return []
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return []
    return sorted({node.value.lstrip("./") for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and 0 < len(node.value) < 200 and "\n" not in node.value
                   and _inside(node.value.lstrip("./"))
                   and (copy / node.value.lstrip("./")).is_file()})


def _vcs_head(course: Course) -> str:
    """The HEAD commit when the backend takes the version from git, else nothing."""
    data = course.pyproject.data if course.pyproject else {}
    system = data.get("build-system")
    requires = system.get("requires") if isinstance(system, dict) else None
    text = json.dumps([requires, sorted(data.get("tool", {}))
                       if isinstance(data.get("tool"), dict) else None]).lower()
    if not any(name in text for name in VCS_VERSIONS):
        return ""
    done = Git(course.root).run("rev-parse", "HEAD", check=False)
    return f"HEAD {done.output.strip()}" if done.ok else "HEAD unknown"
