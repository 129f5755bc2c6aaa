"""`python -m checks.execution.nbdev_export`: export a course's percent-format sources into its
package the way TinyTorch's own `tito src export --all` does: each source becomes a notebook
under nbdev's `nbs_path` (`<nbs_path>/<module dir>/<source name>.ipynb`, next to the source
when the sources live there), then nbdev's export writes `lib_path`. Re-runs are diff-free.

With `--cache-dir`, each source's notebook is kept by the source's bytes, and each notebook's
package file by the notebook's text and nbdev's settings, so an edit converts and exports the
edited module only; nbdev's own steps over the whole package (`__init__.py`, `_modidx.py`)
always run. A notebook that writes anything but its own `default_exp` file is never cached.
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import os
import posixpath
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from tinyrelease.checks.cache import keep_entry, read_json_object
from tinyrelease.checks.store import open_course

# the tools whose versions decide a notebook's text (jupytext) and a module's (nbdev)
CONVERTERS = ("jupytext", "nbformat")
EXPORTERS = ("nbdev", "fastcore", "execnb", "black")
OPTIONAL_IMPORTS = ("jupyter_server", "notebook", "rfc3987_syntax")


class ExportCache:
    """`<folder>/export/<kind>/<key>.json`: JSON only, written atomically, pruned; with
    `reuse` False nothing is loaded (a fresh export) but what it makes is kept."""

    def __init__(self, folder: Path | None, reuse: bool = True) -> None:
        self.folder = folder / "export" if folder is not None else None
        self.reuse = reuse
        self.hits = self.misses = 0

    def key(self, *parts: str | bytes) -> str:
        digest = hashlib.sha256(Path(__file__).read_bytes())
        for part in parts:
            data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
            digest.update(hashlib.sha256(data).digest())
        return digest.hexdigest()

    def load(self, kind: str, key: str) -> dict[str, Any] | None:
        found = read_json_object(self.folder / kind / f"{key}.json") if (
            self.folder is not None and self.reuse) else None
        self.hits += found is not None
        self.misses += found is None
        return found

    def store(self, kind: str, key: str, entry: dict[str, Any]) -> None:
        if self.folder is not None:
            keep_entry(self.folder / kind / f"{key}.json", entry)


def versions(names: tuple[str, ...]) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return ";".join(found)


def export(root: Path, cache: ExportCache | None = None) -> list[Path]:
    """Export every source that has a `default_exp`; returns the package files written."""
    cache = cache or ExportCache(None)
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
            source = Path(module.source_path)
            if module.source_path.startswith(nbs_path + "/"):
                target = scratch / source.with_suffix(".ipynb")  # the sources are the notebooks
                beside.append(target)
            else:
                target = scratch / nbs_path / Path(module.dir).name / f"{source.stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_notebook(root / module.source_path, cache).encode("utf-8"))
        if (root / lib_path).is_dir():
            shutil.copytree(root / lib_path, scratch / lib_path)
        with _inside(scratch):
            try:
                _nbdev_export(scratch, cache)
            except Exception as error:  # noqa: BLE001 - nbdev's failure, told in one line
                raise SystemExit(f"nbdev export failed: {type(error).__name__}: {error}") from None
        return _copy_back(scratch / lib_path, root / lib_path, bool(beside))


def _notebook(source: Path, cache: ExportCache) -> str:
    """The notebook jupytext makes of a percent-format source, kept by the source's bytes."""
    data = source.read_bytes()
    key = cache.key("notebook", versions(CONVERTERS), data)
    found = cache.load("notebooks", key)
    if found is not None and isinstance(found.get("ipynb"), str):
        return str(found["ipynb"])
    import jupytext

    notebook = jupytext.read(source, fmt="py:percent")
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"c{index:02d}"  # stable ids keep re-exports diff-free
    with tempfile.TemporaryDirectory(prefix="tinyrelease-notebook-") as temp:
        written = Path(temp) / "notebook.ipynb"
        jupytext.write(notebook, written, fmt="ipynb")
        text = written.read_bytes().decode("utf-8")
    cache.store("notebooks", key, {"ipynb": text})
    return text


@contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """nbdev finds its settings from the working folder, as its command line does."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def _nbdev_export(scratch: Path, cache: ExportCache) -> None:
    """nbdev's own `nbdev_export`, step by step: each notebook exported in nbdev's order (a
    kept one by writing the file it wrote), then nbdev's whole-package steps."""
    if os.environ.get("IN_TEST"):
        return  # nbdev's own export does nothing under its test flag
    import nbdev.export
    from nbdev.config import _xdg_config_paths, add_init, get_config, is_nbdev
    from nbdev.doclinks import _build_modidx, nbglob

    if not is_nbdev():
        raise SystemExit("nbdev export failed: no settings.ini for nbdev")
    lib = Path(get_config().lib_path)
    setting = b"".join(p.read_bytes() for p in [scratch / "settings.ini",
                                                 *_xdg_config_paths("settings.ini")]
                       if p.is_file())
    procs = [nbdev.export.black_format]
    for notebook in nbglob(as_path=True).sorted("name"):
        rel = notebook.resolve().relative_to(scratch.resolve()).as_posix()
        key = cache.key("module", versions(EXPORTERS), setting, rel, notebook.read_bytes())
        found = cache.load("modules", key)
        if found is not None and _replay(found, lib):
            continue
        made = _Recorder.run(notebook, procs, nbdev.export.nb_export)
        if made == []:
            cache.store("modules", key, {"file": None})
        elif len(made) == 1 and made[0][1] and made[0][0].resolve().is_relative_to(lib.resolve()):
            written = made[0][0]
            cache.store("modules", key, {"file": written.resolve().relative_to(
                lib.resolve()).as_posix(), "text": written.read_bytes().decode("utf-8")})
    add_init(get_config().lib_path)
    _build_modidx()


def _replay(entry: dict[str, Any], lib: Path) -> bool:
    """Write the one file a kept notebook wrote; False when the entry is not one we made."""
    rel, text = entry.get("file"), entry.get("text")
    if rel is None:
        return True
    if not isinstance(rel, str) or not isinstance(text, str) or ".." in rel.split("/") \
            or rel.startswith("/"):
        return False
    target = lib / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8"))
    return True


class _Recorder:
    """Which module files one notebook's export made, and whether each was a new file (nbdev
    writes its `default_exp` anew and appends its other `#| export` targets)."""

    @staticmethod
    def run(notebook: Path, procs: list[Callable[..., Any]],
            nb_export: Callable[..., Any]) -> list[tuple[Path, bool]]:
        from nbdev.maker import ModuleMaker

        made: list[tuple[Path, bool]] = []

        class Recording(ModuleMaker):  # type: ignore[misc]
            def make(self, cells: Any, all_cells: Any = None, lib_path: Any = None) -> Any:
                made.append((Path(self.fname), bool(self.is_new)))
                return super().make(cells, all_cells, lib_path)

        nb_export(notebook, procs=procs, mod_maker=Recording)
        return made


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


def _without_optional_imports() -> None:
    """In this process only: jupytext's contents manager for Jupyter's server and jsonschema's
    IRI format checker, both optional to them and unused by a conversion, cost a changed
    module's export about 4 s of imports (a grammar built at import time)."""
    for name in OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # a blocked import


def main() -> None:
    _without_optional_imports()
    parser = argparse.ArgumentParser(prog="python -m checks.execution.nbdev_export",
                                     description=__doc__)
    parser.add_argument("--course", type=Path, default=Path.cwd())
    parser.add_argument("--cache-dir", type=Path, help="keep notebooks and module files here")
    parser.add_argument("--fresh", action="store_true", help="with --cache-dir: use nothing "
                        "kept there, only keep what this export makes")
    args = parser.parse_args()
    cache = ExportCache(args.cache_dir, not args.fresh)
    written = export(args.course.resolve(), cache)
    print(f"exported {len(written)} changed file(s)" + "".join(f"\n  {p}" for p in written))
    if args.cache_dir is not None:
        print(f"kept from earlier exports: {cache.hits} of {cache.hits + cache.misses} steps")


if __name__ == "__main__":
    main()
