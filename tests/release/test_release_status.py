"""`invoke release.status` and `invoke release.checklist` as a maintainer reads them: the
status survives an index that cannot be reached, the checklist is of the next release."""

from __future__ import annotations

from pathlib import Path

import pytest
from releasehelpers import Captured, MakeCourse

from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.checklist import render_checklist
from tinyrelease.release.errors import Interrupted
from tinyrelease.release.pipelines import release, status
from tinyrelease.release.plan import Request
from tinyrelease.release.sandbox import PackageServer, git

NOT_GATES = "this test is not about the gates"


def test_status_marks_the_upload_unknown_when_the_index_is_down(
        make_repo: MakeCourse, index_server: PackageServer, publisher: FakePublisher) -> None:
    root = make_repo()

    def stop_after_build(key: str) -> None:
        if key == "build":
            raise Interrupted("killed after the build")

    with pytest.raises(Interrupted):
        release(root, Request("patch", yes=True, skip_gates=NOT_GATES), Captured(), publisher,
                stop_after_build)
    index_server.stop()
    out = Captured()
    plan = status(root, "patch", out, publisher)
    upload = next(step for step in plan.steps if step.key == "upload")
    assert upload.status == "unknown"
    assert "cannot reach the index" in upload.why
    assert "│ upload" in out.text and "unknown" in out.text


def test_the_checklist_is_of_the_next_release(make_repo: MakeCourse, tmp_path: Path) -> None:
    root = make_repo()  # states 0.1.0, a final: the next minor is 0.2.0
    out = tmp_path / "CHECKLIST.md"
    path, _, total, final = render_checklist(root, "minor", None, tmp_path / "none.json",
                                             tmp_path / "no-review", out)
    assert final == "0.2.0" and total > 0
    assert path.read_text(encoding="utf-8").startswith("# Minor release checklist: v0.2.0")
    git(root, "tag", "v0.2.0")
    _, _, _, final = render_checklist(root, "patch", None, tmp_path / "none.json",
                                      tmp_path / "no-review", out)
    assert final == "0.2.1"
