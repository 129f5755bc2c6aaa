"""`python -m book`: build, check or deploy a course's book."""

from book.cli import main

raise SystemExit(main())
