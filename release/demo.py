"""`invoke demo`: a full minor release (candidate, then final) of the example course in a
sandbox with a bare origin, a gh-pages branch and a local pypiserver with a password.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tinyrelease.release import pipelines
from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.model import Kind, Request
from tinyrelease.release.pipelines import Output
from tinyrelease.release.sandbox import PackageServer, course_repository, git

FRAGMENT = {"+demo.feature.md": "A demo feature, released by `invoke demo`.\n"}


def run_demo(example: Path, keep: bool, out: Output) -> Path:
    base = Path(tempfile.mkdtemp(prefix="tinyrelease-demo-"))
    server = PackageServer(base / "index").start()
    saved = {k: os.environ.get(k) for k in ("TWINE_USERNAME", "TWINE_PASSWORD")}
    os.environ.update(TWINE_USERNAME=server.username, TWINE_PASSWORD=server.password)
    out.secrets.append(server.password)
    failed = True
    try:
        root = course_repository(example, base, {"repository": server.url,
                                                 "rc_repository": server.url}, FRAGMENT)
        publisher = FakePublisher(base / "github")
        out.line(f"Sandbox: {base} (index {server.url}, password in TWINE_PASSWORD)")
        for stage in ("release candidate", "final release"):
            out.line(f"\n=== invoke release.minor --yes  ({stage})")
            pipelines.release(root, Request(Kind.MINOR, yes=True), out, publisher)
        out.line("\nWhere to look:")
        tags = sorted({line.split("refs/tags/")[1].removesuffix("^{}") for line in
                       git(root, "ls-remote", "--tags", "origin").splitlines()})
        out.line(f"  tags on origin:  {', '.join(tags)}")
        pages = git(root, "log", "-1", "--format=%s", "origin/gh-pages")
        out.line(f"  book:            origin/gh-pages ({pages})")
        out.line(f"  on the index:    {', '.join(server.files())}")
        out.line(f"  bundle:          {root / 'build' / 'release'}")
        out.line(f"  GitHub (fake):   {base / 'github'}")
        failed = False
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if failed:  # what the error names (a report, a log) is in the sandbox: keep it
            out.line(f"The demo stopped; the sandbox is kept for you to look at: {base} "
                     "(remove it when done)")
        elif not keep:
            shutil.rmtree(base, ignore_errors=True)
            out.line("The sandbox was removed (invoke demo --keep keeps it).")
    return base
