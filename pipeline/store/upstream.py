"""ClinicalTrials.gov's record history in the store: each trial's upstream version list, and the older
upstream versions fetched as reviews' baselines.

A fetched upstream version is a ctsync version like any other (raw JSON kept, normalized, hashed), with
source ``history`` and its upstream number, but it never touches the current-state tables: they stay on
the newest version. One whose content equals a stored version is not stored twice; that version holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import duckdb

from pipeline.normalize import NORMALIZER_VERSION
from pipeline.records import Incoming
from pipeline.store.batches import read_stage, version_row
from pipeline.store.connection import staging_file, transaction, write_json_array

HISTORY_SOURCE = "history"

UpstreamRow = tuple[str, int, date, str | None, Sequence[str]]
"""(nct_id, upstream_version, submitted_date, overall_status, module_labels)."""


def save_version_lists(con: duckdb.DuckDBPyConnection, rows: Sequence[UpstreamRow], now: datetime) -> None:
    """Replace the listed trials' upstream version lists in one statement, keeping which ctsync version
    holds an upstream version already fetched."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    with transaction(con):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE upstream_stage AS SELECT unnest(?) AS nct_id,"
            " unnest(?)::INTEGER AS upstream_version, unnest(?)::DATE AS submitted_date,"
            " unnest(?)::VARCHAR AS overall_status, unnest(?::VARCHAR[][]) AS module_labels",
            columns,
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE upstream_kept AS SELECT nct_id, upstream_version, version"
            " FROM upstream_versions WHERE nct_id IN (SELECT nct_id FROM upstream_stage)"
        )
        con.execute("DELETE FROM upstream_versions WHERE nct_id IN (SELECT nct_id FROM upstream_stage)")
        con.execute(
            "INSERT INTO upstream_versions BY NAME SELECT s.nct_id, s.upstream_version, s.submitted_date,"
            " s.overall_status, s.module_labels, ?::TIMESTAMPTZ AS fetched_at, k.version"
            " FROM upstream_stage s LEFT JOIN upstream_kept k USING (nct_id, upstream_version)",
            [now],
        )
        con.execute("DROP TABLE upstream_stage")
        con.execute("DROP TABLE upstream_kept")


def save_baseline_versions(
    con: duckdb.DuckDBPyConnection, fetched: Sequence[tuple[Incoming, int]], run_id: int, now: datetime
) -> dict[str, int]:
    """Store fetched upstream versions ``(incoming, upstream_version)`` (one per trial) as ctsync
    versions, in one transaction; returns the ctsync version that holds each, by NCT ID.

    A version whose content hash equals one of the trial's stored versions is that version (no copy);
    a new one is numbered after every stored version and leaves the current state as it is.
    """
    if not fetched:
        return {}
    ids = [item.nct_id for item, _ in fetched]
    stored: dict[tuple[str, str], int] = {}
    latest: dict[str, int] = {}
    for nct_id, version, content_hash in con.execute(
        "SELECT nct_id, version, content_hash FROM trial_versions WHERE nct_id IN (SELECT unnest(?))"
        " ORDER BY version",
        [ids],
    ).fetchall():
        stored.setdefault((nct_id, content_hash), version)
        latest[nct_id] = max(latest.get(nct_id, 0), version)
    holders: dict[str, int] = {}
    new_rows: list[str] = []
    upstream_numbers: dict[str, int] = {}
    for item, upstream_version in fetched:
        upstream_numbers[item.nct_id] = upstream_version
        known = stored.get((item.nct_id, item.content_hash))
        if known is not None:
            holders[item.nct_id] = known
            continue
        holders[item.nct_id] = latest.get(item.nct_id, 0) + 1
        new_rows.append(version_row(item, holders[item.nct_id]))
    with transaction(con):
        if new_rows:
            _insert_versions(con, new_rows, upstream_numbers, run_id, now)
        con.execute(
            "UPDATE upstream_versions SET version = h.version"
            " FROM (SELECT unnest(?) AS nct_id, unnest(?) AS upstream_version, unnest(?) AS version) h"
            " WHERE upstream_versions.nct_id = h.nct_id"
            " AND upstream_versions.upstream_version = h.upstream_version",
            [list(holders), [upstream_numbers[n] for n in holders], list(holders.values())],
        )
    return holders


def _insert_versions(
    con: duckdb.DuckDBPyConnection,
    rows: list[str],
    upstream_numbers: dict[str, int],
    run_id: int,
    now: datetime,
) -> None:
    with staging_file(con) as stage_path:
        write_json_array(stage_path, rows)
        read_stage(con, stage_path)
        con.execute(
            "INSERT INTO trial_versions (nct_id, version, content_hash, fetched_at, last_update_post_date,"
            " version_holder, source, run_id, record, raw, normalizer_version, upstream_version)"
            " SELECT s.nct_id, s.version, s.content_hash, ?, s.last_update_post_date, s.version_holder,"
            " s.source, ?, s.record, s.raw, ?, u.upstream_version FROM stage s"
            " JOIN (SELECT unnest(?) AS nct_id, unnest(?) AS upstream_version) u USING (nct_id)",
            [now, run_id, NORMALIZER_VERSION, list(upstream_numbers), list(upstream_numbers.values())],
        )
        con.execute("DROP TABLE stage")


def version_lists(con: duckdb.DuckDBPyConnection, nct_id: str) -> list[dict[str, Any]]:
    """A trial's stored upstream version list, oldest first, with the ctsync version holding each: the
    one fetched from the record history, or the stored version upstream got that day (the record's own
    lastUpdateSubmitDate is the history's date of that version)."""
    cursor = con.execute(
        "SELECT u.upstream_version, u.submitted_date, u.overall_status, u.module_labels, coalesce(u.version,"
        " (SELECT max(v.version) FROM trial_versions v WHERE v.nct_id = u.nct_id AND v.source <> 'history'"
        "  AND TRY_CAST(v.raw->>'$.protocolSection.statusModule.lastUpdateSubmitDate' AS DATE)"
        "  = u.submitted_date)) AS version, u.fetched_at"
        " FROM upstream_versions u WHERE u.nct_id = ? ORDER BY u.upstream_version",
        [nct_id],
    )
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def baseline_facts(
    con: duckdb.DuckDBPyConnection, nct_id: str, version: int
) -> tuple[int | None, date | None]:
    """A stored version's upstream version number (when known) and its date: the day upstream got it
    (submitted) for a version from the record history, else the day it was posted."""
    row = con.execute(
        "WITH v AS (SELECT coalesce(tv.upstream_version, (SELECT max(u.upstream_version)"
        "   FROM upstream_versions u WHERE u.nct_id = tv.nct_id AND u.version = tv.version)) AS upstream,"
        "   tv.last_update_post_date AS posted FROM trial_versions tv WHERE tv.nct_id = ? AND tv.version = ?)"
        " SELECT v.upstream, coalesce((SELECT u.submitted_date FROM upstream_versions u"
        "   WHERE u.nct_id = ? AND u.upstream_version = v.upstream), v.posted) FROM v",
        [nct_id, version, nct_id],
    ).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def review_counts_for(con: duckdb.DuckDBPyConnection, nct_id: str) -> list[dict[str, Any]]:
    """Every review of a trial, oldest recorded first, with the ctsync version it counts for and the
    upstream version that version is: by its upstream number, else by the day upstream got it (the
    record's own lastUpdateSubmitDate, which the history lists as that version's date)."""
    cursor = con.execute(
        "SELECT r.reviewed_at, r.reviewed_by, r.note, r.version, coalesce(v.upstream_version,"
        " (SELECT max(u.upstream_version) FROM upstream_versions u WHERE u.nct_id = r.nct_id"
        "  AND (u.version = r.version OR u.submitted_date = TRY_CAST(v.raw->>'$.protocolSection."
        "statusModule.lastUpdateSubmitDate' AS DATE)))) AS upstream_version"
        " FROM reviews r LEFT JOIN trial_versions v USING (nct_id, version)"
        " WHERE r.nct_id = ? ORDER BY r.rowid",
        [nct_id],
    )
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
