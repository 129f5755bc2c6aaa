"""`python -m checks.assignments.generate ROOT ID...`: nbgrader's own `generate_assignment`
(its converter and preprocessors, through its Python API, with no gradebook database) from
`ROOT/source/ID/` into `ROOT/release/ID/`, one assignment at a time, so one broken module does
not hide the others. Prints one JSON object: per assignment, null or why nbgrader refused it.

It runs as its own process: nbgrader changes the working directory while it converts.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

_CONTENTS = re.compile(r"Cell contents are: \n(?P<source>.*)", re.DOTALL)


class _Errors(logging.Handler):
    """nbgrader logs why it refused a notebook (and the cell) before it raises."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def generate(root: Path, assignment: str) -> dict[str, str] | None:
    """None when nbgrader released the assignment; else its reason and the cell it named."""
    from nbgrader.converters import GenerateAssignment, NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    if (broken := _update(root / "source" / assignment)) is not None:
        return broken
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.assignment_id = assignment
    config.GenerateAssignment.no_database = True  # what `--no-db` sets: no gradebook
    config.SaveCells.enabled = False
    config.BaseConverter.force = True
    converter = GenerateAssignment(coursedir=CourseDirectory(config=config), config=config)
    errors = _Errors()
    converter.log.addHandler(errors)
    converter.log.propagate = False
    try:
        converter.start()
    except NbGraderException:
        return _reason(errors.messages)
    except Exception as error:  # noqa: BLE001 - any refusal of nbgrader is the course's
        return {"error": f"{type(error).__name__}: {error}", "cell": ""}
    return None


def _update(folder: Path) -> dict[str, str] | None:
    """What `nbgrader update` does: cell metadata written without `schema_version` (which the
    courses leave out) upgraded to nbgrader's current schema, else nbgrader refuses it. A cell
    whose metadata still breaks the schema is named here: nbgrader's own error would not."""
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    validator = MetadataValidator()
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(str(path), as_version=4)  # type: ignore[no-untyped-call]
        validator.upgrade_notebook_metadata(notebook)
        nbformat.write(notebook, str(path))  # type: ignore[no-untyped-call]
        for cell in notebook.cells:
            try:
                validator.validate_cell(cell)
            except Exception as error:  # noqa: BLE001 - jsonschema's errors, and nbgrader's
                why = getattr(error, "message", None) or str(error)
                return {"error": f"the cell's nbgrader metadata breaks nbgrader's schema: {why}",
                        "cell": cell.source}
    return None


def _reason(messages: list[str]) -> dict[str, str]:
    """The innermost error of nbgrader's traceback, and the cell its log quoted."""
    cell = next((m[1] for text in messages if (m := _CONTENTS.search(text))), "")
    tracebacks = [t for t in messages if t.startswith("Traceback")]
    last = tracebacks[-1].strip().split("\n")[-1] if tracebacks else ""
    reason = last or next((t for t in messages if "Cell contents" not in t), "nbgrader failed")
    return {"error": reason, "cell": cell}


def skip_iri_grammar() -> None:
    """jsonschema (under nbformat) compiles an IRI grammar at import when rfc3987-syntax is
    installed (jupyter-events requires it): seconds per process, for a string format notebook
    validation never uses. This process does without it."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main() -> None:
    skip_iri_grammar()
    root = Path(sys.argv[1])
    outcome = {assignment: generate(root, assignment) for assignment in sys.argv[2:]}
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
