"""The one hierarchy of expected failures, turned into a one-line message at the CLI boundary."""


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
