"""The one way tinyrelease runs a program: a list of arguments (never a shell), output
captured (or streamed with `-v`), a time limit, and an environment we choose.

A course's own code (its tests, export, build, a reviewer command it configures) runs without
the maintainer's credentials: variables that carry secrets are dropped and HOME is a scratch
folder, so `~/.pypirc`, `~/.netrc` or `~/.git-credentials` cannot be read either. Only our own
tools that need them (git pushing, twine uploading, gh) run `trusted`.
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT = 1800
SECRET = re.compile(r"(^TWINE_|^PYPI_|^GH_|^GITHUB_TOKEN$|^GITLAB_|^AWS_|^AZURE_|^GOOGLE_|"
                    r"TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|_KEY$|^NETRC$|^SSH_AUTH_SOCK$|"
                    r"^GIT_ASKPASS$|^SSH_ASKPASS$|^GNUPGHOME$)", re.IGNORECASE)
PASS_ENV = "TINYRELEASE_PASS_ENV"  # names the maintainer lets through anyway (an LLM's key)


@dataclass(frozen=True)
class Completed:
    """What a command did: its arguments (for messages), exit status and combined output."""

    args: tuple[str, ...]
    returncode: int
    output: str
    errors: str = ""  # stderr, when it was kept apart (`stderr=False`)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 12) -> str:
        return "\n".join(self.output.rstrip().split("\n")[-lines:])


_STREAM = {"on": False}
_HOME: dict[str, str] = {}


@contextmanager
def streaming(on: bool) -> Iterator[None]:
    """While active, commands echo their output as it comes (`-v`), and still capture it."""
    before = _STREAM["on"]
    _STREAM["on"] = on
    try:
        yield
    finally:
        _STREAM["on"] = before


def course_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (the process environment) without anything that carries a secret, with a
    scratch HOME; caches and pyenv keep pointing where they were."""
    base = dict(os.environ if base is None else base)
    allowed = set(base.get(PASS_ENV, "").split())
    clean = {k: v for k, v in base.items() if k in allowed or not SECRET.search(k)}
    home = Path(base.get("HOME") or Path.home())
    clean.setdefault("XDG_CACHE_HOME", str(home / ".cache"))
    if (home / ".pyenv").is_dir():
        clean.setdefault("PYENV_ROOT", str(home / ".pyenv"))
    # the package managers keep their index and mirror settings: builds and installs of the
    # course must reach the same packages as the maintainer's own
    for variable, rel in (("PIP_CONFIG_FILE", ".config/pip/pip.conf"),
                          ("PIP_CONFIG_FILE", ".pip/pip.conf"),
                          ("UV_CONFIG_FILE", ".config/uv/uv.toml")):
        if (home / rel).is_file():
            clean.setdefault(variable, str(home / rel))
    clean["HOME"] = _scratch_home()
    return clean


def _scratch_home() -> str:
    if "path" not in _HOME:
        _HOME["path"] = tempfile.mkdtemp(prefix="tinyrelease-home-")
        atexit.register(shutil.rmtree, _HOME["path"], True)
    return _HOME["path"]


def run(args: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT, trusted: bool = False,
        stdin: str | None = None, stderr: bool = True) -> Completed:
    """Run a command without a shell; a missing program or a time-out is a failed
    `Completed`. Untrusted (the default: the course's code may run) means without secrets.
    The output is stdout and stderr together, or (`stderr=False`) stdout, with stderr apart in
    `errors`."""
    argv = tuple(str(a) for a in args)
    base = dict(os.environ) if trusted else course_environment()
    merged = {**base, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    if _STREAM["on"] and stdin is None:
        return _run_streamed(argv, cwd, merged, timeout)
    try:
        done = subprocess.run(argv, cwd=cwd, env=merged, input=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if stderr else subprocess.PIPE,
                              text=True, errors="replace", timeout=timeout, check=False)
    except FileNotFoundError as error:
        missing = argv[0] if error.filename in (None, argv[0]) or Path(cwd).is_dir() else cwd
        return Completed(argv, 127, f"{missing}: not found")
    except subprocess.TimeoutExpired as expired:
        output = expired.output if isinstance(expired.output, str) else ""
        return Completed(argv, 124, f"{output}\ntimed out after {timeout:.0f} s")
    except OSError as error:
        return Completed(argv, 126, f"{argv[0]}: {error.strerror or error}")
    return Completed(argv, done.returncode, done.stdout, done.stderr or "")


def _run_streamed(argv: tuple[str, ...], cwd: Path, env: dict[str, str], timeout: float
                  ) -> Completed:
    print(f"$ {shlex.join(argv)}", flush=True)
    lines: list[str] = []
    try:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
    except (FileNotFoundError, OSError) as error:
        return Completed(argv, 127, f"{argv[0]}: {getattr(error, 'strerror', error)}")
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        sys.stdout.write(line)
        sys.stdout.flush()
        if time.monotonic() > deadline:
            process.kill()
            lines.append(f"\ntimed out after {timeout:.0f} s")
            break
    return Completed(argv, process.wait(), "".join(lines))
