"""What the reviewers read from Python code with its own parser: the public names a module
defines (classes, their methods and parameters) and the tests of a module with their words.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from tinyrelease.checks.course import Course, Module

_NOT_CONCEPTS = ("_", "test_", "analyze_")
_BOUNDARY_VALUES = (0, -1, 1e-12, float("inf"))


@dataclass
class ClassDef:
    name: str
    line: int
    methods: dict[str, int] = field(default_factory=dict)    # name -> line
    params: list[str] = field(default_factory=list)          # __init__, without self


@dataclass
class Definitions:
    """The public names a module source defines: the concepts it teaches."""

    classes: dict[str, ClassDef] = field(default_factory=dict)
    functions: dict[str, int] = field(default_factory=dict)

    @property
    def concepts(self) -> int:
        methods = sum(1 for c in self.classes.values() for m in c.methods
                      if not m.startswith("_"))
        return len(self.classes) + len(self.functions) + methods


@dataclass(frozen=True)
class TestFunction:
    path: str
    name: str
    line: int
    docstring: str
    edge_case: bool


def parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None


def read(course: Course, rel: str) -> str:
    try:
        return (course.root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def definitions(tree: ast.Module | None) -> Definitions:
    found = Definitions()
    for node in tree.body if tree else []:
        if isinstance(node, ast.ClassDef) and not node.name.startswith(_NOT_CONCEPTS):
            found.classes[node.name] = _class(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                not node.name.startswith(_NOT_CONCEPTS):
            found.functions[node.name] = node.lineno
    for node in tree.body if tree else []:
        # methods attached after the class: `Tensor.reshape = _tensor_reshape`
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and \
                    target.value.id in found.classes:
                found.classes[target.value.id].methods.setdefault(target.attr, node.lineno)
    return found


def _class(node: ast.ClassDef) -> ClassDef:
    cls = ClassDef(node.name, node.lineno)
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            if item.name == "__init__":
                cls.params = [a.arg for a in item.args.args[1:]]
            elif not item.name.startswith("__") or item.name == "__call__":
                cls.methods[item.name] = item.lineno
    return cls


def module_tests(course: Course, module: Module) -> list[TestFunction]:
    """The module's tests: those of tests/NN_name/ and the test functions of its source."""
    found = []
    for rel in course.files.walk(f"tests/{module.id}", ".py"):
        found += tests_in(read(course, rel), rel)
    if module.source is not None:
        found += [t for t in tests_in(read(course, module.source_path), module.source_path)]
    return found


def tests_in(text: str, rel: str) -> list[TestFunction]:
    tree = parse(text)
    found = []
    for node in ast.walk(tree) if tree else []:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                node.name.startswith("test"):
            found.append(TestFunction(rel, node.name, node.lineno, ast.get_docstring(node) or "",
                                      is_edge_case(node)))
    return found


def is_edge_case(test: ast.AST) -> bool:
    """A test of errors or boundaries: pytest.raises / warns, assertRaises, or a boundary
    value (0, -1, an empty sequence, inf, nan) passed to a call."""
    for node in ast.walk(test):
        if isinstance(node, ast.Attribute) and node.attr in ("raises", "warns", "assertRaises"):
            return True
        if isinstance(node, ast.Call):
            # positional values only: keywords such as axis=0 or seed=0 are settings
            for arg in node.args:
                if _boundary(arg):
                    return True
    return False


def _boundary(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and \
            isinstance(node.operand, ast.Constant) and node.operand.value == 1:
        return True
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool) and \
            isinstance(node.value, int | float) and node.value in _BOUNDARY_VALUES:
        return True
    if isinstance(node, ast.List | ast.Tuple) and not node.elts:
        return True
    if isinstance(node, ast.Constant) and node.value in ("", "inf", "nan", "-inf"):
        return True
    return False


def words(text: str) -> str:
    """A test name or docstring as words (`test_linear_shapes` -> `test linear shapes`)."""
    return re.sub(r"[_\W]+", " ", text)
