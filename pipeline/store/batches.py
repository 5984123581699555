"""Versioned batch writes: staging, new versions, current-state rows, changes and dead letters.

Writes are set-based: a batch is written to a staging file, read by DuckDB into a staging table, and
merged into every table with one statement per table, inside one transaction together with its ledger
counts. Either the whole batch lands or none of it does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipeline import aact_tables
from pipeline.change import Change
from pipeline.normalize import NORMALIZER_VERSION
from pipeline.records import BatchResult, ChangeRows, Failure, Incoming, Seen
from pipeline.store import current
from pipeline.store.connection import staging_file, transaction, write_json_array
from pipeline.store.ledger import add_run_counts
from pipeline.store.published import note_touched

MAX_RAW_IN_DEAD_LETTER = 1_000_000
MAX_STAGED_BYTES = 16 * 1024 * 1024
"""The largest record ctsync stores: its raw JSON plus its canonical record. The registry's largest is
3.6 MB; a record over this (e.g. a 20 MB title) becomes a dead letter, the rest of its batch lands."""


def save_batch(
    con: duckdb.DuckDBPyConnection,
    incoming: Sequence[Incoming],
    failures: Sequence[Failure],
    run_id: int,
    change_rows: ChangeRows | None = None,
    seen: Sequence[Seen] = (),
) -> BatchResult:
    """Store a batch in one transaction: new versions, current-state tables, changes, dead letters, ledger."""
    result = BatchResult(failed=len(failures))
    now = datetime.now(UTC)
    with transaction(con):
        if seen:
            for item in seen:
                result.note(item.nct_id, "unchanged")
            _mark_seen(con, [item.nct_id for item in seen], run_id, now)
        for round_items in _rounds_of_unique_ids(incoming):
            _save_round(con, round_items, run_id, now, change_rows, result)
        _save_failures(con, failures, run_id, now)
        note_touched(con, [item.nct_id for item in incoming])
        add_run_counts(
            con,
            run_id,
            fetched=len(incoming) + len(failures) + len(seen),
            new_trials=result.records["new"],
            changed=result.records["changed"],
            unchanged=result.records["unchanged"] + result.records["older"],
            failed=len(failures),
        )
    return result


def _rounds_of_unique_ids(incoming: Sequence[Incoming]) -> Iterator[list[Incoming]]:
    """Split a batch so no round holds one trial twice: two versions in one batch become two versions."""
    pending = list(incoming)
    while pending:
        seen: set[str] = set()
        round_items: list[Incoming] = []
        later: list[Incoming] = []
        for item in pending:
            target = later if item.nct_id in seen else round_items
            target.append(item)
            seen.add(item.nct_id)
        yield round_items
        pending = later


def _save_round(
    con: duckdb.DuckDBPyConnection,
    items: list[Incoming],
    run_id: int,
    now: datetime,
    change_rows: ChangeRows | None,
    result: BatchResult,
) -> None:
    ids = [item.nct_id for item in items]
    # A version from the record history (a review's baseline) has a number but is never current: new
    # versions are numbered after it.
    current = {
        nct_id: (version, stored_hash, posted, max(version, latest or 0))
        for nct_id, version, stored_hash, posted, latest in con.execute(
            "SELECT t.nct_id, t.version, t.content_hash, t.last_update_posted_date, (SELECT max(v.version)"
            " FROM trial_versions v WHERE v.nct_id = t.nct_id AND v.source = 'history') FROM trials t"
            " WHERE t.nct_id IN (SELECT unnest(?))",
            [ids],
        ).fetchall()
    }
    versions: list[str] = []
    changed: list[tuple[Incoming, int, int]] = []
    unchanged: list[Incoming] = []
    for item in items:
        previous = current.get(item.nct_id)
        if previous is not None and previous[1] == item.content_hash:
            result.note(item.nct_id, "unchanged")
            unchanged.append(item)
            continue
        if previous is not None and _posted_before(item.last_update_post_date, previous[2]):
            # An older copy (e.g. an old file loaded after a sync) must not replace the newer record.
            result.note(item.nct_id, "older")
            continue
        version = 1 if previous is None else previous[3] + 1
        result.note(item.nct_id, "new" if previous is None else "changed")
        versions.append(version_row(item, version))
        if previous is not None:
            changed.append((item, previous[0], version))
    _mark_seen(con, ids, run_id, now)
    if unchanged:
        _update_fingerprints(con, unchanged)
    if not versions:
        return
    # The differ reads the previous records by key before the merge replaces them.
    changes = _change_rows_of(con, changed, change_rows) if change_rows is not None else []
    with staging_file(con) as stage_path:
        write_json_array(stage_path, versions)
        _merge_versions(con, stage_path, run_id, now)
    if changes:
        insert_changes(con, changes, run_id, now)


def version_row(item: Incoming, version: int) -> str:
    header = {
        "nct_id": item.nct_id,
        "version": version,
        "content_hash": item.content_hash,
        "source": item.source,
        "last_update_post_date": item.last_update_post_date.isoformat()
        if item.last_update_post_date
        else None,
        "version_holder": item.version_holder.isoformat() if item.version_holder else None,
        "raw_fingerprint": item.raw_fingerprint,
        "record_zlib": item.record_zlib_b64,
    }
    # The texts are spliced in as they are: re-serializing a 3 MB record costs time and proves nothing.
    return f'{json.dumps(header)[:-1]}, "record": {item.record_json}, "raw": {item.raw_json}}}'


_STAGE_COLUMNS = (
    "{nct_id: 'VARCHAR', version: 'INTEGER', content_hash: 'VARCHAR', source: 'VARCHAR',"
    " last_update_post_date: 'DATE', version_holder: 'DATE', raw_fingerprint: 'VARCHAR',"
    " record_zlib: 'VARCHAR', record: 'JSON', raw: 'JSON'}"
)


def _merge_versions(con: duckdb.DuckDBPyConnection, stage_path: Path, run_id: int, now: datetime) -> None:
    read_stage(con, stage_path)
    con.execute(
        "INSERT INTO trial_versions (nct_id, version, content_hash, fetched_at, last_update_post_date,"
        " version_holder, source, run_id, record, raw, normalizer_version)"
        " SELECT nct_id, version, content_hash, ?, last_update_post_date,"
        " version_holder, source, ?, record, raw, ? FROM stage",
        [now, run_id, NORMALIZER_VERSION],
    )
    replaced = con.execute("SELECT count(*) FROM stage WHERE version > 1").fetchone()
    replace_current_from_stage(con, now, only_new=not (replaced and replaced[0]))


def read_stage(con: duckdb.DuckDBPyConnection, stage_path: Path) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM read_json(?, format = 'array',"
        f" columns = {_STAGE_COLUMNS}, maximum_object_size = {MAX_STAGED_BYTES * 2})",
        [str(stage_path)],
    )


def replace_current_from_stage(con: duckdb.DuckDBPyConnection, now: datetime, *, only_new: bool) -> None:
    """Make the current-state tables of the trials in ``stage`` equal its records; drops ``stage``.

    ``only_new``: none of them is stored yet, so the deletes are skipped (each scans its whole table,
    which is most of a backfill's cost otherwise).
    """
    if not only_new:
        for table in current.CURRENT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE nct_id IN (SELECT nct_id FROM stage)")
    con.execute(
        "INSERT INTO trial_current_records (nct_id, version, record_zlib)"
        " SELECT nct_id, version, from_base64(record_zlib) FROM stage"
    )
    con.execute(current.PARSE_STAGE)
    con.execute(current.TRIALS_FROM_STAGE, [now])
    for statement in current.CHILDREN_FROM_STAGE:
        con.execute(statement)
    for statement in aact_tables.FROM_STAGE:  # looked up at call time: tests and the bench patch it
        con.execute(statement)
    con.execute("DROP TABLE parsed")
    con.execute("DROP TABLE stage")


def _posted_before(incoming: date | None, stored: date | None) -> bool:
    return incoming is not None and stored is not None and incoming < stored


def _update_fingerprints(con: duckdb.DuckDBPyConnection, items: list[Incoming]) -> None:
    """Remember the raw text of unchanged records too (e.g. MeSH lists reordered), so next time is cheap."""
    con.execute(
        "UPDATE trials SET raw_fingerprint = u.fingerprint"
        " FROM (SELECT unnest(?) AS nct_id, unnest(?) AS fingerprint) u"
        " WHERE trials.nct_id = u.nct_id AND trials.raw_fingerprint IS DISTINCT FROM u.fingerprint",
        [[item.nct_id for item in items], [item.raw_fingerprint for item in items]],
    )


def matching_fingerprints(
    con: duckdb.DuckDBPyConnection, candidates: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The (NCT ID, fingerprint) pairs that equal a stored trial's current raw fingerprint."""
    if not candidates:
        return set()
    rows = con.execute(
        "SELECT t.nct_id, t.raw_fingerprint FROM trials t"
        " JOIN (SELECT unnest(?) AS nct_id, unnest(?) AS fingerprint) c"
        " ON t.nct_id = c.nct_id AND t.raw_fingerprint = c.fingerprint",
        [[c[0] for c in candidates], [c[1] for c in candidates]],
    ).fetchall()
    return {(row[0], row[1]) for row in rows}


def _mark_seen(con: duckdb.DuckDBPyConnection, ids: list[str], run_id: int, now: datetime) -> None:
    con.execute(
        "INSERT OR REPLACE INTO trial_seen (nct_id, last_seen_at, last_seen_run_id)"
        " SELECT nct_id, ?, ? FROM (SELECT unnest(?) AS nct_id)",
        [now, run_id, ids],
    )


def _change_rows_of(
    con: duckdb.DuckDBPyConnection, changed: list[tuple[Incoming, int, int]], change_rows: ChangeRows
) -> list[str]:
    """The differ's rows for every changed trial, from its stored current record to the incoming one."""
    previous = current.current_records(con, [(item.nct_id, version) for item, version, _ in changed])
    return [
        change_row(item.nct_id, from_version, to_version, change)
        for item, from_version, to_version in changed
        for change in change_rows(previous[(item.nct_id, from_version)], item.trial())
    ]


def change_row(nct_id: str, from_version: int | None, to_version: int, change: Change) -> str:
    """A ``trial_changes`` row of a change, as a JSON object for the staging file."""
    return json.dumps(
        {
            "nct_id": nct_id,
            "from_version": from_version,
            "to_version": to_version,
            "field": change.field,
            "change": change.change,
            "old_value": json.dumps(change.old, ensure_ascii=False),
            "new_value": json.dumps(change.new, ensure_ascii=False),
            "category": change.category,
            "severity": change.severity,
            "detail": change.detail,
            "labels": list(change.labels),
        },
        ensure_ascii=False,
    )


def insert_changes(con: duckdb.DuckDBPyConnection, rows: list[str], run_id: int, now: datetime) -> None:
    """Append change rows (JSON objects as made by ``change_row``) to trial_changes in one statement."""
    with staging_file(con) as path:
        write_json_array(path, rows)
        con.execute(
            "INSERT INTO trial_changes BY NAME SELECT nct_id, from_version, to_version, field, change,"
            " old_value, new_value, category, severity, detail, labels, ?::TIMESTAMPTZ AS detected_at,"
            " ?::BIGINT AS run_id"
            " FROM read_json(?, format = 'array',"
            " columns = {nct_id: 'VARCHAR', from_version: 'INTEGER', to_version: 'INTEGER',"
            " field: 'VARCHAR', change: 'VARCHAR', old_value: 'VARCHAR', new_value: 'VARCHAR',"
            " category: 'VARCHAR', severity: 'VARCHAR', detail: 'VARCHAR', labels: 'VARCHAR[]'})",
            [now, run_id, str(path)],
        )


def _save_failures(
    con: duckdb.DuckDBPyConnection, failures: Sequence[Failure], run_id: int, now: datetime
) -> None:
    if not failures:
        return
    con.executemany(
        "INSERT INTO failed_records (run_id, nct_id, source, stage, error, raw, failed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [run_id, f.nct_id, f.source, f.stage, f.error, (f.raw or "")[:MAX_RAW_IN_DEAD_LETTER], now]
            for f in failures
        ],
    )
