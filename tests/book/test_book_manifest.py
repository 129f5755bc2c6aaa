"""The release manifest's content hash is exactly what its docstring says: the sha256 of the
sorted `sha256sum` listing of the site's files, the manifest itself left out."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tinyrelease.book.errors import DeployRefused
from tinyrelease.book.manifest import MANIFEST, content_sha256, manifest_fields, write_manifest

RECIPE = ("find . -type f ! -path ./release-manifest.json -printf '%P\\n' | LC_ALL=C sort | "
          "xargs -d '\\n' sha256sum | sha256sum")


def site(tmp_path: Path) -> Path:
    files = {"index.html": "<h1>Course</h1>\n", "_static/basic.css": "body {}\n",
             "modules/01_tensor.html": "<p>Tensor</p>\n", "Z.txt": "upper case sorts first\n"}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_the_content_hash_is_the_documented_shell_recipe(tmp_path: Path) -> None:
    root = site(tmp_path)
    before = content_sha256(root)
    written = json.loads(write_manifest(root, {"tag": "course-v0.2.0"}).read_text())
    assert written == {"tag": "course-v0.2.0", "content_sha256": before}
    assert content_sha256(root) == before  # the manifest is not part of what it hashes
    shell = subprocess.run(RECIPE, shell=True, cwd=root, capture_output=True, text=True,
                           check=True)
    assert shell.stdout.split()[0] == before
    (root / "_static/basic.css").write_text("body { margin: 0 }\n")
    assert content_sha256(root) != before


def test_manifest_fields_are_key_value_pairs() -> None:
    assert manifest_fields(["tag=v1", "commit=abc=d"]) == {"tag": "v1", "commit": "abc=d"}
    for wrong in ("tag", "content_sha256=0"):
        with pytest.raises(DeployRefused, match=f"--manifest '{wrong}' must be KEY=VALUE"):
            manifest_fields([wrong])
    assert MANIFEST == "release-manifest.json"
