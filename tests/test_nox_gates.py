"""`nox -s gates`, the README's main job, for real: the static gates in the gates session, the
execution gates as their own nox sessions run by nox's parallel scheduler, then every gate
from cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from coursebuilder import CourseFactory

REPO = Path(__file__).resolve().parent.parent
NOX = [sys.executable, "-m", "nox"]


def nox_gates(root: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NOX, "-s", "gates", "--", "--course", str(root), "--report-dir",
                           str(out), *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"}, timeout=1800)


def test_nox_gates_schedules_the_execution_gates_and_then_serves_the_cache(
        make_course: CourseFactory, tmp_path: Path) -> None:
    root, out = make_course(), tmp_path / "gates"
    first = nox_gates(root, out)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "pass" and report["partial"] is False
    gates = {g["name"]: g for g in report["gates"]}
    assert gates["testing"]["artifacts"]["tests"] == 4
    assert gates["package"]["artifacts"]["wheel"] == "minicourse-0.1.0-py3-none-any.whl"
    for gate in ("testing", "package", "documentation"):  # each in its own session's folder
        session = json.loads((out / gate / "report.json").read_text(encoding="utf-8"))
        assert session["scope"] == [f"--gate {gate}"]
    log = (out / "sessions.log").read_text(encoding="utf-8")  # nox ran them, in parallel
    assert "Starting session testing..." in log and "* documentation: success" in log
    second = nox_gates(root, out)
    assert second.returncode == 0
    assert second.stdout.count("(from cache, run ") == 6
    again = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [g["findings"] for g in again["gates"]] == [g["findings"] for g in report["gates"]]


def test_a_second_nox_run_in_one_checkout_waits_for_the_first(tmp_path: Path) -> None:
    """Two runs would create the same environments at once; the second says so and waits."""
    import fcntl
    import shutil
    import time

    for rel in ("noxfile.py", "pyproject.toml", "checks/__init__.py",
                "checks/execution/__init__.py", "checks/execution/session.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, tmp_path / rel)
    (tmp_path / ".nox").mkdir()
    with (tmp_path / ".nox" / ".tinyrelease.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a first run holds the checkout
        env = {k: v for k, v in os.environ.items() if k != "TINYRELEASE_NOX_LOCKED"}
        second = subprocess.Popen([*NOX, "-l"], cwd=tmp_path, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(3)
        assert second.poll() is None  # still waiting
        fcntl.flock(held, fcntl.LOCK_UN)
        out, err = second.communicate(timeout=120)
    assert second.returncode == 0 and "gates" in out
    assert "another nox run is using this checkout's environments; waiting for it" in err
