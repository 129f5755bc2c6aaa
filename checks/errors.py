"""The one hierarchy of expected failures, turned into a one-line message at the CLI boundary,
with every URL credential hidden."""

import re


class TinyReleaseError(Exception):
    """An expected failure: its message is shown to the user as it is, without a traceback."""

    exit_code = 2


class UsageError(TinyReleaseError):
    """The command line asks for something that does not exist (an unknown gate, a bad flag)."""


class CourseError(TinyReleaseError):
    """The course cannot be read at all: no such directory, no modules, an unreadable config."""


class GitError(TinyReleaseError):
    """A git command failed (push rejected, conflict, missing ref)."""

    exit_code = 1


_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/\s:@]*)"
                       r"(?P<password>:[^/\s@]*)?@")


def redact_urls(text: str) -> str:
    """Every URL's password (and a token given as its user) replaced by asterisks:
    `http://me:secret@host/` is shown as `http://me:********@host/`."""
    return _USERINFO.sub(lambda m: m["scheme"] + (f"{m['user']}:********@" if m["password"]
                                                  else "********@"), text)
