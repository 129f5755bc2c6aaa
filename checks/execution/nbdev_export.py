"""`python -m checks.execution.nbdev_export`: export a course's percent-format sources into its
package the way TinyTorch's own `tito src export --all` does: each source becomes a notebook
under nbdev's `nbs_path` (`<nbs_path>/<module dir>/<source name>.ipynb`, next to the source
when the sources live there), then nbdev's export writes `lib_path`. Re-runs are diff-free.
"""

from __future__ import annotations

import argparse
import configparser
import posixpath
import re
import shutil
import sys
import tempfile
from pathlib import Path

from tinyrelease.checks.process import run
from tinyrelease.checks.store import open_course


def export(root: Path) -> list[Path]:
    """Export every source that has a `default_exp`; returns the package files written."""
    import jupytext

    settings = configparser.ConfigParser(interpolation=None)
    settings.read(root / "settings.ini", encoding="utf-8")
    values = settings.defaults()
    lib_path = values.get("lib_path", values.get("lib_name", ""))
    if not lib_path:
        raise SystemExit(f"{root / 'settings.ini'}: no lib_path or lib_name to export into")
    nbs_path = posixpath.normpath(values.get("nbs_path", "nbs"))
    course = open_course(root)
    beside = []
    with tempfile.TemporaryDirectory(prefix="tinyrelease-export-") as temp:
        scratch = Path(temp)
        shutil.copy(root / "settings.ini", scratch / "settings.ini")
        for module in course.modules:
            if module.source is None or not module.source.default_exp:
                continue
            notebook = jupytext.read(root / module.source_path, fmt="py:percent")
            for index, cell in enumerate(notebook.cells):
                cell["id"] = f"c{index:02d}"  # stable ids keep re-exports diff-free
            source = Path(module.source_path)
            if module.source_path.startswith(nbs_path + "/"):
                target = scratch / source.with_suffix(".ipynb")  # the sources are the notebooks
                beside.append(target)
            else:
                target = scratch / nbs_path / Path(module.dir).name / f"{source.stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            jupytext.write(notebook, target, fmt="ipynb")
        if (root / lib_path).is_dir():
            shutil.copytree(root / lib_path, scratch / lib_path)
        done = run([sys.executable, "-c", "from nbdev.doclinks import nbdev_export; "
                    "nbdev_export()"], cwd=scratch)
        if not done.ok:
            raise SystemExit(f"nbdev export failed:\n{done.tail()}")
        return _copy_back(scratch / lib_path, root / lib_path, bool(beside))


def _copy_back(exported: Path, package: Path, beside: bool) -> list[Path]:
    """Write the exported files that changed into the course's package. When the notebooks sat
    beside their sources, the headers name the source a learner edits (`.py`), not the
    notebook that existed only during the export."""
    written = []
    for path in sorted(exported.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if beside:
            text = re.sub(r"(\.\./[^\s]*?)\.ipynb", r"\1.py", text)
        target = package / path.relative_to(exported)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m checks.execution.nbdev_export",
                                     description=__doc__)
    parser.add_argument("--course", type=Path, default=Path.cwd())
    args = parser.parse_args()
    written = export(args.course.resolve())
    print(f"exported {len(written)} changed file(s)" + "".join(f"\n  {p}" for p in written))


if __name__ == "__main__":
    main()
