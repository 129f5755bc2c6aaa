"""Entry point of `python -m checks.assignments`."""

import sys

from checks.assignments.cli import main

sys.exit(main())
