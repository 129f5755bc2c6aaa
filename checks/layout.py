"""Where a course keeps its modules: the three TinyTorch layouts (newest wins) and the overrides.

Overrides come from `[tool.tinyrelease]` in the course's `pyproject.toml` or a
`tinyrelease.toml` at its root; a course that follows one of the layouts needs none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tinyrelease.checks.conventions import from_config
from tinyrelease.checks.errors import CourseError
from tinyrelease.checks.files import CourseFiles
from tinyrelease.checks.toml import TomlProblem, load_toml

MODULE_DIR = re.compile(r"^(?P<number>\d{2})_(?P<name>[a-z][a-z0-9_]*)$")
LOOSE_MODULE_DIR = re.compile(r"^(?P<number>\d+)[_-](?P<name>.+)$")


@dataclass(frozen=True)
class Layout:
    """One variant of the course layout: where module dirs, sources and the course map live."""

    name: str
    modules_dir: str
    source_name: str
    learning_path: str | None
    stale_dirs: tuple[str, ...] = ()

    def source_file(self, module_id: str, name: str) -> str:
        return self.source_name.format(id=module_id, name=name)


LAYOUTS = (
    Layout("src", "src", "{id}.py", "src/LEARNING_PATH.md", stale_dirs=("modules",)),
    Layout("modules", "modules", "{name}.py", "modules/LEARNING_PATH.md",
           stale_dirs=("modules/source",)),
    Layout("legacy", "modules/source", "{name}_dev.py", None),
)


@dataclass(frozen=True)
class Limits:
    """Thresholds of the cognitive-load, objective and checkpoint checks."""

    max_module_lines: int = 2500
    max_cell_lines: int = 150
    max_code_run: int = 8
    min_objectives: int = 3
    max_objectives: int = 7
    checkpoint_hours: int = 8


@dataclass(frozen=True)
class CourseConfig:
    """What the course says about itself in `[tool.tinyrelease]`, with the defaults filled in."""

    source: str | None = None
    layout: str | None = None
    modules_dir: str | None = None
    source_name: str | None = None
    learning_path: str | None = None
    package: str | None = None
    ignore: dict[str, str] = field(default_factory=dict)
    module_ignore: dict[str, dict[str, str]] = field(default_factory=dict)
    limits: Limits = Limits()
    raw: dict[str, Any] = field(default_factory=dict)
    conventions: tuple[str | None, dict[str, Any], str | None] = (None, {}, None)


def load_config(files: CourseFiles) -> CourseConfig:
    """The course's `tinyrelease.toml`, else `[tool.tinyrelease]` of its `pyproject.toml`."""
    try:
        found = tool_table(files)
    except ToolTableError as error:
        if error.rel == "pyproject.toml":
            return CourseConfig()  # the package gate reports a broken pyproject.toml
        raise CourseError(str(error)) from None
    return CourseConfig() if found is None else _config_from(found[1], found[0], files)


class ToolTableError(ValueError):
    """A settings file that is not valid TOML: its path and line in the message."""

    def __init__(self, rel: str, message: str) -> None:
        super().__init__(message)
        self.rel = rel


def tool_table(files: CourseFiles) -> tuple[str, Any] | None:
    """The one reader of a course's settings: `(file, [tool.tinyrelease])` from its
    `tinyrelease.toml` (the whole file, or its `[tool.tinyrelease]`), else from its
    `pyproject.toml`; None when neither states one. Each part of tinyrelease checks its own
    sub-table (`release`, `assignments`, ...) of what this returns."""
    for rel, pick in (("tinyrelease.toml", _whole), ("pyproject.toml", _tool_section)):
        text = files.read(rel, "package")
        if text is None:
            continue
        try:
            table = pick(load_toml(text))
        except TomlProblem as problem:
            where = f"{files.root / rel}:{problem.line}" if problem.line else files.root / rel
            raise ToolTableError(rel, f"{where}: {problem}") from None
        if table is not None:
            return rel, table
    return None


def _whole(document: dict[str, Any]) -> Any:
    tool = document.get("tool")
    return tool.get("tinyrelease", document) if isinstance(tool, dict) else document


def _tool_section(document: dict[str, Any]) -> Any:
    tool = document.get("tool")
    return tool.get("tinyrelease") if isinstance(tool, dict) else None


def _config_from(table: Any, rel: str, files: CourseFiles) -> CourseConfig:
    def fail(message: str) -> CourseError:
        return CourseError(f"{files.root / rel}: [tool.tinyrelease] {message}")

    if not isinstance(table, dict):
        raise fail("must be a table")
    for key in ("layout", "modules_dir", "source_name", "learning_path", "package"):
        if not isinstance(table.get(key, ""), str):
            raise fail(f"{key} must be a string, not {table[key]!r}")
    if not _formats(table.get("source_name", "{name}.py")):
        raise fail(f"source_name = {table['source_name']!r} may use only {{id}} and {{name}}")
    layout = table.get("layout")
    if layout is not None and layout not in {variant.name for variant in LAYOUTS}:
        raise fail(f"layout = {layout!r} is not one of src, modules, legacy")
    ignore = table.get("ignore", {})
    modules = table.get("modules", {})
    if not isinstance(ignore, dict) or not all(isinstance(v, str) for v in ignore.values()):
        raise fail('ignore must be a table of CODE = "reason"')
    if not isinstance(modules, dict) or not all(isinstance(v, dict) for v in modules.values()):
        raise fail("modules must be a table of module tables")
    if not all(isinstance(v.get("ignore", {}), dict) for v in modules.values()):
        raise fail('modules.NN_name.ignore must be a table of CODE = "reason"')
    limit_table = table.get("limits", {})
    if not isinstance(limit_table, dict):
        raise fail("limits must be a table of integers")
    known = Limits.__dataclass_fields__
    unknown = sorted(set(limit_table) - set(known)) if isinstance(limit_table, dict) else ["?"]
    if unknown:
        raise fail(f"limits has unknown keys: {', '.join(unknown)}")
    if not all(isinstance(value, int) for value in limit_table.values()):
        raise fail("limits values must be integers")
    try:
        conventions = from_config(table.get("conventions"), rel)
    except ValueError as error:
        raise fail(str(error)) from None
    return CourseConfig(
        source=rel,
        layout=layout,
        modules_dir=table.get("modules_dir"),
        source_name=table.get("source_name"),
        learning_path=table.get("learning_path"),
        package=table.get("package"),
        ignore={code.upper(): reason for code, reason in ignore.items()},
        module_ignore={
            module: {code.upper(): str(reason) for code, reason in entry.get("ignore", {}).items()}
            for module, entry in modules.items()
        },
        limits=Limits(**limit_table),
        raw=table,
        conventions=conventions,
    )


def _formats(source_name: str) -> bool:
    """Whether `source_name` is a file name pattern with no fields but `{id}` and `{name}`."""
    try:
        source_name.format(id="01_tensor", name="tensor")
    except (KeyError, IndexError, ValueError, AttributeError):
        return False
    return True


def detect_layout(files: CourseFiles, config: CourseConfig) -> Layout:
    """The configured layout, else the newest variant whose module dirs exist."""
    chosen = next((v for v in LAYOUTS if v.name == config.layout), None)
    if chosen is None:
        chosen = next((v for v in LAYOUTS if _has_modules(files, v)), None)
    if chosen is None and config.modules_dir is None:
        raise CourseError(
            f"{files.root}: no course modules found (looked for src/NN_name/, modules/NN_name/ "
            "and modules/source/NN_name/; set [tool.tinyrelease] modules_dir for another layout)"
        )
    chosen = chosen or LAYOUTS[0]
    return Layout(
        name=chosen.name if config.modules_dir is None else "custom",
        modules_dir=config.modules_dir or chosen.modules_dir,
        source_name=config.source_name or chosen.source_name,
        learning_path=config.learning_path or (  # a custom folder keeps its map beside it
            chosen.learning_path if config.modules_dir is None
            else f"{config.modules_dir}/LEARNING_PATH.md"),
        stale_dirs=chosen.stale_dirs,
    )


def _has_modules(files: CourseFiles, layout: Layout) -> bool:
    for name in files.listdir(layout.modules_dir):
        match = LOOSE_MODULE_DIR.match(name)
        if match and files.is_dir(f"{layout.modules_dir}/{name}"):
            inner = files.listdir(f"{layout.modules_dir}/{name}")
            if layout.source_file(name, match["name"]) in inner or "ABOUT.md" in inner or (
                layout.name == "legacy" and "module.yaml" in inner
            ):
                return True
    return False
