"""The course's package side: `pyproject.toml`, nbdev's `settings.ini`, and the package tree with
the submodules its `__init__.py` files import.
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass, field
from typing import Any

from tinyrelease.checks.files import CourseFiles
from tinyrelease.checks.toml import TomlProblem, load_toml


@dataclass(frozen=True)
class PackageImport:
    """`from .core import tensor` in `tinytorch/__init__.py`, as the dotted module it names."""

    init: str
    target: str
    line: int


@dataclass
class Pyproject:
    path: str
    data: dict[str, Any] = field(default_factory=dict)
    error: tuple[int | None, str] | None = None
    text: str = ""

    @property
    def project(self) -> dict[str, Any]:
        value = self.data.get("project")
        return value if isinstance(value, dict) else {}

    def line_of(self, key: str, text: str) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
        match = pattern.search(text)
        return text.count("\n", 0, match.start()) + 1 if match else None

    def project_line(self, key: str) -> int | None:
        """The line of `key = ...` in the `[project]` table of the text this was parsed from."""
        table = None
        for number, line in enumerate(self.text.split("\n"), start=1):
            if header := re.match(r"^\s*\[([^\]]+)\]", line):
                table = header[1].strip()
            elif table == "project" and re.match(rf"^\s*{re.escape(key)}\s*=", line):
                return number
        return None


@dataclass
class Settings:
    """nbdev's `settings.ini` `[DEFAULT]` values with the line of each key."""

    path: str
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    error: tuple[int | None, str] | None = None


@dataclass
class PackageTree:
    """The course package on disk: its dotted modules and what its `__init__.py` files import."""

    name: str
    dir: str
    modules: dict[str, str] = field(default_factory=dict)  # dotted name -> path
    imports: list[PackageImport] = field(default_factory=list)
    version: tuple[str, int] | None = None


@dataclass(frozen=True)
class VersionMention:
    """A version the course states outside its packaging files: the book config, the README."""

    path: str
    line: int
    value: str


_BOOK_VERSION = re.compile(r"""^\s*(?:version|release)\s*:\s*["']?([0-9][^"'\s#]*)""",
                           re.MULTILINE)


def version_mentions(text: str, path: str, package: str | None) -> list[VersionMention]:
    """`version: 0.3.0` in a book `_config.yml`; `pkg==0.3.0` pins in a README."""
    if path.endswith("_config.yml"):
        pattern = _BOOK_VERSION
    elif package:
        pattern = re.compile(rf"(?<![\w.-]){re.escape(package)}==([0-9][\w.+!-]*[\w+])")
    else:
        return []
    return [VersionMention(path, text.count("\n", 0, m.start()) + 1, m[1])
            for m in pattern.finditer(text)]


def parse_pyproject(text: str, path: str) -> Pyproject:
    try:
        return Pyproject(path, load_toml(text), text=text)
    except TomlProblem as problem:
        return Pyproject(path, error=(problem.line, problem.message))


def parse_settings(text: str, path: str) -> Settings:
    settings = Settings(path)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        if line is None and getattr(error, "errors", None):
            line = error.errors[0][0]  # type: ignore[attr-defined] # the first bad line
        settings.error = (line, "invalid INI: " + " ".join(error.message.split()))
        return settings
    settings.values = dict(parser.defaults())
    for number, line in enumerate(text.split("\n"), start=1):
        key = re.match(r"^\s*([\w.-]+)\s*[=:]", line)
        if key:
            settings.lines.setdefault(key[1].lower(), number)
    return settings


def read_package(files: CourseFiles, name: str, folder: str) -> PackageTree:
    """Every module below the package folder, and the submodule imports of its `__init__`s."""
    tree = PackageTree(name, folder)
    for rel in files.walk(folder, ".py"):
        dotted = name + "." + rel[len(folder) + 1:-3].replace("/", ".")
        dotted = dotted.removesuffix(".__init__")
        tree.modules[dotted] = rel
    for dotted, rel in tree.modules.items():
        if rel.endswith("__init__.py"):
            text = files.read(rel, "package")
            if text is not None:
                _read_init(text, rel, dotted, tree)
    return tree


def _read_init(text: str, rel: str, package: str, tree: PackageTree) -> None:
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return
    for node in module.body:
        if isinstance(node, ast.ImportFrom):
            base = _resolve(package, node.module, node.level)
            if base is None or not base.startswith(tree.name):
                continue
            for alias in node.names:
                if alias.name == "*":
                    tree.imports.append(PackageImport(rel, base, node.lineno))
                else:
                    tree.imports.append(PackageImport(rel, f"{base}.{alias.name}", node.lineno))
        elif isinstance(node, ast.Import):
            tree.imports.extend(PackageImport(rel, alias.name, node.lineno) for alias in node.names
                                if alias.name.startswith(tree.name + "."))
        elif isinstance(node, ast.Assign) and rel == f"{tree.dir}/__init__.py":
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if "__version__" in names and isinstance(node.value, ast.Constant):
                tree.version = (str(node.value.value), node.lineno)


def _resolve(package: str, module: str | None, level: int) -> str | None:
    if level == 0:
        return module
    parts = package.split(".")
    if level - 1 > len(parts) - 1:
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))
