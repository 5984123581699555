"""The writing commands: load, refresh, sync, renormalize, tracking and reviews.

Each is a few lines over the library: it runs inside ``writer.writer`` (lock, migrated connection,
published copy after success) and, when it ingests, inside one ledger run (``store.run``) around the
one ingest path (``pipeline.ingest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline import editorial, renormalize, store
from pipeline.change import Change, gone_upstream_change
from pipeline.errors import UsageError
from pipeline.fetch import Fetcher, FetchReport
from pipeline.http import ApiClient
from pipeline.ids import clean, describe, is_nct_id, validate_nct_ids
from pipeline.ingest import Progress, RunSummary, api_records, store_stream
from pipeline.records import Failure
from pipeline.settings import Settings
from pipeline.sources import check_paths, count_records_cheaply, iter_records
from pipeline.textfiles import read_user_text
from pipeline.writer import change_rows_for, require_database, writer


def expected_records(paths: list[Path]) -> int | None:
    """How many records a load will read, when knowing costs nothing (for the progress bar)."""
    return count_records_cheaply(check_paths(paths, warn=False))


def load(settings: Settings, paths: list[Path], progress: Progress | None = None) -> RunSummary:
    """``ctsync load``: ingest study records from files and folders, no network."""
    paths = check_paths(paths)
    with writer(settings, "load") as con, store.run(con, "load") as run:
        summary = RunSummary(run.run_id)
        run.unaccounted = summary.unaccounted
        store_stream(
            con,
            iter_records(paths),
            run.run_id,
            summary,
            settings.batch_size,
            progress,
            change_rows_for(settings),
            workers=settings.workers,
            crash_after=settings.crash_after_batches,
        )
        run.status = "partial" if summary.failures else "succeeded"
    return summary


# --- from the API -------------------------------------------------------------------------------


def refresh(settings: Settings, nct_ids: list[str], progress: Progress | None = None) -> RunSummary:
    """``ctsync refresh``: fetch these trials now (one request per chunk of IDs), store, reconcile."""
    nct_ids = validate_nct_ids(nct_ids)
    if not nct_ids:
        raise UsageError("name at least one NCT ID")
    with writer(settings, "refresh") as con, store.run(con, "refresh") as run:
        summary = RunSummary(run.run_id)
        run.unaccounted = summary.unaccounted
        fetcher = Fetcher(ApiClient(settings))
        run.counts = lambda: {"requested": len(nct_ids), **_request_counts(fetcher.report)}
        _ingest(con, settings, fetcher, fetcher.iter_studies(nct_ids), summary, progress)
        missing = _missing(nct_ids, summary, fetcher.report)
        run.status = "partial" if summary.failures or missing else "succeeded"
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
        with store.run(con, command) as run:
            summary = RunSummary(run.run_id)
            run.unaccounted = summary.unaccounted
            run.counts = lambda: _request_counts(fetcher.report)
            data_timestamp = fetcher.data_timestamp()
            store.set_run_data_timestamp(con, run.run_id, data_timestamp)
            last = store.last_successful_sync(con)
            unsynced = store.unsynced_ids(con, tracked)
            nothing_new = not full and last is not None and last.data_timestamp == data_timestamp
            if nothing_new and not unsynced:
                assert last is not None
                run.status, run.watermark = "noop", last.watermark
                summary.extra.update({"status": "noop", "data_timestamp": data_timestamp})
                return summary
            since = None if full or last is None else last.watermark
            studies = _plan_sync(fetcher, tracked, unsynced, since, updates=not nothing_new)
            _ingest(con, settings, fetcher, studies, summary, progress)
            run.counts = lambda: {"requested": len(tracked), **_request_counts(fetcher.report)}
            run.status = status = "partial" if summary.failures else "succeeded"
            run.watermark = watermark = (
                last.watermark if nothing_new and last is not None else _snapshot_date(data_timestamp)
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


def gone_upstream_rows(gone: dict[str, tuple[str, str | None]]) -> dict[str, Change]:
    """The change each trial gone upstream (or merged into another) records."""
    rows = {}
    for nct_id, (state, real) in gone.items():
        reason = "not found on ClinicalTrials.gov" if state == "not_found" else f"merged into {real}"
        rows[nct_id] = gone_upstream_change(nct_id, reason)
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


def renormalize_all(settings: Settings, progress: Progress | None = None) -> dict[str, int]:
    """``ctsync renormalize``: re-derive every version stored by an older normalizer from its raw JSON."""
    require_database(settings)
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
    require_database(settings)
    with writer(settings, "review") as con:
        return editorial.review(con, nct_ids, by, note, expected_version=version)


def import_reviews(settings: Settings, path: Path) -> list[editorial.ImportedReview]:
    """``ctsync review import``: reviews editors already have, each against the version of its date."""
    require_database(settings)
    with writer(settings, "review import") as con:
        return editorial.import_reviews(con, path)
