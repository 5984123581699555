"""The worker pool of loads: results in input order, every item once, a dead worker an error, not a hang."""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest

from pipeline.parallel import map_ordered


def tag_with_pid(chunk: list[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in chunk]


_BOTH_WORKERS = multiprocessing.get_context("fork").Barrier(2, timeout=60)
"""Inherited by the forked workers: each waits here before its first chunk until the other has one too."""
_FIRST_CHUNK = {"done": False}


def tag_once_both_work(chunk: list[int]) -> list[tuple[int, int]]:
    """``tag_with_pid``, but a worker's first chunk waits for the other worker's first chunk: on a busy
    machine one worker could otherwise take every chunk before the other one starts."""
    if not _FIRST_CHUNK["done"]:
        _FIRST_CHUNK["done"] = True
        _BOTH_WORKERS.wait()
    return tag_with_pid(chunk)


def die_on_500(chunk: list[int]) -> list[int]:
    if 500 in chunk:
        os.kill(os.getpid(), signal.SIGKILL)
    return chunk


def test_two_workers_keep_input_order_and_share_the_work() -> None:
    """1,000 items through two workers come back once each, in order, handled by two other processes."""
    results = list(map_ordered(tag_once_both_work, range(1000), 2))
    assert [item for item, _ in results] == list(range(1000))
    assert len({pid for _, pid in results}) == 2
    assert os.getpid() not in {pid for _, pid in results}


def test_small_input_stays_in_process() -> None:
    """Fewer items than two chunks are handled in this process: starting workers would cost more."""
    assert {pid for _, pid in map_ordered(tag_with_pid, range(100), 2)} == {os.getpid()}


def test_a_killed_worker_fails_the_run() -> None:
    """A worker killed mid-run (as by the OOM killer) raises BrokenProcessPool instead of hanging."""
    with pytest.raises(BrokenProcessPool):
        list(map_ordered(die_on_500, range(1000), 2))
