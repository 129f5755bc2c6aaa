"""Fixtures of the release tests: a real pypiserver with a password on loopback (stopped by its
pid after each test) and the example course in its own git repository with a bare origin.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from releasehelpers import Captured, MakeCourse  # noqa: E402

from tinyrelease.release.bundle import FakePublisher  # noqa: E402
from tinyrelease.release.sandbox import PackageServer, course_repository  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tinycourse"
FEATURE = {"+optim.feature.md": "Module 05 previewed: an SGD optimiser.\n"}


@pytest.fixture
def index_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PackageServer]:
    server = PackageServer(tmp_path / "index").start()
    monkeypatch.setenv("TWINE_USERNAME", server.username)
    monkeypatch.setenv("TWINE_PASSWORD", server.password)
    monkeypatch.setenv("TWINE_CONFIG_FILE", str(tmp_path / "no.pypirc"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_repo(tmp_path: Path, index_server: PackageServer) -> MakeCourse:
    """The example course as a repository: main and dev pushed to a bare origin, gh-pages there,
    the server as release and RC index, the book step off unless asked for."""

    def make(fragments: dict[str, str] | None = None, **settings: object) -> Path:
        values = {"repository": index_server.url, "rc_repository": index_server.url,
                  "book": False, **settings}
        return course_repository(EXAMPLE, tmp_path / "sandbox",
                                 {k: v for k, v in values.items() if v is not None},
                                 FEATURE if fragments is None else fragments)
    return make


@pytest.fixture
def output() -> Captured:
    return Captured()


@pytest.fixture
def publisher(tmp_path: Path) -> FakePublisher:
    return FakePublisher(tmp_path / "github")
