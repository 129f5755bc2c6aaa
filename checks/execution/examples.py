"""The documentation's examples tried in the testing gate's environment: each command line
that calls a console script of the course is parsed by that script's own argparse parser (and
never run), each Python snippet that imports the course package is run in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tinyrelease.checks.boundary import own_folder
from tinyrelease.checks.cache import read_json_object
from tinyrelease.checks.course import Course
from tinyrelease.checks.documented import Documented, DocumentedCommand, Snippet, documented
from tinyrelease.checks.execution.example_cache import ExampleCache
from tinyrelease.checks.execution.origin import in_course_terms, source_of
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.gates.common import grouped, listed
from tinyrelease.checks.process import run
from tinyrelease.checks.registry import Hit

COMMAND_TIMEOUT = 20.0
SNIPPET_TIMEOUT = 60.0
HERE = Path(__file__).resolve().parent
_REQUIRED = "error: the following arguments are required"
_ARGPARSE_ERROR = re.compile(r"^\S.*?: error: .+$", re.MULTILINE)
_CHOICE = re.compile(r"invalid choice: (?:'[^']*'|\S+)")


@dataclass
class ExampleRun:
    """What trying the documentation's examples found, counted, and left out (and why)."""

    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def console_scripts(course: Course) -> dict[str, str]:
    """`[project.scripts]` of the course: script name -> `module:function`."""
    scripts = course.pyproject.project.get("scripts") if course.pyproject else None
    if not isinstance(scripts, dict):
        return {}
    return {name: spec for name, spec in scripts.items()
            if isinstance(name, str) and isinstance(spec, str) and ":" in spec}


def try_examples(course: Course, copy: Path, scratch: Path, commands: bool, snippets: bool,
                 missing: list[str], cache: ExampleCache | None = None) -> ExampleRun:
    """Parse the documented commands and run the snippets against the exported copy `copy`,
    in folders of `scratch`; `missing` are requirements this environment lacks. With a
    `cache`, an example whose inputs are unchanged is served from it."""
    scripts = console_scripts(course) if commands else {}
    package = course.package_name if snippets else None
    found = (cache.documented if cache is not None else documented)(course, sorted(scripts),
                                                                     package)
    outcome = ExampleRun(counts={
        "pages": len(found.pages), "commands": len(found.commands),
        "commands_with_placeholders": found.placeholders, "snippets": len(found.snippets),
        "snippet_fragments": found.fragments, "opted_out": found.opted_out})
    env = {"PYTHONPATH": _import_path(course, copy), "MPLBACKEND": "Agg",
           "PYTHONNOUSERSITE": "1"}
    if scripts and not hasattr(os, "fork"):  # each command line is parsed in a forked child
        outcome.notes.append("documented commands: not checked on this platform (no fork)")
        scripts = {}
    started = time.perf_counter()
    for script, spec in scripts.items():
        mine = [c for c in found.commands if c.script == script]
        if mine:
            _check_commands(course, script, spec, mine, own_folder(scratch, "commands"), env,
                            missing, outcome, cache)
    outcome.counts["commands_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    if package and found.snippets:
        _run_snippets(course, found, own_folder(scratch, "snippets"), env, copy, package,
                      outcome, cache)
    outcome.counts["snippets_seconds"] = round(time.perf_counter() - started, 1)
    outcome.findings = [_in_module(course, f) for f in outcome.findings]
    return outcome


def _in_module(course: Course, finding: Finding) -> Finding:
    """The module of a finding whose places all lie in one module's folder."""
    modules = {course.module_of_path(path) for path in (finding.path, *(p for p, _ in
                                                                       finding.places)) if path}
    return replace(finding, module=modules.pop()) if len(modules) == 1 else finding


def _import_path(course: Course, copy: Path) -> str:
    """The exported copy's root (where a console script's own package sits) and the folder
    holding the course package, for a process whose working folder is a scratch one."""
    folders = [copy]
    if course.package is not None and "/" in course.package.dir:
        folders.append(copy / course.package.dir.rsplit("/", 1)[0])
    return os.pathsep.join(str(f) for f in folders)


# Commands -----------------------------------------------------------------------------------

def _check_commands(course: Course, script: str, spec: str, commands: list[DocumentedCommand],
                    scratch: Path, env: dict[str, str], missing: list[str],
                    outcome: ExampleRun, cache: ExampleCache | None) -> None:
    """Every distinct command line of one script, parsed in one run of `cli_probe`."""
    unique = list(dict.fromkeys(c.argv for c in commands))
    key = cache.commands_key(spec, unique) if cache is not None else ""
    data = cache.load(key) if cache is not None else None
    outcome.counts["commands_cached"] = outcome.counts.get("commands_cached", 0) + (
        len(commands) if data is not None else 0)
    why = ""
    if data is None:
        data, why = _parse_commands(script, spec, unique, scratch, env)
        if data is not None and cache is not None:
            cache.store(key, data, [])
    where = _script_line(course, script)
    if data is None:
        outcome.findings.append(Finding(
            "TST206", f"the documented commands of `{script}` could not be checked: the parse "
            f"run ended without a result {why}", "pyproject.toml", where))
    elif "import" in data:
        outcome.findings.append(_import_finding(script, spec, data["import"], commands,
                                                where, missing))
    elif data["probe"].get("state") in ("crashed", "timeout") and not data["probe"]["entered"]:
        said = _command_problem(data["probe"])
        outcome.findings.append(Finding(
            "TST206", f"console script `{script}` ({spec}) {said} ({_count(commands)} not "
            "checked)", "pyproject.toml", where))
    elif not data["probe"].get("entered"):
        outcome.notes.append(f"documented commands of `{script}`: not checked ("
                             f"{_count(commands)}): the script does not parse its arguments "
                             "with argparse")
    else:
        _command_findings(commands, unique, data["commands"], outcome)


def _parse_commands(script: str, spec: str, unique: list[tuple[str, ...]], scratch: Path,
                    env: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    """One run of `cli_probe` over the command lines `unique`: its result, else why none."""
    folder = own_folder(scratch, re.sub(r"[^\w.-]", "_", script))
    listed, results = folder / "commands.json", folder / "results.json"
    listed.write_text(json.dumps([list(argv) for argv in unique]), encoding="utf-8")
    results.unlink(missing_ok=True)
    done = run([sys.executable, "-c", (HERE / "cli_probe.py").read_text(encoding="utf-8"),
                spec, script, listed, results, str(COMMAND_TIMEOUT)], cwd=folder, env=env,
               timeout=COMMAND_TIMEOUT * (len(unique) + 1) + 60, stdin="")
    return read_json_object(results), f"(exit {done.returncode}): {done.tail(3)}"


def _command_findings(commands: list[DocumentedCommand], unique: list[tuple[str, ...]],
                      records: list[dict[str, Any]], outcome: ExampleRun) -> None:
    """One finding per problem (argparse's error line), at every place that shows it."""
    said: dict[str, tuple[str, str]] = {}  # message -> (command, problem)
    hits = []
    problems = {argv: _command_problem(record)
                for argv, record in zip(unique, records, strict=False)}
    unparsed = {argv for argv, record in zip(unique, records, strict=False)
                if record.get("state") == "unparsed"}  # answered before parsing: `--help`
    for command in commands:
        problem = problems.get(command.argv)
        if problem is not None and command.inline and _REQUIRED in problem:
            problem = None  # prose naming a command (`tito module complete`), not a command line
        counted = ("commands_failed" if problem is not None else "commands_not_parsed"
                   if command.argv in unparsed else "commands_parsed")
        outcome.counts[counted] = outcome.counts.get(counted, 0) + 1
        if problem is not None:
            message = f"documented command `{command.text}` {problem}"
            said[message] = (command.text, problem)
            hits.append(Hit(message, command.path, command.line))

    def together(items: list[Hit]) -> str:
        texts = list(dict.fromkeys(said[hit.message][0] for hit in items))
        if len(texts) == 1:
            return f"{items[0].message} (shown in {len(items)} places)"
        return (f"{len(texts)} documented commands fail alike ("
                + listed([f"`{text}`" for text in texts], 4)
                + f"): {_cause(said[items[0].message][1])}")

    outcome.findings += [_finding("TST206", hit) for hit in grouped(
        hits, lambda hit: _cause(said[hit.message][1]), together)]


def _cause(problem: str) -> str:
    """A parse failure without the word that failed: `tito community leave` and `tito
    community join` both name a subcommand `tito community` does not have, one cause."""
    return _CHOICE.sub("invalid choice", problem)


def _command_problem(record: dict[str, Any]) -> str | None:
    """What is wrong with one command line, in argparse's own words; None when it parsed (or
    the script answered it before parsing, as a hand-made `--help` does)."""
    state, output = record.get("state"), str(record.get("output", ""))
    if state == "parsed" or (state == "exit" and record.get("code") == 0):
        return None
    if state == "timeout" and record.get("entered"):
        return f"did not finish parsing its arguments within {COMMAND_TIMEOUT:.0f} s"
    if state == "timeout":
        return f"did not reach its argument parsing within {COMMAND_TIMEOUT:.0f} s"
    if state == "crashed":
        when = "while parsing" if record.get("entered") else "before parsing"
        return f"raised {record.get('error')} {when} its arguments"
    if state == "exit":
        errors = _ARGPARSE_ERROR.findall(output)
        said = [line for line in output.split("\n") if line.strip()]
        fallback = f"exit {record.get('code')}"
        return f"does not parse: {(errors or said or [fallback])[-1]}"
    return None  # ended before it parsed anything: not checked


def _finding(code: str, hit: Hit) -> Finding:
    return Finding(code, hit.message, hit.path, hit.line, severity=hit.severity or
                   Severity.ERROR, places=hit.places)


def _count(commands: list[DocumentedCommand]) -> str:
    return f"{len(commands)} documented command{'' if len(commands) == 1 else 's'}"


def _import_finding(script: str, spec: str, error: str, commands: list[DocumentedCommand],
                    line: int | None, missing: list[str]) -> Finding:
    names = {re.split(r"[^A-Za-z0-9._-]", r.strip(), maxsplit=1)[0].lower().replace("-", "_")
             for r in missing}
    ours = not any(f"No module named '{name}" in error for name in names)
    message = (f"console script `{script}` ({spec}) cannot be imported ({_count(commands)} "
               f"not checked): {error}")
    if not ours:
        message += " (a requirement the course declares is not installed in this " \
                   "environment: nox -s testing installs it)"
    return Finding("TST206", message, "pyproject.toml", line,
                   severity=Severity.ERROR if ours else Severity.WARNING)


def _script_line(course: Course, script: str) -> int | None:
    """The line of `script = ...` in `[project.scripts]` of pyproject.toml."""
    table = None
    text = course.pyproject.text if course.pyproject else ""
    for number, line in enumerate(text.split("\n"), start=1):
        if header := re.match(r"^\s*\[([^\]]+)\]", line):
            table = header[1].strip()
        elif table == "project.scripts" and re.match(
                rf"^\s*[\"']?{re.escape(script)}[\"']?\s*=", line):
            return number
    return course.pyproject.project_line("scripts") if course.pyproject else None


# Snippets -----------------------------------------------------------------------------------

def _run_snippets(course: Course, found: Documented, scratch: Path, env: dict[str, str],
                  copy: Path, package: str, outcome: ExampleRun,
                  cache: ExampleCache | None) -> None:
    """Each distinct snippet once, in its own interpreter and folder, a few at a time; with a
    `cache`, those whose inputs are unchanged are served from it."""
    codes = list(dict.fromkeys(s.code for s in found.snippets))
    runner = (HERE / "snippet_runner.py").read_text(encoding="utf-8")
    keys = [cache.snippet_key(code, package) for code in codes] if cache is not None else []
    kept = {i: data for i, key in enumerate(keys) if cache is not None
            and (data := cache.load(key)) is not None}

    def one(index: int) -> dict[str, Any]:
        if index in kept:
            return kept[index]
        folder = own_folder(scratch, f"snippet-{index}")
        source, result = folder / "snippet.py", folder / "result.json"
        source.write_text(codes[index], encoding="utf-8")
        result.unlink(missing_ok=True)
        done = run([sys.executable, "-c", runner, source, result, package], cwd=folder, env=env,
                   timeout=SNIPPET_TIMEOUT, stdin="")
        data = read_json_object(result)
        if data is not None:  # the package's paths as the course names them
            loaded = data.pop("loaded", [])
            data["error"] = in_course_terms(str(data.get("error")), copy) + _raised_at(
                course, copy, data.get("raised_in"))
            data.pop("raised_in", None)
            if cache is not None:
                cache.store(keys[index], data, loaded if isinstance(loaded, list) else [])
            return data
        if done.returncode == 124:
            return {"state": "failed", "error": f"did not finish within {SNIPPET_TIMEOUT:.0f} s"}
        return {"state": "failed", "error": f"ended without a result (exit {done.returncode}):"
                f" {done.tail(1)}"}

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = dict(zip(codes, pool.map(one, range(len(codes))), strict=True))
    hits, causes, fragments = [], {}, 0
    for snippet in found.snippets:
        data = results[snippet.code]
        if data.get("state") == "fragment":  # it continues code shown elsewhere
            fragments += 1
        elif data.get("state") != "ok":
            hits.append(_snippet_hit(snippet, data))
            causes[hits[-1]] = str(data.get("error"))
    outcome.counts["snippets_run"] = len(found.snippets)
    outcome.counts["snippets_cached"] = sum(1 for s in found.snippets
                                            if codes.index(s.code) in kept)
    outcome.counts["snippets_failed"] = len(hits)
    outcome.counts["snippets_continuing_others"] = fragments

    def together(items: list[Hit]) -> str:
        if len({hit.message for hit in items}) == 1:  # one snippet, copied to several pages
            return f"{items[0].message} (shown in {len(items)} places)"
        return f"{len(items)} documentation snippets fail with the same error: {causes[items[0]]}"

    outcome.findings += [_finding("TST207", hit)
                         for hit in grouped(hits, causes.__getitem__, together)]


def _raised_at(course: Course, copy: Path, where: object) -> str:
    """` (raised at src/20_capstone/20_capstone.py:41)`: the course's own line that raised,
    when a module of the exported copy did (told at the source cell that wrote it)."""
    if not (isinstance(where, list) and len(where) == 2 and isinstance(where[1], int)
            and str(where[0]).startswith(f"{copy}/")):
        return ""
    rel = str(where[0]).removeprefix(f"{copy}/")
    path, line = source_of(course, copy, rel, where[1]) or (rel, where[1])
    return f" (raised at {path}:{line})"


def _snippet_hit(snippet: Snippet, data: dict[str, Any]) -> Hit:
    line = data.get("line")
    number = line if isinstance(line, int) else None
    code_lines = snippet.code.split("\n")
    said = code_lines[number - 1].strip() if number and number <= len(code_lines) else ""
    at = f" at `{said[:80]}`" if said else ""
    return Hit(f"documentation snippet fails{at}: {data.get('error')}", snippet.path,
               snippet.line_of(number))



