"""A minor release against real git and a real password-protected pypiserver: two release
candidates, then the final, checked on the index, the tags, the branches and the bundle.
"""

from __future__ import annotations

import hashlib
import json

from releasehelpers import Captured, MakeCourse, commit_file, remote_tags

from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.pipelines import release, status
from tinyrelease.release.plan import Request
from tinyrelease.release.sandbox import PackageServer, git


def test_release_minor_two_candidates_then_final(make_repo: MakeCourse, output: Captured,
                                                 index_server: PackageServer,
                                                 publisher: FakePublisher) -> None:
    root = make_repo()
    plan = release(root, Request("minor", yes=True), output, publisher)  # real gates, standard
    assert plan.release.tag == "v0.2.0rc1"
    assert remote_tags(root) == ["v0.2.0rc1"]
    assert index_server.files() == ["tinynn-0.2.0rc1-py3-none-any.whl", "tinynn-0.2.0rc1.tar.gz"]
    assert "run `invoke release.minor` again on release/v0.2.0" in output.text
    assert ("review:    Education Reviewer: approved; Module Developer: approved; Quality "
            "Assurance: approved; Package Manager: approved") in output.text
    assert f"consolidated report: {root}/build/release/v0.2.0rc1/review/consolidated.md" in \
        output.text
    gates = json.loads(next((root / "build/release/v0.2.0rc1/gates").glob("*/report.json"))
                       .read_text())
    assert gates["status"] == "pass" and gates["level"] == "standard"

    commit_file(root, "src/01_tensor/NOTES.md", "A fix found in review.\n", "Fix from review")
    release(root, Request("minor", yes=True, skip_gates="gates ran on rc1"), output, publisher)
    assert remote_tags(root) == ["v0.2.0rc1", "v0.2.0rc2"]
    assert "review:    skipped (gates ran on rc1): the final runs it before going on" in \
        output.text

    release(root, Request("minor", yes=True, skip_gates="gates ran on rc1"), output, publisher)
    assert remote_tags(root) == ["v0.2.0", "v0.2.0rc1", "v0.2.0rc2"]
    review = json.loads((root / "build/release/v0.2.0rc2/review/review.json").read_text())
    assert all(r["approved"] for r in review["reviewers"].values())  # rc2, reviewed at the final
    assert "tinynn-0.2.0.tar.gz" in index_server.files() and len(index_server.files()) == 6
    assert git(root, "show", "origin/main:pyproject.toml").count('version = "0.2.0"') == 1
    assert 'version = "0.3.0.dev0"' in git(root, "show", "origin/dev:pyproject.toml")
    assert git(root, "branch", "--show-current") == "dev"
    changelog = git(root, "show", "v0.2.0:CHANGELOG.md")
    assert "## [0.2.0]" in changelog and "an SGD optimiser" in changelog
    assert changelog.index("## [0.2.0]") < changelog.index("## [0.1.0]")
    assert git(root, "ls-tree", "--name-only", "v0.2.0", "changelog.d/").strip() == \
        "changelog.d/.gitkeep"
    bundle = root / "build/release/v0.2.0"
    sums = dict(line.split("  ")[::-1] for line in (bundle / "SHA256SUMS").read_text()
                .splitlines())
    assert set(sums) == {"tinynn-0.2.0-py3-none-any.whl", "tinynn-0.2.0.tar.gz",
                         "gates-report.json", "release-checklist.md", "release.json"}
    for name, digest in sums.items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest
        if name.startswith("tinynn"):  # the bytes on the index are the bytes in the bundle
            on_index = (index_server.folder / "packages" / name).read_bytes()
            assert hashlib.sha256(on_index).hexdigest() == digest
    assert "pip install tinynn==0.2.0" in (bundle / "ANNOUNCEMENT.md").read_text()
    record = json.loads((bundle / "release.json").read_text())  # the final skipped its gates
    assert (record["tag"], record["flow"], record["commit"]) == (
        "v0.2.0", "rc", git(root, "rev-parse", "v0.2.0^{commit}").strip())
    assert record["gates"] == {**record["gates"], "status": "skipped",
                               "reason": "gates ran on rc1"}
    published = json.loads((publisher.store / "v0.2.0.json").read_text())
    assert "an SGD optimiser" in published["notes"] and "SHA256SUMS" in published["assets"]
    checklist = (bundle / "CHECKLIST.md").read_text()
    assert "- [x] The release is tagged `v0.2.0` — *verified: v0.2.0 exists*" in checklist
    assert "- [ ] The book is deployed to the site branch — *not checked: off: book = false" \
        in checklist
    assert index_server.password not in output.text

    again = Captured()  # the same command once more: nothing left to do, nothing duplicated
    plan = release(root, Request("minor", yes=True), again, publisher)
    assert plan.release.tag == "v0.2.0" and plan.todo == [] and plan.problems == []
    assert "✓ " not in again.text  # no step was applied
    assert "nothing to release" in " ".join(status(root, "patch", again, publisher).problems)
    assert remote_tags(root) == ["v0.2.0", "v0.2.0rc1", "v0.2.0rc2"]


def test_release_dry_run_changes_nothing(make_repo: MakeCourse, output: Captured,
                                         index_server: PackageServer) -> None:
    root = make_repo()
    before = git(root, "for-each-ref"), git(root, "status", "--porcelain")
    release(root, Request("patch", dry_run=True), output)
    assert (git(root, "for-each-ref"), git(root, "status", "--porcelain")) == before
    assert "[branch] git switch --quiet -c release/v0.1.1 dev" in output.text
    assert "[tag] git tag -a v0.1.1rc1" in output.text
    assert index_server.files() == [] and not (root / "build").exists()
