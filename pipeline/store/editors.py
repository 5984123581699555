"""Editors' state: reviews, the change log, the tracked set and what upstream said about it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from pipeline.change import Change, StoredChange
from pipeline.store.batches import change_row, insert_changes
from pipeline.store.connection import transaction


@dataclass(frozen=True)
class ReviewState:
    """A stored trial's current version and, if any, the version its editor last reviewed."""

    nct_id: str
    current_version: int
    reviewed_version: int | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    pending_since: datetime | None
    """When the oldest version the editor has not reviewed was stored."""
    upstream_state: str | None


def review_states(
    con: duckdb.DuckDBPyConnection, nct_ids: Sequence[str] | None = None, *, waiting: bool = False
) -> list[ReviewState]:
    """Review state of the given trials, or of every tracked trial (every stored one if none is tracked).

    ``waiting``: only the trials waiting for review (a version not reviewed, or gone upstream), filtered
    before the per-trial work of the query."""
    if nct_ids is None:
        tracked = con.execute("SELECT count(*) FROM tracked_trials").fetchone()
        scope = "tracked_trials" if tracked and tracked[0] else "trials"
        nct_ids = [row[0] for row in con.execute(f"SELECT nct_id FROM {scope} ORDER BY nct_id").fetchall()]
    rows = con.execute(
        """
        WITH ids AS (SELECT unnest(?) AS nct_id),
        last_review AS (  -- the latest recorded review wins (rowid: reviews are append-only), not the
                          -- latest reviewed_at: an import may record an older date for a newer version
            SELECT nct_id, arg_max(version, rowid) AS version, arg_max(reviewed_by, rowid) AS by,
                   arg_max(reviewed_at, rowid) AS at
            FROM reviews WHERE nct_id IN (SELECT nct_id FROM ids) GROUP BY nct_id
        )
        SELECT t.nct_id, t.version, r.version, r.by, r.at,
               (SELECT min(v.fetched_at) FROM trial_versions v  -- a baseline from the record history
                 WHERE v.nct_id = t.nct_id AND v.source <> 'history'  -- is older than every other
                 AND (v.version > coalesce(r.version, 0) OR r.version IN (SELECT h.version
                      FROM trial_versions h WHERE h.nct_id = t.nct_id AND h.source = 'history'))),
               k.upstream_state
        FROM ids JOIN trials t USING (nct_id)
        LEFT JOIN last_review r USING (nct_id)
        LEFT JOIN tracked_trials k USING (nct_id)
        WHERE NOT ? OR r.version IS DISTINCT FROM t.version OR k.upstream_state IN ('not_found', 'merged')
        ORDER BY t.nct_id
        """,
        [list(nct_ids), waiting],
    ).fetchall()
    return [ReviewState(*row) for row in rows]


def add_reviews(
    con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[str, int, str, datetime, str | None, str]]
) -> None:
    """Record reviews, (nct_id, version, reviewed_by, reviewed_at, note, source) each, in one statement."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    with transaction(con):
        con.execute(
            "INSERT INTO reviews (nct_id, version, reviewed_by, reviewed_at, note, source)"
            " SELECT unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), unnest(?)",
            [list(column) for column in columns],
        )


def versions_current_on(
    con: duckdb.DuckDBPyConnection, asked: Sequence[tuple[str, date]]
) -> list[int | None]:
    """For each (NCT ID, day): the stored version ClinicalTrials.gov showed that day (the latest posted
    on or before it), or None when every stored version is later. One query for all."""
    if not asked:
        return []
    rows = con.execute(
        # The latest posted, not the highest number: a version from the record history is numbered
        # after the versions stored before it was fetched, yet older than them.
        "SELECT k.i, arg_max(v.version, (v.last_update_post_date, v.version)) FROM"
        " (SELECT unnest(?) AS i, unnest(?) AS nct_id, unnest(?) AS day) k"
        " LEFT JOIN trial_versions v ON v.nct_id = k.nct_id AND v.last_update_post_date <= k.day"
        " GROUP BY k.i",
        [list(range(len(asked))), [a[0] for a in asked], [a[1] for a in asked]],
    ).fetchall()
    found = {int(i): (None if version is None else int(version)) for i, version in rows}
    return [found[i] for i in range(len(asked))]


def change_log(con: duckdb.DuckDBPyConnection, nct_id: str) -> list[StoredChange]:
    """Every stored version-to-version change of a trial, oldest first."""
    cursor = con.execute(
        "SELECT from_version, to_version, field, change, old_value, new_value, category, severity, detail,"
        " labels, detected_at FROM trial_changes WHERE nct_id = ?"
        " ORDER BY to_version, detected_at,"
        " list_position(['critical', 'major', 'minor', 'info'], severity), field",
        [nct_id],
    )
    names = [column[0] for column in cursor.description or ()]
    return [_stored_change(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _stored_change(row: dict[str, Any]) -> StoredChange:
    return StoredChange(
        field=row["field"],
        change=row["change"],
        old=None if row["old_value"] is None else json.loads(row["old_value"]),
        new=None if row["new_value"] is None else json.loads(row["new_value"]),
        category=row["category"],
        severity=row["severity"],
        detail=row["detail"],
        labels=tuple(row["labels"] or ()),
        from_version=row["from_version"],
        to_version=row["to_version"],
        detected_at=row["detected_at"],
    )


def tracked_ids(con: duckdb.DuckDBPyConnection, *, recheck_gone: bool = False) -> list[str]:
    """Tracked trials to fetch, in ID order: those present upstream, and with ``recheck_gone`` the ones
    last found missing (a full sync asks again, so a trial that comes back is noticed)."""
    states = ["present", "not_found"] if recheck_gone else ["present"]
    rows = con.execute(
        "SELECT nct_id FROM tracked_trials WHERE list_contains(?, upstream_state) ORDER BY nct_id", [states]
    ).fetchall()
    return [row[0] for row in rows]


def unsynced_ids(con: duckdb.DuckDBPyConnection, nct_ids: Sequence[str]) -> list[str]:
    """Of these tracked trials, the ones no sync or refresh has fetched yet, or that are not stored:
    an incremental sync must fetch them in full (a copy from ``load`` may be old)."""
    rows = con.execute(
        "SELECT k.nct_id FROM tracked_trials k ANTI JOIN trials t USING (nct_id)"
        " WHERE k.nct_id IN (SELECT unnest(?))"
        " UNION SELECT nct_id FROM tracked_trials WHERE synced_at IS NULL AND nct_id IN (SELECT unnest(?))"
        " ORDER BY 1",
        [list(nct_ids), list(nct_ids)],
    ).fetchall()
    return [row[0] for row in rows]


def mark_synced(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """Tracked trials this run got from the API are present upstream and in sync (a 404 is not forever)."""
    con.execute(
        "UPDATE tracked_trials SET synced_at = ?, checked_at = ?, upstream_state = 'present',"
        " merged_into = NULL"
        " WHERE nct_id IN (SELECT nct_id FROM trial_seen WHERE last_seen_run_id = ?)",
        [datetime.now(UTC), datetime.now(UTC), run_id],
    )


def track(con: duckdb.DuckDBPyConnection, nct_ids: Sequence[str]) -> list[str]:
    """Add trials to the tracked set in one transaction; returns those that were not tracked yet."""
    with transaction(con):
        rows = con.execute(
            "INSERT INTO tracked_trials (nct_id, added_at, upstream_state) SELECT nct_id, ?, 'present'"
            " FROM (SELECT unnest(?) AS nct_id)"
            " WHERE nct_id NOT IN (SELECT nct_id FROM tracked_trials) RETURNING nct_id",
            [datetime.now(UTC), list(nct_ids)],
        ).fetchall()
    return sorted(row[0] for row in rows)


def untrack(con: duckdb.DuckDBPyConnection, nct_ids: Sequence[str]) -> list[str]:
    """Stop tracking trials (their stored history stays); returns those that were tracked."""
    with transaction(con):
        rows = con.execute(
            "DELETE FROM tracked_trials WHERE nct_id IN (SELECT unnest(?)) RETURNING nct_id", [list(nct_ids)]
        ).fetchall()
    return sorted(row[0] for row in rows)


def tracked_list(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cursor = con.execute(
        "SELECT k.nct_id, k.added_at, k.upstream_state, k.merged_into, t.version, t.overall_status,"
        " t.brief_title FROM tracked_trials k LEFT JOIN trials t USING (nct_id) ORDER BY k.nct_id"
    )
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def record_upstream_states(
    con: duckdb.DuckDBPyConnection,
    gone: dict[str, tuple[str, str | None]],
    run_id: int,
    changes_by_id: dict[str, Change],
) -> None:
    """Mark tracked trials gone (not_found) or merged; log a change for stored ones whose state moved."""
    if not gone:
        return
    now = datetime.now(UTC)
    with transaction(con):
        moved = con.execute(
            "SELECT k.nct_id, t.version FROM tracked_trials k LEFT JOIN trials t USING (nct_id)"
            " WHERE k.nct_id IN (SELECT unnest(?)) AND k.upstream_state = 'present'",
            [list(gone)],
        ).fetchall()
        for nct_id, (state, merged_into) in gone.items():
            con.execute(
                "UPDATE tracked_trials SET upstream_state = ?, merged_into = ?, checked_at = ?"
                " WHERE nct_id = ?",
                [state, merged_into, now, nct_id],
            )
            if merged_into and any(row[0] == nct_id for row in moved):
                # A tracked alias: keep the record it was merged into in sync instead.
                con.execute(
                    "INSERT INTO tracked_trials (nct_id, added_at, upstream_state, checked_at)"
                    " SELECT ?, ?, 'present', ?"
                    " WHERE ? NOT IN (SELECT nct_id FROM tracked_trials)",
                    [merged_into, now, now, merged_into],
                )
        rows = [
            change_row(nct_id, version, version, changes_by_id[nct_id])
            for nct_id, version in moved
            if version is not None
        ]
        if rows:
            insert_changes(con, rows, run_id, now)


ReviewKey = tuple[str, int, str, datetime]
"""(nct_id, version, reviewed_by, reviewed_at): a review recorded twice is the same review."""


def recorded_reviews(con: duckdb.DuckDBPyConnection, keys: Sequence[ReviewKey]) -> set[ReviewKey]:
    """The keys among ``keys`` that ``reviews`` already holds, in one query."""
    if not keys:
        return set()
    rows = con.execute(
        "SELECT r.nct_id, r.version, r.reviewed_by, r.reviewed_at FROM reviews r"
        " JOIN (SELECT unnest(?) AS nct_id, unnest(?) AS version, unnest(?) AS reviewed_by,"
        "              unnest(?::TIMESTAMPTZ[]) AS reviewed_at) k"
        " USING (nct_id, version, reviewed_by, reviewed_at)",
        [list(column) for column in zip(*keys, strict=True)],
    ).fetchall()
    return {(row[0], int(row[1]), row[2], row[3]) for row in rows}


def gone_before_stored(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None, datetime | None]]:
    """Tracked trials ClinicalTrials.gov does not have (not found, or merged) and that were never stored:
    (nct_id, upstream_state, merged_into, checked_at)."""
    rows = con.execute(
        "SELECT k.nct_id, k.upstream_state, k.merged_into, k.checked_at FROM tracked_trials k"
        " WHERE k.upstream_state IN ('not_found', 'merged')"
        " AND k.nct_id NOT IN (SELECT nct_id FROM trials) ORDER BY k.nct_id"
    ).fetchall()
    return [(row[0], row[1], row[2], row[3]) for row in rows]
