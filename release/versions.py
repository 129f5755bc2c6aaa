"""PEP 440 versions of a course release (bumps, release candidates, the next development
version) and every place the course states its version, rewritten together and atomically.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from packaging.version import InvalidVersion, Version

from tinyrelease.checks.course import BOOK_CONFIGS
from tinyrelease.checks.reports import write_atomic
from tinyrelease.release.errors import Refused

KINDS = ("patch", "minor", "major")
_INIT_VERSION = re.compile(r"""^(__version__\s*=\s*)(["'])([^"']*)\2""", re.MULTILINE)
_INI_VERSION = re.compile(r"^(version\s*=\s*)(\S+)\s*$", re.MULTILINE)
_BOOK_VERSION = re.compile(r"""^(\s*(?:version|release)\s*:\s*)(["']?)([^"'\s#]+)\2""",
                           re.MULTILINE)
# a PEP 440 version as files state it: 0.2.0, 0.2.0rc1, 0.3.0.dev0, 1.0.post1
_PEP440 = r"\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?"


def parse(text: str, where: str = "version") -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise Refused(f"{where}: {text!r} is not a PEP 440 version") from None


def bump(base: Version, kind: str) -> Version:
    """The final version a `kind` release after `base` gets (0.3.1 -> 0.3.2 / 0.4.0 / 1.0.0)."""
    major, minor, micro = (list(base.release) + [0, 0, 0])[:3]
    if kind == "major":
        return Version(f"{major + 1}.0.0")
    if kind == "minor":
        return Version(f"{major}.{minor + 1}.0")
    return Version(f"{major}.{minor}.{micro + 1}")


def candidate(final: Version, number: int) -> Version:
    return Version(f"{final.base_version}rc{number}")


def next_dev(final: Version) -> Version:
    """What the development branch says after `final`: the next minor, as a dev release."""
    return Version(f"{bump(final, 'minor').base_version}.dev0")


def tag_of(version: Version | str, prefix: str = "v") -> str:
    return f"{prefix}{version}"


def version_of_tag(tag: str, prefix: str = "v") -> Version | None:
    """The version a release tag names: exactly `prefix`, then a PEP 440 version. Any other
    tag (another project's `v1.2.0` beside `course-v0.2.0`, `course-slides-v0.1.0`) is not
    a release of ours."""
    rest = tag[len(prefix):] if tag.startswith(prefix) else ""
    if not rest[:1].isdigit():
        return None
    try:
        return Version(rest)
    except InvalidVersion:
        return None


def ours(tags: dict[str, str], prefix: str) -> dict[str, str]:
    """The tags that are releases of ours; no other tag is ever read, moved or deleted."""
    return {tag: sha for tag, sha in tags.items() if version_of_tag(tag, prefix) is not None}


def latest_final(tags: list[str] | dict[str, str], prefix: str = "v") -> str | None:
    """The tag of the newest final release among `tags`."""
    finals = {v: t for t in tags if (v := version_of_tag(t, prefix)) is not None
              and not v.is_prerelease}
    return finals[max(finals)] if finals else None


def released_base(current: Version, tags: list[str], prefix: str = "v") -> Version:
    """The last final release: the newest final tag, or the files' version when it is final
    and newer (a course released before it was tagged)."""
    finals = [v for t in tags if (v := version_of_tag(t, prefix)) is not None
              and not v.is_prerelease]
    newest = max(finals, default=None)
    stated = current if not (current.is_prerelease or current.is_devrelease) else None
    known = [v for v in (newest, stated) if v is not None]
    return max(known) if known else Version(current.base_version)


def target_for(current: Version, tags: list[str], kind: str, wanted: str | None,
               prefix: str = "v") -> Version:
    """The final version of a `kind` release. An explicit `wanted` is that bump, or the final
    version the files state when it was never tagged (the files were bumped ahead); a version
    already tagged, or lower than the newest release or the files' version, is refused."""
    base = released_base(current, tags, prefix)
    expected = bump(base, kind)
    if not wanted:
        return expected
    asked = parse(wanted, "--version")
    latest = latest_final(tags, prefix)
    newest = version_of_tag(latest, prefix) if latest else None
    if tag_of(asked, prefix) in tags:
        raise Refused(f"the tag {tag_of(asked, prefix)} already exists: {asked} was released, "
                      f"and a tag is never moved or deleted; release the next version (a "
                      f"{kind} release is {expected})")
    if newest is not None and asked <= newest:
        raise Refused(f"--version {asked} would go down from the newest release {latest}: a "
                      f"{kind} release after it is {expected} (drop --version)")
    if asked < current:
        raise Refused(f"--version {asked} would go down from the {current} the course's files "
                      f"state: release {current} or a later version")
    if asked == current and not current.is_prerelease and not current.is_devrelease:
        return asked  # the files were bumped ahead of the tags: release what they state
    if asked != expected:
        raise Refused(f"--version {asked} does not follow from {base}: a {kind} release "
                      f"after {base} is {expected}")
    return expected


@dataclass(frozen=True)
class VersionSite:
    """One place the course states its version: the file, its line, and the text there; a
    site of `version_sites` also has the text it is configured with (its value is "" when
    the file does not hold that text)."""

    path: str
    line: int
    value: str
    pattern: str | None = None

    def said(self) -> str:
        """How a disagreement names this site."""
        if self.pattern is not None and not self.value:
            return f"{self.path} has no {self.pattern!r}"
        return f"{self.path}:{self.line} says {self.value}"


@dataclass(frozen=True)
class Configured:
    """The version sites a course configures (`version_sites`: file -> text with `{version}`
    or `{tag}`) and the prefix its tags carry."""

    sites: dict[str, str] = field(default_factory=dict)
    prefix: str = "v"

    def pattern(self, text: str) -> re.Pattern[str]:
        """The configured text as a pattern capturing the version (group 1)."""
        placeholder = "{version}" if "{version}" in text else "{tag}"
        before, _, after = text.partition(placeholder)
        tag = re.escape(self.prefix) if placeholder == "{tag}" else ""
        return re.compile(f"{re.escape(before)}{tag}({_PEP440})(?![\\w.+]){re.escape(after)}")

    def rewritten(self, rel: str, text: str, new: str) -> str:
        """`text` of `rel` with `new` wherever its configured text states a version."""
        if rel not in self.sites:
            return text
        pattern = self.pattern(self.sites[rel])
        return pattern.sub(lambda m: _swap(m, 1, new), text)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_sites(root: Path, package: str | None,
               configured: Configured | None = None) -> list[VersionSite]:
    """Every version statement the release rewrites: pyproject.toml, settings.ini, the
    package's `__version__`, the book's config, and the configured sites (README mentions of
    the current version are rewritten with them, not listed)."""
    sites = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        document = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
        value = document.get("project", {}).get("version")
        if isinstance(value, str):
            text = pyproject.read_text(encoding="utf-8")
            found = re.search(r"^version\s*=", text, re.MULTILINE)
            sites.append(VersionSite("pyproject.toml", _line(text, found.start()) if found else 1,
                                     str(value)))
    for rel, pattern in _pattern_files(root, package):
        text = (root / rel).read_text(encoding="utf-8")
        if found := pattern.search(text):
            sites.append(VersionSite(rel, _line(text, found.start()), found.group(3)
                                     if pattern is not _INI_VERSION else found.group(2)))
    for rel, said in (configured.sites.items() if configured else ()):
        assert configured is not None
        path = root / rel
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        match = configured.pattern(said).search(text)
        sites.append(VersionSite(rel, _line(text, match.start()) if match else 0,
                                 match.group(1) if match else "", said))
    return sites


def stated_version(root: Path) -> Version:
    """The version `pyproject.toml` states (else the first other site), as a Version."""
    sites = find_sites(root, None)
    site = next((s for s in sites if s.path == "pyproject.toml"), sites[0] if sites else None)
    if site is None:
        raise Refused(f"{root}: the course states no version (pyproject.toml [project] "
                      "version): pass --version")
    return parse(site.value, f"{site.path}:{site.line}")


def _pattern_files(root: Path, package: str | None) -> list[tuple[str, re.Pattern[str]]]:
    pairs: list[tuple[str, re.Pattern[str]]] = []
    if package and (root / package / "__init__.py").is_file():
        pairs.append((f"{package}/__init__.py", _INIT_VERSION))
    if (root / "settings.ini").is_file():
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string((root / "settings.ini").read_text(encoding="utf-8"))
        if parser.has_option("DEFAULT", "version"):
            pairs.append(("settings.ini", _INI_VERSION))
    pairs.extend((rel, _BOOK_VERSION) for rel in BOOK_CONFIGS if (root / rel).is_file())
    return pairs


def readme_pattern(version: str) -> re.Pattern[str]:
    """A README mention of the current version: `==0.1.0`, `v0.1.0`, `version 0.1.0`."""
    return re.compile(rf"(==|@|(?<![\w.])v|(?<![\w.])[Vv]ersion\s+)({re.escape(version)})"
                      r"(?![\w.])")


def rewritten(rel: str, text: str, old: str, new: str) -> str:
    """`text` of the version site `rel` with `new` where it states the version (`old` for a
    README mention): exactly what a release writes there."""
    if rel == "pyproject.toml":
        document = tomlkit.parse(text)
        project = document.get("project")
        if project is not None and isinstance(project.get("version"), str):
            project["version"] = new
        return tomlkit.dumps(document)
    if rel == "README.md":
        return readme_pattern(old).sub(lambda m: m.group(1) + new, text)
    pattern = _INI_VERSION if rel == "settings.ini" else _INIT_VERSION if rel.endswith(
        "__init__.py") else _BOOK_VERSION
    group = 2 if pattern is _INI_VERSION else 3
    return pattern.sub(lambda m: _swap(m, group, new), text, count=1)


def rewrite(root: Path, package: str | None, old: str, new: str) -> list[str]:
    """Write `new` wherever the course states `old`; every new text is computed before the
    first file is replaced, so a failure leaves every file as it was."""
    texts = rewrites(root, package, old, new)
    write_texts(root, texts)
    return list(texts)


def rewrites(root: Path, package: str | None, old: str, new: str,
             configured: Configured | None = None) -> dict[str, str]:
    """The new text of every file whose statement of `old` changes to `new` (nothing written)."""
    configured = configured or Configured()
    sites = ["pyproject.toml"] if (root / "pyproject.toml").is_file() else []
    sites += [rel for rel, _ in _pattern_files(root, package)]
    sites += ["README.md"] if (root / "README.md").is_file() else []
    sites += [rel for rel in configured.sites if rel not in sites and (root / rel).is_file()]
    texts = {rel: site_text(rel, (root / rel).read_text(encoding="utf-8"), old, new, configured)
             for rel in sites}
    return {rel: text for rel, text in texts.items()
            if text != (root / rel).read_text(encoding="utf-8")}


def site_text(rel: str, text: str, old: str, new: str, configured: Configured) -> str:
    """`text` of `rel` as a release writes it: its own statement of the version, then its
    configured one (a README both mentions `==0.1.0` and carries a badge)."""
    built_in = rel in ("pyproject.toml", "README.md", "settings.ini") or \
        rel.endswith("__init__.py") or rel in BOOK_CONFIGS
    return configured.rewritten(rel, rewritten(rel, text, old, new) if built_in else text, new)


def write_texts(root: Path, texts: dict[str, str]) -> None:
    for rel, text in texts.items():
        write_atomic(root / rel, text)


def _swap(match: re.Match[str], group: int, new: str) -> str:
    whole, start = match.group(0), match.start(group) - match.start(0)
    return whole[:start] + new + whole[start + len(match.group(group)):]
