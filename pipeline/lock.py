"""One writer at a time: an OS-level lock next to the working database that names its holder.

DuckDB itself refuses a second writer at once; this lock lets a writer wait up to ``--wait`` seconds and,
if it still cannot write, say who holds the database (pid, command, since when) instead of a bare
"could not set lock" error. The kernel drops the lock when its process dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import DatabaseBusy, StorageError

POLL_SECONDS = 0.1
_held: set[int] = set()
"""File descriptors of the locks this process holds (a forked worker must not keep them alive)."""


def forget_inherited_locks() -> None:
    """In a forked child: close the lock descriptors it inherited, so that if the parent is killed its
    lock dies with it instead of living on in the child (flock locks follow the open file)."""
    for fd in list(_held):
        os.close(fd)
    _held.clear()


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def writer_lock(
    db: Path, wait: float, command: str, clock: Callable[[], float] = time.monotonic
) -> Iterator[None]:
    """Hold the write lock of ``db`` for the block; raise DatabaseBusy after ``wait`` seconds."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only or full folder, a file where the folder goes
        raise StorageError(
            f"{db}: cannot create its lock file {path.name} ({exc.strerror or exc}): a writer needs its"
            " folder writable; fix permissions or free space, or choose another --db (nothing was changed)"
        ) from None
    try:
        _acquire(fd, db, wait, clock)
        _held.add(fd)
        _write_holder(fd, command)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        _held.discard(fd)
        os.close(fd)


def _acquire(fd: int, db: Path, wait: float, clock: Callable[[], float]) -> None:
    deadline = clock() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if clock() >= deadline:
                raise DatabaseBusy(
                    f"database {db} is busy: {holder(db)} is writing to it; waited {wait:g}s. "
                    "Try again when it finishes, or raise --wait."
                ) from None
            time.sleep(POLL_SECONDS)


def _write_holder(fd: int, command: str) -> None:
    since = datetime.now(UTC).isoformat(timespec="seconds")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} ({command}, since {since})".encode(), 0)


def holder(db: Path) -> str:
    """Who holds the write lock, as its holder wrote it ("pid 123 (ctsync sync, since …)")."""
    try:
        text = lock_path(db).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process"
