"""Normalize records on every core while the main process reads files and writes DuckDB.

Parsing and normalizing JSON is pure Python and holds the GIL, so threads would not help; worker
processes do. At most ``IN_FLIGHT * workers`` chunks are in flight, so memory stays flat however large the
input, and results come back in input order (two versions of a trial keep their order). A worker that
dies (e.g. killed for memory) raises ``BrokenProcessPool`` instead of hanging the run.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 64
"""Records per task: large enough that pickling overhead is small, small enough to keep workers busy."""
SMALL_INPUT = 2 * CHUNK
IN_FLIGHT = 8
"""Chunks per worker submitted ahead (8 x 64 = 512 records each): enough to keep workers busy while
the writer commits a batch, few enough to keep memory flat."""
"""Below this many records, starting processes costs more than it saves."""


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _die_with_parent() -> None:
    """Linux: ask the kernel to kill this worker when its parent dies (e.g. a SIGKILLed load)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers then end when their task queue closes
        pass


PR_SET_PDEATHSIG = 1


def _start_worker(initializer: Callable[[], None] | None) -> None:
    _die_with_parent()
    if initializer is not None:
        initializer()


def map_ordered(
    work: Callable[[list[Item]], list[Result]],
    items: Iterable[Item],
    workers: int,
    initializer: Callable[[], None] | None = None,
) -> Iterator[Result]:
    """``work`` over chunks of ``items`` in worker processes, results in input order, bounded memory."""
    iterator = iter(items)
    head = list(islice(iterator, SMALL_INPUT))
    if workers <= 1 or len(head) < SMALL_INPUT:
        for chunk in _chunks(chain(head, iterator)):
            yield from work(chunk)
        return
    # fork: workers start in milliseconds with the modules already imported; they only run ``work``,
    # never the parent's DuckDB connection.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(initializer,)
    ) as pool:
        pending: deque[Future[list[Result]]] = deque()
        for chunk in _chunks(chain(head, iterator)):
            pending.append(pool.submit(work, chunk))
            if len(pending) >= IN_FLIGHT * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    while chunk := list(islice(items, CHUNK)):
        yield chunk
