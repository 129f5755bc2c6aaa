"""Where the gates print: rich on a terminal (colour, live lines, tables), plain text anywhere
else (a pipe, a CI log, a file), which costs no import of rich at all.

Both speak the same small language: `print(text)` with rich's console markup (`[bold]`,
`[/]`), which the plain console strips as rich would render it, and `table(...)`.
"""

from __future__ import annotations

import re
import sys
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from rich.console import Console

_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")  # rich's markup tags (rich.markup.RE_TAGS)
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(markup: str) -> str:
    """Text made safe to put into markup (rich.markup.escape, without importing rich)."""
    text = _ESCAPE.sub(lambda m: f"{m[1]}{m[1]}\\{m[2]}", markup) if "[" in markup else markup
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text


def plain(markup: str) -> str:
    """The text rich shows for `markup`: tags dropped, escaped brackets kept."""
    def tag(match: re.Match[str]) -> str:
        whole, escapes = match[1], match[2]
        backslashes, escaped = divmod(len(escapes), 2)
        return "\\" * backslashes + (whole[len(escapes):] if escaped else "")

    return _TAG.sub(tag, markup) if "[" in markup else markup


class Printer(Protocol):
    """What the gates print through: rich's Console, or `PlainConsole`."""

    @property
    def is_terminal(self) -> bool: ...

    def print(self, *objects: Any, **options: Any) -> None: ...


class PlainConsole:
    """Plain lines on a stream (stdout by default), markup stripped; never a terminal."""

    is_terminal = False

    def __init__(self, file: IO[str] | None = None) -> None:
        self._file = file

    def print(self, *objects: Any, markup: bool = True, **_: Any) -> None:
        text = " ".join(str(o) for o in objects)
        self.write((plain(text) if markup else text) + "\n")

    def write(self, text: str) -> None:
        """Text as it is, markup and all (what an earlier plain run printed)."""
        (self._file or sys.stdout).write(text)


def table(console: Printer, title: str, columns: list[tuple[str, str]],
          rows: list[list[str]]) -> None:
    """A table: rich's on a rich console, aligned plain text on a plain one. `columns` are
    (name, "left" | "right"); cells may hold markup."""
    if isinstance(console, PlainConsole):
        cells = [[name for name, _ in columns], *[[plain(c) for c in row] for row in rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
        console.print(title, markup=False)
        for row in cells:
            console.print("  ".join(cell.ljust(w) if how == "left" else cell.rjust(w)
                                    for cell, w, (_, how) in zip(row, widths, columns,
                                                                 strict=True)).rstrip(),
                          markup=False)
        return
    from rich.table import Table

    shown = Table(title=title)
    for name, how in columns:
        shown.add_column(name, justify="left" if how == "left" else "right")
    for row in rows:
        shown.add_row(*row)
    console.print(shown)


def for_output(stream: IO[str] | None = None) -> Printer:
    """rich on a terminal (or when FORCE_COLOR asks for it), plain text otherwise."""
    import os

    out = stream or sys.stdout
    if (hasattr(out, "isatty") and out.isatty()) or os.environ.get("FORCE_COLOR") \
            or os.environ.get("TTY_COMPATIBLE") == "1":
        from rich.console import Console

        console: Console = Console(highlight=False)
        return console
    return PlainConsole(stream)
