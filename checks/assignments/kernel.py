"""`python -m checks.assignments.kernel JOB.json`: run notebooks cell by cell, each in a fresh
kernel of this interpreter (nbclient, ipykernel), errors allowed, within a time limit per
notebook, several at once; write what every code cell raised. The course's code runs here, in
a process the gate started through `checks.process.run`, so without the maintainer's secrets.

JOB: {"timeout": seconds, "jobs": N, "runs": [{"notebook", "cwd", "pythonpath", "out"}]}.
OUT: {"cells": [{"index", "error": null | {"ename", "evalue", "line"}}], "stopped": null |
{"index", "why"}, "started": bool, "seconds": wall time}.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tinyrelease.checks.assignments.generate import skip_iri_grammar

KERNEL = "tinyrelease-python"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FRAME = re.compile(r"(?:Cell In\s*\[(\d+)\]|<ipython-input-(\d+)-[0-9a-f]+>),\s*line (\d+)")


def kernel_spec(folder: Path) -> None:
    """A kernel spec for this very interpreter, found first through JUPYTER_PATH: a `python3`
    spec installed elsewhere would run another Python without the course's packages."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        # without IPython's history database: nobody reads it, and it halves a kernel's start
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--HistoryManager.enabled=False"],
        "display_name": "tinyrelease", "language": "python"}), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = str(folder)


async def run_notebook(run: dict[str, str], timeout: float) -> dict[str, Any]:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    notebook = nbformat.read(run["notebook"], as_version=4)  # type: ignore[no-untyped-call]
    # a kernel on a busy 2-core machine (two notebooks at once) can take over nbclient's
    # default 60 s to answer; a slow start is not the course's fault
    client = NotebookClient(notebook, kernel_name=KERNEL, allow_errors=True, timeout=timeout,
                            startup_timeout=300, resources={"metadata": {"path": run["cwd"]}})
    env = {**os.environ, "PYTHONPATH": run["pythonpath"], "MPLBACKEND": "Agg"}
    outcome: dict[str, Any] = {"cells": [], "stopped": None, "started": False}
    started = time.monotonic()
    deadline = started + timeout
    try:
        async with client.async_setup_kernel(env=env):
            outcome["started"] = True
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                left = deadline - time.monotonic()
                try:
                    if left <= 0:
                        raise CellTimeoutError("no time left")
                    client.timeout = max(1, int(left))
                    await client.async_execute_cell(cell, index)
                except CellTimeoutError:
                    outcome["stopped"] = {"index": index, "why": f"timed out after {timeout:g} s"}
                    break
                except DeadKernelError:
                    outcome["stopped"] = {"index": index, "why": "the kernel died"}
                    break
                outcome["cells"].append({"index": index, "error": _error(cell)})
    except Exception as error:  # noqa: BLE001 - a kernel that cannot start is reported
        if outcome["stopped"] is None:
            why = "the kernel did not start: " if not outcome["started"] else ""
            outcome["stopped"] = {"index": None, "why": f"{why}{type(error).__name__}: {error}"}
    outcome["seconds"] = round(time.monotonic() - started, 2)
    return outcome


def _error(cell: Any) -> dict[str, Any] | None:
    error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
    if error is None:
        return None
    count, line = str(cell.get("execution_count")), None
    for text in error.get("traceback", []):
        frame = next((f for f in _FRAME.finditer(_ANSI.sub("", text))
                      if (f[1] or f[2]) == count), None)
        if frame is not None:
            line = int(frame[3])
            break
    return {"ename": error.get("ename", ""), "evalue": str(error.get("evalue", ""))[:500],
            "line": line}


async def run_all(job: dict[str, Any]) -> None:
    limit = asyncio.Semaphore(max(1, int(job.get("jobs", 1))))

    async def one(run: dict[str, str]) -> None:
        async with limit:
            outcome = await run_notebook(run, float(job["timeout"]))
        Path(run["out"]).write_text(json.dumps(outcome), encoding="utf-8")

    await asyncio.gather(*(one(run) for run in job["runs"]))


def main() -> None:
    skip_iri_grammar()
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="tinyrelease-kernel-") as folder:
        kernel_spec(Path(folder))
        asyncio.run(run_all(job))


if __name__ == "__main__":
    main()
