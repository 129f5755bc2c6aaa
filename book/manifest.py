"""The release manifest of a published site, `release-manifest.json` at its root: what was
released (fields the release gives, like project, version, tag and commit) and the hash of it.

`content_sha256` is the sha256 of the text made of one line `<sha256 of the file>  <path>\\n`
per regular file of the site except the manifest itself, the path relative to the site's
root with `/` between folders, the lines sorted by the path's UTF-8 bytes. It is what
`find . -type f ! -path ./release-manifest.json -printf '%P\\n' | LC_ALL=C sort |
xargs -d '\\n' sha256sum | sha256sum` prints in the folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tinyrelease.book.errors import DeployRefused
from tinyrelease.checks.reports import write_atomic

MANIFEST = "release-manifest.json"


def content_sha256(site: Path) -> str:
    """The hash of every file of `site` but the manifest (see the module's docstring)."""
    files = sorted((p.relative_to(site).as_posix() for p in site.rglob("*")
                    if p.is_file() and not p.is_symlink()), key=lambda rel: rel.encode())
    listing = "".join(f"{hashlib.sha256((site / rel).read_bytes()).hexdigest()}  {rel}\n"
                      for rel in files if rel != MANIFEST)
    return hashlib.sha256(listing.encode()).hexdigest()


def manifest_fields(pairs: list[str]) -> dict[str, str]:
    """`--manifest KEY=VALUE` arguments as the manifest's fields, in their order."""
    fields = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or key == "content_sha256":
            raise DeployRefused(f"--manifest {pair!r} must be KEY=VALUE (content_sha256 is "
                                "computed, not given)")
        fields[key] = value
    return fields


def manifest_text(site: Path, fields: dict[str, str]) -> str:
    """The manifest of `site` as written: the fields given, then its content hash."""
    return json.dumps({**fields, "content_sha256": content_sha256(site)}, indent=2) + "\n"


def write_manifest(site: Path, fields: dict[str, str]) -> Path:
    """`release-manifest.json` at the root of `site`, written atomically."""
    return write_atomic(site / MANIFEST, manifest_text(site, fields))
