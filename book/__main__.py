"""`python -m book`: build, check or deploy a course's book."""

from tinyrelease.book.cli import main

raise SystemExit(main())
