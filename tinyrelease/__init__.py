"""tinyrelease, as it is installed: quality gates and release pipelines for TinyTorch-style
courses. Its four packages keep their folders at the top of the repository (`checks/`, `book/`,
`review/`, `release/`, as the layout names them); the links in this folder put them under one
distinct name, so an installed tinyrelease adds only `tinyrelease` to site-packages and every
import reads `tinyrelease.checks`, `tinyrelease.book`, and so on.
"""

from pathlib import Path

IMPORT_ROOT = Path(__file__).resolve().parent.parent
"""The folder that makes `import tinyrelease` work (a checkout's top, or site-packages): what a
child process needs on PYTHONPATH to import this very tinyrelease."""
