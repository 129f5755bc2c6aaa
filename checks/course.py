"""The course model: every file a gate reads, found through the layout and parsed exactly once.

`load_course(root)` is the only place that touches the disk; checks receive the `Course`.
"""

from __future__ import annotations

import ast
import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tinyrelease.checks.about import (
    About,
    ModuleMeta,
    meta_from,
    numbered_title,
    parse_about,
    parse_module_yaml,
)
from tinyrelease.checks.boundary import inside, leaving_links
from tinyrelease.checks.changelog import Changelog, parse_changelog, release_tags
from tinyrelease.checks.conventions import Conventions
from tinyrelease.checks.conventions import resolve as resolve_conventions
from tinyrelease.checks.course_map import ModuleMention, course_documents, mentions_in, module_names
from tinyrelease.checks.errors import CourseError
from tinyrelease.checks.files import CourseFiles
from tinyrelease.checks.layout import (
    LOOSE_MODULE_DIR,
    MODULE_DIR,
    CourseConfig,
    Layout,
    detect_layout,
    load_config,
)
from tinyrelease.checks.learning_path import LearningPath, parse_learning_path
from tinyrelease.checks.markdown import split_front_matter
from tinyrelease.checks.package import (
    PackageTree,
    Pyproject,
    Settings,
    VersionMention,
    parse_pyproject,
    parse_settings,
    read_package,
    version_mentions,
)
from tinyrelease.checks.source import (
    FunctionNode,
    Import,
    ModuleSource,
    parse_source,
    syntax_problem,
)
from tinyrelease.checks.summary import CourseSummary, ModuleRow
from tinyrelease.checks.testcode import Unfailing, unfailing_places
from tinyrelease.checks.values import Difficulty, TimeEstimate, parse_difficulty, parse_time

T = TypeVar("T")
# where a course keeps its book config, which may state the version too
BOOK_CONFIGS = ("book/_config.yml", "site/_config.yml", "docs/_config.yml")
BOOK_DIRS = ("site", "docs", "book")
_DEFAULT_EXP = re.compile(r"^#\|\s*default_exp\s+(\S+)", re.MULTILINE)
_README_TIME = re.compile(r"(?i)\b(?:time|duration)\b[^:\n]{0,20}:\s*\**\s*(.+)")
_README_DIFFICULTY = re.compile(r"(?i)\bdifficulty\b[^:\n]{0,20}:\s*\**\s*(.+)")


@dataclass(frozen=True)
class ReadmeMention:
    """A module README.md line restating the module's time or difficulty."""

    path: str
    line: int
    time: TimeEstimate | None = None
    difficulty: Difficulty | None = None


_FRONT_MATTER_KEY = {"time": "time_estimate", "difficulty": "difficulty"}


@dataclass(frozen=True)
class Stated:
    """A module's value of record (its time or difficulty), the file and line that state it,
    and what to call that place in a message."""

    value: TimeEstimate | Difficulty
    path: str
    line: int | None
    name: str


@dataclass(frozen=True)
class StaleCopy:
    """A copy of a module file outside the source of truth (learner workspace, older layout)."""

    module: str
    path: str
    original: str
    differs: bool
    default_exp: str | None


@dataclass
class Module:
    id: str
    number: int
    name: str
    dir: str
    well_named: bool
    about_path: str
    source_path: str
    about: About | None = None
    module_yaml: ModuleMeta | None = None
    chapter: ModuleMeta | None = None
    source: ModuleSource | None = None
    readme: list[ReadmeMention] = field(default_factory=list)

    @property
    def meta(self) -> ModuleMeta | None:
        """The metadata of record: ABOUT.md front matter, else `module.yaml`, else the chapter.
        Front matter that only configures the page (`file_format: mystnb`) is not metadata."""
        if self.about is not None and self.about.meta is not None and (
                self.about.meta.describes_module or not (self.module_yaml or self.chapter)):
            return self.about.meta
        return self.module_yaml or self.chapter

    def stated(self, field: str) -> Stated | None:
        """The module's `time` or `difficulty` of record and where it is written: the metadata,
        else the ABOUT.md info line (`**FOUNDATION TIER** | Difficulty: ●●○○ | Time: ...`)."""
        meta = self.meta
        if meta is not None and (value := getattr(meta, field)) is not None:
            line = meta.line_of(_FRONT_MATTER_KEY[field])
            return Stated(value, meta.path, line, "the front matter" if meta is (
                self.about.meta if self.about else None) else meta.path.rsplit("/", 1)[-1])
        tier = self.about.tier if self.about else None
        if tier is not None and self.about is not None and (value := getattr(tier, field)):
            return Stated(value, self.about.path, tier.line, "the ABOUT.md info line")
        return None

    @property
    def title(self) -> str:
        """The module's title: its metadata's, else its ABOUT.md heading's, else its name."""
        if self.meta is not None and self.meta.title:
            return self.meta.title
        if self.about is not None and self.about.h1 is not None:
            return numbered_title(self.about.h1.text)[1]
        return self.name.replace("_", " ").title()

    @property
    def names(self) -> set[str]:
        """Every way the course writes this module's name, normalised: folder, titles, the
        last part of its export target (`core.spatial` for `09_convolutions`)."""
        titles = [self.name, self.title]
        titles += [meta.title for meta in (self.module_yaml, self.chapter) if meta and meta.title]
        if self.about is not None and self.about.h1 is not None:
            titles.append(numbered_title(self.about.h1.text)[1])
        if self.exports:
            titles.append(self.exports.rsplit(".", 1)[-1])
        return {name for title in titles for name in module_names(title)}

    @property
    def exports(self) -> str | None:
        """The `default_exp` of the source (the first, when it wrongly has several)."""
        if self.source and self.source.default_exp:
            return self.source.default_exp[0][0]
        return self.meta.exports_to if self.meta else None


@dataclass(frozen=True)
class TestFile:
    path: str
    folder: str
    syntax_error: tuple[int, str] | None
    imports: tuple[Import, ...]
    unfailing: tuple[Unfailing, ...] = ()  # places its tests cannot fail


@dataclass
class TestSuite:
    root: str
    folders: list[str] = field(default_factory=list)
    files: list[TestFile] = field(default_factory=list)
    packages: set[str] = field(default_factory=set)
    # module id -> its test folder: `tests/<id>`, else a folder of the same name under an
    # older number (`tests/15_memoization` for `17_memoization`) after a renumbering
    module_folders: dict[str, str] = field(default_factory=dict)

    def module_of(self, folder: str) -> str | None:
        """The module a test folder (`tests/03_layers/...` or `03_layers`) belongs to."""
        parts = folder.split("/")
        name = parts[1] if parts[0] == self.root and len(parts) > 1 else parts[0]
        return next((m for m, f in self.module_folders.items() if f == name), None)


@dataclass
class Course:
    root: Path
    files: CourseFiles
    config: CourseConfig
    layout: Layout
    modules: list[Module] = field(default_factory=list)
    learning_path: LearningPath | None = None
    pyproject: Pyproject | None = None
    settings: Settings | None = None
    package: PackageTree | None = None
    tests: TestSuite = field(default_factory=lambda: TestSuite("tests"))
    stale: list[StaleCopy] = field(default_factory=list)
    version_mentions: list[VersionMention] = field(default_factory=list)
    module_mentions: list[ModuleMention] = field(default_factory=list)
    conventions: Conventions = field(default_factory=Conventions)
    changelog: Changelog | None = None
    # the prefix of the course's release tags (`tag_prefix` of [tool.tinyrelease.release]) and
    # the tags of its final releases; None when git cannot tell
    tag_prefix: str = "v"
    release_tags: tuple[str, ...] | None = None

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def summary(self) -> CourseSummary:
        """What the reports show of the course besides the findings."""
        rows, total = [], None
        for module in self.modules:
            meta = module.meta
            time = meta.time if meta else None
            total = time if total is None else (total + time if time else total)
            rows.append(ModuleRow(module.id, meta.title or "" if meta else "",
                                  time.canonical if time else None,
                                  str(meta.difficulty) if meta and meta.difficulty else None))
        return CourseSummary(self.root, self.layout.name, tuple(rows),
                             total.canonical if total else None, self.conventions.describe(),
                             self.conventions.to_json())

    def module_of_path(self, rel: str) -> str | None:
        for module in self.modules:
            if rel == module.dir or rel.startswith(module.dir + "/"):
                return module.id
        return None

    @property
    def exports_known(self) -> bool:
        """Whether every module's `default_exp` could be read (an unreadable source hides it)."""
        return not any(self.files.unreadable(m.source_path) for m in self.modules)

    @property
    def package_name(self) -> str | None:
        return self.package.name if self.package else None

    @property
    def exported_modules(self) -> set[str]:
        """The dotted package modules the modules export to (`default_exp` under the package)."""
        name, found = self.package_name, set()
        for module in self.modules:
            if name and module.exports:
                prefixed = module.exports.startswith(name + ".")
                found.add(module.exports if prefixed else f"{name}.{module.exports}")
        return found


class ParsedFiles(Protocol):
    """A store of parsed files by their text (checks.cache.ParseCache)."""

    def parse(self, kind: str, text: str, path: str, parser: Callable[[str, str], T]) -> T: ...

    def prefetch(self, jobs: list[tuple[str, str, str, Callable[[str, str], Any]]]) -> None: ...


def _parse_now(kind: str, text: str, path: str, parser: Callable[[str, str], T]) -> T:
    return parser(text, path)


def load_course(root: Path | str, max_bytes: int | None = None,
                parsed: ParsedFiles | None = None) -> Course:
    """Read and parse the whole course at `root`; problems become findings, not exceptions.
    With `parsed`, files whose text was parsed before are not parsed again."""
    with _no_gc_pauses():
        return _load(Path(root), max_bytes, parsed.parse if parsed else _parse_now,
                     parsed.prefetch if parsed else None)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Parsing builds millions of short-lived AST objects and no cycles; the cyclic collector
    would spend a third of the load time scanning them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(root: Path, max_bytes: int | None, parse: Callable[..., Any],
          prefetch: Callable[..., None] | None = None) -> Course:
    if not root.is_dir():
        raise CourseError(f"{root}: not a directory (give --course the root of a course)")
    files = CourseFiles(root) if max_bytes is None else CourseFiles(root, max_bytes)
    config = load_config(files)
    course = Course(root.resolve(), files, config, detect_layout(files, config))
    folders = [name for name in files.listdir(course.layout.modules_dir)
               if LOOSE_MODULE_DIR.match(name)
               and files.is_dir(f"{course.layout.modules_dir}/{name}")]
    if prefetch is not None:
        prefetch(_parse_ahead(files, course.layout, folders))
    course.modules = [_load_module(files, course.layout, name, parse) for name in folders]
    course.modules.sort(key=lambda m: (m.number, m.id))
    if course.layout.learning_path and (text := files.read(course.layout.learning_path,
                                                           "implementation")) is not None:
        course.learning_path = parse_learning_path(text, course.layout.learning_path)
    _load_packaging(course)
    _load_releases(course)
    course.tests = _load_tests(files, parse)
    course.tests.module_folders = _module_folders(course)
    course.stale = _stale_copies(course)
    course.module_mentions = [mention for rel in course_documents(
        files, course.layout.modules_dir, [m.id for m in course.modules])
        if (text := files.read(rel, "implementation")) is not None
        for mention in parse("mentions", text, rel, mentions_in)]
    course.conventions = resolve_conventions(
        course.config.conventions, course.config.source,
        [m.about for m in course.modules if m.about is not None])
    _book_links(course)
    return course


def _book_links(course: Course) -> None:
    """A course book is copied and published whole: a link in it that leaves the course
    would publish a file from outside it. The book never follows one; DOC001 names it."""
    configured = course.config.raw.get("book_dir")
    folders = [configured] if isinstance(configured, str) and configured else []
    for rel in (*folders, *BOOK_DIRS):
        folder = course.root / rel
        if folder.is_symlink() and not inside(folder, course.root):
            course.files.note("documentation", rel, "is a symlink that leaves the course root; "
                              "the book never copies or publishes what it points to")
            continue
        if not folder.is_dir() or not inside(folder, course.root):
            continue
        for link in leaving_links(course.root, folder):
            course.files.note("documentation", link.relative_to(course.root).as_posix(),
                              "is a symlink that leaves the course root; the book never "
                              "copies or publishes what it points to")


def _parse_ahead(files: CourseFiles, layout: Layout, folders: list[str]
                 ) -> list[tuple[str, str, str, Callable[[str, str], Any]]]:
    """The files parsed most (module sources, ABOUT.md files, test files) as parse jobs, read
    as `_load` reads them (the same gate hears of an unreadable one), so that a cold cache
    can parse them all at once, over the cores."""
    jobs: list[tuple[str, str, str, Callable[[str, str], Any]]] = []
    for dirname in folders:
        module = _module(layout, dirname)
        if (text := files.read(module.about_path, "educational")) is not None:
            jobs.append(("about", text, module.about_path, parse_about))
        if (text := files.read(module.source_path, "implementation")) is not None:
            jobs.append(("source", text, module.source_path, parse_source))
    for rel in _test_paths(files):
        if (text := files.read(rel, "testing")) is not None:
            jobs.append(("test", text, rel, _test_file))
    return jobs


def _module(layout: Layout, dirname: str) -> Module:
    match = LOOSE_MODULE_DIR.match(dirname)
    assert match is not None
    folder = f"{layout.modules_dir}/{dirname}"
    name = match["name"]
    return Module(dirname, int(match["number"]), name, folder,
                  MODULE_DIR.match(dirname) is not None, f"{folder}/ABOUT.md",
                  f"{folder}/{layout.source_file(dirname, name)}")


def _load_module(files: CourseFiles, layout: Layout, dirname: str,
                 parse: Callable[..., Any]) -> Module:
    module = _module(layout, dirname)
    folder = module.dir
    if (text := files.read(module.about_path, "educational")) is not None:
        module.about = parse("about", text, module.about_path, parse_about)
    if (text := files.read(f"{folder}/module.yaml", "educational")) is not None:
        module.module_yaml = parse_module_yaml(text, f"{folder}/module.yaml")
    if module.meta is None:
        module.chapter = _legacy_chapter(files, module)
    if (text := files.read(module.source_path, "implementation")) is not None:
        module.source = parse("source", text, module.source_path, parse_source)
    if (text := files.read(f"{folder}/README.md", "implementation")) is not None:
        module.readme = _readme_mentions(text, f"{folder}/README.md")
    return module


def _legacy_chapter(files: CourseFiles, module: Module) -> ModuleMeta | None:
    rel = f"book/chapters/{module.number:02d}-{module.name.replace('_', '-')}.md"
    text = files.read(rel, "educational")
    front = split_front_matter(text) if text else None
    return meta_from(front.document, rel) if front else None


def _readme_mentions(text: str, rel: str) -> list[ReadmeMention]:
    mentions = []
    for number, line in enumerate(text.split("\n"), start=1):
        for part in line.split("|"):
            if (found := _README_TIME.search(part)) and (time := parse_time(found[1])):
                mentions.append(ReadmeMention(rel, number, time=time))
            if (found := _README_DIFFICULTY.search(part)) and (level := parse_difficulty(found[1])):
                mentions.append(ReadmeMention(rel, number, difficulty=level))
    return mentions


def _load_packaging(course: Course) -> None:
    files = course.files
    if (text := files.read("pyproject.toml", "package")) is not None:
        course.pyproject = parse_pyproject(text, "pyproject.toml")
    if (text := files.read("settings.ini", "package")) is not None:
        course.settings = parse_settings(text, "settings.ini")
    name = course.config.package
    if name is None and course.settings is not None:
        name = course.settings.values.get("lib_name")
    if name is None and course.pyproject is not None:
        project_name = course.pyproject.project.get("name")
        name = project_name.replace("-", "_") if isinstance(project_name, str) else None
    if not name:
        return
    folder = course.settings.values.get("lib_path", name) if course.settings else name
    if files.is_dir(folder):
        course.package = read_package(files, name, folder)
    else:
        course.package = PackageTree(name, folder)
    for rel in ("README.md", *BOOK_CONFIGS):
        if (text := files.read(rel, "package")) is not None:
            course.version_mentions += version_mentions(text, rel, name)


def _load_releases(course: Course) -> None:
    """The changelog (towncrier's `filename`, else CHANGELOG.md) and the release tags."""
    tool = course.pyproject.data.get("tool", {}) if course.pyproject else {}
    towncrier = tool.get("towncrier") if isinstance(tool, dict) else None
    rel = towncrier.get("filename") if isinstance(towncrier, dict) else None
    rel = rel if isinstance(rel, str) and rel else "CHANGELOG.md"
    if (text := course.files.read(rel, "package")) is not None:
        course.changelog = parse_changelog(text, rel)
    release = course.config.raw.get("release")
    prefix = release.get("tag_prefix") if isinstance(release, dict) else None
    course.tag_prefix = prefix if isinstance(prefix, str) and prefix else "v"
    if course.changelog is not None:
        course.release_tags = release_tags(course.root, course.tag_prefix)


def _load_tests(files: CourseFiles, parse: Callable[..., Any]) -> TestSuite:
    suite = TestSuite("tests")
    suite.folders = [name for name in files.listdir("tests", "testing")
                     if files.is_dir(f"tests/{name}")]
    suite.packages = {rel.rsplit("/", 1)[0] for rel in files.walk("tests", ".py")
                      if rel.endswith("/__init__.py")}
    for rel in _test_paths(files):
        text = files.read(rel, "testing")
        if text is not None:
            suite.files.append(parse("test", text, rel, _test_file))
    return suite


def _test_paths(files: CourseFiles) -> list[str]:
    """The files pytest collects under tests/ (`test_*.py`, `*_test.py`)."""
    return [rel for rel in files.walk("tests", ".py")
            if (name := rel.rsplit("/", 1)[1]).startswith("test_") or name.endswith("_test.py")]


def _module_folders(course: Course) -> dict[str, str]:
    folders = set(course.tests.folders)
    found = {m.id: m.id for m in course.modules if m.id in folders}
    loose = [f for f in folders if f not in found.values() and LOOSE_MODULE_DIR.match(f)]
    for module in (m for m in course.modules if m.id not in found):
        named = [f for f in loose if LOOSE_MODULE_DIR.match(f)["name"] == module.name]  # type: ignore[index]
        if len(named) == 1:
            found[module.id] = named[0]
    return found


def _test_file(text: str, rel: str) -> TestFile:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return TestFile(rel, rel.rsplit("/", 1)[0], syntax_problem(error), ())
    imports = []
    for node in statements(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imports.append(Import(node.module, tuple(a.name for a in node.names), node.lineno))
        elif isinstance(node, ast.Import):
            imports.extend(Import(a.name, (), node.lineno) for a in node.names)
    unfailing = [place for test, owner in _pytest_tests(tree)
                 for place in unfailing_places(test.body, f"{owner}{test.name}()", True)]
    return TestFile(rel, rel.rsplit("/", 1)[0], None, tuple(imports), tuple(unfailing))


def _pytest_tests(tree: ast.Module) -> list[tuple[FunctionNode, str]]:
    """The tests pytest collects from a file: `test*` functions, at the top or in `Test*`
    classes, each with the class it sits in (`TestX.`, or ''); a `test*` function that takes
    arguments and whose value the file uses (`ok, why = test_package(name)`) is a helper."""
    def tests(body: list[ast.stmt]) -> list[FunctionNode]:
        return [node for node in body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("test")]

    found = [(test, "") for test in tests(tree.body)]
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found += [(test, f"{node.name}.") for test in tests(node.body)]
    taking = {test.name for test, _ in found if [a for a in test.args.args if a.arg != "self"]}
    helpers = taking & _values_used(tree) if taking else set()
    return [(test, owner) for test, owner in found if test.name not in helpers]


def _values_used(tree: ast.Module) -> set[str]:
    """The plain names whose call's value the file uses (a call that is not a statement)."""
    calls, bare = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.add(node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            bare.add(node.value)
    return {call.func.id for call in calls - bare if isinstance(call.func, ast.Name)}


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones too (in functions, classes, branches, handlers), without
    visiting expressions: imports and definitions are statements, and a test file's
    expressions are most of its nodes."""
    todo = list(reversed(body))
    while todo:
        node = todo.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, name, None)
            if inner:
                todo.extend(reversed(inner))


def _stale_copies(course: Course) -> list[StaleCopy]:
    files, copies = course.files, []
    for module in course.modules:
        originals = [(module.about_path, "ABOUT.md"), (module.source_path, None)]
        for stale_dir in course.layout.stale_dirs:
            folder = f"{stale_dir}/{module.id}"
            if not files.is_dir(folder):
                continue
            for original, fixed_name in originals:
                candidates = [fixed_name] if fixed_name else [
                    f"{module.id}.py", f"{module.name}.py", f"{module.name}_dev.py"]
                for name in candidates:
                    rel = f"{folder}/{name}"
                    if rel != original and files.exists(rel):
                        copies.append(_stale(files, module.id, rel, original))
                        break
    return copies


def _stale(files: CourseFiles, module: str, rel: str, original: str) -> StaleCopy:
    text = files.read(rel, "documentation") or ""
    source = files.read(original, "documentation")
    # the pattern needs the word: a copy without it is not scanned line by line (TinyTorch's
    # copies are 1.9 MB, half without the word)
    exp = _DEFAULT_EXP.search(text) if "default_exp" in text else None
    return StaleCopy(module, rel, original, source is not None and text != source,
                     exp[1] if exp else None)

