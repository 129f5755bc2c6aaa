"""The layers of tinyrelease by their imports: no cycle between any two files (an import inside a
function or under TYPE_CHECKING counts), and nothing in checks, book or review imports release.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("checks", "book", "review", "release")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours that `name` imports anywhere in its file."""
    wanted: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wanted += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            wanted += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    found = set()
    for target in wanted:
        while target and target not in known:
            target = target.rpartition(".")[0]
        found.add(target)
    return found - {name, ""}


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph, as the modules along it; empty when there is none."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        trail.append(node)
        for after in sorted(graph[node]):
            if state.get(after) == 1:
                return trail[trail.index(after):] + [after]
            if after not in state and (found := visit(after)):
                return found
        state[node] = 2
        trail.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_file_imports_itself_through_others() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    assert " -> ".join(cycle(graph)) == ""


def test_checks_book_and_review_never_import_release() -> None:
    known = modules()
    upward = sorted(f"{name} -> {target}" for name, path in known.items()
                    if not name.startswith("release")
                    for target in imports(name, path, known) if target.startswith("release"))
    assert upward == []
