"""The package a module's notebooks run with: the modules before it, and nothing reached through
a link out of the course (neither copied nor written)."""

from __future__ import annotations

from pathlib import Path

from coursebuilder import CourseFactory

from tinyrelease.checks.assignments.journey import package_before
from tinyrelease.checks.course import load_course


def test_links_in_the_package_are_neither_copied_nor_emptied(make_course: CourseFactory,
                                                             tmp_path: Path) -> None:
    root = make_course()
    course = load_course(root)
    assert course.package is not None
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("TOKEN = 'kept'\n", encoding="utf-8")
    package = root / course.package.dir
    (package / "leak.py").symlink_to(outside / "secret.py")
    (package / "sub").mkdir()
    (package / "sub" / "__init__.py").symlink_to(outside / "secret.py")
    (package / "linked").symlink_to(outside, target_is_directory=True)
    first, last = course.modules[0], course.modules[-1]

    made = package_before(course, root, last, tmp_path / "before") / course.package.name
    files = sorted(p.relative_to(made).as_posix() for p in made.rglob("*") if p.is_file())
    assert "leak.py" not in files and "sub/__init__.py" not in files
    assert not any(f.startswith("linked") for f in files) and "__init__.py" in files
    assert (outside / "secret.py").read_text(encoding="utf-8") == "TOKEN = 'kept'\n"
    # the modules before the last are there, the last's own file is not
    assert first.exports and last.exports
    assert f"{first.exports.replace('.', '/')}.py" in files
    assert f"{last.exports.replace('.', '/')}.py" not in files
