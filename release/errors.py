"""The release pipelines' expected failures: each message is one line naming the fix.

They extend the project's hierarchy so the task boundary prints them without a traceback.
"""

from __future__ import annotations

from tinyrelease.checks import errors as checks_errors
from tinyrelease.checks.errors import TinyReleaseError


class ReleaseError(TinyReleaseError):
    """A release cannot go on: the message says what is wrong and the command that fixes it."""

    exit_code = 1


class Refused(ReleaseError):
    """A precondition does not hold (dirty tree, wrong branch, existing tag, failing gates)."""


class GitError(ReleaseError, checks_errors.GitError):
    """A git step of a release failed (a merge or cherry-pick conflict)."""


class IndexRefused(ReleaseError):
    """The package index refused or cannot be reached; a differing file there is a hard stop."""


class Interrupted(ReleaseError):
    """Raised by a fault hook in tests, to stop a pipeline between two steps."""
