"""`nox -s bench`: time the static checks of all six gates on a synthetic course of TinyTorch's
size (20 modules, about 35,000 source lines, 200 test files) generated in a temp dir.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tinyrelease.checks.bench_static import bench_side_by_side
from tinyrelease.checks.cache import ParseCache
from tinyrelease.checks.course import Course, load_course
from tinyrelease.checks.engine import run_gates

MODULES = 20
PACKAGE = "benchtorch"


def _source(number: int, name: str, blocks: int) -> str:
    parts = ["# ---\n# jupyter:\n#   jupytext:\n#     text_representation:\n"
             "#       extension: .py\n#       format_name: percent\n#       format_version: '1.3'\n"
             "#       jupytext_version: 1.19.6\n#   kernelspec:\n#     display_name: Python 3\n"
             "#     language: python\n#     name: python3\n# ---\n",
             f'# %% [markdown]\n"""\n# Module {number:02d}: {name.title()}\n\n'
             f"Code exports to `{PACKAGE}.core.{name}`.\n\n## Learning Objectives\n\n"
             + "".join(f"- Objective {i} of {name}: build and measure part {i}\n"
                       for i in range(5)) + '"""\n',
             f"# %%\n#| default_exp core.{name}\nimport math\n"]
    for block in range(blocks):
        body = "".join(f"    total = total + math.sqrt({i} + value)  # step {i}\n"
                       for i in range(40))
        parts.append(
            f'# %% [markdown]\n"""\n## Part {block}\n\nWe build part {block} of {name}, '
            f'explain its cost in memory and time, and test it.\n"""\n'
            f'# %% nbgrader={{"grade": false, "grade_id": "{name}-{block}", "locked": false, '
            f'"schema_version": 3, "solution": true}}\n#| export\n'
            f'def part_{block}(value):\n    """Part {block}."""\n    total = 0.0\n'
            f"    ### BEGIN SOLUTION\n{body}    ### END SOLUTION\n    return total\n\n"
            f'# %% nbgrader={{"grade": true, "grade_id": "test-{name}-{block}", "locked": true, '
            f'"points": 2, "schema_version": 3, "solution": false}}\n'
            f'def test_unit_part_{block}():\n    """🔬 part {block} is positive."""\n'
            f"    assert part_{block}(1.0) > 0\n\n"
            f'if __name__ == "__main__":\n    test_unit_part_{block}()\n\n')
    parts.append(
        '# %% [markdown]\n"""\n## Systems Analysis: Memory\n\nEach part keeps one float, so the '
        "memory is constant in the input size and linear in the batch.\n\n## Performance\n\n"
        "Each call runs forty square roots; the cost is linear in the number of parts we call."
        "\n\n## Production Context\n\nReal frameworks vectorise these loops into one kernel "
        'call over the whole batch at once.\n"""\n'
        f'# %%\ndef analyze_{name}():\n    """📊 Time part 0."""\n    part_0(1.0)\n\n'
        f'if __name__ == "__main__":\n    analyze_{name}()\n\n'
        f'# %%\ndef test_module():\n    """🧪 All parts together."""\n'
        + "".join(f"    test_unit_part_{b}()\n" for b in range(blocks))
        + '\nif __name__ == "__main__":\n    test_module()\n\n'
        '# %% [markdown]\n"""\n## Reflection Questions\n\n1. What would you vectorise first?\n\n'
        '## Module Summary\n\nYou built and measured every part.\n"""\n')
    return "".join(parts)


def _about(number: int, name: str, last: bool) -> str:
    prereqs = f'["{number - 1:02d}_m{number - 1:02d}"]' if number > 1 else "[]"
    nexts = "[]" if last else f'["{number + 1:02d}_m{number + 1:02d}"]'
    objectives = "".join(f'  - "Objective {i} of {name}: build and measure part {i}"\n'
                         for i in range(5))
    filler = "".join(f"Paragraph {i} explains the design of {name} in plain words.\n\n"
                     for i in range(200))
    return (f'---\ntitle: "{name.title()}"\ndescription: "Module {number}."\n'
            f'difficulty: "⭐⭐"\ntime_estimate: "4-6 hours"\nprerequisites: {prereqs}\n'
            f"next_steps: {nexts}\nlearning_objectives:\n{objectives}---\n\n"
            f"# {number:02d}. {name.title()}\n\n**FOUNDATION TIER** | Difficulty: ⭐⭐ (2/4) | "
            "Time: 4-6 hours\n\n## Overview\n\n" + filler
            + "## Learning Objectives\n\n## Build → Use → Reflect\n\n## Implementation Guide\n\n"
            "## Getting Started\n\n## Testing\n\n## Systems Thinking Questions\n\n"
            "## Ready to Build?\n")


def generate(root: Path, modules: int = MODULES, blocks: int = 26) -> int:
    """Write the synthetic course; returns the number of module source lines written."""
    lines = 0
    path_lines = ["# Learning Path\n", f"**Total Time**: {4 * modules}-{6 * modules} hours\n",
                  f"## Phase 1: ALL (Modules 01-{modules:02d})\n",
                  f"**Time**: {4 * modules}-{6 * modules} hours | **Difficulty**: ⭐⭐-⭐⭐ all\n"]
    (root / PACKAGE / "core").mkdir(parents=True)
    init = ['__version__ = "0.1.0"\n']
    for number in range(1, modules + 1):
        name, mid = f"m{number:02d}", f"{number:02d}_m{number:02d}"
        folder = root / "src" / mid
        folder.mkdir(parents=True)
        text = _source(number, name, blocks)
        lines += text.count("\n")
        (folder / f"{mid}.py").write_text(text, encoding="utf-8")
        (folder / "ABOUT.md").write_text(_about(number, name, number == modules), "utf-8")
        path_lines.append(f"**Module {number:02d}: {name.title()}** (4-6 hours, ⭐⭐)\n")
        (root / PACKAGE / "core" / f"{name}.py").write_text("import math\n", "utf-8")
        init.append(f"from .core import {name}\n")
        tests = root / "tests" / mid
        tests.mkdir(parents=True)
        for index in range(10):
            (tests / f"test_{name}_{index}.py").write_text(
                f"from {PACKAGE}.core.{name} import math\n\n\ndef test_{index}():\n"
                "    assert math.sqrt(4) == 2\n", "utf-8")
    (root / PACKAGE / "core" / "__init__.py").write_text("", "utf-8")
    (root / PACKAGE / "__init__.py").write_text("".join(init), "utf-8")
    (root / "src" / "LEARNING_PATH.md").write_text("\n".join(path_lines), "utf-8")
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{PACKAGE}"\nversion = "0.1.0"\nlicense = "MIT"\n', "utf-8")
    return lines


def bench_gates() -> None:
    """Wall time of `nox -s gates` on the example course: cold (no environments, no cache),
    warm (environments reused, cache ignored) and cached (nothing changed)."""
    if not Path("noxfile.py").is_file():
        raise SystemExit("run the gates benchmark from tinyrelease's checkout (nox -s bench)")
    for session in ("gates", "testing", "package"):
        shutil.rmtree(Path(".nox") / session, ignore_errors=True)
    shutil.rmtree(Path("build") / "gates", ignore_errors=True)
    for label, extra in (("cold", ["--no-cache"]), ("warm", ["--no-cache"]), ("cached", [])):
        started = time.perf_counter()
        done = subprocess.run(["nox", "-s", "gates", "--", *extra], capture_output=True,
                              text=True, check=False)
        elapsed = time.perf_counter() - started
        target = {"warm": " (target < 30 s)", "cached": " (target < 2 s)"}.get(label, "")
        print(f"nox -s gates, {label}: {elapsed:.1f} s{target}, exit {done.returncode}")


def bench_course(course: Path) -> None:
    """Every gate on a real course, uncached, through nox; then what it found, per code."""
    with tempfile.TemporaryDirectory(prefix="tinyrelease-bench-") as temp:
        out = Path(temp) / "gates"
        started = time.perf_counter()
        done = subprocess.run(["nox", "-s", "gates", "--", "--course", str(course.resolve()),
                               "--no-cache", "--report-dir", str(out)], capture_output=True,
                              text=True, check=False)
        elapsed = time.perf_counter() - started
        report = out / "report.json"
        if not report.is_file():
            raise SystemExit(f"nox -s gates wrote no report (exit {done.returncode}):\n"
                             + "\n".join(done.stdout.splitlines()[-20:]))
        print(f"nox -s gates --course {course} --no-cache: {elapsed:.1f} s, exit "
              f"{done.returncode}")
        print("\n".join(summary(json.loads(report.read_text(encoding="utf-8")))))


# Execution: the testing gate ---------------------------------------------------------------

def bench_testing(course: Path, repeat: int) -> None:
    """The testing gate on a copy of `course`, each round interleaving: cold (`--no-cache`),
    warm (nothing changed), after appending a comment to the last module's source, and plain
    pytest over the same suites of the same exported copy (with and without coverage)."""
    with tempfile.TemporaryDirectory(prefix="tinyrelease-bench-") as temp:
        copy, base = Path(temp) / course.resolve().name, Path(temp)
        shutil.copytree(course, copy, symlinks=True, ignore=shutil.ignore_patterns(
            ".git", ".nox", ".venv", "build", "dist", "__pycache__", "*.egg-info"))
        last = load_course(copy).modules[-1].source_path
        times: dict[str, list[float]] = {}
        for round_ in range(repeat):
            for label, extra in (("cold", ["--no-cache"]), ("warm", []), ("edited", [])):
                if label == "edited":
                    with (copy / last).open("a", encoding="utf-8") as stream:
                        stream.write(f"\n# bench edit {round_}\n")
                seconds, gate = _gate(copy, base, extra)
                times.setdefault(label, []).append(seconds)
                if label == "cold":  # every suite ran: the gate's own pytest step, timed
                    processes = gate["artifacts"].get("test_processes", 1)
                    steps = gate["artifacts"].get("step_seconds", {})
                    for step, taken in steps.items():
                        times.setdefault(f"cold: {step}", []).append(float(taken))
                if label == "edited":
                    cached = len(gate.get("cached_steps", {}))
                    print(f"round {round_ + 1}: after editing {last}: "
                          f"{len(gate['artifacts'].get('suites', [])) - cached} suites ran, "
                          f"{cached} from cache")
            exported, suites = base / "out" / "work" / "testing" / "course", gate["artifacts"][
                "suites"]
            for label, extra in (("pytest", []), ("pytest --cov", _cov(load_course(copy)))):
                times.setdefault(label, []).append(_timed(
                    [sys.executable, "-m", "pytest", *suites, "-q", "-p", "no:cacheprovider",
                     "--continue-on-collection-errors", *extra], exported))
        print(f"testing gate on {course} ({len(suites)} suites), median of {repeat} rounds:")
        cold = statistics.median(times["cold"])
        for label, values in times.items():
            median = statistics.median(values)
            print(f"  {label:<13} {median:8.2f} s   {median / cold:5.2f}x of cold"
                  + (f"   {cold / median:5.2f}x this" if label.startswith("pytest") else ""))
        met = statistics.median(times["edited"]) <= 0.25 * cold
        print(f"  target: edited <= 0.25x of cold: {'met' if met else 'not met'}")
        if "cold: suites" in times:  # the same suites of the same export, pytest run by us
            # the first run knows no suite's time yet: its processes are shared out by the
            # size of the test files; later ones (even --no-cache) by the times last seen
            first, *later = times["cold: suites"]
            ours = statistics.median(later or [first])
            print(f"  the gate ran the suites in {processes} pytest processes, each pytest "
                  f"below in one; its suites step: {first:.2f} s in round 1 (no suite times "
                  f"known yet), {ours:.2f} s later (median)")
            for label in ("pytest", "pytest --cov"):
                theirs = statistics.median(times[label])
                print(f"  the gate's suites step over {label}: {ours:.2f} s vs {theirs:.2f} s "
                      f"= {100 * (ours / theirs - 1):+.0f}% (round 1: "
                      f"{100 * (first / theirs - 1):+.0f}%)")


def _gate(copy: Path, base: Path, extra: list[str]) -> tuple[float, dict[str, Any]]:
    out = base / "out"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tinyrelease.checks", "--course", str(copy), "--gate",
                    "testing", "--report-dir", str(out), "--cache-dir", str(base / "cache"),
                    *extra], capture_output=True, check=False)
    seconds = time.perf_counter() - started
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return seconds, report["gates"][0]


def _cov(course: Course) -> list[str]:
    return [f"--cov={course.package_name}", "--cov-report="] if course.package_name else []


def _timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - started


def summary(report: dict[str, Any]) -> list[str]:
    """The numbers a maintainer compares runs by: tests, coverage, findings per code (causes
    and the places they list), the time of each gate."""
    gates = {g["name"]: g for g in report["gates"]}
    testing = gates.get("testing", {}).get("artifacts", {})
    lines = [f"course: {report['course']['root']} ({report['course']['layout']} layout, "
             f"{len(report['course']['modules'])} modules), level {report['level']}, "
             f"status {report['status']}",
             f"conventions: {report['course'].get('conventions')}",
             f"export: {testing.get('export') or 'none'}",
             f"tests: {testing.get('tests', 0)} run, {testing.get('passed', '?')} passed, "
             f"{testing.get('failed', '?')} failed, {testing.get('skipped', '?')} skipped; "
             f"coverage {testing.get('coverage') or 0:.1f}%"]
    counts: dict[tuple[str, str], list[int]] = {}
    for gate in report["gates"]:
        for finding in gate["findings"]:
            entry = counts.setdefault((finding["code"], finding["severity"]), [0, 0])
            entry[0] += 1
            entry[1] += 1 + len(finding.get("places") or [])
    lines.append(f"findings: {sum(c for c, _ in counts.values())} causes at "
                 f"{sum(p for _, p in counts.values())} places")
    lines += [f"  {code} {severity:<7} {causes:>4} causes {places:>5} places"
              for (code, severity), (causes, places) in sorted(counts.items())]
    lines.append("gates: " + ", ".join(f"{g['name']} {g['duration_s']:.1f} s"
                                       + (" (cached)" if g.get("cached") else "")
                                       for g in report["gates"]))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m checks.bench", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--course", type=Path, help="time our static gates on a copy of this "
                        "course beside its own validators, then run every gate on it and print "
                        "what it found (tests, coverage, findings per code, times), then time "
                        "its testing gate (cold, warm, after a one-module edit, plain pytest)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds of the "
                        "side-by-side static benchmark (medians are printed)")
    parser.add_argument("--workflow", help="the course's CI workflow whose `python <script>` "
                        "steps are its validators (default: its release workflows)")
    parser.add_argument("--testing-only", action="store_true", help="with --course: only "
                        "time the testing gate (--repeat rounds)")
    parser.add_argument("--no-gates", action="store_true",
                        help="skip timing nox -s gates (on the example course, or on --course)")
    args = parser.parse_args()
    if args.course is not None:
        if not args.testing_only:
            bench_side_by_side(args.course, args.rounds, args.workflow)
            if not args.no_gates:
                bench_course(args.course)
        bench_testing(args.course, args.repeat)
        return
    bench_static(args.repeat)
    if not args.no_gates:
        bench_gates()


def bench_static(repeat: int) -> None:
    """Static checks of six gates on the synthetic course, median of `repeat` runs."""
    with tempfile.TemporaryDirectory(prefix="tinyrelease-bench-") as temp:
        root = Path(temp)
        lines = generate(root)
        load_course(root)  # warm the imports (jupytext, yaml) so the numbers are the checks'
        timings, parse, checks = [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            course = load_course(root)
            loaded = time.perf_counter()
            report = run_gates(course)
            done = time.perf_counter()
            parse.append(loaded - started)
            checks.append(done - loaded)
            timings.append(done - started)
        print(f"synthetic course: {len(course.modules)} modules, {lines} source lines, "
              f"{len(course.tests.files)} test files, {course.files.reads} files read "
              f"({len(course.files._texts)} distinct paths asked for)")
        print(f"findings: {len(report.findings)} ({report.status})")
        print(f"parse (read + model), median of {repeat}: {statistics.median(parse):.3f} s")
        print(f"checks of six gates, median: {statistics.median(checks):.3f} s")
        print(f"static gates total, median: {statistics.median(timings):.3f} s "
              f"(best {min(timings):.3f} s; target < 1 s on one core)")
        print(f"static gates after editing one module, with the parse cache: "
              f"{_incremental(root):.3f} s")


def _incremental(root: Path) -> float:
    cache = ParseCache(root.parent / "parsed.pickle")
    load_course(root, parsed=cache)
    cache.save()
    edited = root / "src" / "05_m05" / "05_m05.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    started = time.perf_counter()
    run_gates(load_course(root, parsed=ParseCache(root.parent / "parsed.pickle")))
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
