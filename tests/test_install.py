"""Installed, tinyrelease adds one name to site-packages: `tinyrelease`. Its packages keep
their folders at the top of the checkout, and `python -m checks` keeps working there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def checkout_copy(target: Path) -> Path:
    """The files git would commit from this checkout (links kept as links), away from it, so
    building a wheel leaves no build folder in the checkout."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        source, copy = REPO / name, target / name
        if not source.is_symlink() and not source.exists():
            continue  # deleted in the work tree, not yet in the index
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)
    return target


def test_the_wheel_installs_one_top_level_name_and_runs(tmp_path: Path) -> None:
    source = checkout_copy(tmp_path / "src")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(tmp_path / "dist"), str(source)], check=True, capture_output=True)
    wheel, = (tmp_path / "dist").glob("tinyrelease-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    info = wheel.name.split("-py3")[0] + ".dist-info"
    assert {name.split("/")[0] for name in names} == {"tinyrelease", info}
    tracked = subprocess.run(["git", "ls-files", "checks", "book", "review", "release"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert len(tracked) > 100
    assert [name for name in tracked if f"tinyrelease/{name}" not in names] == []  # data too
    entry_points = tmp_path / "site" / info / "entry_points.txt"
    assert "tinyrelease = tinyrelease.checks.cli:main" in entry_points.read_text()
    assert "documentation = tinyrelease.book.gate:execute_documentation" in \
        entry_points.read_text()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    listed = subprocess.run([sys.executable, "-m", "tinyrelease.checks", "--list-checks"],
                            cwd=elsewhere, env=environment, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert "IMP101" in listed.stdout
    profile = subprocess.run([sys.executable, "-c", "from tinyrelease.checks.conventions import "
                              "profile_data; print(sorted(profile_data('tinytorch-2026')))"],
                             cwd=elsewhere, env=environment, capture_output=True, text=True)
    assert profile.returncode == 0, profile.stderr  # the profiles are package data
    where = subprocess.run([sys.executable, "-c", "import tinyrelease.checks as c, importlib.util "
                            "as u; print(c.__file__); print(u.find_spec('checks'))"],
                           cwd=elsewhere, env=environment, capture_output=True, text=True)
    assert where.stdout.split() == [str(tmp_path / "site" / "tinyrelease" / "checks" /
                                         "__init__.py"), "None"]


def test_python_m_checks_still_works_in_the_checkout() -> None:
    shown = subprocess.run([sys.executable, "-m", "checks", "--explain", "IMP101"], cwd=REPO,
                           capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "IMP101" in shown.stdout
