"""DuckDB at the edge: migrations, versioned set-based writes, reads, the published copy, export.

One concern a module:

- ``connection``: connecting, migrating, transactions, staging files;
- ``ledger``: the run ledger (``sync_runs``);
- ``batches``: versioned batch writes (staging, versions, changes, dead letters);
- ``current``: the current-state tables, derived from staged records, and reading current records;
- ``editors``: reviews, the change log, tracking and upstream states;
- ``publish``: the published copy and Parquet export;
- ``upstream``: ClinicalTrials.gov's record history (upstream version lists, baseline versions);
- ``published``: the two copies behind the published path, patched in proportion to the change;
- ``pending``: the review queue's cache of each waiting trial's changes since review.

The public functions are re-exported here, so callers write ``store.connect(...)``; they load on first use
(PEP 562), so a reader such as ``ctsync show`` does not import the write side (batches, the normalizer's
version, the differ). The record types the store writes (``Incoming``, ``Failure``, ``Seen``) live in
``pipeline.records``, which readers and workers import without loading DuckDB.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, tuple[str, str]] = {
    "ANALYST_TABLES": ("connection", "ANALYST_TABLES"),
    "CHILDREN_FROM_STAGE": ("current", "CHILDREN_FROM_STAGE"),
    "CURRENT_TABLES": ("current", "CURRENT_TABLES"),
    "HISTORY_SOURCE": ("upstream", "HISTORY_SOURCE"),
    "INTERNAL_TABLES": ("connection", "INTERNAL_TABLES"),
    "MAX_RAW_IN_DEAD_LETTER": ("batches", "MAX_RAW_IN_DEAD_LETTER"),
    "RECORD_SHAPE": ("current", "RECORD_SHAPE"),
    "STAGE_PREFIX": ("connection", "STAGE_PREFIX"),
    "TRIALS_FROM_STAGE": ("current", "TRIALS_FROM_STAGE"),
    "LastSync": ("ledger", "LastSync"),
    "ReviewKey": ("editors", "ReviewKey"),
    "ReviewState": ("editors", "ReviewState"),
    "Run": ("ledger", "Run"),
    "StoredVersion": ("renormal", "StoredVersion"),
    "UpstreamRow": ("upstream", "UpstreamRow"),
    "WriteMarks": ("pending", "WriteMarks"),
    "add_reviews": ("editors", "add_reviews"),
    "add_run_counts": ("ledger", "add_run_counts"),
    "baseline_facts": ("upstream", "baseline_facts"),
    "brief_titles": ("current", "brief_titles"),
    "cached_pending": ("pending", "cached_pending"),
    "change_log": ("editors", "change_log"),
    "change_row": ("batches", "change_row"),
    "close_interrupted_runs": ("ledger", "close_interrupted_runs"),
    "connect": ("connection", "connect"),
    "current_records": ("current", "current_records"),
    "current_trial": ("current", "current_trial"),
    "detected_change_row": ("renormal", "detected_change_row"),
    "export_parquet": ("publish", "export_parquet"),
    "finish_run": ("ledger", "finish_run"),
    "forget_pending": ("pending", "forget_pending"),
    "forget_publish_journal": ("published", "forget_journal"),
    "gone_before_stored": ("editors", "gone_before_stored"),
    "insert_changes": ("batches", "insert_changes"),
    "is_busy": ("connection", "is_busy"),
    "is_ctsync_database": ("connection", "is_ctsync_database"),
    "last_successful_sync": ("ledger", "last_successful_sync"),
    "load_versions": ("current", "load_versions"),
    "mark_synced": ("editors", "mark_synced"),
    "mark_unpublished": ("ledger", "mark_unpublished"),
    "matching_fingerprints": ("batches", "matching_fingerprints"),
    "migrate": ("connection", "migrate"),
    "pending_fingerprint_stored": ("pending", "pending_fingerprint_stored"),
    "publish": ("publish", "publish"),
    "recent_runs": ("ledger", "recent_runs"),
    "record_upstream_states": ("editors", "record_upstream_states"),
    "recorded_reviews": ("editors", "recorded_reviews"),
    "replace_pending": ("pending", "replace_pending"),
    "review_counts_for": ("upstream", "review_counts_for"),
    "review_states": ("editors", "review_states"),
    "rewrite_versions": ("renormal", "rewrite_versions"),
    "run": ("ledger", "run"),
    "save_baseline_versions": ("upstream", "save_baseline_versions"),
    "save_batch": ("batches", "save_batch"),
    "save_version_lists": ("upstream", "save_version_lists"),
    "set_run_data_timestamp": ("ledger", "set_run_data_timestamp"),
    "stale_trials": ("renormal", "stale_trials"),
    "start_run": ("ledger", "start_run"),
    "stop_status": ("ledger", "stop_status"),
    "storage_error": ("connection", "storage_error"),
    "stored_versions": ("renormal", "stored_versions"),
    "touched_since": ("pending", "touched_since"),
    "track": ("editors", "track"),
    "tracked_ids": ("editors", "tracked_ids"),
    "tracked_list": ("editors", "tracked_list"),
    "transaction": ("connection", "transaction"),
    "unsynced_ids": ("editors", "unsynced_ids"),
    "untrack": ("editors", "untrack"),
    "version_lists": ("upstream", "version_lists"),
    "version_row": ("batches", "version_row"),
    "versions_current_on": ("editors", "versions_current_on"),
    "write_marks": ("pending", "write_marks"),
}
"""Each public name: (the submodule it lives in, its name there)."""

__all__ = [
    "ANALYST_TABLES",
    "CHILDREN_FROM_STAGE",
    "CURRENT_TABLES",
    "HISTORY_SOURCE",
    "INTERNAL_TABLES",
    "MAX_RAW_IN_DEAD_LETTER",
    "RECORD_SHAPE",
    "STAGE_PREFIX",
    "TRIALS_FROM_STAGE",
    "LastSync",
    "ReviewKey",
    "ReviewState",
    "Run",
    "StoredVersion",
    "UpstreamRow",
    "WriteMarks",
    "add_reviews",
    "add_run_counts",
    "baseline_facts",
    "brief_titles",
    "cached_pending",
    "change_log",
    "change_row",
    "close_interrupted_runs",
    "connect",
    "current_records",
    "current_trial",
    "detected_change_row",
    "export_parquet",
    "finish_run",
    "forget_pending",
    "forget_publish_journal",
    "gone_before_stored",
    "insert_changes",
    "is_busy",
    "is_ctsync_database",
    "last_successful_sync",
    "load_versions",
    "mark_synced",
    "mark_unpublished",
    "matching_fingerprints",
    "migrate",
    "pending_fingerprint_stored",
    "publish",
    "recent_runs",
    "record_upstream_states",
    "recorded_reviews",
    "replace_pending",
    "review_counts_for",
    "review_states",
    "rewrite_versions",
    "run",
    "save_baseline_versions",
    "save_batch",
    "save_version_lists",
    "set_run_data_timestamp",
    "stale_trials",
    "start_run",
    "stop_status",
    "storage_error",
    "stored_versions",
    "touched_since",
    "track",
    "tracked_ids",
    "tracked_list",
    "transaction",
    "unsynced_ids",
    "untrack",
    "version_lists",
    "version_row",
    "versions_current_on",
    "write_marks",
]

if TYPE_CHECKING:
    from pipeline.store.batches import (
        MAX_RAW_IN_DEAD_LETTER,
        change_row,
        insert_changes,
        matching_fingerprints,
        save_batch,
        version_row,
    )
    from pipeline.store.connection import (
        ANALYST_TABLES,
        INTERNAL_TABLES,
        STAGE_PREFIX,
        connect,
        is_busy,
        is_ctsync_database,
        migrate,
        storage_error,
        transaction,
    )
    from pipeline.store.current import (
        CHILDREN_FROM_STAGE,
        CURRENT_TABLES,
        RECORD_SHAPE,
        TRIALS_FROM_STAGE,
        brief_titles,
        current_records,
        current_trial,
        load_versions,
    )
    from pipeline.store.editors import (
        ReviewKey,
        ReviewState,
        add_reviews,
        change_log,
        gone_before_stored,
        mark_synced,
        record_upstream_states,
        recorded_reviews,
        review_states,
        track,
        tracked_ids,
        tracked_list,
        unsynced_ids,
        untrack,
        versions_current_on,
    )
    from pipeline.store.ledger import (
        LastSync,
        Run,
        add_run_counts,
        close_interrupted_runs,
        finish_run,
        last_successful_sync,
        mark_unpublished,
        recent_runs,
        run,
        set_run_data_timestamp,
        start_run,
        stop_status,
    )
    from pipeline.store.pending import (
        WriteMarks,
        cached_pending,
        forget_pending,
        pending_fingerprint_stored,
        replace_pending,
        touched_since,
        write_marks,
    )
    from pipeline.store.publish import export_parquet, publish
    from pipeline.store.published import forget_journal as forget_publish_journal
    from pipeline.store.renormal import (
        StoredVersion,
        detected_change_row,
        rewrite_versions,
        stale_trials,
        stored_versions,
    )
    from pipeline.store.upstream import (
        HISTORY_SOURCE,
        UpstreamRow,
        baseline_facts,
        review_counts_for,
        save_baseline_versions,
        save_version_lists,
        version_lists,
    )


def __getattr__(name: str) -> Any:
    """Load an exported name's submodule on first use; ``store.connection`` and the like are submodules."""
    found = _EXPORTS.get(name)
    if found is None:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module, attr = found
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
