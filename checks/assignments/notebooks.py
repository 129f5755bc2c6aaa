"""A module source as the notebooks of its assignment: the instructor notebook (the source as
written) and nbgrader's source notebook (the release tier applied), each cell tied to the line
of its `# %%` in the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinyrelease.checks.assignments.tiers import Tier, apply_tier, presolved_cells
from tinyrelease.checks.course import Module
from tinyrelease.checks.source import Cell, ModuleSource

# what jupytext writes into a notebook to round-trip it: noise in a notebook students open
JUPYTEXT_KEYS = ("cell_marker", "lines_to_next_cell", "title")


@dataclass(frozen=True)
class AssignmentNotebooks:
    """The notebooks of one module and the source cell behind each notebook cell."""

    module: Module
    instructor: Any  # nbformat.NotebookNode
    release_source: Any  # the notebook nbgrader generates the student version from
    cells: tuple[Cell, ...]

    @property
    def name(self) -> str:
        return f"{Path(self.module.source_path).stem}.ipynb"

    def line_of(self, index: int) -> int | None:
        """The source line of the `# %%` that opens notebook cell `index`."""
        return self.cells[index].line if 0 <= index < len(self.cells) else None


def notebooks(module: Module, text: str, tier: Tier) -> AssignmentNotebooks | None:
    """Both notebooks of `module`, or None when jupytext's cells are not the parser's (then no
    finding could name its cell)."""
    source = module.source
    if source is None:
        return None
    instructor = _notebook(text)
    release = _notebook(apply_tier(text, source, tier))
    if not _same_cells(instructor, source) or len(release.cells) != len(source.cells):
        return None
    for index in presolved_cells(source, tier):
        release.cells[index].metadata["nbgrader"]["solution"] = False  # given code now
    return AssignmentNotebooks(module, instructor, release, tuple(source.cells))


def _notebook(text: str) -> Any:
    import jupytext

    notebook = jupytext.reads(text, fmt="py:percent")
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"c{index:03d}"  # stable ids: rebuilding an unchanged module is diff-free
        for key in JUPYTEXT_KEYS:
            cell.metadata.pop(key, None)
    return notebook


def _same_cells(notebook: Any, source: ModuleSource) -> bool:
    kinds = ["markdown" if c.cell_type == "markdown" else "code" for c in notebook.cells]
    return kinds == [c.kind for c in source.cells]


def write_notebook(notebook: Any, path: Path) -> None:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))  # type: ignore[no-untyped-call]
