"""The course book: a Jupyter Book assembled from a course's own files, built, checked in a
browser and deployed to GitHub Pages (`python -m book build|check|deploy`).
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "template"
