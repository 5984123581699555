"""The one way to write to the database: the OS lock, a migrated connection, renormalizing after an
upgrade, mapping storage faults to their one-line errors, and the published copy after success."""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator

import duckdb

from pipeline import renormalize, review_queue, store
from pipeline.change import Change
from pipeline.diff import diff
from pipeline.errors import DatabaseBusy, PublishError, StorageError, UsageError
from pipeline.lock import writer_lock
from pipeline.models import Trial
from pipeline.policy import load_policy
from pipeline.records import ChangeRows
from pipeline.settings import Settings


@contextlib.contextmanager
def writer(settings: Settings, command: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write: hold the lock, migrate, and publish the analysts' copy on success.

    ``--wait`` is one deadline for both waits: for another ctsync writer's lock, then for a process that
    holds the database file open.
    """
    deadline = time.monotonic() + settings.wait
    with writer_lock(settings.db, settings.wait, f"ctsync {command}"):
        con = _connect_when_free(settings, deadline)
        try:
            if command != "renormalize":
                # The first write after a normalizer upgrade re-derives what older rules stored, so that
                # this write compares like with like (see pipeline.renormalize).
                renormalize.renormalize(con, change_rows_for(settings))
            marks = store.write_marks(con)
            yield con
            review_queue.refresh_pending(con, marks, load_policy(settings.policy))
            if settings.published is not None:
                _publish(con, settings)
            else:
                store.forget_publish_journal(con)
        except duckdb.Error as exc:
            fault = store.storage_error(exc, settings.db)
            if fault is None:
                raise
            raise fault from exc
        except OSError as exc:  # the staging file beside the database
            if exc.errno not in _STORAGE_ERRNOS:
                raise
            raise StorageError(
                f"{settings.db}: could not write beside it ({exc.strerror}); free space or fix permissions"
                " and run again (the batch being written was rolled back, committed batches are kept)"
            ) from exc
        finally:
            con.close()


_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def _publish(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    assert settings.published is not None
    try:
        store.publish(con, settings.db, settings.published)
    except OSError as exc:
        error = (
            f"stored in {settings.db}, but the analysts' copy {settings.published} could not be replaced"
            f" ({exc.strerror or exc}); free space or fix permissions, then any write publishes it again"
        )
        # The ledger says so too, so `runs --check` does not stay green on a copy that is not fresh.
        store.mark_unpublished(con, os.getpid(), error)
        raise PublishError(error) from exc


def _connect_when_free(settings: Settings, deadline: float) -> duckdb.DuckDBPyConnection:
    """Open the working database for writing; a process that holds it open (an analyst, a reader)
    blocks that, so retry until the ``deadline`` (monotonic) passes, then say so (exit 4)."""
    while True:
        try:
            return store.connect(settings.db)
        except duckdb.Error as exc:
            if not store.is_busy(exc):
                fault = store.storage_error(exc, settings.db)
                if fault is None:
                    raise
                raise fault from None
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"database {settings.db} is open in another process (DuckDB: {_first_line(exc)});"
                    " close it (analysts should open the published copy) or raise --wait"
                ) from None
            time.sleep(0.2)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200]


def change_rows_for(settings: Settings) -> ChangeRows:
    """The differ, under the configured severity policy, as the store's hook for trial_changes rows."""
    policy = load_policy(settings.policy)

    def change_rows(old: Trial, new: Trial) -> list[Change]:
        return diff(old, new, policy)

    return change_rows


def require_database(settings: Settings) -> None:
    if not settings.db.exists():
        raise UsageError(f"no database at {settings.db}: run `ctsync load` or `ctsync sync` first")
