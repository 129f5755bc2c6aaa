"""The checks of the package gate: each source exports to one module of its own, the package
imports only what the sources export, and pyproject.toml, settings.ini and `__version__` agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from tinyrelease.checks.changelog import release_key
from tinyrelease.checks.course import Course
from tinyrelease.checks.findings import Severity
from tinyrelease.checks.gates.common import listed, read_problems
from tinyrelease.checks.registry import Hit, check


@check("PKG001", "Files of the package gate are readable")
def files_readable(course: Course) -> Iterator[Hit]:
    """A file this gate reads is a symlink leaving the course root, too large, or not UTF-8.

    Why: the gate cannot judge a file it cannot read, and a link out of the course root would
    make the checks read (and a release ship) files that are not part of the course.
    Fix: replace the link with the file itself, split or remove the huge file, or re-save the
    file as UTF-8.
    """
    yield from read_problems(course, "package")


_LICENSE_ALIASES = {"apache": "apache20", "apache2": "apache20", "bsd2": "bsd2clause",
                    "bsd3": "bsd3clause", "gpl2": "gpl20", "gpl3": "gpl30", "gplv2": "gpl20",
                    "gplv3": "gpl30", "lgpl3": "lgpl30", "mpl2": "mpl20"}


def _license_key(text: str) -> str:
    """`MIT` == `mit`, `apache2` == `Apache-2.0` == `Apache License 2.0`."""
    key = re.sub(r"[^a-z0-9]", "", text.lower()).replace("license", "")
    return _LICENSE_ALIASES.get(key, key)


def _url_key(url: str) -> str:
    return url.strip().rstrip("/").removesuffix(".git").rstrip("/").lower()


def _full(course: Course, target: str) -> str:
    name = course.package_name
    return f"{name}.{target}" if name and not target.startswith(name + ".") else target


def _unreadable(course: Course, rel: str) -> bool:
    """Whether the file exists but could not be read (the gate's PKG001 reports it)."""
    return any(problem.path == rel for problem in course.files.problems)


def _provided(course: Course, target: str) -> bool:
    """Whether a fresh export provides `target`: an exported module, a package above one, an
    `__init__` of the package tree, or a name defined in an exported module."""
    exported = course.exported_modules
    tree = course.package.modules if course.package else {}
    return (target in exported or tree.get(target, "").endswith("__init__.py")
            or any(e.startswith(target + ".") for e in exported)
            or target.rsplit(".", 1)[0] in exported)


@check("PKG101", "Module sources are valid Python")
def sources_parse(course: Course) -> Iterator[Hit]:
    """A module source does not parse as Python.

    Why: jupytext and nbdev's export turn the file into the package; a file that does not parse
    exports broken code or nothing, and no check that reads its code can judge it.
    Fix: correct the syntax at the line given (markdown cells must stay inside triple quotes).
    """
    for module in course.modules:
        if module.source is not None and module.source.syntax_error is not None:
            line, message = module.source.syntax_error
            yield Hit(f"{module.source.path} is not valid Python: {message} (line {line})",
                      module.source.path, line, module.id)


@check("PKG105", "Module sources compile without warnings")
def sources_compile_cleanly(course: Course) -> Iterator[Hit]:
    """Python warns when it compiles a module source's code: an invalid escape sequence such
    as `"\\d"` in a string that is not raw, `is` compared with a literal, an assert of a
    tuple that is always true. Markdown cells are left out: only the code cells run.

    Why: learners see the warning when their notebook or the exported package is compiled;
    invalid escapes are SyntaxWarnings since Python 3.12 and are to become errors, and the
    others are bugs (`x is "a"` depends on interning, `assert (x, "why")` never fails).
    Fix: use a raw string (`r"\\d+"`) or double the backslash, compare with `==`, and
    write `assert x, "why"` without the parentheses.
    """
    for module in course.modules:
        source = module.source
        if source is None or source.syntax_error is not None:
            continue
        warned = [(line, message) for line, message in source.syntax_warnings
                  if (cell := source.cell_at(line)) is None or cell.kind == "code"]
        if warned:
            shown = listed([f"{message} (line {line})" for line, message in warned])
            yield Hit(f"Python warns {len(warned)} times when it compiles {source.path}: "
                      f"{shown}", source.path, warned[0][0], module.id,
                      places=tuple((source.path, line) for line, _ in warned[1:]))


@check("PKG102", "Each source has exactly one default_exp")
def one_default_exp(course: Course) -> Iterator[Hit]:
    """A module source has no `#| default_exp` directive, or more than one.

    Why: nbdev exports a source's `#| export` cells to the module its `default_exp` names;
    without one nothing is exported, and with several only one of them counts.
    Fix: keep exactly one `#| default_exp core.name` in the header cell of the source.
    """
    for module in course.modules:
        source = module.source
        if source is None:
            continue
        if not source.default_exp:
            yield Hit(f"{source.path} has no `#| default_exp`, so nbdev exports none of its code",
                      source.path, None, module.id)
        elif len(source.default_exp) > 1:
            listed = ", ".join(f"`{target}` (line {line})" for target, line in source.default_exp)
            yield Hit(f"{source.path} has {len(source.default_exp)} `#| default_exp` directives: "
                      f"{listed}", source.path, source.default_exp[1][1], module.id)


@check("PKG103", "The stated export target matches default_exp")
def export_claim_matches(course: Course) -> Iterator[Hit]:
    """The markdown says "Code exports to `pkg.x`" but the source's `default_exp` names another
    module.

    Why: learners import from where the text tells them; after a module is renamed or moved,
    the prose keeps pointing at the old place and their imports fail.
    Fix: make the sentence name `{package}.{default_exp}`, or correct the `default_exp`.
    """
    for module in course.modules:
        source = module.source
        if source is None or not source.default_exp:
            continue
        target, exp_line = source.default_exp[0]
        full = _full(course, target)
        for claim, line in source.export_claims:
            if "." not in claim or claim in {target, full} or (
                    course.package_name is None and claim.endswith("." + target)):
                continue
            yield Hit(f"the text says the code exports to `{claim}`, but `#| default_exp "
                      f"{target}` on line {exp_line} exports it to `{full}`", source.path, line,
                      module.id)


@check("PKG104", "No two sources export to the same module")
def export_targets_unique(course: Course) -> Iterator[Hit]:
    """Two module sources (or a source and a stale copy of another module) have the same
    `default_exp`.

    Why: nbdev writes both into the same package module; whichever is exported last silently
    replaces the other's code, so the package depends on export order.
    Fix: give each module its own `default_exp`, and delete stale copies left by a renaming.
    """
    owners: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    for module in course.modules:
        if module.source is not None and module.source.default_exp:
            target, line = module.source.default_exp[0]
            owners[target].append((module.id, module.source.path, line))
    for stale in course.stale:
        if stale.default_exp:
            owners[stale.default_exp].append((stale.module, stale.path, None))
    for target, found in sorted(owners.items()):
        for index, (owner, path, at) in enumerate(found):
            other = next((p for m, p, _ in found[:index] if m != owner), None)
            if other is not None:
                yield Hit(f"{path} exports to `{target}`, as {other} does; the one exported last "
                          "overwrites the other", path, at, owner)


@check("PKG111", "The package imports only exported modules")
def package_imports_exported(course: Course) -> Iterator[Hit]:
    """A package `__init__.py` imports a submodule that no module source exports.

    Why: the import works only where an old generated file still exists; in a fresh clone
    `import {package}` fails, and that is the first thing a learner runs.
    Fix: import the module its source exports to now, remove the import, or restore the
    `default_exp` that produced it.
    """
    if course.package is None or not course.exports_known:
        return
    missing: dict[str, list[tuple[str, str | None, int | None]]] = {}  # a cause per module
    for found in course.package.imports:
        if not _provided(course, found.target):
            module, _, name = found.target.rpartition(".")
            if module and not _provided(course, module):  # names from a module gone stale
                missing.setdefault(module, []).append((found.init, name, found.line))
            else:
                missing.setdefault(found.target, []).append((found.init, None, found.line))
    tree = course.package.modules
    for module, places in missing.items():
        init, _, line = places[0]
        names = list(dict.fromkeys(name for _, name, _ in places if name))
        what = f"{module} ({', '.join(names)})" if names else module
        importer = init.removesuffix("/__init__.py").replace("/", ".")
        if module in tree:  # a file no source writes any more, still committed
            effect = (f"it works only through the stale committed {tree[module]}, which no "
                      "export writes (a fresh export leaves it out of date)")
        else:
            effect = f"`import {importer}` fails"
        yield Hit(f"{init} imports {what}, which no module source exports; {effect}", init,
                  line, places=tuple(dict.fromkeys((p, n) for p, _, n in places
                                                   if (p, n) != (init, line))))


@check("PKG121", "pyproject.toml is present and valid")
def pyproject_valid(course: Course) -> Iterator[Hit]:
    """The course has no `pyproject.toml`, or it is not valid TOML.

    Why: `pyproject.toml` builds and publishes the course package; without it (or with a
    broken one) nothing can be installed, and the version and license cannot be checked.
    Fix: add a `pyproject.toml` with a `[project]` table, or correct the TOML at the line given.
    """
    if course.pyproject is None:
        if not _unreadable(course, "pyproject.toml"):  # else PKG001 says why it was not read
            yield Hit("pyproject.toml is missing; the course package cannot be built",
                      "pyproject.toml")
    elif course.pyproject.error is not None:
        line, message = course.pyproject.error
        yield Hit(f"pyproject.toml: {message}", course.pyproject.path, line)


@check("PKG122", "settings.ini is valid")
def settings_valid(course: Course) -> Iterator[Hit]:
    """nbdev's `settings.ini` does not parse as an INI file.

    Why: nbdev reads it for every export; a broken file stops the package from being built.
    Fix: correct the line given (nbdev keeps every setting under `[DEFAULT]` as `key = value`).
    """
    if course.settings is not None and course.settings.error is not None:
        line, message = course.settings.error
        yield Hit(f"settings.ini: {message}", course.settings.path, line)


@check("PKG123", "Sources that use nbdev have settings.ini", severity=Severity.WARNING)
def settings_present(course: Course) -> Iterator[Hit]:
    """Module sources carry `#| default_exp` but the course has no `settings.ini`.

    Why: nbdev's export reads `lib_name` and `nbs_path` from `settings.ini`; without it the
    directives do nothing and the package is never regenerated from the sources.
    Fix: add nbdev's `settings.ini` (`nbdev_new` writes one), or drop the nbdev directives.
    """
    users = [m.source.path for m in course.modules if m.source and m.source.default_exp]
    if course.settings is None and users and not _unreadable(course, "settings.ini"):
        more = f" and {len(users) - 1} more" if len(users) > 1 else ""
        yield Hit(f"no settings.ini, but {users[0]}{more} use `#| default_exp`; nbdev's export "
                  "needs settings.ini", "settings.ini")


@check("PKG124", "Versions agree")
def versions_agree(course: Course) -> Iterator[Hit]:
    """A place where the course states its version disagrees with `pyproject.toml` (or with
    `settings.ini` when `pyproject.toml` has no static version): `settings.ini`, the package's
    `__version__`, the book's `_config.yml`, a `pkg==X` pin in README.md.

    Why: the built package, nbdev's release tooling, `{package}.__version__`, the site and the
    install instructions would each name a different version, and a release tags one of them.
    Fix: set the same version everywhere (`invoke release.*` bumps them together).
    """
    found: list[tuple[str, str, int | None]] = []
    if course.pyproject is not None and isinstance(course.pyproject.project.get("version"), str):
        found.append((course.pyproject.project["version"], course.pyproject.path,
                      course.pyproject.project_line("version")))
    if course.settings is not None and "version" in course.settings.values:
        found.append((course.settings.values["version"], course.settings.path,
                      course.settings.lines.get("version")))
    if course.package is not None and course.package.version is not None:
        stated, at = course.package.version
        found.append((stated, f"{course.package.dir}/__init__.py", at))
    found += [(m.value, m.path, m.line) for m in course.version_mentions]
    for value, path, line in found[1:]:
        reference, where, _ = found[0]
        if value.strip() != reference.strip():
            yield Hit(f"version {value!r} in {path} differs from {reference!r} in {where}",
                      path, line)


@check("PKG125", "Licenses agree")
def licenses_agree(course: Course) -> Iterator[Hit]:
    """The license in nbdev's `settings.ini` differs from the one in `pyproject.toml`.

    Why: the package index shows one license and nbdev's docs and release another; a learner
    or a company cannot tell which terms apply.
    Fix: state the same license in both (`MIT` and `mit`, `Apache-2.0` and `apache2` agree).
    """
    if course.pyproject is None or course.settings is None:
        return
    declared = course.pyproject.project.get("license")
    if isinstance(declared, dict):
        declared = declared.get("text")
    other = course.settings.values.get("license")
    if isinstance(declared, str) and other and _license_key(declared) != _license_key(other):
        yield Hit(f"license {other!r} in settings.ini differs from {declared!r} in "
                  "pyproject.toml", course.settings.path, course.settings.lines.get("license"))


@check("PKG127", "Released changelog sections and release tags agree")
def changelog_tags(course: Course) -> Iterator[Hit]:
    """A version section of the changelog has no release tag (`tag_prefix` and the version), or
    a release tag has no section (a warning). Only final versions count; a section such as
    `## [0.1.9] and earlier` stands for every release up to it. A course without any release
    tag (or outside git) is not checked.

    Why: readers take a section for a release they can install; one written up but never
    tagged (TinyTorch's 0.1.15) sends them to a version that does not exist, and a tag with no
    section is a release nobody can read about.
    Fix: tag the release (`invoke release.*` does), or move its notes back under
    `## [Unreleased]`; give a tagged release its section.
    """
    log, tags, prefix = course.changelog, course.release_tags, course.tag_prefix
    if log is None or not tags:
        return
    tagged = {key: tag for tag in tags if (key := release_key(tag[len(prefix):])) is not None}
    written = {key: s for s in log.sections if (key := release_key(s.version)) is not None}
    pointers = [key for key, s in written.items() if s.earlier]
    for key, section in written.items():
        if not section.earlier and key not in tagged:
            yield Hit(f"the section [{section.version}] has no release tag "
                      f"{prefix}{section.version}: tag the release, or move its notes back "
                      "under [Unreleased]", log.path, section.line)
    for key, tag in tagged.items():
        if key not in written and not any(key <= pointer for pointer in pointers):
            yield Hit(f"the release tag {tag} has no section in {log.path}: add "
                      f"## [{tag[len(prefix):]}] with its notes", log.path,
                      severity=Severity.WARNING)


@check("PKG126", "The repository URL is among the project URLs", severity=Severity.WARNING)
def urls_agree(course: Course) -> Iterator[Hit]:
    """`settings.ini`'s `git_url` is not one of the `[project.urls]` in `pyproject.toml`.

    Why: the package index links to the URLs of `pyproject.toml`; when they point elsewhere than
    the repository nbdev publishes from, learners land on an old or wrong repository.
    Fix: add the repository (`Repository = "..."`) to `[project.urls]`, or correct `git_url`.
    """
    if course.pyproject is None or course.settings is None:
        return
    git_url = course.settings.values.get("git_url")
    urls = course.pyproject.project.get("urls")
    values = [v for v in urls.values() if isinstance(v, str)] if isinstance(urls, dict) else []
    if git_url and _url_key(git_url) not in {_url_key(v) for v in values}:
        listed = ", ".join(values) if values else "none"
        yield Hit(f"git_url {git_url} in settings.ini is not among the [project.urls] of "
                  f"pyproject.toml ({listed})", course.settings.path,
                  course.settings.lines.get("git_url"))
