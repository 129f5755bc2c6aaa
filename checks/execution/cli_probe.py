"""Run by the testing gate as `python -c` in the course's environment: parse documented command
lines with a console script's own argparse parser, and stop before the command's body runs.

Standard library only, and nothing of tinyrelease is imported: the course's code runs here.
The entry point is imported once, then each command line runs in a forked child whose
argparse is patched: when the outermost parse returns (or argparse exits with its usage
message) the child ends with `os._exit`, so no command ever does its work.
Arguments: ENTRY_POINT SCRIPT COMMANDS_JSON RESULTS_JSON TIMEOUT_S.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

PROBE = "--tinyrelease-probe-no-such-option"  # what no parser accepts: argparse-based or not


class _State:
    depth = 0
    entered = False
    status_fd = -1


def _finish(state: str, code: int, **more: object) -> NoReturn:
    record = {"state": state, "code": code, "entered": _State.entered, **more}
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os.write(_State.status_fd, json.dumps(record).encode())
    os._exit(code)


def _outermost(original: Callable[..., Any]) -> Callable[..., Any]:
    """The parse methods: the first call to any of them is the outermost parse (subparsers
    and `parse_args` call `parse_known_args` again inside it); when it returns, the command
    line parsed, and the child ends before the program acts on it."""

    def parse(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        if _State.depth:
            return original(self, *args, **kwargs)
        _State.depth, _State.entered = 1, True
        original(self, *args, **kwargs)
        _finish("parsed", 0)

    return parse


def _exit(self: argparse.ArgumentParser, status: int = 0, message: str | None = None) -> None:
    """argparse's own exit (an error after its usage line, `--help`, `--version`): inside a
    parse it ends the child, so no `except SystemExit` of the program can carry on."""
    if message:
        sys.stderr.write(message)
    if _State.depth:
        _finish("exit", status)
    sys.exit(status)


def _patch() -> None:
    parser = argparse.ArgumentParser
    for name in ("parse_args", "parse_known_args", "parse_intermixed_args",
                 "parse_known_intermixed_args"):
        setattr(parser, name, _outermost(getattr(parser, name)))
    parser.exit = _exit  # type: ignore[method-assign,assignment]


def _load(spec: str) -> Callable[[], object]:
    module, _, attribute = spec.partition(":")
    target: Any = importlib.import_module(module.strip())
    for part in attribute.split("[")[0].strip().split("."):
        if part:
            target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def _child(target: Callable[[], object], script: str, argv: list[str], log: Path,
           status_fd: int) -> NoReturn:
    os.setpgid(0, 0)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    _State.status_fd = status_fd
    sys.argv = [script, *argv]
    try:
        target()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        _finish("exit" if _State.depth else "unparsed", code)
    except BaseException as error:  # noqa: BLE001 - the program's own failure is reported
        traceback.print_exc()
        said = traceback.format_exception_only(type(error), error)[-1].strip()
        _finish("crashed", 1, error=said)
    _finish("unparsed", 0)


@dataclass
class _Running:
    """A forked child parsing one command line: its status arrives on `status` as it ends."""

    index: int
    pid: int
    status: int
    log: Path
    deadline: float


def _start(target: Callable[[], object], script: str, argv: list[str], folder: Path,
           index: int, timeout: float) -> _Running:
    log = folder / f"command-{index}.log"
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(target, script, argv, log, write_end)
    try:
        os.setpgid(pid, pid)  # as the child does: whichever runs first
    except OSError:
        pass
    os.close(write_end)
    return _Running(index, pid, read_end, log, time.monotonic() + timeout)


def _collect(child: _Running, timed_out: bool) -> dict[str, object]:
    """The child's record; it is waited for without being reaped first, so that its group
    (whatever the command started) is killed while its id still names it."""
    lingering = time.monotonic() + 1.0
    while not timed_out and os.waitid(os.P_PID, child.pid,
                                      os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() > lingering:  # the status came but the child goes on: killed
            break
        time.sleep(0.001)
    _kill(child.pid)
    os.waitpid(child.pid, 0)
    os.set_blocking(child.status, False)
    try:
        said = os.read(child.status, 1 << 16)
    except BlockingIOError:
        said = b""
    os.close(child.status)
    record: dict[str, object] = {"state": "timeout", "code": -9}
    if not timed_out:
        record = json.loads(said) if said else {"state": "killed", "code": -1}
    record["output"] = _tail(child.log)
    return record


def _parse_all(target: Callable[[], object], script: str, argvs: list[list[str]],
               folder: Path, timeout: float, jobs: int, first: int = 0
               ) -> list[dict[str, object]]:
    """Each command line in its own child, `jobs` of them at a time."""
    records: list[dict[str, object]] = [{} for _ in argvs]
    waiting = list(enumerate(argvs))
    running: dict[int, _Running] = {}
    while waiting or running:
        while waiting and len(running) < jobs:
            index, argv = waiting.pop(0)
            child = _start(target, script, argv, folder, first + index, timeout)
            running[child.status] = child
        nearest = min(child.deadline for child in running.values())
        ready, _, _ = select.select(list(running), [], [], max(0.0, nearest - time.monotonic()))
        now = time.monotonic()
        for fd, child in list(running.items()):
            if fd in ready or child.deadline <= now:
                records[child.index - first] = _collect(child, fd not in ready)
                del running[fd]
    return records


def _kill(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _tail(log: Path, lines: int = 40) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().split("\n")[-lines:])


def main() -> None:
    spec, script, commands, results, timeout = sys.argv[1:6]
    argvs: list[list[str]] = json.loads(Path(commands).read_text(encoding="utf-8"))
    folder = Path(results).parent
    sys.argv = [script]
    try:
        target = _load(spec)
    except BaseException as error:  # noqa: BLE001 - a script that cannot load is reported
        said = traceback.format_exception_only(type(error), error)[-1].strip()
        Path(results).write_text(json.dumps({"import": said}), encoding="utf-8")
        return
    _patch()
    [probe] = _parse_all(target, script, [[PROBE]], folder, float(timeout), 1)
    jobs = max(1, min(4, os.cpu_count() or 1))
    done = _parse_all(target, script, argvs, folder, float(timeout), jobs, first=1) \
        if probe.get("entered") else []
    Path(results).write_text(json.dumps({"probe": probe, "commands": done}), encoding="utf-8")


if __name__ == "__main__":
    main()
