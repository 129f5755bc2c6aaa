"""Entry point of `python -m checks.assignments`."""

import sys

from tinyrelease.checks.assignments.cli import main

sys.exit(main())
