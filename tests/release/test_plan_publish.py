"""What a final shows the world, from snapshots built in memory: the book deployed into its
folder of a shared Pages branch (`pages_folder`), the GitHub release published, drafted or off
(`github_release`), and the settings that say so checked like every other.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from snapshots import INDEX, course, final, plan_of

from tinyrelease.release import bookdeploy
from tinyrelease.release.bundle import FakePublisher
from tinyrelease.release.errors import Refused
from tinyrelease.release.model import Kind
from tinyrelease.release.runner import Shown
from tinyrelease.release.settings import Settings, load_settings


def test_the_book_goes_into_its_folder_of_the_pages_branch() -> None:
    shared = course(settings=Settings(repository=INDEX, pages_folder="tinytorch/"))
    book = next(s for s in plan_of(shared, final(Kind.MINOR, "0.2.0")).steps if s.key == "book")
    assert (book.title, book.status, book.why) == (
        "book deployed to tinytorch/ of gh-pages with release-manifest.json", "todo",
        "not deployed")
    done = next(s for s in plan_of(shared, final(Kind.MINOR, "0.2.0"), book_deployed=True).steps
                if s.key == "book")
    assert (done.status, done.why) == ("done", "deployed")
    own = next(s for s in plan_of(course(), final(Kind.MINOR, "0.2.0")).steps if s.key == "book")
    assert own.title == "book deployed to gh-pages with release-manifest.json"


def test_the_book_deploy_command_names_the_folder_and_the_manifest() -> None:
    root, out = Path("/nowhere/course"), Path("/nowhere/course/build/book")
    fields = ["tag=tinytorch-v0.2.0", Shown("commit=" + "a" * 40, "commit=<commit>")]
    argv = bookdeploy.command(root, "origin", "gh-pages", "tinytorch", out, None, fields)
    assert argv[3:] == ["deploy", "--course", str(root), "--remote", "origin", "--branch",
                        "gh-pages", "--prefix", "tinytorch", "--out", str(out), "--manifest",
                        "tag=tinytorch-v0.2.0", "--manifest", fields[1], "--force"]
    assert "--prefix" not in bookdeploy.command(root, "origin", "gh-pages", None, out, None, [])


@pytest.mark.parametrize(("setting", "title", "todo", "done"), [
    ("published", "GitHub release", "not published", "published"),
    ("draft", "GitHub release (draft)", "no draft yet", "draft created"),
])
def test_the_github_release_is_published_or_a_draft(setting: str, title: str, todo: str,
                                                    done: str) -> None:
    state = course(settings=Settings(repository=INDEX, github_release=setting))
    for published, status, why in ((False, "todo", todo), (True, "done", done)):
        step = next(s for s in plan_of(state, final(Kind.PATCH, "0.1.1"),
                                       published=published).steps if s.key == "publish")
        assert (step.title, step.status, step.why) == (title, status, why)


def test_a_github_release_turned_off_is_skipped_with_the_reason() -> None:
    state = course(settings=Settings(repository=INDEX, github_release="off"))
    plan = plan_of(state, final(Kind.PATCH, "0.1.1"), publisher_missing="gh is not installed")
    step = next(s for s in plan.steps if s.key == "publish")
    assert (step.status, step.why) == (
        "skipped", 'off: github_release = "off" in [tool.tinyrelease.release]')
    assert step not in plan.pending


def test_the_fake_github_keeps_whether_a_release_is_a_draft(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("Notes.\n")
    github = FakePublisher(tmp_path / "github")
    github.create("course-v0.2.0", "tinynn 0.2.0", notes, [notes], False, draft=True)
    github.create("course-v0.2.1", "tinynn 0.2.1", notes, [notes], False)
    drafts = {tag: json.loads((github.store / f"{tag}.json").read_text())["draft"]
              for tag in ("course-v0.2.0", "course-v0.2.1")}
    assert drafts == {"course-v0.2.0": True, "course-v0.2.1": False}


def test_the_pages_settings_read_from_the_course(tmp_path: Path) -> None:
    (tmp_path / "tinyrelease.toml").write_text(
        '[release]\npages_folder = "tinytorch/"\ngithub_release = "draft"\n')
    settings = load_settings(tmp_path, {"main", "dev"})
    assert (settings.pages_prefix, settings.book_site, settings.github_release) == (
        "tinytorch", "tinytorch/ of gh-pages", "draft")
    assert Settings().pages_prefix is None and Settings().github_release == "published"


@pytest.mark.parametrize(("line", "said"), [
    ('pages_folder = "../site"', 'pages_folder must be a folder of the Pages branch, like '
     '"tinytorch" (names of letters, digits, ".", "_" and "-"; no leading "/", no "." or "..")'),
    ('pages_folder = "/tinytorch"', "pages_folder must be a folder of the Pages branch"),
    ("pages_folder = true", "pages_folder must be a non-empty string"),
    ('github_release = "yes"', 'github_release must be "published", "draft" or "off"'),
])
def test_the_pages_settings_name_the_key_and_what_it_takes(tmp_path: Path, line: str,
                                                          said: str) -> None:
    (tmp_path / "tinyrelease.toml").write_text(f"[release]\n{line}\n")
    with pytest.raises(Refused) as refused:
        load_settings(tmp_path, set())
    assert str(refused.value).startswith(
        f"{tmp_path / 'tinyrelease.toml'}: [tool.tinyrelease.release] {said}")
