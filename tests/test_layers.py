"""The packages stand in layers, low to high: checks < book, review < release (< tasks.py and
the noxfile); no file imports one of a higher or sibling layer, and no two files import each
other in a circle, counting imports inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYERS = {"checks": 0, "book": 1, "review": 1, "release": 2}


def modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(("tinyrelease", *path.relative_to(REPO).with_suffix("").parts))
            found[name.removesuffix(".__init__")] = path
    return found


def imports() -> dict[str, set[str]]:
    """Every module each module imports, wherever the import statement stands."""
    known = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    return edges


def test_no_package_imports_a_higher_or_sibling_layer() -> None:
    wrong = sorted((a, b) for a, targets in imports().items() for b in targets
                   if a.split(".")[1] != b.split(".")[1]
                   and LAYERS[b.split(".")[1]] >= LAYERS[a.split(".")[1]])
    assert wrong == []


def test_no_import_cycles() -> None:
    edges = imports()
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in modules():
        if name not in index:
            visit(name)
    assert cycles == [], cycles
