"""The package index: where a release goes (a `.pypirc` section or a URL), what it already has
(its simple API, with hashes), and the upload through twine with credentials in its environment.
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from tinyrelease.checks.errors import redact_urls
from tinyrelease.checks.process import Completed, run
from tinyrelease.release.errors import IndexRefused, Refused

PYPI_UPLOAD = "https://upload.pypi.org/legacy/"
_DEFAULTS = {"pypi": PYPI_UPLOAD, "testpypi": "https://test.pypi.org/legacy/"}


@dataclass(frozen=True)
class Repository:
    """An index to upload to; the password is kept out of `repr` so it never reaches a log."""

    name: str
    upload_url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    config_file: Path | None = None
    source: str | None = None  # where the password came from, for messages

    @property
    def simple_url(self) -> str:
        url = self.upload_url.rstrip("/") + "/"
        url = url.replace("://upload.pypi.org/legacy/", "://pypi.org/")
        url = url.replace("://test.pypi.org/legacy/", "://test.pypi.org/")
        url = re.sub(r"legacy/$", "", url)
        return url + "simple/"

    @property
    def label(self) -> str:
        return self.name if self.name == self.upload_url else f"{self.name} ({self.upload_url})"

    def secrets(self) -> list[str]:
        return [s for s in (self.password,) if s]


def pypirc_path() -> Path:
    return Path(os.environ.get("TWINE_CONFIG_FILE") or Path.home() / ".pypirc")


def resolve(spec: str) -> Repository:
    """A URL, or a `.pypirc` section; credentials from TWINE_USERNAME / TWINE_PASSWORD first,
    then the section, exactly the order twine itself uses."""
    env_user, env_password = os.environ.get("TWINE_USERNAME"), os.environ.get("TWINE_PASSWORD")
    if "://" in spec:  # credentials written into the URL are taken out of it, never shown
        parts = urllib.parse.urlsplit(spec)
        bare = urllib.parse.urlunsplit(parts._replace(netloc=parts.hostname + (
            f":{parts.port}" if parts.port else ""))) if parts.hostname else spec
        user = urllib.parse.unquote(parts.username) if parts.username else None
        password = urllib.parse.unquote(parts.password) if parts.password else None
        source = "the repository URL" if password and not env_password else "TWINE_PASSWORD"
        return Repository(bare, bare, env_user or user, env_password or password,
                          source=source if (env_password or password) else None)
    config = configparser.RawConfigParser()
    path = pypirc_path()
    if path.is_file():
        config.read(path, encoding="utf-8")
    if not config.has_section(spec) and spec not in _DEFAULTS:
        raise Refused(f"repository {spec!r} is neither a URL nor a section of {path}: "
                      f"add [{spec}] with repository = URL, or give the URL")
    section = dict(config.items(spec)) if config.has_section(spec) else {}
    url = section.get("repository", _DEFAULTS.get(spec, ""))
    if not url:
        raise Refused(f"{path}: [{spec}] has no repository = URL")
    password = env_password or section.get("password")
    return Repository(spec, url, env_user or section.get("username"), password,
                      path if config.has_section(spec) else None,
                      source=("TWINE_USERNAME / TWINE_PASSWORD" if env_password
                              else f"[{spec}] of {path}" if password else None))


def require_credentials(repo: Repository) -> None:
    if not repo.password:
        raise Refused(f"no credentials for {repo.label}: set TWINE_USERNAME and TWINE_PASSWORD "
                      f"or add username/password to [{repo.name}] in {pypirc_path()}")


def redact(text: str, secrets: list[str]) -> str:
    """Hide every secret, whole or percent-encoded, and credentials written into URLs."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "********")
            text = text.replace(urllib.parse.quote(secret, safe=""), "********")
    return redact_urls(text)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and href:
            path, _, fragment = href.partition("#")
            self.files[urllib.parse.unquote(path.rsplit("/", 1)[-1])] = fragment


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def listing(repo: Repository, project: str) -> dict[str, str]:
    """{filename: "algo=hexdigest" or ""} of the project's files on the index (empty when it
    has none); an index that cannot be reached is an error, not an empty answer."""
    request = urllib.request.Request(f"{repo.simple_url}{normalize(project)}/")
    if repo.username and repo.password:
        token = base64.b64encode(f"{repo.username}:{repo.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return {}
        raise IndexRefused(f"{repo.simple_url}: HTTP {error.code} {error.reason} "
                           f"when listing {project}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise IndexRefused(f"{repo.simple_url}: cannot reach the index ({reason})") from None
    links = _Links()
    links.feed(body)
    return links.files


def digest_matches(path: Path, fragment: str) -> bool | None:
    """True / False when the index states a hash we can compute, None when it states none."""
    algo, _, expected = fragment.partition("=")
    if not expected or algo not in hashlib.algorithms_available:
        return None
    return hashlib.new(algo, path.read_bytes()).hexdigest() == expected


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pending(repo: Repository, project: str, files: list[Path]) -> list[Path]:
    """The files still to upload. A file the index has with the same hash is uploaded; with a
    different hash it is a hard stop: the version was published from other bytes."""
    present = listing(repo, project)
    todo = []
    for path in files:
        if path.name not in present:
            todo.append(path)
        elif digest_matches(path, present[path.name]) is False:
            raise IndexRefused(f"{repo.label} already has {path.name} with a different hash: "
                               "this version was published from other files; release the next "
                               "version instead (nothing was tagged)")
    return todo


def upload(repo: Repository, files: list[Path]) -> None:
    """`twine upload` of `files`; credentials travel in its environment, never its arguments."""
    require_credentials(repo)
    done = run([*upload_args(repo), *files], cwd=files[0].parent, env=upload_env(repo),
               timeout=600, trusted=True)
    require_uploaded(repo, done)


def upload_args(repo: Repository) -> list[str]:
    """`twine upload` to `repo` without the files: no credential is ever an argument."""
    args = [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar"]
    if repo.config_file is not None:
        return [*args, "--config-file", str(repo.config_file), "--repository", repo.name]
    return [*args, "--repository-url", repo.upload_url]


def upload_env(repo: Repository) -> dict[str, str]:
    return {"TWINE_USERNAME": repo.username or "__token__", "TWINE_PASSWORD": repo.password or ""}


def require_uploaded(repo: Repository, done: Completed) -> None:
    """A failed upload said in one line, its credentials hidden; 401/403 names their source."""
    if done.ok:
        return
    output = redact(done.output, repo.secrets())
    if re.search(r"\b(401|403)\b", output):
        raise IndexRefused(f"{repo.label} refused the credentials (HTTP 401/403) from "
                           f"{repo.source or 'TWINE_USERNAME / TWINE_PASSWORD'}: check them; "
                           "nothing was tagged")
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    problem = next((ln for ln in lines if "ERROR" in ln or "HTTPError" in ln),
                   lines[-1] if lines else "no output")
    raise IndexRefused(f"upload to {repo.label} failed: {problem}")
