"""The book's build time on a course (default: the example course): cold, with nothing changed,
and with one chapter changed. `python -m book.bench [COURSE]` prints the numbers.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from tinyrelease.book.build import build_book
from tinyrelease.book.cli import course_root
from tinyrelease.checks.course import load_course


def _timed(root: Path, out: Path) -> float:
    started = time.perf_counter()
    result = build_book(load_course(root), out, out / "no-report.json")
    if result.status != 0:
        raise SystemExit(f"the book did not build: {len(result.warnings)} warnings")
    return time.perf_counter() - started


def main() -> None:
    source = course_root(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    with tempfile.TemporaryDirectory(prefix="book-bench-") as temp:
        root, out = Path(temp) / "course", Path(temp) / "out"
        shutil.copytree(source, root)  # the edit below must not touch the real course
        cold = _timed(root, out)
        unchanged = _timed(root, out)
        about = load_course(root).modules[-1].about_path
        page = root / about
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n",
                        encoding="utf-8")
        one = _timed(root, out)
    print(f"book build of {source}: cold {cold:.2f} s, nothing changed {unchanged:.2f} s, "
          f"one chapter changed ({about}) {one:.2f} s")


if __name__ == "__main__":
    main()
