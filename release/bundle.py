"""The GitHub release bundle (notes, wheel and sdist, SHA256SUMS, gates report, checklist,
announcement) and the one small interface that publishes it: `gh`, or a fake in the tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Protocol

from tinyrelease.book.manifest import MANIFEST
from tinyrelease.checks.process import run
from tinyrelease.release.errors import ReleaseError
from tinyrelease.release.index import sha256
from tinyrelease.release.versions import write_atomic


class Publisher(Protocol):
    def available(self) -> str | None:
        """None when it can publish; else why not (shown in the plan as skipped)."""

    def has_release(self, tag: str) -> bool: ...

    def create(self, tag: str, title: str, notes: Path, files: list[Path],
               prerelease: bool, *, draft: bool = False) -> None:
        """The release of `tag`: published, or a draft (`draft`) a person publishes."""


class GhPublisher:
    """`gh release` in the course repository, used only when gh is installed and logged in."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def available(self) -> str | None:
        if shutil.which("gh") is None:
            return "gh is not installed: publish the bundle by hand"
        if not run(["gh", "auth", "status"], cwd=self.root, timeout=60, trusted=True).ok:
            return "gh is not logged in (gh auth login)"
        return None

    def has_release(self, tag: str) -> bool:
        return run(["gh", "release", "view", tag], cwd=self.root, timeout=60, trusted=True).ok

    def create(self, tag: str, title: str, notes: Path, files: list[Path],
               prerelease: bool, *, draft: bool = False) -> None:
        args = ["gh", "release", "create", tag, *map(str, files), "--title", title,
                "--notes-file", str(notes), "--verify-tag"]
        args += [*(["--prerelease"] if prerelease else []), *(["--draft"] if draft else [])]
        done = run(args, cwd=self.root, timeout=600, trusted=True)
        if not done.ok:
            raise ReleaseError(f"gh release create {tag} failed: {done.tail(2)}")


class FakePublisher:
    """GitHub's API cannot exist here: releases are JSON files in a directory, so a second run
    sees what the first one published."""

    def __init__(self, store: Path) -> None:
        self.store = store

    def available(self) -> str | None:
        return None

    def has_release(self, tag: str) -> bool:
        return (self.store / f"{tag}.json").is_file()

    def create(self, tag: str, title: str, notes: Path, files: list[Path],
               prerelease: bool, *, draft: bool = False) -> None:
        if self.has_release(tag):
            raise ReleaseError(f"a GitHub release {tag} already exists")
        self.store.mkdir(parents=True, exist_ok=True)
        record = {"tag": tag, "title": title, "notes": notes.read_text(encoding="utf-8"),
                  "assets": sorted(p.name for p in files), "prerelease": prerelease,
                  "draft": draft}
        write_atomic(self.store / f"{tag}.json", json.dumps(record, indent=2))


CHECKLIST = "release-checklist.md"  # CHECKLIST.md beside it is rewritten by every later run


RECORD = "release.json"


def write_bundle(folder: Path, notes: str, dists: list[Path], gates_report: Path | None,
                 announcement: str, checklist: str | None = None,
                 record: dict[str, object] | None = None,
                 manifest: str | None = None) -> list[Path]:
    """Everything a GitHub release carries, in `folder`; SHA256SUMS is written last, so its
    presence means the bundle is complete. The checklist is the one verified when bundled;
    the record says what the release is and the evidence it was made on; the manifest is the
    deployed site's (release-manifest.json, with its content hash), its text as is."""
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "notes.md", notes)
    write_atomic(folder / "ANNOUNCEMENT.md", announcement)
    assets = []
    for dist in dists:
        if dist.parent != folder:
            shutil.copy2(dist, folder / dist.name)
        assets.append(folder / dist.name)
    if gates_report is not None and gates_report.is_file():
        shutil.copy2(gates_report, folder / "gates-report.json")
        assets.append(folder / "gates-report.json")
    if checklist is not None:
        write_atomic(folder / CHECKLIST, checklist)
        assets.append(folder / CHECKLIST)
    if record is not None:
        write_atomic(folder / RECORD, json.dumps(record, indent=2) + "\n")
        assets.append(folder / RECORD)
    if manifest is not None:
        write_atomic(folder / MANIFEST, manifest)
        assets.append(folder / MANIFEST)
    sums = "".join(f"{sha256(p)}  {p.name}\n" for p in assets)
    write_atomic(folder / "SHA256SUMS", sums)
    return [*assets, folder / "SHA256SUMS"]


def announcement(project: str, version: str, notes: str, index: str | None) -> str:
    install = f"pip install {project}=={version}" + (f" --index-url {index}" if index else "")
    return (f"# {project} {version} is out\n\n{notes.strip()}\n\nInstall it with:\n\n"
            f"```sh\n{install}\n```\n")
