"""Orchestration: read or fetch records, normalize them, store them in batches, publish.

This is the only module that ties the edges (files, HTTP, DuckDB) to the pure middle (normalize,
diff). Every writing command runs inside ``writer``: the OS lock, a migrated connection, a ledger row,
and a published copy after success.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb

from pipeline import editorial, renormalize, store
from pipeline.diff import diff, gone_upstream_change
from pipeline.errors import DatabaseBusy, PublishError, RecordError, StorageError, UsageError
from pipeline.fetch import Fetcher, FetchReport
from pipeline.http import ApiClient
from pipeline.ids import clean, describe, is_nct_id, validate_nct_ids
from pipeline.lock import forget_inherited_locks, writer_lock
from pipeline.models import Trial
from pipeline.normalize import normalize
from pipeline.parallel import map_ordered
from pipeline.policy import load_policy
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
from pipeline.settings import Settings
from pipeline.sources import RawRecord, check_paths, count_records_cheaply, iter_records
from pipeline.store.batches import MAX_STAGED_BYTES
from pipeline.textfiles import read_user_text

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
            **self.extra,
        }


@contextlib.contextmanager
def writer(settings: Settings, command: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write: hold the lock, migrate, and publish the analysts' copy on success."""
    with writer_lock(settings.db, settings.wait, f"ctsync {command}"):
        con = _connect_when_free(settings)
        try:
            if command != "renormalize":
                # The first write after a normalizer upgrade re-derives what older rules stored, so that
                # this write compares like with like (see pipeline.renormalize).
                renormalize.renormalize(con, change_rows_for(settings))
            yield con
            if settings.published is not None:
                _publish(con, settings)
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


def _connect_when_free(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the working database for writing; a process that holds it open (an analyst, a reader)
    blocks that, so retry until --wait runs out, then say so (exit 4)."""
    deadline = time.monotonic() + settings.wait
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


def prepare(record: RawRecord) -> Incoming | Failure:
    """Normalize one raw record, or turn it into a dead letter naming the NCT ID and the field."""
    try:
        data = record.parsed if record.parsed is not None else json.loads(record.raw_json)
        incoming = Incoming.of(normalize(data), record.raw_json, record.source)
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
    committed = 0
    for prepared in map_ordered(prepare_chunk, skip_known(con, records), workers, forget_inherited_locks):
        batch.append(prepared)
        if len(batch) >= batch_size:
            _flush(con, batch, run_id, summary, progress, change_rows)
            batch = []
            committed += 1
            _crash_if_asked(crash_after, committed)
    if batch:
        _flush(con, batch, run_id, summary, progress, change_rows)
        _crash_if_asked(crash_after, committed + 1)


def _crash_if_asked(crash_after: tuple[int, int] | None, committed: int) -> None:
    """The crash tests' hook: a signal to this very process right after the Nth committed batch."""
    if crash_after is not None and crash_after[0] == committed:
        os.kill(os.getpid(), crash_after[1])


def stop_status(exc: BaseException) -> str:
    """How a run that raised ends in the ledger: interrupted (Ctrl-C, SIGTERM) or failed."""
    interrupted = isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "InterruptException"
    return "interrupted" if interrupted else "failed"


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
    summary.add(store.save_batch(con, incoming, failures, run_id, change_rows, seen), failures)
    if progress is not None:
        progress(len(batch))


def expected_records(paths: list[Path]) -> int | None:
    """How many records a load will read, when knowing costs nothing (for the progress bar)."""
    return count_records_cheaply(check_paths(paths, warn=False))


def load(settings: Settings, paths: list[Path], progress: Progress | None = None) -> RunSummary:
    """``ctsync load``: ingest study records from files and folders, no network."""
    paths = check_paths(paths)
    with writer(settings, "load") as con:
        run_id = store.start_run(con, "load")
        summary = RunSummary(run_id)
        try:
            store_stream(
                con,
                iter_records(paths),
                run_id,
                summary,
                settings.batch_size,
                progress,
                change_rows_for(settings),
                workers=settings.workers,
                crash_after=settings.crash_after_batches,
            )
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                store.finish_run(con, run_id, stop_status(exc), error=f"{type(exc).__name__}: {exc}")
            raise
        store.finish_run(con, run_id, "partial" if summary.failures else "succeeded")
    return summary


def change_rows_for(settings: Settings) -> ChangeRows:
    """The differ, under the configured severity policy, as the store's hook for trial_changes rows."""
    policy = load_policy(settings.policy)

    def change_rows(old: Trial, new: Trial) -> list[dict[str, Any]]:
        return [change.model_dump(mode="json") for change in diff(old, new, policy)]

    return change_rows


# --- from the API -------------------------------------------------------------------------------


def api_records(studies: Iterable[dict[str, Any]]) -> Iterator[RawRecord]:
    """Fetched studies as raw records; the text is the API's JSON re-serialized, values untouched."""
    for study in studies:
        yield RawRecord("api", json.dumps(study, ensure_ascii=False), study)


def refresh(settings: Settings, nct_ids: list[str], progress: Progress | None = None) -> RunSummary:
    """``ctsync refresh``: fetch these trials now (one request per chunk of IDs), store, reconcile."""
    nct_ids = validate_nct_ids(nct_ids)
    if not nct_ids:
        raise UsageError("name at least one NCT ID")
    with writer(settings, "refresh") as con:
        run_id = store.start_run(con, "refresh")
        summary = RunSummary(run_id)
        fetcher = Fetcher(ApiClient(settings))
        try:
            _ingest(con, settings, fetcher, fetcher.iter_studies(nct_ids), summary, progress)
        except BaseException as exc:
            _fail_run(con, run_id, exc, fetcher.report)
            raise
        missing = _missing(nct_ids, summary, fetcher.report)
        status = "partial" if summary.failures or missing else "succeeded"
        store.finish_run(
            con, run_id, status, counts={"requested": len(nct_ids), **_request_counts(fetcher.report)}
        )
    summary.extra.update(_report_extra(fetcher.report, missing))
    return summary


def sync(settings: Settings, *, full: bool = False, progress: Progress | None = None) -> RunSummary:
    """``ctsync sync``: bring every tracked trial up to date, incrementally unless ``full``."""
    command = "sync --full" if full else "sync"
    with writer(settings, command) as con:
        tracked = store.tracked_ids(con, recheck_gone=full)
        if not tracked and not store.tracked_list(con):
            raise UsageError(
                "nothing is tracked: add the site's trials with `ctsync track add NCT… [--file F]`"
            )
        fetcher = Fetcher(ApiClient(settings))
        run_id = store.start_run(con, command)
        summary = RunSummary(run_id)
        try:
            data_timestamp = fetcher.data_timestamp()
            store.set_run_data_timestamp(con, run_id, data_timestamp)
            last = store.last_successful_sync(con)
            unsynced = store.unsynced_ids(con, tracked)
            nothing_new = not full and last is not None and last.data_timestamp == data_timestamp
            if nothing_new and not unsynced:
                assert last is not None
                store.finish_run(
                    con, run_id, "noop", watermark=last.watermark, counts=_request_counts(fetcher.report)
                )
                summary.extra.update({"status": "noop", "data_timestamp": data_timestamp})
                return summary
            since = None if full or last is None else last.watermark
            studies = _plan_sync(fetcher, tracked, unsynced, since, updates=not nothing_new)
            _ingest(con, settings, fetcher, studies, summary, progress)
        except BaseException as exc:
            _fail_run(con, run_id, exc, fetcher.report)
            raise
        status = "partial" if summary.failures else "succeeded"
        watermark = last.watermark if nothing_new and last is not None else _snapshot_date(data_timestamp)
        store.finish_run(
            con,
            run_id,
            status,
            watermark=watermark,
            counts={"requested": len(tracked), **_request_counts(fetcher.report)},
        )
    summary.extra.update(
        {
            "status": status,
            "watermark": watermark.isoformat() if watermark else None,
            "data_timestamp": data_timestamp,
            "plan": fetcher.report.plan,
        }
    )
    summary.extra.update(_report_extra(fetcher.report, []))
    return summary


OVERLAP = timedelta(days=1)
"""LastUpdatePostDate is day-granular and the snapshot lands mid-day: re-ask the day before the watermark."""


def _plan_sync(
    fetcher: Fetcher, tracked: list[str], unsynced: list[str], watermark: date | None, *, updates: bool
) -> Iterator[dict[str, Any]]:
    """Every tracked trial without a watermark; else the ones updated upstream since (when there may be
    any) plus, by ID, those never fetched by a sync or refresh."""
    if watermark is None:
        yield from fetcher.iter_studies(tracked)
        return
    fresh = set(unsynced)
    known = [nct_id for nct_id in tracked if nct_id not in fresh]
    if known and updates:
        yield from fetcher.iter_updated_since(watermark - OVERLAP, known)
    if unsynced:
        yield from fetcher.iter_studies(unsynced)


def _ingest(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    fetcher: Fetcher,
    studies: Iterable[dict[str, Any]],
    summary: RunSummary,
    progress: Progress | None,
) -> None:
    """Store fetched studies in batches, then settle what the API said about the IDs it did not return."""
    records = api_records(studies)
    store_stream(
        con,
        records,
        summary.run_id,
        summary,
        settings.batch_size,
        progress,
        change_rows_for(settings),
        crash_after=settings.crash_after_batches,
    )
    _settle_run(con, fetcher.report, summary.run_id, summary)


def _settle_run(
    con: duckdb.DuckDBPyConnection, report: FetchReport, run_id: int, summary: RunSummary
) -> None:
    """After the records: trials answered are in sync, gone ones recorded, refused IDs dead letters."""
    store.mark_synced(con, run_id)
    _reconcile(con, report, run_id)
    refused = [
        Failure("api", "fetch", f"ClinicalTrials.gov refused {nct_id}: {reason}", nct_id)
        for nct_id, reason in report.rejected.items()
    ]
    if refused:
        summary.add(store.save_batch(con, [], refused, run_id), refused)


def _snapshot_date(data_timestamp: str) -> date:
    return date.fromisoformat(data_timestamp[:10])


def _reconcile(con: duckdb.DuckDBPyConnection, report: FetchReport, run_id: int) -> None:
    """Record trials gone upstream or merged into another record: a critical change, never a silent drop."""
    gone: dict[str, tuple[str, str | None]] = dict.fromkeys(report.not_found, ("not_found", None))
    gone.update({alias: ("merged", real) for alias, real in report.aliases.items()})
    store.record_upstream_states(con, gone, run_id, gone_upstream_rows(gone))


def gone_upstream_rows(gone: dict[str, tuple[str, str | None]]) -> dict[str, dict[str, Any]]:
    rows = {}
    for nct_id, (state, real) in gone.items():
        reason = "not found on ClinicalTrials.gov" if state == "not_found" else f"merged into {real}"
        rows[nct_id] = gone_upstream_change(nct_id, reason).model_dump(mode="json")
    return rows


def _missing(nct_ids: list[str], summary: RunSummary, report: FetchReport) -> list[str]:
    answered = set(summary.outcomes) | set(report.aliases)
    return [nct_id for nct_id in nct_ids if nct_id not in answered]


def _request_counts(report: FetchReport) -> dict[str, int]:
    return {"requests": report.stats.requests, "retries": report.stats.retries}


def _report_extra(report: FetchReport, missing: list[str]) -> dict[str, Any]:
    return {
        "not_found": report.not_found,
        "aliases": report.aliases,
        "rejected": report.rejected,
        "missing": missing,
        "requests": report.stats.as_dict(),
    }


def _fail_run(con: duckdb.DuckDBPyConnection, run_id: int, exc: BaseException, report: FetchReport) -> None:
    with contextlib.suppress(duckdb.Error):
        store.finish_run(
            con,
            run_id,
            stop_status(exc),
            error=f"{type(exc).__name__}: {exc}",
            counts=_request_counts(report),
        )


def renormalize_all(settings: Settings, progress: Progress | None = None) -> dict[str, int]:
    """``ctsync renormalize``: re-derive every version stored by an older normalizer from its raw JSON."""
    _require_database(settings)
    with writer(settings, "renormalize") as con:
        return renormalize.renormalize(con, change_rows_for(settings), progress)


# --- tracking -----------------------------------------------------------------------------------


def read_id_file(path: Path) -> list[str]:
    """NCT IDs of a file, one per line, ``#`` comments; a UsageError names every bad line."""
    ids, bad = [], []
    for number, line in enumerate(read_user_text(path, "ID file").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if is_nct_id(clean(text)):
            ids.append(clean(text))
        else:
            bad.append(f"line {number}: {describe(text)}")
    if bad:
        raise UsageError(f"{path}: malformed NCT ID(s), nothing added: {'; '.join(bad)}")
    if not ids:
        raise UsageError(f"ID file {path} names no NCT ID: write one per line (# starts a comment)")
    return ids


def track_add(settings: Settings, nct_ids: list[str], files: list[Path]) -> tuple[list[str], list[str]]:
    """Add trials to the tracked set (all or nothing): (newly tracked, already tracked)."""
    wanted = validate_nct_ids(nct_ids)
    for path in files:
        wanted += read_id_file(path)
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        raise UsageError("name NCT IDs or --file")
    with writer(settings, "track add") as con:
        added = store.track(con, wanted)
    return added, sorted(set(wanted) - set(added))


def track_remove(settings: Settings, nct_ids: list[str]) -> list[str]:
    wanted = validate_nct_ids(nct_ids)
    with writer(settings, "track remove") as con:
        return store.untrack(con, wanted)


# --- reviews ------------------------------------------------------------------------------------


def review(
    settings: Settings, nct_ids: list[str], by: str, note: str | None, version: int | None = None
) -> list[tuple[str, int]]:
    """``ctsync review``: mark the current version of each trial reviewed (``version``: if still current)."""
    _require_database(settings)
    with writer(settings, "review") as con:
        return editorial.review(con, nct_ids, by, note, expected_version=version)


def import_reviews(settings: Settings, path: Path) -> list[editorial.ImportedReview]:
    """``ctsync review import``: reviews editors already have, each against the version of its date."""
    _require_database(settings)
    with writer(settings, "review import") as con:
        return editorial.import_reviews(con, path)


def _require_database(settings: Settings) -> None:
    if not settings.db.exists():
        raise UsageError(f"no database at {settings.db}: run `ctsync load` or `ctsync sync` first")
