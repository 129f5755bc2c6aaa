"""Entry point of `python -m checks`."""

import sys

from checks.cli import main

sys.exit(main())
