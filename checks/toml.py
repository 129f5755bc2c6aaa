"""The one way tinyrelease reads TOML a course wrote: every way tomllib can refuse a file
(bad syntax, nesting deep enough to exhaust the stack, an integer past Python's digit limit)
becomes a `TomlProblem` with the line, never an exception from deep inside tomllib.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

_LINE = re.compile(r"\(at line (\d+)")


@dataclass(frozen=True)
class TomlProblem(Exception):
    """Why a TOML text could not be read, and the line when tomllib names one."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def load_toml(text: str) -> dict[str, Any]:
    """The document, or `TomlProblem("invalid TOML: ...")`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _LINE.search(str(error))
        raise TomlProblem(int(found[1]) if found else None, f"invalid TOML: {error}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise TomlProblem(None, "invalid TOML: arrays or tables nested too deeply") from None
    except ValueError as error:  # a number too long to convert (over 4,300 digits)
        raise TomlProblem(None, f"invalid TOML: a value cannot be read ({error})") from None
