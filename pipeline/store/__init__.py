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

from typing import TYPE_CHECKING

from pipeline.lazy import lazy_names

_EXPORTS = {
    "ANALYST_TABLES": ("pipeline.store.connection", "ANALYST_TABLES"),
    "CHILDREN_FROM_STAGE": ("pipeline.store.current", "CHILDREN_FROM_STAGE"),
    "CURRENT_TABLES": ("pipeline.store.current", "CURRENT_TABLES"),
    "HISTORY_SOURCE": ("pipeline.store.upstream", "HISTORY_SOURCE"),
    "INTERNAL_TABLES": ("pipeline.store.connection", "INTERNAL_TABLES"),
    "MAX_RAW_IN_DEAD_LETTER": ("pipeline.store.batches", "MAX_RAW_IN_DEAD_LETTER"),
    "RECORD_SHAPE": ("pipeline.store.current", "RECORD_SHAPE"),
    "STAGE_PREFIX": ("pipeline.store.connection", "STAGE_PREFIX"),
    "TRIALS_FROM_STAGE": ("pipeline.store.current", "TRIALS_FROM_STAGE"),
    "LastSync": ("pipeline.store.ledger", "LastSync"),
    "ReviewKey": ("pipeline.store.editors", "ReviewKey"),
    "ReviewState": ("pipeline.store.editors", "ReviewState"),
    "Run": ("pipeline.store.ledger", "Run"),
    "StoredVersion": ("pipeline.store.renormal", "StoredVersion"),
    "UpstreamRow": ("pipeline.store.upstream", "UpstreamRow"),
    "WriteMarks": ("pipeline.store.pending", "WriteMarks"),
    "add_reviews": ("pipeline.store.editors", "add_reviews"),
    "add_run_counts": ("pipeline.store.ledger", "add_run_counts"),
    "baseline_facts": ("pipeline.store.upstream", "baseline_facts"),
    "brief_titles": ("pipeline.store.current", "brief_titles"),
    "cached_pending": ("pipeline.store.pending", "cached_pending"),
    "change_log": ("pipeline.store.editors", "change_log"),
    "change_row": ("pipeline.store.batches", "change_row"),
    "close_interrupted_runs": ("pipeline.store.ledger", "close_interrupted_runs"),
    "connect": ("pipeline.store.connection", "connect"),
    "current_records": ("pipeline.store.current", "current_records"),
    "current_trial": ("pipeline.store.current", "current_trial"),
    "detected_change_row": ("pipeline.store.renormal", "detected_change_row"),
    "export_parquet": ("pipeline.store.publish", "export_parquet"),
    "finish_run": ("pipeline.store.ledger", "finish_run"),
    "forget_pending": ("pipeline.store.pending", "forget_pending"),
    "forget_publish_journal": ("pipeline.store.published", "forget_journal"),
    "gone_before_stored": ("pipeline.store.editors", "gone_before_stored"),
    "insert_changes": ("pipeline.store.batches", "insert_changes"),
    "is_busy": ("pipeline.store.connection", "is_busy"),
    "is_ctsync_database": ("pipeline.store.connection", "is_ctsync_database"),
    "last_successful_sync": ("pipeline.store.ledger", "last_successful_sync"),
    "load_versions": ("pipeline.store.current", "load_versions"),
    "mark_synced": ("pipeline.store.editors", "mark_synced"),
    "mark_unpublished": ("pipeline.store.ledger", "mark_unpublished"),
    "matching_fingerprints": ("pipeline.store.batches", "matching_fingerprints"),
    "migrate": ("pipeline.store.connection", "migrate"),
    "pending_fingerprint_stored": ("pipeline.store.pending", "pending_fingerprint_stored"),
    "publish": ("pipeline.store.publish", "publish"),
    "recent_runs": ("pipeline.store.ledger", "recent_runs"),
    "record_upstream_states": ("pipeline.store.editors", "record_upstream_states"),
    "recorded_reviews": ("pipeline.store.editors", "recorded_reviews"),
    "replace_pending": ("pipeline.store.pending", "replace_pending"),
    "review_counts_for": ("pipeline.store.upstream", "review_counts_for"),
    "review_states": ("pipeline.store.editors", "review_states"),
    "rewrite_versions": ("pipeline.store.renormal", "rewrite_versions"),
    "run": ("pipeline.store.ledger", "run"),
    "save_baseline_versions": ("pipeline.store.upstream", "save_baseline_versions"),
    "save_batch": ("pipeline.store.batches", "save_batch"),
    "save_version_lists": ("pipeline.store.upstream", "save_version_lists"),
    "set_run_data_timestamp": ("pipeline.store.ledger", "set_run_data_timestamp"),
    "stale_trials": ("pipeline.store.renormal", "stale_trials"),
    "start_run": ("pipeline.store.ledger", "start_run"),
    "stop_status": ("pipeline.store.ledger", "stop_status"),
    "storage_error": ("pipeline.store.connection", "storage_error"),
    "stored_versions": ("pipeline.store.renormal", "stored_versions"),
    "touched_since": ("pipeline.store.pending", "touched_since"),
    "track": ("pipeline.store.editors", "track"),
    "tracked_ids": ("pipeline.store.editors", "tracked_ids"),
    "tracked_list": ("pipeline.store.editors", "tracked_list"),
    "transaction": ("pipeline.store.connection", "transaction"),
    "unsynced_ids": ("pipeline.store.editors", "unsynced_ids"),
    "untrack": ("pipeline.store.editors", "untrack"),
    "version_lists": ("pipeline.store.upstream", "version_lists"),
    "version_row": ("pipeline.store.batches", "version_row"),
    "versions_current_on": ("pipeline.store.editors", "versions_current_on"),
    "write_marks": ("pipeline.store.pending", "write_marks"),
}
"""Each public name: (the module it lives in, its name there)."""

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


__getattr__, __dir__ = lazy_names(__name__, _EXPORTS, globals())
