"""Run by the testing gate as `python -c` in the course's environment: one documentation
snippet, compiled as `<snippet>` so that the line that raised is the snippet's own.

Standard library only, and nothing of tinyrelease is imported: the course's code runs here.
Arguments: SNIPPET_FILE RESULT_JSON PACKAGE. The result says how the snippet ended: `ok`,
`fragment` (it uses a name it never defines: it continues code shown elsewhere), or `failed`
with the exception's last line and the snippet line of the innermost frame of the snippet.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
import types
from pathlib import Path

ALIASES = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot"}  # the usual short names


def _line(error: BaseException) -> int | None:
    if isinstance(error, SyntaxError) and error.filename == "<snippet>":
        return error.lineno
    line = None
    for frame, number in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == "<snippet>":
            line = number
    return line


def _home_of(name: str, package: str) -> str | None:
    """Where a name the snippet never defined can be imported from: the module that defines
    it, when a loaded module of the course package has it (`Tensor`, `np`), a module of the
    standard library, or a usual short name (`np`); None when nothing has it (`train_data`:
    the snippet continues code shown elsewhere)."""
    for module in list(sys.modules.values()):
        dotted = getattr(module, "__name__", "")
        if (dotted == package or dotted.startswith(package + ".")) and hasattr(module, name):
            value = getattr(module, name)
            if isinstance(value, types.ModuleType):
                return value.__name__
            return str(getattr(value, "__module__", None) or dotted)
    if name in sys.stdlib_module_names:  # `time`, `math`: never a name a reader fills in
        return name
    aliased = ALIASES.get(name)
    try:
        return aliased if aliased and importlib.util.find_spec(aliased.split(".")[0]) else None
    except (ImportError, ValueError):
        return None


def _raised_in(error: BaseException) -> tuple[str, int] | None:
    """The file and line that raised, when that is not the snippet (a module it imported)."""
    frames = list(traceback.walk_tb(error.__traceback__))
    if not frames or frames[-1][0].f_code.co_filename == "<snippet>":
        return None
    return frames[-1][0].f_code.co_filename, frames[-1][1]


def _in_snippet(error: BaseException) -> bool:
    """Whether the snippet's own line raised (not the package, when the snippet called it)."""
    frames = list(traceback.walk_tb(error.__traceback__))
    return bool(frames) and frames[-1][0].f_code.co_filename == "<snippet>"


def _undefined(error: NameError, package: str) -> dict[str, object]:
    """A name the snippet's own line used and nothing defined: a missing import when the name
    can be imported from somewhere, else a fragment that continues code shown elsewhere."""
    said = traceback.format_exception_only(type(error), error)[-1].strip()
    if not error.name or not _in_snippet(error):
        return {"state": "failed", "line": _line(error), "error": said,
                "raised_in": _raised_in(error)}
    home = _home_of(error.name, package)
    if home is None:
        return {"state": "fragment", "name": error.name}
    return {"state": "failed", "line": _line(error),
            "error": f"{said} (it is in {home}: an import is missing)"}


def main() -> None:
    source, result, package = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    sys.argv = [source.name]
    outcome: dict[str, object] = {"state": "ok"}
    try:
        code = compile(source.read_text(encoding="utf-8"), "<snippet>", "exec")
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    except SystemExit as stop:
        if stop.code not in (None, 0):
            outcome = {"state": "failed", "error": f"SystemExit: {stop.code}",
                       "line": _line(stop)}
    except NameError as error:
        traceback.print_exc()
        outcome = _undefined(error, package)
    except BaseException as error:  # noqa: BLE001 - the snippet's failure is what we report
        traceback.print_exc()
        outcome = {"state": "failed", "line": _line(error), "raised_in": _raised_in(error),
                   "error": traceback.format_exception_only(type(error), error)[-1].strip()}
    outcome["loaded"] = _loaded()
    result.write_text(json.dumps(outcome), encoding="utf-8")


def _loaded() -> list[str]:
    """The files of the modules the snippet loaded from the folders on PYTHONPATH (the
    course's): a kept result holds while none of them changes."""
    roots = [os.path.abspath(p) + os.sep for p in os.environ.get("PYTHONPATH", "").split(
        os.pathsep) if p]
    files = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    return sorted(f for f in files if isinstance(f, str)
                  and os.path.abspath(f).startswith(tuple(roots)))


if __name__ == "__main__":
    main()
