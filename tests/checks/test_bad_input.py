"""Broken, hostile and huge input as a user meets it: a finding with the file and line, or one
line on stderr with exit status 2 — never a traceback, never a file outside the course.
"""

from __future__ import annotations

import json
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, about, line_of, source

from tinyrelease.checks.cli import main
from tinyrelease.checks.course import load_course
from tinyrelease.checks.findings import Finding

ABOUT = "src/01_tensor/ABOUT.md"
SOURCE = "src/01_tensor/01_tensor.py"
Findings = Callable[[Path, str], list[Finding]]


def run_cli(root: Path, tmp_path: Path, *args: str) -> int:
    return main(["--course", str(root), "--report-dir", str(tmp_path / "reports"),
                 "--static-only", *args])


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The single stderr line of an expected failure (and proof that there is no traceback)."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("tinyrelease: error: ")
    return err


def test_malformed_front_matter_yaml_names_the_file_and_line(
        make_course: CourseFactory, findings: Findings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    broken = about(1).replace('description: "', 'description: one: "')
    root = make_course({ABOUT: broken})
    [finding] = findings(root, "EDU")
    assert finding.code.startswith("EDU") and finding.path == ABOUT
    assert finding.line == line_of(broken, "description:") == 3
    assert "invalid YAML" in finding.message
    assert run_cli(root, tmp_path) == 1
    assert f"{ABOUT}:3: {finding.code}" in capsys.readouterr().out


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(  # 10**7 values in 400 bytes
    f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcdef", "bcdefg", strict=True))


@pytest.mark.parametrize("document, problem", [
    ("[" * 30_000, "nested deeper than"),  # libyaml's C composer would crash the interpreter
    (ALIAS_BOMB, "aliases expand"),
    ("title: &t [*t]", "refers to its own anchor"),
])
def test_hostile_front_matter_yaml_is_refused_with_a_finding(
        make_course: CourseFactory, findings: Findings, document: str, problem: str) -> None:
    root = make_course({ABOUT: f"---\n{document}\n---\n\n# 01. Tensor\n"})
    [finding] = [f for f in findings(root, "EDU") if f.path == ABOUT and f.code == "EDU112"]
    assert problem in finding.message and finding.line == 2


def test_non_utf8_about_is_reported_at_the_bad_byte_and_the_rest_is_checked(
        make_course: CourseFactory, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    text = about(1)
    data = text.replace("This module builds", "This \x00 module builds").encode()
    root = make_course({ABOUT: data.replace(b"\x00", b"\xff\xfe")})
    assert run_cli(root, tmp_path) == 1
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    errors = [f for gate in report["gates"] for f in gate["findings"] if f["severity"] == "error"]
    bad_line = line_of(text, "This module builds")
    assert [(f["code"], f["path"], f["line"]) for f in errors] == [("EDU001", ABOUT, bad_line)]
    assert "not valid UTF-8 (byte 0xff" in errors[0]["message"]
    assert f"{ABOUT}:{bad_line}: EDU001" in out
    course = load_course(root)
    tensor = course.modules[0]
    assert tensor.meta is not None and tensor.meta.title == "Tensor"  # read past the bad byte
    assert [m.id for m in course.modules] == ["01_tensor", "02_activations", "03_layers",
                                             "04_losses"]


def test_a_byte_order_mark_does_not_shift_the_bad_byte(make_course: CourseFactory,
                                                       findings: Findings) -> None:
    data = "\ufeff".encode() + about(1).encode() + b"\n\xff\n"
    [finding] = findings(make_course({ABOUT: data}), "EDU001")
    assert finding.line == about(1).count("\n") + 2
    assert "byte 0xff" in finding.message


def test_an_empty_directory_is_not_a_course(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(empty, tmp_path) == 2
    assert "no course modules found" in one_line_error(capsys)


def test_a_course_path_that_does_not_exist(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(tmp_path / "nowhere", tmp_path) == 2
    assert "nowhere: not a directory" in one_line_error(capsys)


def test_a_missing_learning_path_is_a_finding(make_course: CourseFactory,
                                              findings: Findings) -> None:
    found = findings(make_course({"src/LEARNING_PATH.md": None}), "IMP")
    assert any("LEARNING_PATH.md" in f.message for f in found)


@pytest.mark.parametrize("outside", ["file beside the course", "/etc/passwd"])
def test_a_symlink_out_of_the_course_is_reported_not_followed(
        make_course: CourseFactory, findings: Findings, tmp_path: Path, outside: str) -> None:
    root = make_course({ABOUT: None})
    target = Path(outside) if outside.startswith("/") else tmp_path / "outside.md"
    if not target.exists():
        target.write_text(about(1), encoding="utf-8")
    (root / ABOUT).symlink_to(target)
    found = findings(root, "EDU001")
    assert [(f.code, f.path) for f in found] == [("EDU001", ABOUT)]
    assert "symlink that leaves the course root" in found[0].message
    course = load_course(root)
    assert course.modules[0].about is None
    assert ABOUT not in {rel for rel, text in course.files._texts.items() if text is not None}


def test_an_unreadable_about_is_reported_once(make_course: CourseFactory,
                                              findings: Findings) -> None:
    root = make_course({ABOUT: None})
    (root / ABOUT).symlink_to("/etc/passwd")
    assert load_course(root).files.unreadable(ABOUT)
    assert [f.code for f in findings(root, "") if f.module == "01_tensor"] == ["EDU001"]


def test_a_symlinked_directory_out_of_the_course_is_not_walked(
        make_course: CourseFactory, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "05_secret").mkdir(parents=True)
    (elsewhere / "test_secret.py").write_text("import os\n", encoding="utf-8")
    (elsewhere / "05_secret" / "ABOUT.md").write_text(about(1), encoding="utf-8")
    root = make_course()
    (root / "tests" / "outside").symlink_to(elsewhere, target_is_directory=True)
    (root / "src" / "05_secret").symlink_to(elsewhere / "05_secret", target_is_directory=True)
    course = load_course(root)
    assert "outside" not in course.tests.folders
    assert not [f.path for f in course.tests.files if "outside" in f.path]
    assert [m.id for m in course.modules] == ["01_tensor", "02_activations", "03_layers",
                                             "04_losses"]
    assert not [rel for rel in course.files._texts if "outside" in rel or "secret" in rel]


def test_a_file_deep_below_a_linked_folder_is_read_only_when_the_link_stays_inside(
        tmp_path: Path) -> None:
    """A folder is known to be inside the course from its parent and one `lstat`: a link
    anywhere above a file decides, however deep the file lies below it."""
    from tinyrelease.checks.files import CourseFiles

    root, elsewhere = tmp_path / "course", tmp_path / "elsewhere"
    for base in (root / "real", elsewhere):
        (base / "a" / "b").mkdir(parents=True)
        (base / "a" / "b" / "notes.md").write_text(f"in {base.name}\n", encoding="utf-8")
    (root / "out").symlink_to(elsewhere, target_is_directory=True)
    (root / "back").symlink_to(root / "real", target_is_directory=True)
    files = CourseFiles(root)
    assert files.read("back/a/b/notes.md", "educational") == "in real\n"
    assert files.read("out/a/b/notes.md", "educational") is None
    assert files.read("real/a/b/notes.md", "educational") == "in real\n"
    assert [p.message for p in files.problems] == [
        "out/a/b/notes.md leaves the course root; not read"]


def test_folders_and_walks_tell_links_from_what_they_list(tmp_path: Path) -> None:
    """A listed folder that is not a link is a folder without a `stat` of its own; a link is
    a folder only when it points at one inside the course, and a walk never enters one."""
    from tinyrelease.checks.files import CourseFiles

    root, elsewhere = tmp_path / "course", tmp_path / "elsewhere"
    (root / "site" / "real").mkdir(parents=True)
    elsewhere.mkdir()
    (root / "site" / "page.md").write_text("x\n", encoding="utf-8")
    (root / "site" / "real" / "deep.md").write_text("x\n", encoding="utf-8")
    (root / "site" / "inner").symlink_to(root / "site" / "real", target_is_directory=True)
    (root / "site" / "outer").symlink_to(elsewhere, target_is_directory=True)
    (root / "site" / "alias.md").symlink_to(root / "site" / "page.md")
    files = CourseFiles(root)
    assert files.folders("site") == ["inner", "real"]
    assert files.listdir("site") == ["alias.md", "inner", "page.md", "real"]
    assert files.walk("site", ".md") == ["site/alias.md", "site/page.md", "site/real/deep.md"]


def test_a_50_mb_source_is_reported_and_never_read(make_course: CourseFactory,
                                                   findings: Findings) -> None:
    root = make_course()
    with open(root / SOURCE, "r+b") as stream:  # sparse: a real 50 MB file on no disk space
        stream.truncate(50 * 2**20)
    tracemalloc.start()
    try:
        course = load_course(root)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20
    assert course.modules[0].source is None
    [finding] = [f for f in findings(root, "") if f.path == SOURCE]
    assert finding.code.endswith("001") and finding.line is None
    assert "is 50.0 MiB, over the 4 MiB limit" in finding.message and "not read" in finding.message


def test_an_unreadable_source_is_reported_once(make_course: CourseFactory,
                                               findings: Findings) -> None:
    root = make_course()
    with open(root / SOURCE, "r+b") as stream:
        stream.truncate(50 * 2**20)
    assert load_course(root).files.unreadable(SOURCE)
    assert [f.code for f in findings(root, "") if f.severity.value == "error"] == ["IMP001"]


def test_invalid_tinyrelease_toml_names_the_file_and_line(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course({"tinyrelease.toml": '[ignore]\nPKG126 = "reason\n'})
    assert run_cli(root, tmp_path) == 2
    err = one_line_error(capsys)
    assert "tinyrelease.toml" in err and "line 2" in err


@pytest.mark.parametrize("config, problem", [
    ('layout = ["src"]\n', "layout must be a string"),
    ("modules_dir = 5\n", "modules_dir must be a string"),
    ('source_name = "{module}.py"\n', "may use only {id} and {name}"),
    ("limits = 3\n", "limits must be a table"),
    ('[modules.01_tensor]\nignore = ["EDU"]\n', "ignore must be a table"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_a_course_config_of_the_wrong_shape_is_one_line(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        config: str, problem: str) -> None:
    assert run_cli(make_course({"tinyrelease.toml": config}), tmp_path) == 2
    assert problem in one_line_error(capsys)


def test_a_configured_path_out_of_the_course_is_not_read(make_course: CourseFactory,
                                                         findings: Findings) -> None:
    root = make_course({"tinyrelease.toml": 'learning_path = "../../../../../../etc/passwd"\n'})
    course = load_course(root)
    assert course.learning_path is None
    [finding] = findings(root, "IMP001")
    assert "leaves the course root; not read" in finding.message


def test_invalid_pyproject_is_a_finding_and_the_other_gates_run(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course({"pyproject.toml": '[project]\nname = "minicourse"\nversion = \n'})
    assert run_cli(root, tmp_path) == 1
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    package = next(g for g in report["gates"] if g["name"] == "package")
    [finding] = [f for f in package["findings"] if f["path"] == "pyproject.toml"
                 and f["severity"] == "error"]
    assert finding["code"].startswith("PKG") and finding["line"] == 3
    assert "invalid TOML" in finding["message"]
    assert {g["name"]: g["status"] for g in report["gates"] if g["name"] != "package"} == {
        "educational": "pass", "implementation": "pass", "testing": "pass",
        "documentation": "pass", "systems": "pass"}
    assert "pyproject.toml:3: PKG" in capsys.readouterr().out


def test_a_report_dir_that_is_a_file_is_one_line(make_course: CourseFactory, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder\n", encoding="utf-8")
    assert run_cli(make_course(), tmp_path) == 2
    assert "reports" in one_line_error(capsys)


def test_a_report_dir_that_is_a_file_is_one_line_when_tests_run(
        make_course: CourseFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder\n", encoding="utf-8")
    assert main(["--course", str(make_course()), "--report-dir", str(blocker)]) == 2
    assert "reports" in one_line_error(capsys)


@pytest.mark.parametrize("args, problem", [
    (["--gate", "nosuch"], "--gate: invalid choice: 'nosuch'"),
    (["--select", "ZZZ"], "--select ZZZ matches no check"),
    (["--level", "thorough"], "--level: invalid choice"),
])
def test_a_bad_option_is_one_line(make_course: CourseFactory, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str], args: list[str],
                                  problem: str) -> None:
    assert run_cli(make_course(), tmp_path, *args) == 2
    assert problem in one_line_error(capsys)


LONG = 50_000
HOSTILE_LINES = {
    "heading with a run of spaces": "# a" + " " * LONG + "x",
    "unclosed links": "[a](" * (LONG // 4),
    "unclosed brackets": "[" * LONG,
    "unclosed images": "<img " * (LONG // 5),
    "tier without closing stars": "**" + "TIER" * (LONG // 4),
    "checkpoint with a run of spaces": "**CHECKPOINT 1 " + " " * LONG + "x",
    "phase with a run of spaces": "## Phase 1: a" + " " * LONG + "b",
    "module line with a run of spaces": "**Module 1:" + " " * LONG + "x",
    "phase totals with a run of spaces": "**Time**:" + " " * LONG + "x",
    "a run of digits": "Time: " + "9" * LONG + " hours",
    "digits and spaces": "Time: " + "1 " * (LONG // 2),
    "directive with a run of spaces": "#| default_exp" + " " * LONG + "x",
}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES)
def test_long_hostile_lines_are_read_in_linear_time(make_course: CourseFactory,
                                                    findings: Findings, line: str) -> None:
    """Each of these took minutes to hours in a backtracking pattern; no timing is asserted,
    the test simply would not finish."""
    root = make_course({ABOUT: about(1) + line + "\n", "src/LEARNING_PATH.md": line,
                        SOURCE: source(1) + line + "\n", "src/01_tensor/README.md": line})
    assert not [f for f in findings(root, "") if "internal error" in f.message]


def test_a_course_file_that_is_a_directory_or_a_fifo_is_not_read(
        make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({ABOUT: None, SOURCE: None})
    (root / ABOUT).mkdir(parents=True)
    os.mkfifo(root / SOURCE)  # reading a FIFO would block forever
    course = load_course(root)
    assert course.modules[0].about is None and course.modules[0].source is None
    assert not [f for f in findings(root, "") if "internal error" in f.message]
    messages = {f.message for f in findings(root, "") if f.code.endswith("001")}
    assert f"{ABOUT} is a folder, not a file; not read" in messages  # not "missing"
    assert f"{SOURCE} is a FIFO or device, not a regular file; not read" in messages


def test_a_module_folder_whose_name_is_not_utf8_is_a_finding_and_reports_are_written(
        make_course: CourseFactory, tmp_path: Path) -> None:
    root = make_course()
    os.mkdir(os.fsencode(root / "src") + b"/05_bad\xffname")
    assert run_cli(root, tmp_path) == 1
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    found = [f for g in report["gates"] for f in g["findings"] if f["code"] == "EDU001"]
    assert any("bytes that are not UTF-8" in f["message"] for f in found)
    assert len(report["course"]["modules"]) == 4


def test_a_name_with_a_line_break_is_a_finding_not_silence(make_course: CourseFactory,
                                                           findings: Findings) -> None:
    root = make_course({"tests/01_tensor/test_odd\nname.py": "def test_x():\n    pass\n"})
    [found] = [f for f in findings(root, "TST001") if "line break" in f.message]
    assert found.path == "tests/01_tensor/'test_odd\\nname.py'"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_test_folder_is_a_finding(make_course: CourseFactory,
                                                findings: Findings) -> None:
    root = make_course()
    (root / "tests" / "02_activations").chmod(0)
    try:
        [found] = findings(root, "TST001")
        assert found.message == "tests/02_activations cannot be listed: Permission denied"
    finally:
        (root / "tests" / "02_activations").chmod(0o755)


def test_a_pyproject_linking_out_of_the_course_is_a_finding_not_an_internal_error(
        make_course: CourseFactory, findings: Findings, tmp_path: Path) -> None:
    root = make_course({"pyproject.toml": None})
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("[project]\nname = 'x'\n")
    (root / "pyproject.toml").symlink_to(outside)
    found = findings(root, "PKG")
    assert not [f for f in found if "internal error" in f.message]
    [link] = [f for f in found if f.code == "PKG001"]
    assert link.message == "pyproject.toml is a symlink that leaves the course root; not followed"


def test_a_test_folder_linking_out_of_the_course_says_so(make_course: CourseFactory,
                                                         findings: Findings,
                                                         tmp_path: Path) -> None:
    root = make_course()
    import shutil
    shutil.move(root / "tests", tmp_path / "elsewhere")
    (root / "tests").symlink_to(tmp_path / "elsewhere")
    assert [f.message for f in findings(root, "TST001")] == [
        "tests is a symlink that leaves the course root; not followed"]
    assert findings(root, "TST101") == []  # not "holds no test directories"


def test_code_nested_too_deeply_gives_a_reason(make_course: CourseFactory,
                                               findings: Findings) -> None:
    text = source(1) + "\n# %%\nx = " + "-" * 100_000 + "1\n"
    [found] = findings(make_course({SOURCE: text}), "PKG101")
    assert "is not valid Python: nested too deeply for Python's parser (" in found.message
