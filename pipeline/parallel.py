"""Normalize records on every core while the main process reads files and writes DuckDB.

Parsing and normalizing JSON is pure Python and holds the GIL, so threads would not help; worker
processes do. At most ``2 * workers`` chunks are in flight, so memory stays flat however large the
input, and results come back in input order (two versions of a trial keep their order).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 64
"""Records per task: large enough that pickling overhead is small, small enough to keep workers busy."""
SMALL_INPUT = 2 * CHUNK
"""Below this many records, starting processes costs more than it saves."""


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def map_ordered(
    work: Callable[[list[Item]], list[Result]], items: Iterable[Item], workers: int
) -> Iterator[Result]:
    """``work`` over chunks of ``items`` in worker processes, results in input order, bounded memory."""
    iterator = iter(items)
    head = list(islice(iterator, SMALL_INPUT))
    if workers <= 1 or len(head) < SMALL_INPUT:
        yield from work(head)
        for chunk in _chunks(iterator):
            yield from work(chunk)
        return
    # fork: workers inherit the imported modules, so they start in milliseconds.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[AsyncResult[list[Result]]] = deque()
        for chunk in _chunks(_chain(head, iterator)):
            pending.append(pool.apply_async(work, (chunk,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _chain(head: list[Item], rest: Iterator[Item]) -> Iterator[Item]:
    yield from head
    yield from rest


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    while chunk := list(islice(items, CHUNK)):
        yield chunk
