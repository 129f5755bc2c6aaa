"""Cold parsing spread over the cores: when a course has much text that was never parsed
before, forked worker processes parse shares of it and send back what they parsed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

# below this much text, starting a worker costs more than it saves (a fork, the results
# pickled back): the example course and the tests' courses are parsed in this process
PARALLEL_BYTES = 400_000
Job = tuple[Callable[[str, str], Any], str, str]  # parser, text, path


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_all(jobs: list[Job]) -> list[Any]:
    """`parser(text, path)` of every job, in order: over the cores when there is enough text
    and the system can fork (a spawned worker would import everything again), else here."""
    workers = min(cores(), len(jobs))
    if workers < 2 or sum(len(text) for _, text, _ in jobs) < PARALLEL_BYTES:
        return _parse_share(jobs)
    import multiprocessing  # with the pool below, only for a run that uses them
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return _parse_share(jobs)
    shares = _shares(jobs, workers)
    results: dict[int, Any] = {}
    try:
        with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork")
                                 ) as pool:
            futures = [(share, pool.submit(_parse_share, [jobs[i] for i in share]))
                       for share in shares[1:]]
            results.update(zip(shares[0], _parse_share([jobs[i] for i in shares[0]]),
                               strict=True))
            for share, future in futures:
                results.update(zip(share, future.result(), strict=True))
    except (OSError, RuntimeError):  # no fork allowed, a worker killed: parse the rest here
        for index, (parser, text, path) in enumerate(jobs):
            if index not in results:
                results[index] = parser(text, path)
    return [results[index] for index in range(len(jobs))]


def _parse_share(jobs: list[Job]) -> list[Any]:
    return [parser(text, path) for parser, text, path in jobs]


def _shares(jobs: list[Job], count: int) -> list[list[int]]:
    """The jobs' indexes in `count` shares of about equal text, largest first (each job goes
    to the lightest share so far)."""
    shares: list[list[int]] = [[] for _ in range(count)]
    sizes = [0] * count
    for index in sorted(range(len(jobs)), key=lambda i: -len(jobs[i][1])):
        lightest = sizes.index(min(sizes))
        shares[lightest].append(index)
        sizes[lightest] += len(jobs[index][1])
    return shares
