"""A tiny course shaped like TinyTorch as its maintainers write it in 2026: modules renumbered
(the data loader moved before autograd) with a course map left in the old order, ABOUT.md
without front matter and with a "Module Info" admonition, `module.yaml` titles, module
sources with the 13-section spine, role-tagged solutions, the 🧪 test grammar and a tail cell.
All text is our own; only the shape follows the real course.
"""

from __future__ import annotations

from coursebuilder import PACKAGE as BASE_PACKAGE
from coursebuilder import SETTINGS

PACKAGE = "shapecourse"
# number -> (folder name, title, export target, tier, dots, hours, prerequisites)
MODULES = {
    1: ("tensor", "Tensor", "core.tensor", "FOUNDATION", "●○○○", (2, 4), "None"),
    2: ("activations", "Activations", "core.activations", "FOUNDATION", "●●○○", (3, 5), "01"),
    3: ("dataloader", "DataLoader", "core.dataloader", "FOUNDATION", "●●○○", (3, 5), "01"),
    4: ("autograd", "Autograd", "core.autograd", "FOUNDATION", "●●●○", (5, 7), "01-02"),
    5: ("capstone", "Capstone", "olympics", "OPTIMIZATION", "●●●●", (6, 8), "01-04"),
}
# the course map still lists the order before the renumbering: autograd was 03
OLD_ORDER = {1: 1, 2: 2, 3: 4, 4: 3, 5: 5}
PYPROJECT = f"""[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "{PACKAGE}"
version = "0.2.0"
license = "MIT"
requires-python = ">=3.11"
dependencies = []
description = "A course shaped like TinyTorch 2026, for the tests"
readme = "README.md"

[project.urls]
Homepage = "https://example.org/{PACKAGE}"

[tool.setuptools.packages.find]
include = ["{PACKAGE}*"]

[tool.tinyrelease.conventions]
profile = "tinytorch-2026"
"""


def module_id(number: int) -> str:
    return f"{number:02d}_{MODULES[number][0]}"


def imports_of(number: int) -> list[int]:
    """The earlier modules a module's code imports: tensor, plus activations for autograd."""
    return {1: [], 2: [1], 3: [1], 4: [1, 2], 5: [1, 4]}[number]


def about(number: int) -> str:
    name, title, _, tier, dots, (low, high), prerequisites = MODULES[number]
    return f"""# Module {number:02d}: {title}

:::{{admonition}} Module Info
:class: note

**{tier} TIER** | Difficulty: {dots} | Time: {low}-{high} hours | Prerequisites: {prerequisites}

**Prerequisites: {prerequisites}** means the modules before this one work.
:::

## Overview

You build the {name} part of the framework and measure what it costs.

## What You'll Build

One class and its tests, in [the source]({module_id(number)}.py).
"""


def module_yaml(number: int) -> str:
    _, title, *_ = MODULES[number]
    return (f'title: "{title}"\nsubtitle: "The {title.lower()} of the framework"\n'
            f'description: "Build {title.lower()} from scratch."\n')


def _dependencies(number: int) -> str:
    listed = ", ".join(f"`{PACKAGE}.{MODULES[n][2]}`" for n in imports_of(number)) or "none"
    return f"""## 📋 Module Dependencies

**Prerequisites**: the modules listed in ABOUT.md.

**External Dependencies**: NumPy.

**TinyTorch Dependencies**: {listed}

**Dependency Flow**: earlier modules, then this one.
"""


def _imports(number: int) -> str:
    return "".join(f"from {PACKAGE}.{MODULES[n][2]} import {MODULES[n][0]}_step1\n"
                   for n in imports_of(number))


def _component(name: str, part: int) -> str:
    """One exercise triplet: lead-in, role-tagged solution cell, briefed unit test."""
    return f'''
# %% [markdown]
"""
### Part {part}: {name.title()} step {part}

This step returns the value it is given, scaled by {part}.
"""

# %% nbgrader={{"grade": false, "grade_id": "{name}-step{part}", "solution": true}}
#| export
def {name}_step{part}(value):
    """Scale a value.

    TODO: Return the value times {part}.

    APPROACH:
    1. Multiply by {part}.
    """
    ### BEGIN SOLUTION role=core
    return value * {part}
    ### END SOLUTION

# %% [markdown]
"""
### 🧪 Unit Test: {name.title()} Step {part}

Checks one value.

**What we're testing**: the scaling.
**Why it matters**: later steps rely on it.
**Expected**: twice {part} for two.
"""

# %% nbgrader={{"grade": true, "grade_id": "test-{name}-step{part}", "locked": true, "points": 2}}
def test_unit_{name}_step{part}():
    """🧪 The step scales its value."""
    print("🧪 Unit Test: {name.title()} Step {part}...")
    assert {name}_step{part}(2) == 2 * {part}
    print("✅ step {part} works")

if __name__ == "__main__":
    test_unit_{name}_step{part}()
'''


def source(number: int) -> str:
    name, title, target, *_ = MODULES[number]
    capstone = name == "capstone"
    analysis = "" if capstone else f'''
# %% [markdown]
"""
## 📊 Systems Analysis: Cost of {title}

Memory grows with the batch; time is one pass over it.
"""

# %%
def analyze_{name}_memory():
    """📊 Print the memory of one step."""
    print({name}_step1(1))

if __name__ == "__main__":
    analyze_{name}_memory()
'''
    unit_calls = "\n".join(f"    test_unit_{name}_step{p}()" for p in (1, 2))
    return f'''# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.17.1
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
"""
# Module {number:02d}: {title}: Building It

## 🔗 Prerequisites & Progress

**You've Built**: the earlier modules.

## 🎯 Learning Objectives

- Implement the {name} steps
- Test each step
- Measure the memory of the {name} steps

## 📦 Where This Code Lives in the Final Package

Code exports to `{PACKAGE}.{target}`.
"""

# %% [markdown]
"""
{_dependencies(number)}"""

# %% nbgrader={{"grade": false, "grade_id": "imports", "solution": false}}
#| default_exp {target}
#| export
{_imports(number) or "import math"}

# %% [markdown]
"""
## 💡 Introduction: Why {title}

The framework needs {name} before anything else works.

## 📐 Foundations: The Idea

Each step multiplies its input.

## 🏗️ Implementation: {title} Steps
"""
{_component(name, 1)}
# %% [markdown]
"""
## 🏗️ Implementation: More {title}
"""
{_component(name, 2)}
# %% [markdown]
"""
## 🔧 Integration: Putting Steps Together

Both steps compose.
"""
{analysis}
# %% [markdown]
"""
## 🧪 Module Integration Test

Runs every unit test.
"""

# %% nbgrader={{"grade": true, "grade_id": "module-test", "locked": true, "points": 5}}
def test_module():
    """🧪 Every step works."""
{unit_calls}
    print("✅ module {number:02d} works")

# %% [markdown]
"""
## 🤔 ML Systems Reflection Questions

### Question 1: Scaling

How does memory grow with the batch?

### Question 2: Speed

Where does the time go?

### Bonus Question: Hardware

What changes on a GPU?

## ⭐ Aha Moment: Steps Compose
"""

# %%
def demo_{name}():
    """Show the steps once."""
    print({name}_step2({name}_step1(1)))

# %%
if __name__ == "__main__":
    test_module()
    print()
    demo_{name}()

# %% [markdown]
"""
## 🚀 MODULE SUMMARY: {title}

### Key Accomplishments

You built two steps.

### Systems Insights Discovered

They cost one pass each.

### Ready for Next Steps

Export with: `tito module complete {number:02d}`

**Next**: the module after this one.
"""
'''


def learning_path() -> str:
    lines = ["# Learning Path\n", "## Phase 1: FOUNDATION (Modules 01-05)\n"]
    for number in sorted(MODULES, key=lambda n: OLD_ORDER[n]):
        old = OLD_ORDER[number]
        _, title, *_ = MODULES[number]
        lines.append(f"**Module {old:02d}: {title}** ({_hours(number)}, {'⭐' * _level(number)})\n")
    return "\n".join(lines)


def _hours(number: int) -> str:
    low, high = MODULES[number][5]
    return f"{low}-{high} hours"


def _level(number: int) -> int:
    return MODULES[number][4].count("●")


def package_files() -> dict[str, str]:
    files = {f"{PACKAGE}/__init__.py": '__version__ = "0.2.0"\n',
             f"{PACKAGE}/core/__init__.py": ""}
    return files


def test_file(number: int) -> str:
    name, _, target, *_ = MODULES[number]
    return (f"from {PACKAGE}.{target} import {name}_step1\n\n\n"
            f"def test_{name}_step1():\n    assert {name}_step1(3) == 3\n")


def files_2026() -> dict[str, str]:
    """The whole course: every module's ABOUT.md, module.yaml, source and tests."""
    files = {"pyproject.toml": PYPROJECT, "README.md": "# Shape course\n",
             "settings.ini": SETTINGS.replace(BASE_PACKAGE, PACKAGE).replace("0.1.0", "0.2.0"),
             "src/LEARNING_PATH.md": learning_path(), **package_files()}
    for number in MODULES:
        mid = module_id(number)
        files[f"src/{mid}/ABOUT.md"] = about(number)
        files[f"src/{mid}/{mid}.py"] = source(number)
        if number % 2 == 0:
            files[f"src/{mid}/module.yaml"] = module_yaml(number)
        files[f"tests/{mid}/test_{MODULES[number][0]}.py"] = test_file(number)
    return files
