"""A run served wholly from cache, replayed: what it printed and the reports it wrote, kept by
everything that decides them, so an unchanged course costs stat calls, one small read and the
writes, without importing the checks, the results or the renderers.

Only plain output is replayed (a pipe, a CI log): a terminal gets rich's live drawing, which
depends on the terminal. The entry is JSON in the cache folder, outside every course.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from tinyrelease.checks.cache import read_json_object, write_atomic
from tinyrelease.checks.console import PlainConsole, Printer
from tinyrelease.checks.gatenames import GATES
from tinyrelease.checks.options import course_root, report_dir, scope_of

if TYPE_CHECKING:
    from tinyrelease.checks.store import CourseStore

KEEP_REPLAYS = 32  # each holds a run's reports (a few hundred KB on a big course)


def replayable(args: argparse.Namespace, console: Printer) -> bool:
    """Whether this run may be replayed: plain output, the cache asked for, and nothing that
    needs the course read (modules or checks chosen by name or by change)."""
    return (isinstance(console, PlainConsole) and not args.no_cache and not args.select
            and not args.modules and not args.changed_since)


def gates_of(args: argparse.Namespace) -> list[str]:
    return [g for g in GATES if not args.gates or g in args.gates]


def replay_key(store: CourseStore, args: argparse.Namespace) -> str | None:
    """What decides a served run's output: the course where it is, the command line, each
    gate's key and the very entries the run reads (by their stat: an entry rewritten by a
    later run is a new file), and what the run would say it skips. None when an entry the
    run needs is missing."""
    from tinyrelease.checks.environment import will_skip
    from tinyrelease.checks.execution.session import EXECUTING_GATES
    from tinyrelease.checks.gatekeys import gate_key

    gates = gates_of(args)
    keys = [gate_key(store, args, gate, None) for gate in gates]
    entries = [store.results.folder / f"{key}.json" for key in keys]
    entries += [store.summary_path(), store.catalog_path()]
    try:
        stats = [(s.st_size, s.st_mtime_ns, s.st_ino) for s in map(os.stat, entries)]
    except OSError:
        return None
    execution = [g for g in gates if g in EXECUTING_GATES and not args.static_only]
    facts = [str(store.root.resolve()), args.level, args.isolated, gates, scope_of(args), keys,
             stats, will_skip(execution, args.level, args.isolated)]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


def _entry_path(store: CourseStore, key: str) -> Path:
    return store.folder / "replay" / f"{key}.json"


def replay(args: argparse.Namespace, console: Printer) -> int | CourseStore | None:
    """Print and write what the run served from cache printed and wrote, and return its exit
    status. When there is nothing to replay the run goes on as usual, with the course's store
    opened here (None when none was)."""
    from tinyrelease.checks.store import CourseStore

    if not isinstance(console, PlainConsole) or not replayable(args, console):
        return None
    out = report_dir(args)
    if out.exists() and not out.is_dir():
        return None  # the usual run says what is wrong
    store = CourseStore(course_root(args.course), args.cache_dir)
    key = replay_key(store, args)
    entry = (read_json_object(_entry_path(store, key)) if key else None) or {}
    printed, texts, status = entry.get("printed"), entry.get("reports"), entry.get("exit")
    if not (isinstance(printed, str) and isinstance(status, int) and isinstance(texts, dict)
            and all(isinstance(v, str) for v in texts.values())):
        return store
    from tinyrelease.checks.reports import write_reports

    console.write(printed)
    written = write_reports(texts, out)
    console.print(f"Reports: {', '.join(str(p) for p in written)}", highlight=False,
                  soft_wrap=True)
    return status


def keep_replay(store: CourseStore, args: argparse.Namespace, printed: str,
                texts: dict[str, str], status: int) -> None:
    """Keep what a run served from cache printed (before its `Reports:` line), wrote and
    returned, for `replay`."""
    key = replay_key(store, args)
    if key is not None:
        from tinyrelease.checks.cache import prune

        path = _entry_path(store, key)
        write_atomic(path, json.dumps({"printed": printed, "reports": texts, "exit": status}))
        prune(path.parent, KEEP_REPLAYS)
