"""The three TinyTorch layouts (`src`, `modules`, `legacy`), which one wins when several are
present, and the layouts a course describes in `[tool.tinyrelease]`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from coursebuilder import (
    HOURS,
    PYPROJECT,
    STARS,
    TITLES,
    CourseFactory,
    about,
    learning_path,
    module_id,
    source,
)

from tinyrelease.checks.course import Course, load_course
from tinyrelease.checks.engine import run_gates

COUNT = 3
IDS = [module_id(n) for n in range(1, COUNT + 1)]


def name_of(number: int) -> str:
    return TITLES[number].lower()


def modules_files(folder: str = "modules", source_name: str = "{name}.py") -> dict[str, str]:
    """A `modules`-layout course: `modules/NN_name/name.py`, ABOUT.md beside it, and the course
    map in `modules/LEARNING_PATH.md` (or the same under another folder and file name)."""
    files = {f"{folder}/LEARNING_PATH.md": learning_path(COUNT)}
    for number in range(1, COUNT + 1):
        mid = module_id(number)
        files[f"{folder}/{mid}/ABOUT.md"] = about(number, COUNT)
        files[f"{folder}/{mid}/{source_name.format(id=mid, name=name_of(number))}"] = (
            source(number))
    return files


def module_yaml(number: int, difficulty: str) -> str:
    name, low_high = name_of(number), HOURS[number]
    enables = f'["{name_of(number + 1)}"]' if number < COUNT else "[]"
    requires = f'["{name_of(number - 1)}"]' if number > 1 else "[]"
    return f"""name: "{name}"
title: "{TITLES[number]}"
description: "Build the {name} part of the framework."
dependencies:
  prerequisites: {requires}
  enables: {enables}
exports_to: "tinytorch.core.{name}"
difficulty: "{difficulty}"
time_estimate: "{low_high[0]}-{low_high[1]} hours"
"""


def chapter(number: int) -> str:
    low, high = HOURS[number]
    return f"""---
title: "{TITLES[number]}"
description: "Build the {name_of(number)} part of the framework."
difficulty: "{'⭐' * STARS[number]}"
time_estimate: "{low}-{high} hours"
module_number: {number}
tier: "foundation"
next_module: "{module_id(number + 1)}"
---

# {TITLES[number]}
"""


def legacy_files() -> dict[str, str]:
    """A `legacy` course: `modules/source/NN_name/name_dev.py` with `module.yaml`, except module
    02 whose metadata is the front matter of `book/chapters/02-activations.md`."""
    files = {}
    for number in range(1, COUNT + 1):
        folder = f"modules/source/{module_id(number)}"
        files[f"{folder}/{name_of(number)}_dev.py"] = source(number)
        if number == 2:
            files[f"book/chapters/02-{name_of(number)}.md"] = chapter(number)
        else:
            files[f"{folder}/module.yaml"] = module_yaml(number, ("beginner", "", "advanced")[
                number - 1])
    return files


def assert_read_whole(course: Course, layout: str, folder: str) -> None:
    """The layout, the modules found under `folder` with their metadata, and no check crashed."""
    assert course.layout.name == layout
    assert [m.id for m in course.modules] == IDS
    assert all(m.dir == f"{folder}/{m.id}" for m in course.modules)
    assert all(m.source is not None and m.source.default_exp for m in course.modules)
    report = run_gates(course)
    assert not [f.message for f in report.findings if "internal error" in f.message]


@pytest.mark.parametrize("number", range(1, COUNT + 1))
def test_modules_layout(make_course: CourseFactory, number: int) -> None:
    course = load_course(make_course(modules_files(), base=False))
    assert_read_whole(course, "modules", "modules")
    module = course.modules[number - 1]
    assert module.source_path == f"modules/{module.id}/{name_of(number)}.py"
    meta = module.meta
    assert meta is not None and meta.path == f"modules/{module.id}/ABOUT.md"
    assert meta.title == TITLES[number]
    assert meta.time is not None and (meta.time.low, meta.time.high) == HOURS[number]
    assert meta.difficulty is not None and (meta.difficulty.level, meta.difficulty.scale) == (
        STARS[number], 4)
    assert course.learning_path is not None
    assert course.learning_path.path == "modules/LEARNING_PATH.md"
    assert [e.number for e in course.learning_path.entries] == [1, 2, 3]


def test_legacy_layout_reads_module_yaml(make_course: CourseFactory) -> None:
    course = load_course(make_course(legacy_files(), base=False))
    assert_read_whole(course, "legacy", "modules/source")
    assert course.learning_path is None
    tensor, layers = course.modules[0], course.modules[2]
    assert tensor.source_path == "modules/source/01_tensor/tensor_dev.py"
    assert tensor.about is None and tensor.meta is tensor.module_yaml
    meta = tensor.meta
    assert meta is not None and meta.path == "modules/source/01_tensor/module.yaml"
    assert (meta.title, meta.exports_to) == ("Tensor", "tinytorch.core.tensor")
    assert (meta.prerequisites, meta.next_steps) == ([], ["activations"])
    assert meta.time is not None and (meta.time.low, meta.time.high) == (2, 3)
    assert meta.difficulty is not None and meta.difficulty.value == Fraction(1, 4)  # beginner
    assert layers.meta is not None and layers.meta.prerequisites == ["activations"]
    assert layers.meta.difficulty is not None and layers.meta.difficulty.value == Fraction(3, 4)


def test_legacy_layout_reads_the_book_chapter_without_module_yaml(
        make_course: CourseFactory) -> None:
    course = load_course(make_course(legacy_files(), base=False))
    activations = course.modules[1]
    assert activations.module_yaml is None and activations.meta is activations.chapter
    meta = activations.meta
    assert meta is not None and meta.path == "book/chapters/02-activations.md"
    assert meta.title == "Activations"
    assert meta.time is not None and (meta.time.low, meta.time.high) == (2, 4)
    assert meta.difficulty is not None and meta.difficulty.level == 2
    assert meta.mapping["module_number"] == 2


def test_src_wins_over_a_stale_modules_workspace(make_course: CourseFactory) -> None:
    stale_source = source(1).replace("Build a tensor value.", "An older tensor.")
    root = make_course({"modules/01_tensor/ABOUT.md": about(1),
                        "modules/01_tensor/tensor.py": stale_source}, modules=COUNT)
    course = load_course(root)
    assert_read_whole(course, "src", "src")
    assert course.learning_path is not None and course.learning_path.path == "src/LEARNING_PATH.md"
    assert [(s.module, s.path, s.original, s.differs) for s in course.stale] == [
        ("01_tensor", "modules/01_tensor/ABOUT.md", "src/01_tensor/ABOUT.md", False),
        ("01_tensor", "modules/01_tensor/tensor.py", "src/01_tensor/01_tensor.py", True)]


def test_src_wins_over_a_whole_modules_layout(make_course: CourseFactory) -> None:
    modules = {rel: text.replace('title: "', 'title: "Old ') for rel, text in
               modules_files().items()}
    course = load_course(make_course(modules, modules=COUNT))
    assert_read_whole(course, "src", "src")
    assert [m.meta.title for m in course.modules if m.meta] == [TITLES[n] for n in (1, 2, 3)]


def test_a_configured_layout_wins_over_detection(make_course: CourseFactory) -> None:
    root = make_course({**modules_files(), "tinyrelease.toml": 'layout = "modules"\n'},
                       modules=COUNT)
    course = load_course(root)
    assert_read_whole(course, "modules", "modules")
    assert course.config.source == "tinyrelease.toml"
    assert course.learning_path is not None
    assert course.learning_path.path == "modules/LEARNING_PATH.md"


def test_a_custom_layout_from_pyproject(make_course: CourseFactory) -> None:
    config = '\n[tool.tinyrelease]\nmodules_dir = "lessons"\nsource_name = "{name}.py"\n'
    root = make_course({**modules_files("lessons"), "pyproject.toml": PYPROJECT + config},
                       base=False)
    course = load_course(root)
    assert_read_whole(course, "custom", "lessons")
    assert course.modules[0].source_path == "lessons/01_tensor/tensor.py"
    assert course.modules[0].meta is not None and course.modules[0].meta.title == "Tensor"
    assert course.learning_path is not None
    assert course.learning_path.path == "lessons/LEARNING_PATH.md"
    assert len(course.learning_path.entries) == COUNT


def test_a_custom_source_name_with_the_module_id(make_course: CourseFactory) -> None:
    config = 'modules_dir = "lessons"\nsource_name = "{id}_lesson.py"\n'
    root = make_course({**modules_files("lessons", "{id}_lesson.py"),
                        "tinyrelease.toml": config}, base=False)
    course = load_course(root)
    assert_read_whole(course, "custom", "lessons")
    assert course.modules[2].source_path == "lessons/03_layers/03_layers_lesson.py"


def test_a_custom_folder_without_modules_is_an_empty_course_not_a_crash(
        make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course({"tinyrelease.toml": 'modules_dir = "lessons"\n', "README.md": "# x\n"},
                       base=False)
    course = load_course(root)
    assert course.layout.name == "custom" and course.modules == []
    run_gates(course)
