"""The Package Manager: export and import (the package gate), the build and twine, the wheel's
contents and dependencies, and `pip check` after installing the wheel in a fresh environment.
"""

from __future__ import annotations

from tinyrelease.checks.findings import Severity
from tinyrelease.review.evidence import Evidence
from tinyrelease.review.model import Item, Report, Table


def review(evidence: Evidence) -> Report:
    report = Report("packaging")
    findings = [f for f in evidence.gate("package") if f.waived is None]
    for finding in findings:
        code = "PM100" if finding.severity is Severity.ERROR else "PM102"
        report.items.append(Item(code, f"{finding.code}: {finding.message}"
                                 f"{finding.also(limit=3)}", finding.path, finding.line,
                                 finding.module))
    if not evidence.executed:
        report.items.append(Item("PM001", "the package was not built: the review ran the "
                                 "static checks only"))
        return report
    artifacts = evidence.artifacts("package")
    build = Table("Build verification", ["step", "result"])
    codes = {f.code for f in findings if f.severity is Severity.ERROR}
    skipped = evidence.skipped("package")
    export = str(artifacts.get("export") or "none")
    build.rows = [
        [f"export: {export}", _result(codes, "PKG201", "PKG202", skipped=skipped)],
        ["build (sdist and wheel)", ", ".join(str(artifacts[k]) for k in ("sdist", "wheel")
                                               if artifacts.get(k)) or "failed"],
        ["twine check --strict", _result(codes, "PKG205")],
        ["wheel contents (only the package, every exported module)",
         _result(codes, "PKG206", "PKG207")],
        ["install and import in a fresh environment (uv)", _result(codes, "PKG208")],
    ]
    report.tables.append(build)
    if evidence.wheel is None:
        if "PKG204" not in codes:
            report.items.append(Item("PM001", "no wheel was built, so the dependencies were not "
                                     "checked", "pyproject.toml"))
        return report
    build.rows.append(["pip install + pip check in a fresh environment", _environment(evidence,
                                                                                       report)])
    report.tables.append(Table("Dependencies (Requires-Dist)", ["requirement"],
                               [[r] for r in evidence.requires] or [["(none)"]]))
    contents = [str(n) for n in artifacts.get("wheel_contents", []) or []]  # type: ignore[attr-defined]
    report.tables.append(Table(f"Wheel contents ({len(contents)} files)", ["file"],
                               [[n] for n in contents]))
    return report


def _environment(evidence: Evidence, report: Report) -> str:
    env = evidence.environment
    if env is None:
        return "not run"
    if not env.installed:
        what = "conflict" if env.conflict else "fails"
        report.items.append(Item(
            "PM111", f"pip cannot install {evidence.wheel.name if evidence.wheel else 'the wheel'}"
            f" into a fresh environment ({what}): {env.log}", "pyproject.toml",
            evidence.course.pyproject.project_line("dependencies")
            if evidence.course.pyproject else None))
        return f"install {what}"
    after = f" (after pip install -r {env.requirements})" if env.requirements else ""
    for problem in env.problems:
        report.items.append(Item("PM112", f"pip check{after}: {problem}",
                                 env.requirements or "pyproject.toml"))
    return f"pip check{after}: " + ("no broken requirements" if not env.problems
                                    else f"{len(env.problems)} problem(s)")


def _result(codes: set[str], *wanted: str, skipped: dict[str, str] | None = None) -> str:
    """ok, failed (codes), or skipped (why): never "ok" for a step that did not run."""
    failed = [c for c in wanted if c in codes]
    if failed:
        return "failed (" + ", ".join(failed) + ")"
    why = next((skipped[c] for c in wanted if skipped and c in skipped), None)
    return f"skipped: {why}" if why else "ok"
