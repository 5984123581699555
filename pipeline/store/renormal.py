"""Re-deriving stored canonical records from their raw JSON in place: versions, current state, changes.

The raw JSON of every version is the source of truth and the canonical record derived data. When the
normalizer's rules change, a trial's versions are rewritten here chunk by chunk, one transaction each:
their records and content hashes, the current-state rows, and the version-to-version changes. Version
numbers, fetch times, runs and reviews stay as they are, so no trial enters the editors' queue for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipeline.store.batches import read_stage, replace_current_from_stage
from pipeline.store.connection import staging_file, transaction, write_json_array
from pipeline.store.pending import forget_pending
from pipeline.store.published import note_everything


@dataclass(frozen=True)
class StoredVersion:
    """One stored version as renormalize needs it: its raw JSON and where it came from."""

    nct_id: str
    version: int
    raw_json: str
    source: str
    fetched_at: datetime
    run_id: int | None
    content_hash: str


def stale_trials(con: duckdb.DuckDBPyConnection, normalizer_version: int) -> list[str]:
    """Trials with a version derived by another normalizer than ``normalizer_version``, in ID order."""
    rows = con.execute(
        "SELECT DISTINCT nct_id FROM trial_versions"
        " WHERE normalizer_version IS DISTINCT FROM ? ORDER BY nct_id",
        [normalizer_version],
    ).fetchall()
    return [row[0] for row in rows]


def stored_versions(con: duckdb.DuckDBPyConnection, nct_ids: Sequence[str]) -> list[StoredVersion]:
    """Every stored version of these trials, oldest first per trial."""
    rows = con.execute(
        "SELECT nct_id, version, raw::VARCHAR, source, fetched_at, run_id, content_hash FROM trial_versions"
        " WHERE nct_id IN (SELECT unnest(?)) ORDER BY nct_id, version",
        [list(nct_ids)],
    ).fetchall()
    return [StoredVersion(*row) for row in rows]


def rewrite_versions(
    con: duckdb.DuckDBPyConnection,
    nct_ids: Sequence[str],
    version_rows: Sequence[str],
    change_rows: Sequence[str],
    normalizer_version: int,
    now: datetime,
) -> None:
    """In one transaction: these trials' versions take the new records (``version_rows``, staged like a
    batch's), their current-state rows follow the latest, and their version-to-version changes are
    replaced by ``change_rows`` (JSON objects with ``detected_at`` and ``run_id`` of their own)."""
    with transaction(con), staging_file(con) as stage_path:
        write_json_array(stage_path, version_rows)
        read_stage(con, stage_path)
        con.execute(
            "UPDATE trial_versions SET record = s.record, content_hash = s.content_hash,"
            " normalizer_version = ? FROM stage s"
            " WHERE trial_versions.nct_id = s.nct_id AND trial_versions.version = s.version",
            [normalizer_version],
        )
        con.execute(
            # The current state follows the trial's current version (never a baseline from the history).
            "DELETE FROM stage WHERE version IS DISTINCT FROM (SELECT t.version FROM trials t"
            " WHERE t.nct_id = stage.nct_id)"
        )
        replace_current_from_stage(con, now, only_new=False)
        note_everything(con)  # versions and changes rewritten in place: the next publishes copy whole
        forget_pending(con)  # and the queue's cached changes were computed from the old records
        # Changes between two versions are derived; a trial gone upstream (from = to) is not, and stays.
        con.execute(
            "DELETE FROM trial_changes WHERE nct_id IN (SELECT unnest(?)) AND from_version < to_version",
            [list(nct_ids)],
        )
        if change_rows:
            write_json_array(stage_path, change_rows)
            con.execute(
                "INSERT INTO trial_changes (nct_id, from_version, to_version, field, change, old_value,"
                " new_value, category, severity, detail, labels, detected_at, run_id)"
                " SELECT nct_id, from_version, to_version, field, change, old_value, new_value, category,"
                " severity, detail, labels, detected_at, run_id FROM read_json(?, format = 'array',"
                " columns = {nct_id: 'VARCHAR', from_version: 'INTEGER', to_version: 'INTEGER',"
                " field: 'VARCHAR', change: 'VARCHAR', old_value: 'VARCHAR', new_value: 'VARCHAR',"
                " category: 'VARCHAR', severity: 'VARCHAR', detail: 'VARCHAR', labels: 'VARCHAR[]',"
                " detected_at: 'TIMESTAMPTZ', run_id: 'BIGINT'})",
                [str(stage_path)],
            )


def detected_change_row(base_row: str, detected_at: datetime, run_id: int | None) -> str:
    """A change row (as ``batches.change_row`` makes it) with the time and run that first detected it."""
    row = json.loads(base_row)
    row.update({"detected_at": detected_at.isoformat(), "run_id": run_id})
    return json.dumps(row, ensure_ascii=False)
