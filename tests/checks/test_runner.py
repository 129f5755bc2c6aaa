"""`nox -s gates`'s runner: every gate, results cached by content, re-parsing only what changed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, edited_source, source

from tinyrelease.checks.cache import ParseCache
from tinyrelease.checks.cli import main
from tinyrelease.checks.course import load_course
from tinyrelease.checks.store import CourseStore, _tag_files, open_course


@pytest.fixture(autouse=True)
def outside_the_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a noxfile in the working directory the runner runs every gate in-process."""
    monkeypatch.chdir(tmp_path)


def gates(root: Path, report: Path, *args: str) -> tuple[int, dict]:
    code = main(["--course", str(root), "--report-dir", str(report), *args])
    return code, json.loads((report / "report.json").read_text(encoding="utf-8"))


def test_second_run_comes_from_cache(make_course: CourseFactory, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course()
    code, first = gates(root, tmp_path / "r")
    capsys.readouterr()
    assert code == 0 and not any(g["cached"] for g in first["gates"])
    assert next(g for g in first["gates"] if g["name"] == "testing")["artifacts"]["tests"] == 4
    code, second = gates(root, tmp_path / "r")
    out = capsys.readouterr().out
    assert code == 0
    assert all(g["cached"] for g in second["gates"])
    assert out.count("(from cache, run ") == 6
    assert [g["findings"] for g in second["gates"]] == [g["findings"] for g in first["gates"]]


def test_a_tag_made_since_reruns_the_package_gate(make_course: CourseFactory,
                                                tmp_path: Path) -> None:
    """PKG127 reads the tags: tagging the release a section was written for changes its
    result though no file changed, so the cached result is not served."""
    changelog = "# Changelog\n\n## [Unreleased]\n\n## [0.1.1] — 2026-11-20\n\n- Fixed.\n"
    root = make_course({"CHANGELOG.md": changelog})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "course"],
                 ["tag", "v0.1.0"]):
        subprocess.run([*git, *args], cwd=root, check=True)
    select = ("--gate", "package", "--static-only", "--select", "PKG127")
    _, first = gates(root, tmp_path / "r", *select)
    assert {f["message"].split(":")[0] for f in first["gates"][0]["findings"]} == {
        "the section [0.1.1] has no release tag v0.1.1",
        "the release tag v0.1.0 has no section in CHANGELOG.md"}
    subprocess.run([*git, "tag", "v0.1.1"], cwd=root, check=True)
    _, second = gates(root, tmp_path / "r", *select)
    assert not second["gates"][0]["cached"]
    assert [f["message"] for f in second["gates"][0]["findings"]] == [
        "the release tag v0.1.0 has no section in CHANGELOG.md: add ## [0.1.0] with its notes"]


def test_no_cache_forces_a_full_run(make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course()
    gates(root, tmp_path / "r", "--static-only")
    _, again = gates(root, tmp_path / "r", "--static-only", "--no-cache")
    assert not any(g["cached"] for g in again["gates"])


def test_a_change_invalidates_the_cache_and_its_finding_shows(make_course: CourseFactory,
                                                              tmp_path: Path) -> None:
    root = make_course()
    gates(root, tmp_path / "r", "--static-only")
    about = root / "src/02_activations/ABOUT.md"
    about.write_text(about.read_text().replace("## Overview", "## Intro"))
    code, report = gates(root, tmp_path / "r", "--static-only")
    assert code == 1
    assert not any(g["cached"] for g in report["gates"])
    doc = next(g for g in report["gates"] if g["name"] == "documentation")
    assert [f["module"] for f in doc["findings"]] == ["02_activations"]


def test_editing_one_module_reparses_only_that_module(make_course: CourseFactory,
                                                      tmp_path: Path) -> None:
    root = make_course()
    cache = tmp_path / "parsed.pickle"
    first = ParseCache(cache)
    load_course(root, parsed=first)
    first.save()
    (root / "src/03_layers/03_layers.py").write_text(source(3) + "\n# edited\n")
    second = ParseCache(cache)
    load_course(root, parsed=second)
    assert first.hits == 0
    # 4 ABOUT.md, 3 untouched sources, 4 test files and the module mentions of 5 documents
    # (README.md and the 4 ABOUT.md); 03_layers is parsed again
    assert second.hits == 16


def test_what_the_checks_derive_is_kept_with_the_parse(make_course: CourseFactory) -> None:
    """A run that parses nothing new still keeps what its checks derived from the parse."""
    root = make_course()
    open_course(root)
    store = CourseStore(root)
    course = store.load(save=False)
    parsed = course.module("03_layers").source
    assert parsed is not None and store.parsed is not None and store.parsed.misses == 0
    assert parsed.derive("words", lambda: {"layer"}) == {"layer"}
    store.save_parsed()
    again = open_course(root).module("03_layers").source
    assert again is not None and again.derived == {"words": {"layer"}}


def test_findings_kept_with_a_parse_follow_every_edit(make_course: CourseFactory,
                                                     tmp_path: Path) -> None:
    """The systems checks and EDU152/EDU153 keep each module's findings with its parse: an
    edit of that module, or of a limit they read, gives what a run with an empty cache gives."""
    root = make_course()
    select = ("--static-only", "--select", "SYS1", "--select", "EDU15")

    def found(*extra: str) -> list[tuple[str, str, int | None]]:
        _, report = gates(root, tmp_path / "r", *select, *extra)
        return [(f["code"], f["path"], f["line"]) for g in report["gates"]
                for f in g["findings"]]

    def fresh() -> list[tuple[str, str, int | None]]:
        shutil.rmtree(tmp_path / "empty", ignore_errors=True)
        return found("--cache-dir", str(tmp_path / "empty"))

    assert found() == []
    layers = "src/03_layers/03_layers.py"
    (root / layers).write_text(edited_source(3, "## Module Summary", "## Wrapping up"))
    assert found() == [("SYS122", layers, None)] == fresh()
    (root / layers).write_text(source(3))
    assert found() == []
    (root / "tinyrelease.toml").write_text("[limits]\nmax_cell_lines = 4\nmax_code_run = 1\n")
    edited = found()
    assert {(code, path) for code, path, _ in edited if code == "EDU152"} == {
        ("EDU152", f"src/{name}/{name}.py") for name in
        ("01_tensor", "02_activations", "03_layers", "04_losses")}
    assert edited == fresh()


def test_a_run_writes_back_the_parses_it_did_not_change(make_course: CourseFactory,
                                                       tmp_path: Path) -> None:
    """Each parse is pickled on its own: a run that re-parses one module keeps the others'
    pickles as they were, and what the checks derive from an unchanged parse is kept too."""
    root, path = make_course(), tmp_path / "parsed.pickle"
    first = ParseCache(path)
    load_course(root, parsed=first)
    first.save()
    (root / "src/03_layers/03_layers.py").write_text(source(3) + "\n# edited\n")
    second = ParseCache(path)
    course = load_course(root, parsed=second)
    tensor = course.module("01_tensor").source
    assert tensor is not None and tensor.derive("words", lambda: {"tensor"}) == {"tensor"}
    second.save()
    third = ParseCache(path)
    again = load_course(root, parsed=third)
    assert third.misses == 0 and set(third.entries) == set(second.entries)
    unchanged = set(first.entries) & set(third.entries)
    assert len(unchanged) == len(first.entries) - 1  # all but the source of 03_layers
    assert [key for key in unchanged if third.entries[key] != first.entries[key]] == [
        key for key in unchanged if "words" in getattr(third.values.get(key), "derived", {})]
    kept = again.module("01_tensor").source
    assert kept is not None and kept.derived == {"words": {"tensor"}}


def test_a_cache_folder_keeps_its_newest_entries(tmp_path: Path) -> None:
    """A folder within its limit is left as it is; over it, the oldest entries go with their
    companion files."""
    import os

    from tinyrelease.checks.cache import prune

    prune(tmp_path / "missing", keep=1)  # nothing to prune, no error
    for age, name in enumerate(["new", "mid", "old"]):
        entry = tmp_path / f"{name}.json"
        entry.write_text("{}")
        entry.with_suffix(".cov").write_text("")
        os.utime(entry, (1_000_000 - age, 1_000_000 - age))
    prune(tmp_path, keep=3, companions=(".cov",))
    assert len(list(tmp_path.iterdir())) == 6
    prune(tmp_path, keep=2, companions=(".cov",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mid.cov", "mid.json", "new.cov",
                                                         "new.json"]


def test_what_the_parse_found_survives_the_cache(make_course: CourseFactory,
                                                tmp_path: Path) -> None:
    """The compiler's warnings, the runners and the places tests cannot fail come back from
    the pickle as they were parsed."""
    text = source(3).replace("    return value\n", '    return value, "\\d"\n').replace(
        '    """🔬 make_layers returns its value."""\n',
        '    """🔬 make_layers returns its value."""\n    assert (make_layers(1), "one")\n')
    root = make_course({"src/03_layers/03_layers.py": text})
    cache = tmp_path / "parsed.pickle"
    first = ParseCache(cache)
    parsed = load_course(root, parsed=first).module("03_layers").source
    first.save()
    second = ParseCache(cache)
    again = load_course(root, parsed=second).module("03_layers").source
    assert second.hits == 17 and parsed is not None and again is not None
    assert [line for line, _ in parsed.syntax_warnings] == [
        text.split("\n").index('    return value, "\\d"') + 1,
        text.split("\n").index('    assert (make_layers(1), "one")') + 1]
    assert again.syntax_warnings == parsed.syntax_warnings
    assert again.unfailing == parsed.unfailing and [u.kind for u in parsed.unfailing] == [
        "assert"]
    assert again.runners == parsed.runners and len(parsed.runners) == 3
    assert again.bindings == parsed.bindings and again.reached_calls == parsed.reached_calls


def test_a_corrupt_parse_cache_is_ignored(make_course: CourseFactory, tmp_path: Path) -> None:
    cache = tmp_path / "parsed.pickle"
    cache.write_bytes(b"not a pickle")
    course = load_course(make_course(), parsed=ParseCache(cache))
    assert len(course.modules) == 4


def test_the_cache_key_never_leaves_the_course(make_course: CourseFactory, tmp_path: Path) -> None:
    import os

    from tinyrelease.checks.cache import course_digest
    root = make_course()
    outside = tmp_path / "secret.txt"
    outside.write_text("one")
    (root / "link.txt").symlink_to(outside)
    os.mkfifo(root / "pipe")
    before = course_digest(root)
    outside.write_text("two")  # a change outside the course does not change its key
    assert course_digest(root) == before
    (root / "src/01_tensor/ABOUT.md").write_text("changed")
    assert course_digest(root) != before


def test_the_cache_key_names_each_file_by_its_path(make_course: CourseFactory) -> None:
    """Moving a file between folders, the same bytes under the same name, is a new key; moving
    it back is the old one again."""
    from tinyrelease.checks.cache import course_digest
    root = make_course()
    before = course_digest(root)
    (root / "notes" / "deeper").mkdir(parents=True)
    (root / "notes" / "a.md").write_text("notes\n")
    placed = course_digest(root)
    (root / "notes" / "a.md").rename(root / "notes" / "deeper" / "a.md")  # hashed in turn
    moved = course_digest(root)
    (root / "notes" / "deeper" / "a.md").rename(root / "notes" / "a.md")
    assert len({before, placed, moved}) == 3 and course_digest(root) == placed


def test_a_parse_cache_of_other_code_is_not_used(make_course: CourseFactory, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsed files are results of the parser: new tinyrelease code parses them again."""
    from tinyrelease.checks import cache as cache_module

    root, path = make_course(), tmp_path / "parsed.pickle"
    first = ParseCache(path)
    load_course(root, parsed=first)
    first.save()
    assert ParseCache(path).entries
    monkeypatch.setattr(cache_module, "source_digest", lambda: "other code")
    assert ParseCache(path).entries == {}


def test_a_packed_tag_deleted_since_reruns_the_package_gate(make_course: CourseFactory,
                                                          tmp_path: Path) -> None:
    """Tags packed into .git/packed-refs count as much as loose ones."""
    changelog = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] — 2026-11-20\n\n- Fixed.\n"
    root = make_course({"CHANGELOG.md": changelog})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "course"],
                 ["tag", "v0.1.0"], ["tag", "v0.0.9"], ["pack-refs", "--all"]):
        subprocess.run([*git, *args], cwd=root, check=True)
    select = ("--gate", "package", "--static-only", "--select", "PKG127")
    _, first = gates(root, tmp_path / "r", *select)
    assert [f["message"].split(":")[0] for f in first["gates"][0]["findings"]] == [
        "the release tag v0.0.9 has no section in CHANGELOG.md"]
    subprocess.run([*git, "tag", "-d", "v0.0.9"], cwd=root, check=True, capture_output=True)
    _, second = gates(root, tmp_path / "r", *select)
    assert second["gates"][0]["findings"] == []


def test_a_tags_folder_linked_outside_the_course_is_not_walked(make_course: CourseFactory,
                                                               tmp_path: Path) -> None:
    """The package gate's key reads the tags from .git without git, but never through a link:
    a course whose .git/refs/tags points elsewhere is asked of git instead."""
    root = make_course({})
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    outside = tmp_path / "outside"
    (outside / "v9").parent.mkdir()
    (outside / "v9").write_text("secret\n")
    shutil.rmtree(root / ".git/refs/tags")
    (root / ".git/refs/tags").symlink_to(outside)
    assert _tag_files(root) is None
    (root / ".git/refs/tags").unlink()
    (root / ".git/refs/tags").mkdir()
    (root / ".git/refs/tags/v1").write_text("0" * 40 + "\n")
    assert _tag_files(root) == f"refs/tags/v1\0{'0' * 40}\n"
