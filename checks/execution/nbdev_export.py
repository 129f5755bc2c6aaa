"""`python -m checks.execution.nbdev_export`: export a course's percent-format sources into its
package the way TinyTorch does (jupytext to notebooks, then nbdev's export), diff-free on re-runs.
"""

from __future__ import annotations

import argparse
import configparser
import re
import shutil
import sys
import tempfile
from pathlib import Path

from checks.course import load_course
from checks.execution.workspace import run


def export(root: Path) -> list[Path]:
    """Export every source that has a `default_exp`; returns the package files written."""
    import jupytext

    settings = configparser.ConfigParser(interpolation=None)
    settings.read(root / "settings.ini", encoding="utf-8")
    lib_path = settings.defaults().get("lib_path", settings.defaults().get("lib_name", ""))
    if not lib_path:
        raise SystemExit(f"{root / 'settings.ini'}: no lib_path or lib_name to export into")
    course = load_course(root)
    with tempfile.TemporaryDirectory(prefix="tinyrelease-export-") as temp:
        scratch = Path(temp)
        shutil.copy(root / "settings.ini", scratch / "settings.ini")
        for module in course.modules:
            if module.source is None or not module.source.default_exp:
                continue
            notebook = jupytext.read(root / module.source_path, fmt="py:percent")
            for index, cell in enumerate(notebook.cells):
                cell["id"] = f"c{index:02d}"  # stable ids keep re-exports diff-free
            target = (scratch / module.source_path).with_suffix(".ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            jupytext.write(notebook, target, fmt="ipynb")
        if (root / lib_path).is_dir():
            shutil.copytree(root / lib_path, scratch / lib_path)
        done = run([sys.executable, "-c", "from nbdev.doclinks import nbdev_export; "
                    "nbdev_export()"], cwd=scratch)
        if not done.ok:
            raise SystemExit(f"nbdev export failed:\n{done.tail()}")
        return _copy_back(scratch / lib_path, root / lib_path)


def _copy_back(exported: Path, package: Path) -> list[Path]:
    written = []
    for path in sorted(exported.rglob("*.py")):
        text = re.sub(r"(\.\./[^\s]*?)\.ipynb", r"\1.py", path.read_text(encoding="utf-8"))
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
