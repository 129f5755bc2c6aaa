"""API alignment: the course's public classes and methods against the PyTorch names they
mirror (review/data/pytorch_api.toml), by exact name, by case, or by a known other name.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from tinyrelease.checks.course import Course
from tinyrelease.review import sourcecode


@dataclass(frozen=True)
class TorchClass:
    torch: str
    name: str
    aliases: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    methods: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseName:
    module: str
    path: str
    line: int
    name: str


@dataclass(frozen=True)
class Alignment:
    """One PyTorch name and what the course calls it: aligned, renamed, or absent (None)."""

    torch: str
    expected: str
    found: CourseName | None
    status: str             # aligned | renamed | absent
    params: tuple[tuple[str, ...], tuple[str, ...]] | None = None   # (course, torch) if differ


@cache
def table() -> tuple[TorchClass, ...]:
    data = resources.files("tinyrelease.review").joinpath("data")
    text = data.joinpath("pytorch_api.toml").read_text("utf-8")
    return tuple(TorchClass(e["torch"], e["name"], tuple(e.get("aliases", ())),
                            tuple(e.get("params", ())),
                            {m: tuple(a) for m, a in e.get("methods", {}).items()})
                 for e in tomllib.loads(text)["class"])


def _key(name: str) -> str:
    return name.replace("_", "").lower()


def course_classes(course: Course) -> dict[str, tuple[CourseName, sourcecode.ClassDef]]:
    found: dict[str, tuple[CourseName, sourcecode.ClassDef]] = {}
    for module in course.modules:
        if module.source is None:
            continue
        defs = sourcecode.definitions(sourcecode.parse(sourcecode.read(course,
                                                                       module.source_path)))
        for cls in defs.classes.values():
            found.setdefault(cls.name, (CourseName(module.id, module.source_path, cls.line,
                                                   cls.name), cls))
    return found


def align(course: Course) -> list[Alignment]:
    classes = course_classes(course)
    by_key = {_key(name): name for name in classes}
    results = []
    for entry in table():
        name = entry.name if entry.name in classes else next(
            (by_key[k] for k in map(_key, (entry.name, *entry.aliases)) if k in by_key), None)
        if name is None:
            results.append(Alignment(entry.torch, entry.name, None, "absent"))
            continue
        where, cls = classes[name]
        params = None
        if entry.params and cls.params[:len(entry.params)] != list(entry.params):
            params = (tuple(cls.params[:len(entry.params)]), entry.params)
        results.append(Alignment(entry.torch, entry.name, where,
                                 "aligned" if name == entry.name else "renamed", params))
        results += _methods(entry, where, cls)
    return results


def _methods(entry: TorchClass, where: CourseName, cls: sourcecode.ClassDef) -> list[Alignment]:
    results = []
    by_key = {_key(m): m for m in cls.methods}
    for method, aliases in entry.methods.items():
        expected = f"{entry.name}.{method}"
        if method in cls.methods:
            spot = CourseName(where.module, where.path, cls.methods[method], f"{cls.name}.{method}")
            results.append(Alignment(f"{entry.torch}.{method}", expected, spot, "aligned"))
            continue
        other = next((by_key[k] for k in map(_key, (method, *aliases)) if k in by_key), None)
        if other is not None:
            spot = CourseName(where.module, where.path, cls.methods[other], f"{cls.name}.{other}")
            results.append(Alignment(f"{entry.torch}.{method}", expected, spot, "renamed"))
    return results
