"""The release's names in git: the prefix of the commits a release makes, and the one git
wrapper (checks.git) it shares with every package.
"""

from __future__ import annotations

from tinyrelease.checks.git import OWN_OUTPUT, Git

TOOL_PREFIX = "release: "

__all__ = ["OWN_OUTPUT", "TOOL_PREFIX", "Git"]
