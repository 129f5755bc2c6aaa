"""A module source in jupytext's percent format: cells with their nbgrader metadata, solution
regions, nbdev directives, and (from Python's own parser) functions, calls and imports.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
import types
import warnings
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, TypeVar

from tinyrelease.checks.testcode import Unfailing, unfailing_places

_CELL = re.compile(r"^#\s?%%(?P<options>.*)$")
_DIRECTIVE = re.compile(r"^#\|\s*+(?P<name>[\w-]++)\s*+(?P<value>(?:.*\S)?)\s*$")
_EXPORT_CLAIM = re.compile(r"exports?\s+to\s+[`'\"]?(?P<target>[A-Za-z_][\w.]*[A-Za-z0-9_])",
                           re.IGNORECASE)
_HEADING = re.compile(r"^\s*+(#{1,6})\s++(.*\S)\s*$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LABEL = re.compile(r"^(?:[-*]\s+)?\*\*([^*\n]{3,80})\*\*:?(.*)$")
_CALL = re.compile(r"(?<!def )(?<!class )\b([A-Za-z_]\w*)\s*\(")
_OBJECTIVES_HEADING = re.compile(r"^\s*+(#{1,6})\s++.*\blearning\s+(?:objectives|goals)\b",
                                 re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_QUOTES = re.compile(r"^r?(?:\"\"\"|\'\'\')|(?:\"\"\"|\'\'\')$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
T = TypeVar("T")
_LIGHT = "_tinyrelease_jupytext"  # jupytext's cell-option parser, without the package's imports
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
# `### BEGIN SOLUTION role=scaffold`: TinyTorch 2026 tags what a region is for (what a release
# tier strips); nbgrader itself only looks for the words.
_BEGIN = re.compile(r"^### BEGIN SOLUTION"
                    r"(?:\s++role\s*+=\s*+[\"']?(?P<role>[^\s\"']*+)[\"']?)?\s*$")


@dataclass
class Cell:
    """One `# %%` cell: its kind, first line, nbgrader metadata and lines of source."""

    index: int
    kind: str
    line: int
    lines: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_error: str | None = None
    directives: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def end_line(self) -> int:
        return self.line + len(self.lines)

    @property
    def nbgrader(self) -> dict[str, Any] | None:
        value = self.metadata.get("nbgrader")
        return value if isinstance(value, dict) else None

    @property
    def exported(self) -> bool:
        return any(name in {"export", "exports"} for name, _, _ in self.directives)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def markdown_lines(self) -> list[tuple[int, str]]:
        """(line number, Markdown text) of a markdown cell, written either as a triple-quoted
        string or as `# ` comments; the quote lines themselves are left out."""
        quoted = next((ln.lstrip().startswith(('"""', "'''", 'r"""')) for ln in self.lines
                       if ln.strip()), False)
        found = []
        for offset, line in enumerate(self.lines, start=1):
            text = line.rstrip()
            if quoted:
                if text.strip() in ('"""', "'''", 'r"""'):
                    continue
                text = _QUOTES.sub("", text.strip()) if _QUOTES.search(text) else text
            elif text.startswith("#"):
                text = text[2:] if text.startswith("# ") else text[1:]
            found.append((self.line + offset, text))
        return found

    @property
    def prose(self) -> str:
        """Markdown text without the triple quotes or `# ` prefixes that keep it Python."""
        stripped = [re.sub(r'^(?:"""|\'\'\')|(?:"""|\'\'\')$', "", ln.strip()) for ln in self.lines]
        return "\n".join(ln[2:] if ln.startswith("# ") else ln for ln in stripped).strip()


@dataclass(frozen=True)
class Section:
    """A markdown heading of a source and its prose, up to the next heading as high or higher."""

    title: str
    line: int
    body: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(_WORD.findall(text)) for text in self.body)


@dataclass(frozen=True)
class SourceHeading:
    """A Markdown heading of a source's markdown cell: `## 🎯 Learning Objectives` is level 2."""

    level: int
    text: str
    line: int
    cell: int


@dataclass(frozen=True)
class SolutionRegion:
    """Lines `begin` to `end` (the markers) of a cell; `role` as the begin marker names it
    (None: unannotated, which courses read as the graded core)."""

    begin: int
    end: int | None
    cell: int
    role: str | None = None  # `role=core` after BEGIN SOLUTION, when the course tags roles


@dataclass(frozen=True)
class RegionProblem:
    line: int
    message: str


@dataclass(frozen=True)
class Function:
    name: str
    line: int
    docstring: str
    cell: int | None
    in_class: bool
    calls: frozenset[str] = frozenset()  # names called in its body (a regex, like `calls`)
    required: int = 0  # positional parameters without a default
    end: int = 0  # its last line


@dataclass(frozen=True)
class Runner:
    """An `if __name__ == "__main__":` block: its line, and each plain name it calls with the
    line of the call."""

    line: int
    calls: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Import:
    module: str
    names: tuple[str, ...]
    line: int


@dataclass
class ModuleSource:
    path: str
    line_count: int
    cells: list[Cell] = field(default_factory=list)
    default_exp: list[tuple[str, int]] = field(default_factory=list)
    export_claims: list[tuple[str, int]] = field(default_factory=list)
    regions: list[SolutionRegion] = field(default_factory=list)
    region_problems: list[RegionProblem] = field(default_factory=list)
    hidden_tests: list[SolutionRegion] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    classes: list[Function] = field(default_factory=list)
    calls: set[str] = field(default_factory=set)
    guarded_calls: set[str] = field(default_factory=set)
    imports: list[Import] = field(default_factory=list)
    syntax_error: tuple[int, str] | None = None
    # what Python warns of when it compiles the file: invalid escapes, `is` with a literal
    syntax_warnings: list[tuple[int, str]] = field(default_factory=list)
    unfailing: list[Unfailing] = field(default_factory=list)  # places tests cannot fail
    runners: list[Runner] = field(default_factory=list)
    bindings: dict[str, int] = field(default_factory=dict)  # top-level name -> first line bound
    # the line of each top-level function a `__main__` block reaches -> the plain names it
    # calls and does not bind itself (from the tree, so not `obj.name()` nor text in strings)
    reached_calls: dict[int, frozenset[str]] = field(default_factory=dict)
    # what checks compute from the parse, kept with it in the parse cache (keyed by this code)
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """What the parse cache keeps: the parse, what checks derived from it and the small
        views of it, not the prose of `sections` and `labels` (the systems checks, their only
        readers, keep their findings in `derived`): a third less to unpickle each run."""
        return {k: v for k, v in self.__dict__.items() if k not in ("sections", "labels")}

    def derive(self, name: str, compute: Callable[[], T]) -> T:
        """`compute()`, once per parsed text: later runs read it from the parse cache."""
        if name not in self.derived:
            self.derived[name] = compute()
        return self.derived[name]  # type: ignore[no-any-return]

    def reached_from_guard(self) -> set[str]:
        """The functions a run of the module calls: those called under the main guard, and
        every top-level function they call in turn (a test called from `test_module()`)."""
        found: set[str] = self.derive("reached from guard", self._reached_from_guard)
        return found

    def _reached_from_guard(self) -> set[str]:
        bodies = {f.name: f.calls for f in self.functions if not f.in_class}
        reached, todo = set(), list(self.guarded_calls)
        while todo:
            name = todo.pop()
            if name in reached:
                continue
            reached.add(name)
            todo.extend(bodies.get(name, ()))
        return reached

    def cell_at(self, line: int) -> Cell | None:
        index = bisect_right(self._cell_lines, line) - 1
        cell = self.cells[index] if index >= 0 else None
        return cell if cell is not None and line <= cell.end_line else None

    @cached_property
    def _cell_lines(self) -> list[int]:
        """The first line of each cell, in order (asked once the cells are all split)."""
        return [cell.line for cell in self.cells]

    @cached_property
    def sections(self) -> list[Section]:
        """Every markdown heading with its prose (computed once, for the systems checks)."""
        titles = {line: title for title, line in self.markdown_headings}
        lines = [(cell.line + offset, text) for cell in self.cells if cell.kind == "markdown"
                 for offset, text in enumerate(cell.lines, start=1)]
        sections = []
        for index, (number, text) in enumerate(lines):
            if number in titles:
                level, body = _heading_level(text), []
                for inner, inner_text in lines[index + 1:]:
                    if inner in titles and _heading_level(inner_text) <= level:
                        break
                    body.append(inner_text)
                sections.append(Section(titles[number], number, tuple(body)))
        return sections

    @cached_property
    def labels(self) -> list[Section]:
        """Bold labels that open a line of prose (`**Production Considerations:**`), each with
        the rest of its markdown cell: courses often title a part of a section this way."""
        found = []
        for cell in (c for c in self.cells if c.kind == "markdown"):
            for offset, text in enumerate(cell.lines, start=1):
                label = _LABEL.match(text.strip())
                if label:
                    found.append(Section(label[1].strip(" :"), cell.line + offset,
                                         (label[2], *cell.lines[offset:])))
        return found

    @cached_property
    def headings(self) -> list[SourceHeading]:
        """The Markdown headings of the markdown cells, in order, with their level."""
        found = []
        for cell in (c for c in self.cells if c.kind == "markdown"):
            fence: str | None = None
            for number, text in cell.markdown_lines():
                if opening := _FENCE.match(text):
                    fence = None if fence and opening[1].startswith(fence) else fence or opening[1]
                elif fence is None and (match := _HEADING.match(text)):
                    found.append(SourceHeading(len(match[1]), match[2].strip(), number,
                                               cell.index))
        return found

    @property
    def markdown_headings(self) -> list[tuple[str, int]]:
        found = []
        for cell in self.cells:
            if cell.kind == "markdown":
                for offset, text in enumerate(cell.lines, start=1):
                    match = _HEADING.match(text.strip().strip('"').strip("'"))
                    if match:
                        found.append((match[2], cell.line + offset))
        return found

    @cached_property
    def objective_items(self) -> list[str] | None:
        """The bullets under the first markdown heading naming "Learning Objectives" (or
        "Learning Goals"), up to the next heading of the same level; None without one."""
        for cell in (c for c in self.cells if c.kind == "markdown"):
            lines = cell.prose.split("\n")
            for start, line in enumerate(lines):
                if heading := _OBJECTIVES_HEADING.match(line):
                    return _items_under(lines[start + 1:], len(heading[1]))
        return None


def _items_under(lines: list[str], level: int) -> list[str]:
    """The bullet items of `lines` up to the next heading of `level` or higher."""
    items = []
    for line in lines:
        if (heading := _HEADING.match(line)) and len(heading[1]) <= level:
            break
        if bullet := _BULLET.match(line):
            items.append(bullet[1])
    return items


def _heading_level(text: str) -> int:
    stripped = text.strip().strip("\"'").lstrip()
    return len(stripped) - len(stripped.lstrip("#"))


def parse_source(text: str, path: str) -> ModuleSource:
    lines = text.split("\n")
    source = ModuleSource(path, len(lines))
    _split_cells(lines, source)
    _find_regions(source)
    _read_python(text, source)
    return source


def _header_end(lines: list[str]) -> int:
    """Index of the first line after a `# ---` jupytext header (0 when there is none)."""
    if not lines or lines[0].strip() != "# ---":
        return 0
    return next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "# ---"), 0)


def _split_cells(lines: list[str], source: ModuleSource) -> None:
    text_to_metadata = _metadata_parser()
    current: Cell | None = None
    for index in range(_header_end(lines), len(lines)):
        line = lines[index]
        number = index + 1
        marker = _CELL.match(line)
        if marker:
            title, metadata = _options(text_to_metadata, marker["options"].strip())
            kind = "markdown" if re.search(r"\[(markdown|md)\]", title) else "code"
            current = Cell(len(source.cells), kind, number, [], metadata)
            if "incorrectly_encoded_metadata" in metadata:
                current.metadata_error = str(metadata.pop("incorrectly_encoded_metadata"))
            source.cells.append(current)
            continue
        if current is None:
            if not line.strip():
                continue
            current = Cell(0, "code", number, [])
            source.cells.append(current)
        current.lines.append(line)
        directive = _DIRECTIVE.match(line.strip())
        if directive and current.kind == "code":
            current.directives.append((directive["name"], directive["value"], number))
            if directive["name"] == "default_exp":
                source.default_exp.append((directive["value"], number))
        if current.kind == "markdown":
            source.export_claims.extend((m["target"], number) for m in _EXPORT_CLAIM.finditer(line))


@cache
def _metadata_parser() -> Any:
    """jupytext's own parser of `# %%` options, loaded without `jupytext/__init__.py`, which
    imports nbformat, jsonschema and a Jupyter server: most of a static run's time otherwise.
    The two files it needs import nothing but the standard library."""
    if "jupytext" in sys.modules:
        from jupytext.cell_metadata import text_to_metadata
        return text_to_metadata
    spec = importlib.util.find_spec("jupytext")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("jupytext")
    light = types.ModuleType(_LIGHT)
    light.__path__ = list(spec.submodule_search_locations)
    sys.modules.setdefault(_LIGHT, light)
    return importlib.import_module(f"{_LIGHT}.cell_metadata").text_to_metadata


def _options(parse: Any, options: str) -> tuple[str, dict[str, Any]]:
    if not options:
        return "", {}
    try:
        title, metadata = parse(options, allow_title=True)
    except Exception as error:  # noqa: BLE001 - jupytext raises many kinds on bad options
        return options, {"incorrectly_encoded_metadata": f"{options} ({error})"}
    return title or "", metadata if isinstance(metadata, dict) else {}


def _find_regions(source: ModuleSource) -> None:
    for cell in source.cells:
        open_line: int | None = None
        role: str | None = None
        hidden: int | None = None
        for offset, line in enumerate(cell.lines, start=1):
            number, marker = cell.line + offset, line.strip()
            if begin := _BEGIN.match(marker):
                if open_line is not None:
                    source.region_problems.append(RegionProblem(
                        number, f"{BEGIN_SOLUTION} inside the region opened on line {open_line}"))
                    continue
                open_line, role = number, begin["role"]
            elif marker == END_SOLUTION:
                if open_line is None:
                    source.region_problems.append(RegionProblem(
                        number, f"{END_SOLUTION} without a matching {BEGIN_SOLUTION}"))
                    continue
                source.regions.append(SolutionRegion(open_line, number, cell.index, role))
                open_line = None
            elif marker == BEGIN_HIDDEN and hidden is None:
                hidden = number
            elif marker == END_HIDDEN and hidden is not None:
                source.hidden_tests.append(SolutionRegion(hidden, number, cell.index))
                hidden = None
        if open_line is not None:
            source.regions.append(SolutionRegion(open_line, None, cell.index, role))
            source.region_problems.append(RegionProblem(
                open_line, f"{BEGIN_SOLUTION} is never closed before the cell ends"))
        if hidden is not None:
            source.hidden_tests.append(SolutionRegion(hidden, None, cell.index))


def _read_python(text: str, source: ModuleSource) -> None:
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            source.syntax_error = syntax_problem(error)
            return
        lines = text.split("\n")
        functions: dict[int, FunctionNode] = {}
        for node in tree.body:
            _top_level(node, source, guarded=False, lines=lines, functions=functions)
        source.calls = _calls_in_code(source.cells)
        source.reached_calls = _reached_calls(source, functions)
        _graded_cell_code(tree, source)
        try:  # the compiler finds what the parser lets pass (`return` outside a function);
            # a notebook cell may `await` at the top, as IPython allows
            compile(tree, source.path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                    dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            source.syntax_error = syntax_problem(error)
    source.syntax_warnings = sorted({(w.lineno, str(w.message)) for w in warned
                                     if issubclass(w.category, SyntaxWarning | DeprecationWarning)})


def _calls_in_code(cells: list[Cell]) -> set[str]:
    """Names called anywhere in the code cells; a regex, since walking the whole tree of a
    2,000-line module costs more than parsing it."""
    names: set[str] = set()
    for cell in cells:
        if cell.kind == "code":
            for line in cell.lines:
                code = line.split("#", 1)[0] if "#" in line else line
                if "(" in code:
                    names.update(_CALL.findall(code))
    return names


def _body_calls(node: ast.stmt, lines: list[str]) -> frozenset[str]:
    names: set[str] = set()
    for line in lines[node.lineno:node.end_lineno or node.lineno]:
        code = line.split("#", 1)[0] if "#" in line else line
        if "(" in code:
            names.update(_CALL.findall(code))
    return frozenset(names)


def _top_level(node: ast.stmt, source: ModuleSource, guarded: bool,
               lines: list[str] | None = None, functions: dict[int, FunctionNode] | None = None
               ) -> None:
    def cell_of(line: int) -> int | None:
        cell = source.cell_at(line)
        return cell.index if cell else None

    _bind(node, source.bindings)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        positional = [*node.args.posonlyargs, *node.args.args]
        source.functions.append(Function(node.name, node.lineno, ast.get_docstring(node) or "",
                                         cell_of(node.lineno), False,
                                         _body_calls(node, lines or []),
                                         len(positional) - len(node.args.defaults),
                                         node.end_lineno or node.lineno))
        if functions is not None:
            functions[node.lineno] = node
        if node.name.startswith("test_") or _graded(source, node.lineno):
            source.unfailing += unfailing_places(node.body, f"{node.name}()",
                                                 node.name.startswith("test_"))
    elif isinstance(node, ast.ClassDef):
        source.classes.append(Function(node.name, node.lineno, ast.get_docstring(node) or "",
                                       cell_of(node.lineno), False))
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                source.functions.append(Function(item.name, item.lineno,
                                                 ast.get_docstring(item) or "",
                                                 cell_of(item.lineno), True,
                                                 end=item.end_lineno or item.lineno))
    elif isinstance(node, ast.Import):
        source.imports.extend(Import(a.name, (), node.lineno) for a in node.names)
    elif isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        source.imports.append(Import(module, tuple(a.name for a in node.names), node.lineno))
    if _is_main_guard(node):
        for inner in node.body:  # type: ignore[attr-defined]
            _top_level(inner, source, guarded=True, lines=lines, functions=functions)
            source.guarded_calls.update(_called_names(inner))
        calls = _calls(node.body)  # type: ignore[attr-defined]
        source.runners.append(Runner(node.lineno, tuple(sorted(
            (call.lineno, call.func.id) for call in calls if isinstance(call.func, ast.Name)))))
        return
    if isinstance(node, ast.If | ast.Try | ast.With):
        for inner in ast.iter_child_nodes(node):
            if isinstance(inner, ast.stmt):
                _top_level(inner, source, guarded, lines, functions)


def _graded(source: ModuleSource, line: int) -> bool:
    cell = source.cell_at(line)
    return cell is not None and cell.nbgrader is not None and cell.nbgrader.get("grade") is True


def _graded_cell_code(tree: ast.Module, source: ModuleSource) -> None:
    """The code of a graded cell outside its functions is a test too (nbgrader grades the cell
    by whether it raises); a try of imports alone is the cell's setup, not a test."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import
                      | ast.ImportFrom) or not _graded(source, node.lineno):
            continue
        if isinstance(node, ast.Try) and all(
                isinstance(inner, ast.Import | ast.ImportFrom) for inner in node.body):
            continue
        cell = source.cell_at(node.lineno)
        grade_id = cell.nbgrader.get("grade_id") if cell and cell.nbgrader else None
        source.unfailing += unfailing_places([node], f"the graded cell `{grade_id}`", False)


def _bind(node: ast.stmt, bindings: dict[str, int]) -> None:
    """Record the names a top-level statement binds, each at the first line that binds it."""
    names: list[str] = []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names = [node.name]
    elif isinstance(node, ast.Import | ast.ImportFrom):
        names = [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
    elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.For | ast.With):
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [i.optional_vars for i in node.items if i.optional_vars]
                   if isinstance(node, ast.With) else [node.target])
        names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    for name in names:
        bindings.setdefault(name, node.lineno)


def _calls(body: list[ast.stmt]) -> Iterator[ast.Call]:
    """The calls made by running `body`: a nested function or class runs only if called."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Call):
            yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                          | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))


def _reached_calls(source: ModuleSource, functions: dict[int, FunctionNode]
                   ) -> dict[int, frozenset[str]]:
    """The plain names called by each top-level function that a `__main__` block reaches and
    that may call a name bound only below it, by the function's line. The regex calls (a
    superset) pick those few first: walking every function's tree would double the parse."""
    regex = {f.line: f.calls for f in source.functions if f.line in functions}
    lines_of: dict[str, list[int]] = {}
    for line, node in functions.items():
        lines_of.setdefault(node.name, []).append(line)
    late = {line for line, calls in regex.items()
            if any(source.bindings.get(name, 0) > line for name in calls)}
    callers: dict[int, set[int]] = {}
    for line, calls in regex.items():
        for callee in (c for name in calls for c in lines_of.get(name, ())):
            callers.setdefault(callee, set()).add(line)
    suspects, todo = set(late), list(late)  # what can reach a late call, by the regex
    while todo:
        for caller in callers.get(todo.pop(), ()):
            if caller not in suspects:
                suspects.add(caller)
                todo.append(caller)
    found: dict[int, frozenset[str]] = {}
    names = [name for runner in source.runners for _, name in runner.calls]
    while names:
        for line in lines_of.get(names.pop(), ()):
            if line in suspects and line not in found:
                found[line] = _global_calls(functions[line])
                names.extend(found[line])
    return found


def _global_calls(node: FunctionNode) -> frozenset[str]:
    """The plain names a function calls that are not its own: not its parameters, nor names
    it assigns, imports or defines (Python makes those local to the whole function)."""
    local = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                             node.args.vararg, node.args.kwarg) if a is not None}
    called = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load):
            local.add(inner.id)
        elif isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and inner is not node:
            local.add(inner.name)
        elif isinstance(inner, ast.Import | ast.ImportFrom):
            local.update((a.asname or a.name).split(".")[0] for a in inner.names)
        elif isinstance(inner, ast.ExceptHandler) and inner.name:
            local.add(inner.name)
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
            called.add(inner.func.id)
    return frozenset(called - local)


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    names = {p.id for p in parts if isinstance(p, ast.Name)}
    values = {p.value for p in parts if isinstance(p, ast.Constant)}
    return names == {"__name__"} and values == {"__main__"}


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names



def syntax_problem(error: BaseException) -> tuple[int, str]:
    """(line, message) of Python's refusal to parse: its own message, or, for code nested
    too deeply (a line of thousands of `-` or `(`), a MemoryError or RecursionError with no
    text, what happened."""
    line = getattr(error, "lineno", None) or 1
    message = getattr(error, "msg", None) or str(error)
    return line, message or f"nested too deeply for Python's parser ({type(error).__name__})"
