"""DuckDB reads of the editors' workflow that store.py does not have: which imported reviews are already
recorded, and tracked trials gone upstream before ctsync ever stored them.

Kept apart from store.py so each function takes a connection and does one query, like the ones there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

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
