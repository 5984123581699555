"""The one ingest path shared by load, refresh and sync: skip records already stored, normalize the
rest in worker processes, store them in batches of one transaction each, and count what happened.

Workers run ``prepare_chunk``; they never touch the store (see tests/test_layers.py).
"""

from __future__ import annotations

import gc
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import duckdb

from pipeline import store
from pipeline.errors import RecordError
from pipeline.fields import unaccounted_paths
from pipeline.lock import forget_inherited_locks
from pipeline.normalize import normalize
from pipeline.parallel import map_ordered
from pipeline.records import (
    BatchResult,
    ChangeRows,
    Failure,
    Incoming,
    Seen,
    nct_id_in_text,
    note_outcome,
    raw_fingerprint,
)
from pipeline.sources import RawRecord
from pipeline.store.batches import MAX_STAGED_BYTES

Progress = Callable[[int], None]
"""Called with how many more records were handled; the CLI draws a progress bar from it."""


@dataclass
class RunSummary:
    """What a command did, for its printed summary and --json output."""

    run_id: int
    outcomes: dict[str, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    unaccounted: Counter[str] = field(default_factory=Counter)
    """Schema drift: unknown field paths of the records read, with how many records carried each."""

    def add(self, batch: BatchResult, failures: list[Failure]) -> None:
        for nct_id, outcome in batch.outcomes.items():
            note_outcome(self.outcomes, nct_id, outcome)
        self.failures.extend(failures)

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "new": self.count("new"),
            "changed": self.count("changed"),
            "unchanged": self.count("unchanged"),
            "older": self.count("older"),
            "failed": len(self.failures),
            "failures": [
                {"source": f.source, "nct_id": f.nct_id, "stage": f.stage, "error": f.error}
                for f in self.failures
            ],
            "unaccounted_fields": dict(sorted(self.unaccounted.items())),
            **self.extra,
        }


def prepare(record: RawRecord) -> Incoming | Failure:
    """Normalize one raw record, or turn it into a dead letter naming the NCT ID and the field."""
    try:
        data = record.parsed if record.parsed is not None else json.loads(record.raw_json)
        drift = frozenset(unaccounted_paths(data))
        incoming = Incoming.of(normalize(data), record.raw_json, record.source, drift)
        size = len(incoming.raw_json.encode()) + len(incoming.record_json.encode())
        if size > MAX_STAGED_BYTES:
            raise RecordError(
                incoming.nct_id,
                "record",
                f"{size / 1e6:.1f} MB with its canonical form, over the {MAX_STAGED_BYTES / 1e6:.1f} MB"
                " ctsync stores (the registry's largest record is 3.6 MB)",
            )
        return incoming
    except RecordError as exc:
        return Failure(record.source, "normalize", str(exc), exc.nct_id, record.raw_json)
    except json.JSONDecodeError as exc:
        return Failure(record.source, "read", f"not valid JSON: {exc}", None, record.raw_json)
    except Exception as exc:  # a record shaped in a way nobody foresaw must not take the batch down
        nct_id = nct_id_in_text(record.raw_json)
        error = f"unexpected {type(exc).__name__}: {exc}"
        return Failure(record.source, "normalize", error, nct_id, record.raw_json)


Prepared = Incoming | Failure | Seen


def prepare_chunk(records: list[RawRecord | Failure | Seen]) -> list[Prepared]:
    """``prepare`` over a chunk; failures and already-known records pass through. Runs in workers.

    The cyclic garbage collector is paused for the chunk: normalizing builds many short-lived objects
    but no cycles, and collections took up to half of normalize's time.
    """
    gc.disable()
    try:
        return [prepare(record) if isinstance(record, RawRecord) else record for record in records]
    finally:
        gc.enable()


BATCH_BYTES = 24 * 1024 * 1024
"""A batch is also cut when its records' raw and canonical JSON reach this many characters: on heavy
records (47 KB mean, with results) 500 a batch held about 47 MB in Python and as much again in DuckDB,
and the writer peaked at 1.17 GB; the registry's 17 KB mean stays at 500 a batch."""

FINGERPRINT_WINDOW = 500
"""Records read ahead per look-up of stored fingerprints: one query per window."""


def skip_known(
    con: duckdb.DuckDBPyConnection, records: Iterable[RawRecord | Failure]
) -> Iterator[RawRecord | Failure | Seen]:
    """Records whose raw text matches their trial's stored fingerprint become ``Seen``: not parsed at all.

    Only a trial's first record in the stream qualifies: a later one may follow a change that the
    read-ahead window does not see in the database yet.
    """
    met: set[str] = set()
    iterator = iter(records)
    while window := list(islice(iterator, FINGERPRINT_WINDOW)):
        candidates: dict[int, tuple[str, str]] = {}
        for index, record in enumerate(window):
            nct_id = nct_id_in_text(record.raw_json) if isinstance(record, RawRecord) else None
            if nct_id is None:
                continue
            if nct_id not in met and isinstance(record, RawRecord):
                candidates[index] = (nct_id, raw_fingerprint(record.raw_json))
            met.add(nct_id)
        known = store.matching_fingerprints(con, list(candidates.values()))
        for index, record in enumerate(window):
            candidate = candidates.get(index)
            yield Seen(candidate[0], record.source) if candidate in known else record


def store_stream(
    con: duckdb.DuckDBPyConnection,
    records: Iterable[RawRecord | Failure],
    run_id: int,
    summary: RunSummary,
    batch_size: int,
    progress: Progress | None = None,
    change_rows: ChangeRows | None = None,
    workers: int = 1,
    crash_after: tuple[int, int] | None = None,
) -> None:
    """Normalize (on ``workers`` processes) and store a stream of records in batches of one transaction."""
    batch: list[Prepared] = []
    held = 0
    committed = 0
    for prepared in map_ordered(prepare_chunk, skip_known(con, records), workers, forget_inherited_locks):
        batch.append(prepared)
        if isinstance(prepared, Incoming):
            held += len(prepared.raw_json) + len(prepared.record_json)
        if len(batch) >= batch_size or held >= BATCH_BYTES:
            _flush(con, batch, run_id, summary, progress, change_rows)
            batch = []
            held = 0
            committed += 1
            _crash_if_asked(crash_after, committed)
    if batch:
        _flush(con, batch, run_id, summary, progress, change_rows)
        _crash_if_asked(crash_after, committed + 1)


def _crash_if_asked(crash_after: tuple[int, int] | None, committed: int) -> None:
    """The crash tests' hook: a signal to this very process right after the Nth committed batch."""
    if crash_after is not None and crash_after[0] == committed:
        os.kill(os.getpid(), crash_after[1])


def _flush(
    con: duckdb.DuckDBPyConnection,
    batch: list[Prepared],
    run_id: int,
    summary: RunSummary,
    progress: Progress | None,
    change_rows: ChangeRows | None,
) -> None:
    incoming = [item for item in batch if isinstance(item, Incoming)]
    failures = [item for item in batch if isinstance(item, Failure)]
    seen = [item for item in batch if isinstance(item, Seen)]
    for item in incoming:
        summary.unaccounted.update(item.unaccounted)
    summary.add(store.save_batch(con, incoming, failures, run_id, change_rows, seen), failures)
    if progress is not None:
        progress(len(batch))


def api_records(studies: Iterable[dict[str, Any]]) -> Iterator[RawRecord]:
    """Fetched studies as raw records; the text is the API's JSON re-serialized, values untouched."""
    for study in studies:
        yield RawRecord("api", json.dumps(study, ensure_ascii=False), study)
