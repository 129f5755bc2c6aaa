"""Tiny courses for the tests, built file by file in a temp dir: a valid base that passes every
gate, which each test then breaks in exactly one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tinyrelease.checks.findings import Finding

PACKAGE = "minicourse"
TITLES = {1: "Tensor", 2: "Activations", 3: "Layers", 4: "Losses"}
STARS = {1: 1, 2: 2, 3: 2, 4: 3}
HOURS = {1: (2, 3), 2: (2, 4), 3: (3, 5), 4: (2, 3)}


def module_id(number: int) -> str:
    return f"{number:02d}_{TITLES[number].lower()}"


def objectives(number: int) -> list[str]:
    topic = TITLES[number].lower()
    return [f"Implement the core {topic} operations from scratch",
            f"Explain how {topic} fit into a training loop",
            f"Measure the memory cost of {topic}",
            f"Test {topic} with small hand-checked examples",
            f"Compare {topic} with the PyTorch equivalent"]


def stars(count: int) -> str:
    return "⭐" * count


def about(number: int, modules: int = 4) -> str:
    mid, title = module_id(number), TITLES[number]
    low, high = HOURS[number]
    prereqs = json.dumps([module_id(number - 1)] if number > 1 else [])
    nexts = json.dumps([module_id(number + 1)] if number < modules else [])
    objective_lines = "\n".join(f'  - "{o}"' for o in objectives(number))
    bullets = "\n".join(f"- {o}" for o in objectives(number))
    tier = "FOUNDATION TIER" if number <= 2 else "ARCHITECTURE TIER"
    return f"""---
title: "{title}"
description: "Build the {title.lower()} part of the framework."
difficulty: "{stars(STARS[number])}"
time_estimate: "{low}-{high} hours"
prerequisites: {prereqs}
next_steps: {nexts}
learning_objectives:
{objective_lines}
---

# {number:02d}. {title}

**🏗️ {tier}** | Difficulty: {stars(STARS[number])} ({STARS[number]}/4) | Time: {low}-{high} hours

## Overview

This module builds {title.lower()} for the framework.

## Learning Objectives

{bullets}

## Build → Use → Reflect

Build it, use it, reflect on it.

## Implementation Guide

Follow the cells of [the source]({mid}.py).

## Getting Started

Open the source file.

## Testing

Run the tests.

## Systems Thinking Questions

1. What does it cost?

## Ready to Build?

Start now.
"""


def source(number: int) -> str:
    title, name = TITLES[number], TITLES[number].lower()
    imports = f"from {PACKAGE}.core.{module_id(number - 1)[3:]} import *\n" if number > 1 else ""
    goals = "\n".join(f"- {o}" for o in objectives(number))
    return f'''# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
"""
# Module {number:02d}: {title}

Code exports to `{PACKAGE}.core.{name}`.

## Learning Objectives

{goals}
"""

# %%
#| default_exp core.{name}
{imports}
# %% nbgrader={{"grade": false, "grade_id": "{name}-impl", "locked": false, "schema_version": 3, "solution": true}}
#| export
def make_{name}(value):
    """Build a {name} value."""
    ### BEGIN SOLUTION
    return value
    ### END SOLUTION

# %% [markdown]
"""
## Testing {title}

We check the implementation on a small example.
"""

# %% nbgrader={{"grade": true, "grade_id": "test-{name}-impl", "locked": true, "points": 5, "schema_version": 3, "solution": false}}
def test_unit_make_{name}():
    """🔬 make_{name} returns its value."""
    assert make_{name}(3) == 3

if __name__ == "__main__":
    test_unit_make_{name}()

# %% [markdown]
"""
## Systems Analysis: Memory

A {name} value holds one reference, so memory grows linearly with the batch size, not the depth.

## Systems Analysis: Performance

Each call is constant time; the Python loop around it dominates the cost of a whole epoch.

## Production Context

Production frameworks such as PyTorch fuse this step into a single kernel to save memory traffic.
"""

# %%
def analyze_{name}_memory():
    """📊 Print the size of a {name} value."""
    print(len(str(make_{name}(1))))

if __name__ == "__main__":
    analyze_{name}_memory()

# %%
def test_module():
    """🧪 Everything in the module works together."""
    test_unit_make_{name}()

if __name__ == "__main__":
    test_module()

# %% [markdown]
"""
## Reflection Questions

1. How would {name} scale to a large batch?

## Module Summary

You built {name} and measured its cost.
"""
'''


def learning_path(modules: int = 4) -> str:
    lines = [f"# Learning Path\n\n**Total Time**: {_hours(range(1, modules + 1))}\n"]
    phases = [(1, "FOUNDATIONS", range(1, min(modules, 2) + 1))]
    if modules > 2:
        phases.append((2, "ARCHITECTURE", range(3, modules + 1)))
    for number, title, members in phases:
        levels = sorted(STARS[m] for m in members)
        lines.append(f"## Phase {number}: {title} (Modules {members[0]:02d}-{members[-1]:02d})\n")
        lines.append(f"**Time**: {_hours(members)} | **Difficulty**: "
                     f"{stars(levels[0])}-{stars(levels[-1])} building\n")
        for m in members:
            low, high = HOURS[m]
            lines.append(f"**Module {m:02d}: {TITLES[m]}** "
                         f"({low}-{high} hours, {stars(STARS[m])})\n")
    return "\n".join(lines)


def _hours(members: range) -> str:
    return f"{sum(HOURS[m][0] for m in members)}-{sum(HOURS[m][1] for m in members)} hours"


def package_files(modules: int = 4) -> dict[str, str]:
    files = {f"{PACKAGE}/core/__init__.py": ""}
    names = [TITLES[n].lower() for n in range(1, modules + 1)]
    files[f"{PACKAGE}/__init__.py"] = (
        '__version__ = "0.1.0"\n' + "".join(f"from .core import {n}\n" for n in names))
    for number, name in enumerate(names, start=1):
        files[f"{PACKAGE}/core/{name}.py"] = (
            f"# AUTOGENERATED! DO NOT EDIT! File to edit: ../../src/{module_id(number)}/"
            f"{module_id(number)}.py.\n__all__ = ['make_{name}']\n\n"
            f'def make_{name}(value):\n    """Build a {name} value."""\n'
            "    ### BEGIN SOLUTION\n    return value\n    ### END SOLUTION\n")
    return files


PYPROJECT = f"""[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "{PACKAGE}"
version = "0.1.0"
license = "MIT"
requires-python = ">=3.11"
dependencies = []
description = "A mini course for the tests"
readme = "README.md"

[project.urls]
Homepage = "https://example.org/{PACKAGE}"

[tool.setuptools.packages.find]
include = ["{PACKAGE}*"]

[tool.tinyrelease.conventions]
profile = "tinytorch-2025"
"""

SETTINGS = f"""[DEFAULT]
repo = {PACKAGE}
lib_name = {PACKAGE}
lib_path = {PACKAGE}
nbs_path = src
version = 0.1.0
license = mit
git_url = https://example.org/{PACKAGE}
min_python = 3.11
doc_path = _docs
recursive = True
tst_flags = notest
put_version_in_init = False
branch = main
user = tinyrelease
author = The course authors
author_email = course@example.org
copyright = 2025 onwards, the course authors
description = A mini course for the tests
keywords = education
language = English
status = 3
title = {PACKAGE}
doc_host = https://example.org
doc_baseurl = /{PACKAGE}
custom_sidebar = False
black_formatting = False
readme_nb = index.ipynb
jupyter_hooks = False
clean_ids = True
clear_all = False
"""


def test_file(number: int) -> str:
    name = TITLES[number].lower()
    return (f"from {PACKAGE}.core.{name} import make_{name}\n\n\n"
            f"def test_make_{name}():\n    assert make_{name}(2) == 2\n")


def base_files(modules: int = 4) -> dict[str, str]:
    """A `src`-layout course with `modules` modules that passes every static check."""
    files: dict[str, str] = {
        "src/LEARNING_PATH.md": learning_path(modules),
        "pyproject.toml": PYPROJECT,
        "settings.ini": SETTINGS,
        "README.md": "# Mini course\n",
        **package_files(modules),
    }
    for number in range(1, modules + 1):
        mid = module_id(number)
        files[f"src/{mid}/ABOUT.md"] = about(number, modules)
        files[f"src/{mid}/{mid}.py"] = source(number)
        files[f"tests/{mid}/test_{mid[3:]}_core.py"] = test_file(number)
    return files


def line_of(text: str, needle: str) -> int:
    """The 1-based line on which `needle` first starts in `text`."""
    return text[: text.index(needle)].count("\n") + 1


def only(found: list[Finding]) -> Finding:
    """The single finding of a list, failing the test with the list otherwise."""
    assert len(found) == 1, found
    return found[0]


def edited_source(number: int, old: str, new: str) -> str:
    """The base source of module `number` with `old` (which must be there) replaced."""
    text = source(number)
    assert old in text
    return text.replace(old, new)


@dataclass
class CourseFactory:
    """Writes a course into `tmp` from the base files plus the test's changes (None deletes)."""

    tmp: Path
    made: int = 0
    roots: list[Path] = field(default_factory=list)

    def __call__(self, changes: dict[str, str | bytes | None] | None = None,
                 modules: int = 4, base: bool = True) -> Path:
        self.made += 1
        root = self.tmp / f"course{self.made}"
        files: dict[str, str | bytes | None] = dict(base_files(modules)) if base else {}
        files.update(changes or {})
        for rel, content in files.items():
            if content is None:
                continue
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        root.mkdir(parents=True, exist_ok=True)
        return root
