"""The review's expected failures, in the project's hierarchy so every boundary (the CLI, the
invoke tasks, the release pipelines) prints them as one line without a traceback.
"""

from __future__ import annotations

from tinyrelease.checks.errors import TinyReleaseError


class ReviewError(TinyReleaseError):
    """The review cannot be made or read: a bad config value, an unreadable review.json."""

    exit_code = 2


class NotApproved(TinyReleaseError):
    """A release must not go past its candidate: a reviewer has not approved and no override
    with a reason is committed."""

    exit_code = 1
