"""The implementation gate keeps each notebook run by what it can read: after an edit only the
notebooks whose module or package changed run again, with real nbgrader and kernels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tinyrelease.checks.assignments.validate import CODES, missing_tools
from tinyrelease.checks.course import load_course
from tinyrelease.checks.engine import GateResult, run_gates
from tinyrelease.checks.execution.gates import Execution
from tinyrelease.checks.findings import Finding

pytestmark = pytest.mark.skipif(bool(missing_tools(True)),
                                reason="nbgrader, nbclient or ipykernel is not installed")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "tinycourse"
NOTEBOOKS = [f"{m}/{kind}" for m in ("01_tensor", "02_activations", "03_layers", "04_losses")
             for kind in ("student", "instructor")]


def run(root: Path, work: Path, reuse: bool = True) -> GateResult:
    course = load_course(root)
    execution = Execution(course, "standard", work, cache=work.parent / "cache", reuse=reuse)
    return run_gates(course, ["implementation"], select=sorted(CODES),
                     execution=execution).gates[0]


def seen(gate: GateResult) -> list[Finding]:
    return sorted(gate.findings, key=lambda f: (f.code, f.path or "", f.line or 0, f.message))


def test_an_edit_runs_again_only_the_notebooks_that_can_see_it(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(EXAMPLE, root)
    cold = run(root, tmp_path / "cold", reuse=False)
    assert cold.cached_steps == {} and cold.status == "pass"
    layers = root / "src" / "03_layers" / "03_layers.py"  # an exported cell: 04's package too
    layers.write_text(layers.read_text(encoding="utf-8") + "\n# %%\n#| export\nEXTRA = 1\n",
                      encoding="utf-8")
    edited = run(root, tmp_path / "edited")
    assert list(edited.cached_steps) == NOTEBOOKS[:4]
    assert {cold.ran_at <= when <= edited.ran_at for when in edited.cached_steps.values()} == {
        True}
    assert seen(edited) == seen(cold) and edited.status == "pass"

    def points(gate: GateResult) -> list[tuple[str, object, object]]:
        figures = gate.artifacts["assignments"]["modules"]  # type: ignore[index]
        return [(m, f["points"], f["free"]) for m, f in figures.items()]  # type: ignore[index]

    assert points(edited) == points(cold) and len(points(cold)) == 4
