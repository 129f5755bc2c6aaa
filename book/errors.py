"""The book's expected failures, in the project's one hierarchy: shown as one line, never a
traceback, by the CLI and the invoke tasks.
"""

from __future__ import annotations

from tinyrelease.checks.errors import TinyReleaseError


class BookError(TinyReleaseError):
    """The book cannot be assembled or built (no course, a broken own book, Sphinx failed)."""

    exit_code = 1


class DeployRefused(TinyReleaseError):
    """Publishing would put out a book that should not go out (dirty tree, failed gates)."""

    exit_code = 1


class DeployFailed(TinyReleaseError):
    """ghp-import or git did not move the remote branch to the new site."""

    exit_code = 1
