"""A throw-away place to release a course for real: the course in its own git repository with
a bare `origin` and a gh-pages branch, and a password-protected pypiserver on loopback.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from tinyrelease.checks.execution.workspace import IGNORED
from tinyrelease.release.errors import ReleaseError
from tinyrelease.release.git import Git
from tinyrelease.release.versions import write_atomic


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PackageServer:
    """pypiserver on 127.0.0.1 with an htpasswd file: uploads need the password."""

    folder: Path
    username: str = "maintainer"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> PackageServer:
        from passlib.apache import HtpasswdFile

        packages, htpasswd = self.folder / "packages", self.folder / "htpasswd"
        packages.mkdir(parents=True, exist_ok=True)
        users = HtpasswdFile(str(htpasswd), new=True, default_scheme="apr_md5_crypt")
        users.set_password(self.username, self.password)
        users.save()
        self.port = free_port()
        log = (self.folder / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pypiserver", "run", "-p", str(self.port), "-i", "127.0.0.1",
             "-P", str(htpasswd), "-a", "update", "--hash-algo", "sha256",
             "--disable-fallback", str(packages)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}health", timeout=2):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise ReleaseError(f"pypiserver did not start (see {self.folder / 'server.log'})")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def files(self) -> list[str]:
        return sorted(p.name for p in (self.folder / "packages").glob("*") if p.is_file())


def git(root: Path, *args: str) -> str:
    return Git(root).out(*args)


def course_repository(example: Path, base: Path, settings: dict[str, object],
                      fragments: dict[str, str] | None = None, dev: bool = True) -> Path:
    """Copy the course into `base/course`, configure the release, commit it on main (and dev),
    and push to a bare `base/origin.git` that also holds a gh-pages branch."""
    root = base / "course"
    copy_course(example, root, settings, fragments)
    repository(root, base / "origin.git")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "The course")
    git(root, "push", "--quiet", "origin", "main")
    if dev:
        git(root, "switch", "--quiet", "-c", "dev")
        git(root, "push", "--quiet", "origin", "dev")
    pages_branch(root, {})
    return root


def copy_course(example: Path, root: Path, settings: dict[str, object],
                fragments: dict[str, str] | None = None) -> None:
    """The example course at `root`, its release configured by `settings`."""
    shutil.copytree(example, root, ignore=IGNORED)
    document = tomlkit.parse((root / "pyproject.toml").read_text(encoding="utf-8"))
    tool = document.setdefault("tool", tomlkit.table())
    ours = tool.setdefault("tinyrelease", tomlkit.table())
    ours["release"] = settings
    write_atomic(root / "pyproject.toml", tomlkit.dumps(document))
    write_atomic(root / ".gitignore", "build/\n__pycache__/\n*.egg-info/\n.pytest_cache/\n")
    (root / "changelog.d").mkdir(exist_ok=True)
    for name, text in (fragments or {}).items():
        write_atomic(root / "changelog.d" / name, text)


def repository(root: Path, origin: Path) -> None:
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(root)], check=True)
    for key, value in (("user.name", "Course Maintainer"), ("user.email", "maintainer@example.org"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false")):
        git(root, "config", key, value)
    git(root, "remote", "add", "origin", str(origin))


def pages_branch(root: Path, files: dict[str, str]) -> None:
    """The published sites live on gh-pages, a branch with no history in common."""
    tree = _tree(root, files)
    commit = git(root, "commit-tree", tree, "-m", "gh-pages: the published sites")
    git(root, "push", "--quiet", "origin", f"{commit}:refs/heads/gh-pages")


def _tree(root: Path, files: dict[str, str]) -> str:
    """A tree of `files` (path -> text) written into the repository without a work tree."""
    folders: dict[str, list[str]] = {}
    for path, text in sorted(files.items()):
        blob = _hash(root, ["-w", "--stdin"], text.encode())
        folder, _, name = path.rpartition("/")
        folders.setdefault(folder, []).append(f"100644 blob {blob}\t{name}")
    for folder in sorted({f for f in folders if f}, key=lambda f: -f.count("/")):
        parent, _, name = folder.rpartition("/")
        tree = _mktree(root, folders.pop(folder))
        folders.setdefault(parent, []).append(f"040000 tree {tree}\t{name}")
    return _mktree(root, folders.get("", []))


def _mktree(root: Path, entries: list[str]) -> str:
    done = subprocess.run(["git", "mktree"], cwd=root, input="\n".join(entries).encode() +
                          (b"\n" if entries else b""), capture_output=True, check=True)
    return done.stdout.decode().strip()


def _hash(root: Path, args: list[str], data: bytes) -> str:
    done = subprocess.run(["git", "hash-object", *args], cwd=root, input=data,
                          capture_output=True, check=True)
    return done.stdout.decode().strip()
