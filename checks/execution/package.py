"""The package gate's execution part: exported cells reach the package, the committed package
matches a fresh export, the distributions build, pass twine, carry the right files, and import.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import re
import sys
from pathlib import Path

from tinyrelease.checks.course import Course
from tinyrelease.checks.execution.build import (
    build_dists,
    install_and_import,
    missing_modules,
    stray_files,
    twine_check,
    wheel_contents,
)
from tinyrelease.checks.execution.interpreters import SUPPORTED, find_interpreter
from tinyrelease.checks.execution.origin import exporting_module, source_of, unexported_import
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.git import Git
from tinyrelease.checks.process import run
from tinyrelease.checks.source import Cell


def export_cell_findings(course: Course, exported: Path) -> list[Finding]:
    """Each `#| export` cell whose code is missing from its target file after the export."""
    findings = []
    package = course.package
    for module in course.modules:
        source, target = module.source, module.exports
        if source is None or not target or package is None:
            continue
        rel = f"{package.dir}/{target.replace('.', '/')}.py"
        path = exported / rel
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        text = _normalised(text, package.name)
        for cell in (c for c in source.cells if c.kind == "code" and c.exported):
            code = _cell_code(cell, package.name)
            if code and code not in text:
                why = _late_directive(cell)
                findings.append(Finding(
                    "PKG202", f"the #| export cell at line {cell.line} is not in {rel} after "
                    f"a fresh export{why}", source.path, cell.line, module.id))
    return findings


def _late_directive(cell: Cell) -> str:
    """Why nbdev skipped the cell, when it is the usual reason: code above the directive."""
    for line in cell.lines:
        stripped = line.strip()
        if stripped.startswith("#|"):
            return ""
        if stripped and not stripped.startswith("#"):
            return (": its `#| export` comes after code, and nbdev reads directives only at the "
                    "top of a cell")
    return ""


def _cell_code(cell: Cell, package: str) -> str:
    lines = (ln for ln in cell.lines if not ln.strip().startswith("#|"))
    return _normalised("\n".join(lines), package)


def _normalised(text: str, package: str) -> str:
    """Code without blank or comment-only lines and trailing spaces, with imports of the
    package's own modules reduced to the module name (nbdev rewrites them as relative)."""
    own_import = re.compile(
        rf"^(\s*)from\s+(?:\.+|{re.escape(package)}\.)(?:[\w.]*\.)?(\w+)\s+import")
    lines = (own_import.sub(r"\1from \2 import", ln.rstrip()) for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln.strip() and not re.match(r"^\s*#(?!\s*##)", ln))


def stale_package_findings(course: Course, exported: Path) -> list[Finding]:
    """Package files that differ between the course and a fresh export of it."""
    package = course.package
    if package is None or not (course.root / package.dir).is_dir():
        return []
    fresh = [p for p in sorted((exported / package.dir).rglob("*.py"))
             if p.name != "_modidx.py"]  # nbdev's own index of names, not code learners run
    rels = [p.relative_to(exported).as_posix() for p in fresh]
    tracked, ignored = _git_view(course, package.dir, rels)
    stale = []
    for path, rel in zip(fresh, rels, strict=True):
        committed = course.root / rel
        if tracked is not None and rel not in tracked and rel in ignored:
            continue  # the course does not commit its generated package: nothing to compare
        if not committed.is_file():
            stale.append((rel, "is missing"))
        elif _code(committed.read_text(encoding="utf-8")) != _code(
                path.read_text(encoding="utf-8")):
            stale.append((rel, "differs from a fresh export"))
    if not stale:
        return []
    listed = ", ".join(f"{rel} {state}" for rel, state in stale)
    fix = ("run the export and commit it" if not ignored else "the .gitignore says the package "
           "is generated: regenerate these tracked files or `git rm --cached` them")
    return [Finding("PKG203", f"the committed package is not what the sources export: {listed}; "
                    f"{fix}", stale[0][0], None, None, Severity.WARNING,
                    places=tuple((rel, None) for rel, _ in stale[1:]))]


def _git_view(course: Course, folder: str, rels: list[str]) -> tuple[set[str] | None, set[str]]:
    """(the files tracked under `folder`, or None outside git; which of `rels` git ignores)."""
    git = Git(course.root)
    listed = git.run("ls-files", "--", folder, check=False)
    if not listed.ok or not rels:
        return None, set()
    ignored = run(["git", "check-ignore", "--stdin"], cwd=course.root, trusted=True,
                  stdin="\n".join(rels) + "\n")
    return set(listed.output.split()), set(ignored.output.split())


def _code(text: str) -> list[str]:
    """A module's code without comments and blank lines: an export that only rewrites the
    generated headers (or a banner the course's tool adds) changes nothing to commit."""
    return [line.rstrip() for line in text.split("\n")
            if line.strip() and not line.lstrip().startswith("#")]


def distribution_findings(course: Course, project: Path, scratch: Path, comprehensive: bool
                          ) -> tuple[list[Finding], dict[str, object], list[str]]:
    """Build, twine-check, inspect and install the distributions: findings, the artifacts for
    the report (wheel name and contents), and what was skipped."""
    dists = build_dists(project, scratch / "dist")
    if dists.wheel is None:
        tail = dists.log.tail() if dists.log else "no wheel"
        return [Finding("PKG204", f"the distributions do not build:\n{tail}",
                        "pyproject.toml", None)], {}, []
    findings = [Finding("PKG205", f"twine check --strict: {name}: {problem}", "pyproject.toml")
                for name, problem in twine_check(dists.files).items()]
    names = wheel_contents(dists.wheel)
    package = course.package_name or ""
    stray = stray_files(names, package, declared_packages(course, names))
    if stray:
        findings.append(Finding("PKG206", f"the wheel carries {len(stray)} file(s) that are "
                                f"not the package: {', '.join(stray[:6])}"
                                + (f" and {len(stray) - 6} more" if len(stray) > 6 else ""),
                                "pyproject.toml"))
    modules = sorted(course.exported_modules) if package else []
    findings += [Finding("PKG207", f"the wheel lacks {name}", "pyproject.toml")
                 for name in missing_modules(names, modules)]
    versions = SUPPORTED if comprehensive else (f"{sys.version_info[0]}.{sys.version_info[1]}",)
    skipped = []
    names_checked = False
    for version in versions:
        python = find_interpreter(version)
        if python is None:
            skipped.append(f"install-and-import on Python {version}: no interpreter found")
            continue
        findings += _import_findings(course, dists.wheel, python, version, modules, scratch,
                                     project, names=not names_checked)
        names_checked = True
    artifacts: dict[str, object] = {"wheel": dists.wheel.name, "wheel_contents": names,
                                    "sdist": dists.sdist.name if dists.sdist else None}
    return findings, artifacts, skipped


def declared_packages(course: Course, names: list[str]) -> set[str]:
    """The top-level packages of the wheel the course ships on purpose: those its
    `[tool.setuptools.packages.find] include` patterns or `packages` list name, and those its
    console scripts run (`tito = "tito.main:main"`)."""
    data = course.pyproject.data if course.pyproject else {}
    tool = data["tool"] if isinstance(data.get("tool"), dict) else {}
    setuptools = tool["setuptools"] if isinstance(tool.get("setuptools"), dict) else {}
    packages = setuptools.get("packages")
    patterns = [p for p in packages if isinstance(p, str)] if isinstance(packages, list) else []
    find = packages.get("find") if isinstance(packages, dict) else None
    if isinstance(find, dict) and isinstance(find.get("include"), list):
        patterns += [p for p in find["include"] if isinstance(p, str)]
    project = course.pyproject.project if course.pyproject else {}
    scripts = project["scripts"] if isinstance(project.get("scripts"), dict) else {}
    declared = {str(v).split(":")[0].split(".")[0] for v in scripts.values() if isinstance(v, str)}
    tops = {name.split("/")[0] for name in names if "/" in name}
    declared |= {top for top in tops for pattern in patterns
                 if fnmatch.fnmatchcase(top, pattern.split(".")[0])}
    return declared


def _import_findings(course: Course, wheel: Path, python: Path, version: str,
                     modules: list[str], scratch: Path, exported: Path,
                     names: bool = True) -> list[Finding]:
    imported = documented_imports(course) if names else {}
    result = install_and_import(wheel, python, [course.package_name or "", *modules],
                                scratch / f"venv-{version}",
                                [f"{module}:{name}" for module, name in imported])
    if result.installed is not None and not result.installed.ok:
        return [Finding("PKG208", f"the wheel does not install on Python {version}:\n"
                        f"{result.installed.tail(6)}", "pyproject.toml")]
    package = course.package_name or ""
    if package in result.failures:  # the root cause: every submodule import fails with it
        result.failures = {package: result.failures[package]}
    return [*(_import_finding(course, name, error, version, exported)
              for name, error in result.failures.items()),
            *_missing_name_findings(course, result.missing, imported)]


def documented_imports(course: Course) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """Every `from pkg.module import a, b` of the module sources, as (module, name) with the
    places that write it (star imports and the package's own relative imports aside)."""
    package = course.package_name
    found: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for module in course.modules:
        source = module.source
        if not package or source is None:
            continue
        for statement in source.imports:
            if statement.module == package or statement.module.startswith(f"{package}."):
                for name in statement.names:
                    if name != "*":
                        found.setdefault((statement.module, name), []).append(
                            (source.path, statement.line))
    return found


def _missing_name_findings(course: Course, missing: dict[str, list[str]],
                           imported: dict[tuple[str, str], list[tuple[str, int]]]
                           ) -> list[Finding]:
    findings = []
    for module, names in sorted(missing.items()):
        for name in sorted(set(names)):
            places = imported.get((module, name), [])
            if not places:
                continue
            (path, line), others = places[0], tuple(places[1:])
            findings.append(Finding(
                "PKG210", f"`from {module} import {name}`: the installed {module} has no "
                f"{name}", path, line, course.module_of_path(path), places=others))
    return findings


_RAISED = re.compile(r"\(at \S*?site-packages/(?P<rel>\S+?):(?P<line>\d+)\)$")
_NAME_ERROR = re.compile(r"^NameError: name '(?P<name>\w+)' is not defined")


def _import_finding(course: Course, name: str, error: str, version: str,
                    exported: Path) -> Finding:
    """One import that fails in a fresh environment, told where the maintainer fixes it: the
    source cell that wrote the failing line, and for a NameError the unexported cell that
    imports the name."""
    path = course.package.modules.get(name) if course.package else None
    where: tuple[str, int] | None = None
    said = error
    if raised := _RAISED.search(error):
        said = error[:raised.start()].rstrip()
        where = source_of(course, exported, raised["rel"], int(raised["line"]))
        said += f" (raised at {raised['rel']}:{raised['line']})"
    module = exporting_module(course, path or "") if path else None
    hint = ""
    if (missing := _NAME_ERROR.match(error)) and module is not None and (
            line := unexported_import(module, missing["name"])) is not None:
        hint = (f": `{missing['name']}` is imported on line {line} of {module.source_path}, in "
                "a cell without `#| export`, so the package never imports it; export that cell")
    target = where or ((path, None) if path else ("pyproject.toml", None))
    return Finding("PKG208", f"import {name} fails on Python {version} in a fresh environment: "
                   f"{said}{hint}", target[0], target[1], _module_exporting(course, name))


def _module_exporting(course: Course, dotted: str) -> str | None:
    return next((m.id for m in course.modules
                 if m.exports and f"{course.package_name}.{m.exports}" == dotted), None)


def changelog_findings(course: Course) -> tuple[list[Finding], str | None]:
    """`towncrier check` against the development branch, for courses that keep fragments:
    the findings, or why the check could not run."""
    tool = course.pyproject.data.get("tool", {}) if course.pyproject else {}
    if not isinstance(tool, dict) or "towncrier" not in tool:
        return [], "the course has no [tool.towncrier] configuration"
    base = _base_ref(course)
    if base is None:
        return [], ("no branch to compare with (not the top of the course's own git "
                    "repository, no dev or main branch, or a release branch)")
    if importlib.util.find_spec("towncrier") is None:
        return [], "towncrier is not installed here (pip install -e \".[package]\")"
    done = run([sys.executable, "-m", "towncrier", "check", "--compare-with", base],
               cwd=course.root)
    if done.ok:
        return [], None
    folder = tool["towncrier"].get("directory", "changelog.d")
    return [Finding("PKG209", f"no changelog fragment for the changes since {base}: add one "
                    f"to {folder}/ (towncrier create): {done.tail(2)}", str(folder))], None


def _base_ref(course: Course) -> str | None:
    """The branch the current one adds to: main for a hotfix, else the development branch
    (`[tool.tinyrelease.release]` may rename them); None outside the course's own git
    repository, or on a release branch, whose fragments were checked on its base already."""
    top = Git(course.root).run("rev-parse", "--show-toplevel", check=False)
    if not top.ok or Path(top.output.strip()).resolve() != course.root:
        return None  # a course inside another repository: its branches are not the course's
    settings = course.config.raw.get("release", {})
    settings = settings if isinstance(settings, dict) else {}
    dev, main = settings.get("dev_branch", "dev"), settings.get("main_branch", "main")
    branch = Git(course.root).run("rev-parse", "--abbrev-ref", "HEAD", check=False).output
    branch = branch.strip()
    if branch.startswith("release/"):
        return None
    names = [main] if branch.startswith("hotfix/") else [dev, main]
    remote = settings.get("remote", "origin")
    for name in (n for n in names if isinstance(n, str)):
        for ref in (f"{remote}/{name}", name):
            if Git(course.root).run("rev-parse", "--verify", "--quiet", ref, check=False).ok:
                return ref
    return None
