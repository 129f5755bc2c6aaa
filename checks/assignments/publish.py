"""What a release takes from the student release in `build/assignments/`: whether a complete
validation of this course passed (the checklist's student-materials item), and one zip per
module plus the manifest for the release bundle.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

from tinyrelease.checks.boundary import inside
from tinyrelease.checks.cache import read_json_object

MANIFEST = "manifest.json"
# a fixed time in every zip entry: the same notebooks make byte-identical zips
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    return read_json_object(folder / MANIFEST)


def validation_state(folder: Path, course_root: Path) -> tuple[bool | None, str]:
    """(verified, what was seen): True only for a validation of every module of this course
    that passed with every step run, whose notebooks are still the ones it validated."""
    manifest = read_manifest(folder)
    if manifest is None:
        return None, f"no student release in {folder} (nox -s assignments)"
    validation = manifest.get("validation")
    if not isinstance(validation, dict):
        return False, f"{folder / MANIFEST} has no validation"
    if Path(str(manifest.get("course"))).resolve() != course_root.resolve():
        return False, f"the student release is of another course ({manifest.get('course')})"
    if validation.get("modules") != "all":
        return False, f"a partial release (modules {validation.get('modules')}), not a verdict"
    skipped = validation.get("skipped") or {}
    if skipped:
        return False, f"not every step ran: {', '.join(sorted(skipped))} skipped"
    changed = [str(m.get("module")) for m in manifest.get("modules", [])
               if not _intact(folder, m)]
    if changed:
        return False, f"notebooks changed since they were validated: {', '.join(changed)}"
    free = validation.get("blank_notebook_points")
    seen = (f"{validation.get('status')} on {len(manifest.get('modules', []))} notebooks, "
            f"a blank notebook earns {free} points")
    return validation.get("status") == "pass", seen


def notebooks(folder: Path, course_root: Path) -> dict[str, Path]:
    """The student notebook of each module, when the release in `folder` is this course's and
    the notebook is still the one the manifest names (by its sha256)."""
    manifest = read_manifest(folder)
    if manifest is None or Path(str(manifest.get("course"))).resolve() != course_root.resolve():
        return {}
    return {str(m["module"]): folder / str(m["notebook"]) for m in manifest.get("modules", [])
            if isinstance(m, dict) and _intact(folder, m)}


def _intact(folder: Path, entry: dict[str, Any]) -> bool:
    path = folder / str(entry.get("notebook"))
    return (inside(path, folder) and path.is_file()
            and hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("sha256"))


def module_zips(folder: Path, dest: Path, prefix: str = "") -> list[Path]:
    """`<prefix><module>.zip` per module (its student notebook) and the manifest, in `dest`;
    only notebooks the manifest vouches for."""
    manifest = read_manifest(folder)
    if manifest is None:
        return []
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in manifest.get("modules", []):
        if not _intact(folder, entry):
            continue
        path = folder / str(entry["notebook"])
        target = dest / f"{prefix}{entry['module']}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo(f"{entry['module']}/{path.name}", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
        written.append(target)
    shutil.copy2(folder / MANIFEST, dest / f"{prefix}assignments-manifest.json")
    return [*written, dest / f"{prefix}assignments-manifest.json"]
