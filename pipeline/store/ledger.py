"""The run ledger, ``sync_runs``: one row per writing run, its status and its counts."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb

log = logging.getLogger("pipeline.store")


def start_run(con: duckdb.DuckDBPyConnection, command: str, *, data_timestamp: str | None = None) -> int:
    """Open a ``sync_runs`` row in state running; its counts grow with every committed batch."""
    close_interrupted_runs(con)
    row = con.execute(
        "INSERT INTO sync_runs (command, started_at, status, data_timestamp, pid)"
        " VALUES (?, ?, 'running', ?, ?) RETURNING run_id",
        [command, datetime.now(UTC), data_timestamp, os.getpid()],
    ).fetchone()
    assert row is not None
    log.info("run %s started: %s", row[0], command, extra={"event": "run started", "run_id": row[0]})
    return int(row[0])


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    status: str,
    *,
    watermark: date | None = None,
    error: str | None = None,
    counts: dict[str, int] | None = None,
    unaccounted: Mapping[str, int] | None = None,
) -> None:
    """Close a run with its final status (succeeded, partial, failed, noop), any extra counts and the
    schema drift it saw."""
    counts = counts or {}
    assignments = "".join(f", {name} = {name} + ?" for name in counts)
    drift = dict(sorted(unaccounted.items())) if unaccounted else None
    con.execute(
        f"UPDATE sync_runs SET finished_at = ?, status = ?, watermark = ?, error = ?,"
        f" unaccounted_fields = ?::MAP(VARCHAR, INTEGER){assignments} WHERE run_id = ? RETURNING *",
        [datetime.now(UTC), status, watermark, error, drift, *counts.values(), run_id],
    )
    if drift:
        shown = ", ".join(f"{path} ({count})" for path, count in list(drift.items())[:10])
        log.warning(
            "run %s read %d field path(s) this ctsync does not know (schema drift): %s%s;"
            " they are kept in each version's raw JSON; `ctsync runs` lists them",
            run_id,
            len(drift),
            shown,
            f" and {len(drift) - 10} more" if len(drift) > 10 else "",
            extra={"event": "schema drift", "run_id": run_id, "unaccounted_fields": drift},
        )
    names = [column[0] for column in con.description or ()]
    row = con.fetchone()
    ledger = dict(zip(names, row, strict=True)) if row else {"run_id": run_id}
    level = logging.ERROR if status == "failed" else logging.INFO
    log.log(
        level,
        "run %s %s%s",
        run_id,
        status,
        f": {error}" if error else "",
        extra={"event": "run finished", **ledger},
    )


@dataclass
class Run:
    """A ledger row open for the block of ``run``; the block says how it ends by setting these."""

    run_id: int
    status: str = "succeeded"
    watermark: date | None = None
    counts: Callable[[], dict[str, int]] = dict
    """Extra counts added to the row when it closes, however it closes (requests made, say)."""
    unaccounted: Mapping[str, int] = field(default_factory=dict)
    """Schema drift the run saw (unknown field path -> records), recorded when it closes."""


@contextlib.contextmanager
def run(con: duckdb.DuckDBPyConnection, command: str) -> Iterator[Run]:
    """The run lifecycle, written once: open a ``sync_runs`` row, and close it when the block ends, as the
    block said (succeeded, partial, noop) or, if it raised, as interrupted (Ctrl-C, SIGTERM) or failed.

    Batches the block committed stay whatever happens; a process killed outright leaves the row
    ``running`` until the next writer closes it (``close_interrupted_runs``).
    """
    current = Run(start_run(con, command))
    try:
        yield current
    except BaseException as exc:
        with contextlib.suppress(duckdb.Error):
            error = f"{type(exc).__name__}: {exc}"[:1000]
            finish_run(
                con,
                current.run_id,
                stop_status(exc),
                error=error,
                counts=current.counts(),
                unaccounted=current.unaccounted,
            )
        raise
    finish_run(
        con,
        current.run_id,
        current.status,
        watermark=current.watermark,
        counts=current.counts(),
        unaccounted=current.unaccounted,
    )


def stop_status(exc: BaseException) -> str:
    """How a run that raised ends in the ledger: interrupted (Ctrl-C, SIGTERM) or failed."""
    interrupted = isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "InterruptException"
    return "interrupted" if interrupted else "failed"


def mark_unpublished(con: duckdb.DuckDBPyConnection, pid: int, error: str) -> None:
    """This process's latest run stored its data but could not publish it: status ``unpublished``."""
    con.execute(
        "UPDATE sync_runs SET status = 'unpublished', error = ? WHERE run_id = ("
        " SELECT max(run_id) FROM sync_runs WHERE pid = ? AND status IN ('succeeded', 'partial', 'noop'))",
        [error, pid],
    )


def add_run_counts(con: duckdb.DuckDBPyConnection, run_id: int, **counts: int) -> None:
    assignments = ", ".join(f"{name} = {name} + ?" for name in counts)
    con.execute(f"UPDATE sync_runs SET {assignments} WHERE run_id = ?", [*counts.values(), run_id])


def set_run_data_timestamp(con: duckdb.DuckDBPyConnection, run_id: int, data_timestamp: str) -> None:
    con.execute("UPDATE sync_runs SET data_timestamp = ? WHERE run_id = ?", [data_timestamp, run_id])


def close_interrupted_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Runs left 'running' by a process that died (we hold the write lock, so none is alive)."""
    rows = con.execute(
        "UPDATE sync_runs SET status = 'failed', error = 'interrupted: the process ended before finishing'"
        " WHERE status = 'running' RETURNING run_id"
    ).fetchall()
    return len(rows)


@dataclass(frozen=True)
class LastSync:
    run_id: int
    data_timestamp: str | None
    watermark: date | None
    finished_at: datetime | None


def last_successful_sync(con: duckdb.DuckDBPyConnection) -> LastSync | None:
    """The latest sync that succeeded (a no-op run counts: nothing was new upstream)."""
    row = con.execute(
        "SELECT run_id, data_timestamp, watermark, finished_at FROM sync_runs"
        " WHERE command LIKE 'sync%' AND status IN ('succeeded', 'noop') ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else LastSync(*row)


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, Any]]:
    cursor = con.execute("SELECT * FROM sync_runs ORDER BY run_id DESC LIMIT ?", [limit])
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
