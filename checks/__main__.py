"""Entry point of `python -m checks`."""

import sys

from tinyrelease.checks.cli import main

sys.exit(main())
