"""Orchestration: read or fetch records, normalize them, store them in batches, publish.

This is the only module that ties the edges (files, HTTP, DuckDB) to the pure middle (normalize,
diff). Every writing command runs inside ``writer``: the OS lock, a migrated connection, a ledger row,
and a published copy after success.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline import store
from pipeline.errors import RecordError
from pipeline.lock import writer_lock
from pipeline.normalize import normalize
from pipeline.settings import Settings
from pipeline.sources import RawRecord, check_paths, count_records_cheaply, iter_records
from pipeline.store import BatchResult, Failure, Incoming

Progress = Callable[[int], None]
"""Called with how many more records were handled; the CLI draws a progress bar from it."""


@dataclass
class RunSummary:
    """What a command did, for its printed summary and --json output."""

    run_id: int
    outcomes: dict[str, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, batch: BatchResult, failures: list[Failure]) -> None:
        self.outcomes.update(batch.outcomes)
        self.failures.extend(failures)

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "new": self.count("new"),
            "changed": self.count("changed"),
            "unchanged": self.count("unchanged"),
            "failed": len(self.failures),
            "failures": [
                {"source": f.source, "nct_id": f.nct_id, "stage": f.stage, "error": f.error}
                for f in self.failures
            ],
            **self.extra,
        }


@contextlib.contextmanager
def writer(settings: Settings, command: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write: hold the lock, migrate, and publish the analysts' copy on success."""
    with writer_lock(settings.db, settings.wait, f"ctsync {command}"):
        con = store.connect(settings.db)
        try:
            yield con
            if settings.published is not None:
                store.publish(con, settings.db, settings.published)
        finally:
            con.close()


def prepare(record: RawRecord) -> Incoming | Failure:
    """Normalize one raw record, or turn it into a dead letter naming the NCT ID and the field."""
    try:
        data = record.parsed if record.parsed is not None else json.loads(record.raw_json)
        return Incoming(normalize(data), record.raw_json, record.source)
    except RecordError as exc:
        return Failure(record.source, "normalize", str(exc), exc.nct_id, record.raw_json)
    except json.JSONDecodeError as exc:
        return Failure(record.source, "read", f"not valid JSON: {exc}", None, record.raw_json)


def store_stream(
    con: duckdb.DuckDBPyConnection,
    records: Iterable[RawRecord | Failure],
    run_id: int,
    summary: RunSummary,
    batch_size: int,
    progress: Progress | None = None,
    change_rows: store.ChangeRows | None = None,
) -> None:
    """Normalize and store a stream of records in batches, each batch one transaction."""
    incoming: list[Incoming] = []
    failures: list[Failure] = []
    for record in records:
        prepared = record if isinstance(record, Failure) else prepare(record)
        (failures if isinstance(prepared, Failure) else incoming).append(prepared)  # type: ignore[arg-type]
        if len(incoming) + len(failures) >= batch_size:
            _flush(con, incoming, failures, run_id, summary, progress, change_rows)
            incoming, failures = [], []
    if incoming or failures:
        _flush(con, incoming, failures, run_id, summary, progress, change_rows)


def _flush(
    con: duckdb.DuckDBPyConnection,
    incoming: list[Incoming],
    failures: list[Failure],
    run_id: int,
    summary: RunSummary,
    progress: Progress | None,
    change_rows: store.ChangeRows | None,
) -> None:
    summary.add(store.save_batch(con, incoming, failures, run_id, change_rows), failures)
    if progress is not None:
        progress(len(incoming) + len(failures))


def expected_records(paths: list[Path]) -> int | None:
    """How many records a load will read, when knowing costs nothing (for the progress bar)."""
    return count_records_cheaply(check_paths(paths))


def load(settings: Settings, paths: list[Path], progress: Progress | None = None) -> RunSummary:
    """``ctsync load``: ingest study records from files and folders, no network."""
    paths = check_paths(paths)
    with writer(settings, "load") as con:
        run_id = store.start_run(con, "load")
        summary = RunSummary(run_id)
        try:
            store_stream(con, iter_records(paths), run_id, summary, settings.batch_size, progress, change_rows)
        except BaseException as exc:
            store.finish_run(con, run_id, "failed", error=f"{type(exc).__name__}: {exc}")
            raise
        store.finish_run(con, run_id, "partial" if summary.failures else "succeeded")
    return summary


def change_rows(old: Any, new: Any) -> list[dict[str, Any]]:
    """The differ's changes between two stored versions, as rows for trial_changes."""
    from pipeline.diff import diff  # noqa: PLC0415  (the differ lands with its own issue)

    return [change.model_dump(mode="json") for change in diff(old, new)]
