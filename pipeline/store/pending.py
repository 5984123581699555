"""The review queue's cache (``review_pending``): each waiting trial's changes since its review.

The writer fills it for the trials a write touched or reviewed (``pipeline.review_queue``); the queue
reads it and trusts a row only while its versions and fingerprint match the trial's review state, so a
row left stale (a crash between the two, an older ctsync) costs a live diff, never a wrong queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class WriteMarks:
    """Where the publish journal and the reviews stood when a write began."""

    journal: int
    reviews: int


def write_marks(con: duckdb.DuckDBPyConnection) -> WriteMarks:
    row = con.execute(
        "SELECT (SELECT coalesce(max(seq), 0) FROM publish_journal), (SELECT count(*) FROM reviews)"
    ).fetchone()
    assert row is not None
    return WriteMarks(int(row[0]), int(row[1]))


def touched_since(con: duckdb.DuckDBPyConnection, marks: WriteMarks) -> tuple[list[str], bool]:
    """The trials stored or reviewed since ``marks``, and whether a write touched everything."""
    rows = con.execute(
        "SELECT nct_id FROM publish_journal WHERE seq > ? UNION SELECT nct_id FROM reviews WHERE rowid >= ?",
        [marks.journal, marks.reviews],
    ).fetchall()
    ids = [row[0] for row in rows]
    return sorted(nct_id for nct_id in ids if nct_id is not None), None in ids


def pending_fingerprint_stored(con: duckdb.DuckDBPyConnection) -> str:
    """The fingerprint under which every waiting trial has its row ('' when never filled)."""
    row = con.execute("SELECT fingerprint FROM review_pending_state").fetchone()
    return "" if row is None else str(row[0])


def cached_pending(
    con: duckdb.DuckDBPyConnection, nct_ids: Sequence[str], fingerprint: str
) -> dict[str, tuple[int, int, str]]:
    """The cached (baseline, current_version, changes JSON) of these trials under ``fingerprint``; none
    in a database a reader opens before any writer of this ctsync migrated it (no cache table yet)."""
    if not nct_ids:
        return {}
    try:
        rows = con.execute(
            "SELECT nct_id, baseline, current_version, changes FROM review_pending"
            " WHERE fingerprint = ? AND nct_id IN (SELECT unnest(?))",
            [fingerprint, list(nct_ids)],
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    return {nct_id: (int(baseline), int(current), changes) for nct_id, baseline, current, changes in rows}


def replace_pending(
    con: duckdb.DuckDBPyConnection,
    nct_ids: Sequence[str],
    rows: Sequence[tuple[str, int, int, str, str]],
    complete: str | None = None,
) -> None:
    """These trials' rows become ``rows`` (nct_id, baseline, current_version, fingerprint, changes JSON);
    ``complete``: every waiting trial now has its row under this fingerprint (the whole table was rebuilt)."""
    if complete is not None:
        con.execute("DELETE FROM review_pending")
        con.execute("UPDATE review_pending_state SET fingerprint = ?", [complete])
    elif nct_ids:
        con.execute("DELETE FROM review_pending WHERE nct_id IN (SELECT unnest(?))", [list(nct_ids)])
    if rows:
        columns = [list(column) for column in zip(*rows, strict=True)]
        con.execute(
            "INSERT INTO review_pending (nct_id, baseline, current_version, fingerprint, changes)"
            " SELECT unnest(?), unnest(?), unnest(?), unnest(?), unnest(?)",
            columns,
        )


def forget_pending(con: duckdb.DuckDBPyConnection) -> None:
    """After records were rewritten in place (renormalize): the next write rebuilds the cache."""
    con.execute("DELETE FROM review_pending")
    con.execute("UPDATE review_pending_state SET fingerprint = ''")
