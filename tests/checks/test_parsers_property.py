"""Every parser of the course model takes any text (and a course any bytes) without raising:
what cannot be parsed becomes a finding, never an exception.
"""

from __future__ import annotations

import json
import re
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from coursebuilder import (
    PYPROJECT,
    SETTINGS,
    CourseFactory,
    about,
    learning_path,
    module_id,
    source,
    stars,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tinyrelease.checks.about import parse_about, parse_module_yaml
from tinyrelease.checks.changelog import parse_changelog, release_key
from tinyrelease.checks.course import load_course
from tinyrelease.checks.documented import Documented, read_page
from tinyrelease.checks.engine import run_gates
from tinyrelease.checks.errors import CourseError
from tinyrelease.checks.learning_path import parse_learning_path
from tinyrelease.checks.markdown import parse_markdown, parse_yaml, split_front_matter
from tinyrelease.checks.package import parse_pyproject, parse_settings
from tinyrelease.checks.source import parse_source
from tinyrelease.checks.values import parse_difficulty, parse_difficulty_range, parse_time

PARSERS = settings(max_examples=200, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])
COURSES = settings(max_examples=30, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# The characters the course's formats give meaning to, so that generated text often comes
# close to something a parser recognises instead of being noise it skips.
SYNTAX = list("-–:#*|()[]{}<>\"'`/.,=%!&~ \t\n\r0123456789²٣⭐☆✓") + [
    "---", "# %%", "hours", "hrs", "**Module 1: ", "## Phase 1: ", "**Time**: ",
    "### BEGIN SOLUTION", "### END SOLUTION", "#| default_exp ", "nbgrader=", "[markdown]",
    "\ufeff", "\x00", "\\", "&a [*a]", "9" * 4400,
]


def near(base: str) -> st.SearchStrategy[str]:
    """Text made from `base` with lines replaced, inserted or dropped: mostly well formed."""
    lines = base.split("\n")

    @st.composite
    def edit(draw: st.DrawFn) -> str:
        result = list(lines)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(result)))
            noise = draw(st.one_of(st.text(max_size=40), tokens(12)))
            action = draw(st.sampled_from(("replace", "insert", "drop", "splice")))
            if action == "insert" or not result:
                result.insert(at, noise)
            elif action == "drop":
                del result[min(at, len(result) - 1)]
            elif action == "replace":
                result[min(at, len(result) - 1)] = noise
            else:
                index = min(at, len(result) - 1)
                cut = draw(st.integers(0, len(result[index])))
                result[index] = result[index][:cut] + noise + result[index][cut:]
        return "\n".join(result)

    return edit()


def tokens(max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(SYNTAX), max_size=max_size).map("".join)


def texts(base: str = "") -> st.SearchStrategy[str]:
    """Any text, text in the formats' own alphabet, and (given a base) near-valid text."""
    options = [st.text(), tokens(60)]
    if base:
        options.append(near(base))
    return st.one_of(*options)


MODULE_YAML = """name: tensor
title: "Tensor"
description: "Build tensors."
dependencies:
  prerequisites: []
  enables: ["activations"]
exports_to: "tinytorch.core.tensor"
difficulty: "⭐⭐"
time_estimate: "4-6 hours"
"""
VALUES = st.one_of(st.text(), tokens(30), st.integers(),
                   st.floats(), st.booleans(), st.none(), st.lists(st.text(), max_size=3))


# Each @example below is an input that once raised or crashed the interpreter.
@PARSERS
@given(VALUES)
@example("9" * 5000 + " hours")  # int() refuses over 4,300 digits
def test_parse_time_never_raises(value: object) -> None:
    time = parse_time(value)
    assert time is None or (0 <= time.low <= time.high and isinstance(time.text, str))


@PARSERS
@given(VALUES)
@example("²")  # a digit to str.isdigit, not to int()
@example("9" * 5000 + "/4")
def test_parse_difficulty_never_raises(value: object) -> None:
    level = parse_difficulty(value)
    assert level is None or (0 < level.level <= level.scale and 0 < level.value <= 1)


@PARSERS
@given(st.one_of(st.text(), tokens(30)))
def test_parse_difficulty_range_never_raises(text: str) -> None:
    found = parse_difficulty_range(text)
    assert found is None or found[0].level > 0 and found[1].level > 0


HOURS = st.one_of(st.integers(0, 500).map(Fraction),
                  st.integers(0, 5000).map(lambda tenths: Fraction(tenths, 10)))


def _written(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


@PARSERS
@given(HOURS, HOURS, st.sampled_from(("hours", "hrs", "h", "Hours")), st.sampled_from("-–"))
def test_parse_time_reads_the_range_as_written(a: Fraction, b: Fraction, unit: str,
                                               dash: str) -> None:
    low, high = min(a, b), max(a, b)
    time = parse_time(f"{_written(low)}{dash}{_written(high)} {unit}")
    assert time is not None and (time.low, time.high) == (low, high)


@PARSERS
@given(st.integers(1, 4))
def test_stars_ratio_and_int_are_the_same_difficulty(n: int) -> None:
    as_stars, as_ratio, as_int = (parse_difficulty(stars(n)), parse_difficulty(f"{n}/4"),
                                  parse_difficulty(n))
    assert as_stars == as_ratio == as_int
    assert as_stars is not None and (as_stars.level, as_stars.scale) == (n, 4)
    assert parse_difficulty(f"{stars(n)} ({n}/4)") == as_int


@PARSERS
@given(st.integers(1, 4), st.integers(1, 4))
def test_difficulty_range_keeps_its_ends(a: int, b: int) -> None:
    found = parse_difficulty_range(f"{stars(a)}-{stars(b)} label")
    assert found is not None and (found[0].level, found[1].level) == (a, b)


@PARSERS
@given(texts(MODULE_YAML), st.integers(1, 100))
@example("a: " + "[" * 30_000, 1)  # libyaml's composer recursed until the process crashed
@example("a: &a [*a]", 1)
def test_parse_yaml_never_raises(text: str, first_line: int) -> None:
    document = parse_yaml(text, first_line)
    last_line = first_line + len(text.splitlines())  # YAML breaks lines on \r and \x85 too
    if document.error is not None:
        assert first_line <= document.error.line <= last_line
        assert document.error.message.startswith("invalid YAML")
    assert all(first_line <= line <= last_line for line in document.key_lines.values())


@PARSERS
@given(texts(about(1)))
def test_split_front_matter_never_raises(text: str) -> None:
    front = split_front_matter(text)
    assert (front is None) == (text.split("\n")[0].strip() != "---")
    assert front is None or 2 <= front.body_start <= text.count("\n") + 2


@PARSERS
@given(texts(about(2)), st.integers(1, 50))
def test_parse_markdown_never_raises(text: str, first_line: int) -> None:
    body = parse_markdown(text, first_line)
    last_line = first_line + text.count("\n")
    assert all(first_line <= h.line <= last_line and 1 <= h.level <= 6 for h in body.headings)
    assert all(first_line <= link.line <= last_line for link in body.links)


DOC_PAGE = """# Try it

```console
$ mini build 01 --fast \\
  --x
output
```

Run `mini build 02` or `mini <module>`.

<!-- tinyrelease: skip -->
```python
import minicourse
```

````{admonition} Note
```{code-cell} python
:tags: [hide]
>>> from minicourse import y
... 2
```
````
"""


@PARSERS
@given(texts(DOC_PAGE))
def test_read_page_never_raises(text: str) -> None:
    found = Documented()
    read_page(text, "README.md", ["mini"], "minicourse", found)
    last_line = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert all(1 <= c.line <= last_line for c in found.commands)
    assert all(1 <= n <= last_line for s in found.snippets for n in (s.line, *s.lines))


@PARSERS
@given(texts(about(3)))
@example("# " + "9" * 5000 + ". Title")
def test_parse_about_never_raises(text: str) -> None:
    page = parse_about(text, "src/03_layers/ABOUT.md")
    if page.meta is not None and page.meta.error is not None:
        assert 1 <= page.meta.error.line <= text.count("\n") + 2


@PARSERS
@given(texts(MODULE_YAML))
def test_parse_module_yaml_never_raises(text: str) -> None:
    meta = parse_module_yaml(text, "modules/source/01_tensor/module.yaml")
    assert meta.title is None or isinstance(meta.title, str)
    assert all(isinstance(name, str) for name in meta.prerequisites + meta.next_steps)


@PARSERS
@given(texts(learning_path()))
@example("**Module " + "9" * 5000 + ": Tensor** (2-3 hours, ⭐)")
@example("## Phase " + "9" * 5000 + ": FOUNDATIONS")
def test_parse_learning_path_never_raises(text: str) -> None:
    course_map = parse_learning_path(text, "src/LEARNING_PATH.md")
    assert all(1 <= entry.line <= text.count("\n") + 1 for entry in course_map.entries)


@PARSERS
@given(texts(source(2)))
def test_parse_source_never_raises(text: str) -> None:
    parsed = parse_source(text, "src/02_activations/02_activations.py")
    assert parsed.line_count == text.count("\n") + 1
    assert all(1 <= cell.line <= parsed.line_count for cell in parsed.cells)


@PARSERS
@given(texts(PYPROJECT))
@example("a = " + "[" * 100_000)  # tomllib recursed past the interpreter's limit
def test_parse_pyproject_never_raises(text: str) -> None:
    parsed = parse_pyproject(text, "pyproject.toml")
    assert parsed.error is None or parsed.error[1].startswith("invalid TOML")
    assert isinstance(parsed.project, dict)


@PARSERS
@given(texts(SETTINGS))
@example("0")  # no section header
def test_parse_settings_never_raises(text: str) -> None:
    parsed = parse_settings(text, "settings.ini")
    assert parsed.error is None or parsed.error[1].startswith("invalid INI")
    assert all(isinstance(value, str) for value in parsed.values.values())


@PARSERS
@given(texts("# Changelog\n\n## [Unreleased]\n\n## [0.1.14] — 2026-09-21\n\n- x\n\n"
             "## [0.1.9] and earlier\n"))
def test_parse_changelog_never_raises(text: str) -> None:
    parsed = parse_changelog(text, "CHANGELOG.md")
    assert all(1 <= s.line <= text.count("\n") + 1 for s in parsed.sections)
    assert all(release_key(s.version) is None or release_key(s.version) for s in parsed.sections)


FIRST = module_id(1)
COURSE_FILES = {
    f"src/{FIRST}/ABOUT.md": about(1, 2),
    f"src/{FIRST}/{FIRST}.py": source(1),
    "src/LEARNING_PATH.md": learning_path(2),
    "settings.ini": SETTINGS,
    "pyproject.toml": PYPROJECT,
    "tinyrelease.toml": '[ignore]\nPKG126 = "no project URLs yet"\n',
}
CONFIGS = {"pyproject.toml", "tinyrelease.toml"}


def contents(base: str) -> st.SearchStrategy[str | bytes]:
    """What a course file may hold: any text, near-valid text, any bytes, or broken encodings."""
    return st.one_of(texts(base), st.binary(max_size=200),
                     near(base).map(lambda text: text.encode("utf-8")[:-1] + b"\xff\xfe"),
                     near(base).map(lambda text: text.encode("utf-16")))


def assert_course_survives(changes: dict[str, str | bytes | None]) -> None:
    """Loading and judging the 2-module base course with `changes` raises nothing but the
    one-line `CourseError` of a broken course config, and no check crashes on it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = CourseFactory(Path(tmp))(changes, modules=2)
        try:
            course = load_course(root)
        except CourseError as error:
            assert set(changes) & CONFIGS, f"the course became unreadable: {error}"
            assert "\n" not in str(error)
            return
        report = run_gates(course)
    crashed = [f"{f.code}: {f.message}" for f in report.findings if "internal error" in f.message]
    assert crashed == []


@pytest.mark.parametrize("rel", sorted(COURSE_FILES))
def test_any_content_of_a_course_file_gives_findings_not_exceptions(rel: str) -> None:
    @COURSES
    @given(contents(COURSE_FILES[rel]))
    def check(content: str | bytes) -> None:
        assert_course_survives({rel: content})

    check()


# Values of the right shape but the wrong type or range, where the checks look: these reach
# the checks themselves, which random text mostly does not.
MEANINGFUL = ["⭐⭐", "⭐" * 11, "⭐⭐☆☆☆", "3/4", "0/4", "5/4", "beginner", "4-6 hours",
              "6-4 hours", "0-0 hours", "1.5-2 hrs", "9" * 5000 + " hours", "²", "01_tensor",
              "02_activations", "tensor", "Tensor", "Module 02", "Modules 01-13 - all",
              "Module " + "9" * 5000, "99_nowhere", "core.tensor", "minicourse.core.tensor",
              "minicourse", ".", "..", "../..", "/", "/etc", "src", "modules", "lessons", "",
              " ", "{name}.py", "{id}.py", "{bogus}", "{", "{0}", "0.1.0", "MIT",
              "https://example.org/minicourse", "src/LEARNING_PATH.md", "EDU", "PKG126"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
                    st.sampled_from(MEANINGFUL))
VALUES_TREE = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
        st.one_of(st.text(max_size=8), st.sampled_from(MEANINGFUL)), inner, max_size=3)),
    max_leaves=6)


def yaml_mapping(base: dict[str, object], keys: tuple[str, ...]) -> st.SearchStrategy[str]:
    """`base` with some of `keys` given other values or dropped, written as YAML (JSON)."""
    @st.composite
    def build(draw: st.DrawFn) -> str:
        data = dict(base)
        for key in draw(st.lists(st.sampled_from(keys), unique=True, min_size=1)):
            if draw(st.booleans()):
                data[key] = draw(VALUES_TREE)
            else:
                data.pop(key, None)
        return "\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in data.items())

    return build()


def toml_value(value: object) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def toml_table(name: str, keys: tuple[str, ...]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        chosen = draw(st.lists(st.sampled_from(keys), unique=True, min_size=1))
        return f"[{name}]\n" + "".join(f"{key} = {toml_value(draw(VALUES_TREE))}\n"
                                       for key in chosen)

    return build()


ABOUT_FRONT, ABOUT_BODY = about(1, 2).split("\n---\n", 1)
ABOUT_VALUES = yaml.safe_load(ABOUT_FRONT.removeprefix("---\n"))
ABOUT_KEYS = ("title", "description", "difficulty", "time_estimate", "prerequisites",
              "next_steps", "learning_objectives")
LEGACY_VALUES = yaml.safe_load(MODULE_YAML)
LEGACY_KEYS = ("name", "title", "description", "dependencies", "exports_to", "difficulty",
               "time_estimate", "module_number", "tier")
TIER_LINE = "**🏗️ FOUNDATION TIER** | Difficulty: ⭐ (1/4) | Time: 2-3 hours"
CONFIG_KEYS = ("layout", "modules_dir", "source_name", "learning_path", "package", "ignore",
               "modules", "limits")
PROJECT_KEYS = ("name", "version", "license", "urls", "dependencies", "requires-python",
                "readme", "scripts")
SETTINGS_KEYS = ("repo", "lib_name", "lib_path", "nbs_path", "version", "license", "git_url")
NBGRADER_KEYS = ("grade", "grade_id", "locked", "points", "schema_version", "solution", "task")


@COURSES
@given(yaml_mapping(ABOUT_VALUES, ABOUT_KEYS), st.sampled_from(SYNTAX + MEANINGFUL))
def test_front_matter_values_of_any_type(front: str, tier_value: str) -> None:
    body = ABOUT_BODY.replace("2-3 hours", tier_value, 1).replace("# 01.", f"# {tier_value}.")
    assert_course_survives({f"src/{FIRST}/ABOUT.md": f"---\n{front}\n---\n{body}"})


@COURSES
@given(yaml_mapping(LEGACY_VALUES, LEGACY_KEYS))
def test_module_yaml_values_of_any_type(document: str) -> None:
    assert_course_survives({f"src/{FIRST}/ABOUT.md": None,
                            f"src/{FIRST}/module.yaml": document})


@COURSES
@given(st.lists(st.tuples(st.sampled_from(MEANINGFUL + ["1", "02", "3", "9" * 20]),
                          st.sampled_from(MEANINGFUL), st.sampled_from(MEANINGFUL)), max_size=6))
def test_learning_path_lines_of_any_value(lines: list[tuple[str, str, str]]) -> None:
    templates = ("**Module {0}: {1}** ({2}, {1})", "## Phase {0}: {1} (Modules {0}-{2})",
                 "**Time**: {2} | **Difficulty**: {1}-{0} label", "**Total Time**: {2}")
    text = "\n".join(templates[i % 4].format(*parts) for i, parts in enumerate(lines))
    assert_course_survives({"src/LEARNING_PATH.md": learning_path(2) + "\n" + text})


@COURSES
@given(st.lists(st.dictionaries(st.sampled_from(NBGRADER_KEYS), VALUES_TREE), min_size=2,
                max_size=2), st.sampled_from(MEANINGFUL))
def test_nbgrader_metadata_of_any_value(cells: list[dict[str, object]], export: str) -> None:
    text = source(1).replace("#| default_exp core.tensor", f"#| default_exp {export}")
    for metadata in cells:
        cell_line = "nbgrader=" + json.dumps(metadata)
        text = re.sub(r"nbgrader=\{.*\}$", lambda _, found=cell_line: found, text, count=1,
                      flags=re.MULTILINE)
    assert_course_survives({f"src/{FIRST}/{FIRST}.py": text})


@COURSES
@given(toml_table("tool.tinyrelease", CONFIG_KEYS), st.sampled_from(sorted(CONFIGS)))
@example("[tool.tinyrelease]\nlayout = []\n", "pyproject.toml")
@example("[tool.tinyrelease]\nsource_name = true\n", "pyproject.toml")
@example('[tool.tinyrelease]\nsource_name = "{bogus}.py"\n', "tinyrelease.toml")
@example("[tool]\ntinyrelease = 5\n", "tinyrelease.toml")
def test_course_config_of_any_value(table: str, rel: str) -> None:
    text = PYPROJECT + "\n" + table if rel == "pyproject.toml" else table
    assert_course_survives({rel: text})


@COURSES
@given(toml_table("project", PROJECT_KEYS),
       st.dictionaries(st.sampled_from(SETTINGS_KEYS),
                       st.sampled_from(MEANINGFUL) | st.text(st.characters(
                           blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=20)))
@example("[project]\nname = 5\n", {"lib_name": "x" * 5000})  # a name too long for the OS
def test_package_metadata_of_any_value(project: str, values: dict[str, str]) -> None:
    ini = "[DEFAULT]\n" + "".join(f"{key} = {value}\n" for key, value in values.items())
    assert_course_survives({"pyproject.toml": PYPROJECT.split("[project]")[0] + project,
                            "settings.ini": ini})
