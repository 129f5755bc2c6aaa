"""Progress a person can see: on a terminal, a live line per running step with its elapsed
time; everywhere, one line per finished step with its time. Lines never interleave.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from tinyrelease.checks.console import Printer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


class Board:
    """The running steps (live, on a terminal only) and the finished ones (printed)."""

    def __init__(self, console: Printer) -> None:
        self.console = console
        self.lock = threading.Lock()
        self.live: Progress | None = None
        self.tasks: dict[str, tuple[Any, float]] = {}

    def __enter__(self) -> Board:
        if self.console.is_terminal:  # rich is imported only to draw on a terminal
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.live = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=cast("Console", self.console),
                                 transient=True)
            self.live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def start(self, name: str, label: str | None = None) -> None:
        with self.lock:
            task = self.live.add_task(label or name) if self.live is not None else None
            self.tasks[name] = (task, time.perf_counter())

    def elapsed(self, name: str) -> float:
        started = self.tasks.get(name, (None, time.perf_counter()))[1]
        return time.perf_counter() - started

    def finish(self, name: str, line: str, markup: bool = True) -> None:
        """Print a finished step's line (above the live lines) and stop showing it as running."""
        with self.lock:
            task, _ = self.tasks.pop(name, (None, 0.0))
            if task is not None and self.live is not None:
                self.live.remove_task(task)
            self.console.print(line, markup=markup, highlight=False, soft_wrap=True)

    def say(self, line: str, markup: bool = True) -> None:
        with self.lock:
            self.console.print(line, markup=markup, highlight=False, soft_wrap=True)

    @contextmanager
    def step(self, name: str, label: str | None = None) -> Iterator[None]:
        """A step shown live while it runs and as `✓ label (1.2 s)` once done."""
        self.start(name, label)
        failed = True
        try:
            yield
            failed = False
        finally:
            mark = "[red]✗[/]" if failed else "[green]✓[/]"
            self.finish(name, f"{mark} {label or name} [dim]({self.elapsed(name):.1f} s)[/]")
