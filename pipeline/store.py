"""DuckDB at the edge: migrations, versioned set-based writes, reads, the published copy, export.

Writes are set-based: a batch is written to a staging file, read by DuckDB into a staging table, and
merged into every table with one statement per table, inside one transaction together with its ledger
counts. Either the whole batch lands or none of it does.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

import pipeline
from pipeline import aact_tables
from pipeline.errors import UsageError
from pipeline.models import Trial

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
MAX_RAW_IN_DEAD_LETTER = 1_000_000
WRITER_MEMORY_LIMIT = "512MB"
CHECKPOINT_THRESHOLD = "1GB"
ANALYST_TABLES = (
    "trials",
    "trial_conditions",
    "trial_interventions",
    "trial_locations",
    "trial_outcomes",
    "trial_sponsors",
    "trial_versions",
    "trial_changes",
    "trial_seen",
    "reviews",
    "tracked_trials",
    "sync_runs",
    "failed_records",
    "schema_migrations",
    *aact_tables.TABLES,
)
INTERNAL_TABLES = ("trial_current_records",)
"""ctsync's own lookups: not exported, not for analysts (documented all the same)."""

ChangeRows = Callable[[Trial, Trial], list[dict[str, Any]]]
"""The differ's hook: the change rows (field, change, old, new, category, severity, detail) old → new."""


@dataclass(frozen=True)
class Incoming:
    """One normalized record on its way into the store, already serialized (cheap to pass between processes).

    ``record_json`` is the canonical record without ``version_holder``, the one field that changes when
    the trial does not; its SHA-256 is the content hash. ``raw_json`` is kept verbatim.
    """

    nct_id: str
    record_json: str
    content_hash: str
    raw_json: str
    source: str
    last_update_post_date: date | None
    version_holder: date | None
    raw_fingerprint: str
    record_zlib_b64: str
    """The canonical JSON compressed, base64 for the staging file (made in the worker, not the writer)."""

    @classmethod
    def of(cls, trial: Trial, raw_json: str, source: str) -> Incoming:
        record_json = trial.model_dump_json(exclude={"version_holder"})
        return cls(
            nct_id=trial.nct_id,
            record_json=record_json,
            content_hash=hashlib.sha256(record_json.encode()).hexdigest(),
            raw_json=raw_json,
            source=source,
            last_update_post_date=trial.last_update_posted_date.date
            if trial.last_update_posted_date
            else None,
            version_holder=trial.version_holder,
            raw_fingerprint=raw_fingerprint(raw_json),
            record_zlib_b64=base64.b64encode(zlib.compress(record_json.encode(), 1)).decode(),
        )

    def trial(self) -> Trial:
        """The canonical record back as a model (only needed to diff a changed trial)."""
        return Trial.model_validate_json(self.record_json).model_copy(
            update={"version_holder": self.version_holder}
        )


_VERSION_HOLDER = re.compile(r'"versionHolder"\s*:\s*"[^"]*"')
_FIRST_NCT_ID = re.compile(r'"nctId"\s*:\s*"(NCT\d{8})"')


def raw_fingerprint(raw_json: str) -> str:
    """SHA-256 of a raw record's text without its version holder, salted with the ctsync version.

    The same text normalizes to the same record (for one ctsync version), so a record whose fingerprint
    matches the stored one is unchanged without parsing it: that makes a no-op reload of the registry cheap.
    """
    text = _VERSION_HOLDER.sub("", raw_json)
    return hashlib.sha256(f"{pipeline.__version__}\n{text}".encode()).hexdigest()


def nct_id_in_text(raw_json: str) -> str | None:
    """The first ``nctId`` of a raw record's text (identificationModule comes first in API JSON)."""
    found = _FIRST_NCT_ID.search(raw_json, 0, 2000)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Seen:
    """A record whose raw text matches the stored fingerprint of its trial: unchanged, not parsed."""

    nct_id: str
    source: str


@dataclass(frozen=True)
class Failure:
    """One record that could not be read or normalized: a dead letter."""

    source: str
    stage: str
    error: str
    nct_id: str | None = None
    raw: str | None = None


@dataclass
class BatchResult:
    """What a batch did, trial by trial: ``outcomes`` maps NCT ID to new, changed or unchanged."""

    outcomes: dict[str, str] = field(default_factory=dict)
    failed: int = 0
    records: Counter[str] = field(default_factory=Counter)
    """Records by outcome (the ledger counts records; ``outcomes`` keeps each trial's strongest)."""

    def note(self, nct_id: str, outcome: str) -> None:
        note_outcome(self.outcomes, nct_id, outcome)
        self.records[outcome] += 1

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


_OUTCOME_STRENGTH = {"unchanged": 0, "older": 1, "changed": 2, "new": 3}


def note_outcome(outcomes: dict[str, str], nct_id: str, outcome: str) -> None:
    """Keep a trial's strongest outcome of a run: a trial stored new then seen again is still new."""
    if _OUTCOME_STRENGTH[outcome] >= _OUTCOME_STRENGTH[outcomes.get(nct_id, "unchanged")]:
        outcomes[nct_id] = outcome


# --- connecting and migrating -------------------------------------------------------------------


def connect(db: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the working database; a writer's connection is migrated to the latest schema."""
    if read_only:
        return duckdb.connect(str(db), read_only=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    # DuckDB caches up to 80% of RAM by default; a writer that streams the registry needs far less, and
    # a bounded cache keeps its memory flat however large the input.
    # A checkpoint rewrites compressed table data; at the default 16MB of WAL that happened after every
    # batch of a load (a third of its time). Committed batches are safe in the WAL either way.
    con = duckdb.connect(
        str(db), config={"memory_limit": WRITER_MEMORY_LIMIT, "checkpoint_threshold": CHECKPOINT_THRESHOLD}
    )
    migrate(con)
    for leftover in db.parent.glob(f"{STAGE_PREFIX}*"):
        leftover.unlink(missing_ok=True)  # from a writer that was killed; we hold the write lock now
    return con


def is_ctsync_database(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('schema_migrations', 'trials')"
    ).fetchone()
    return row is not None and row[0] == 2


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the numbered migrations not yet applied, each in a transaction with its bookkeeping row."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)"
    )
    applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    done = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        number = int(path.name.split("_", 1)[0])
        if number in applied:
            continue
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", [number, path.stem, datetime.now(UTC)]
            )
            if number == 1:
                _comment_migrations_table(con)
        done.append(number)
    return done


def _comment_migrations_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("COMMENT ON TABLE schema_migrations IS 'Schema migrations applied to this database.'")
    con.execute("COMMENT ON COLUMN schema_migrations.version IS 'Migration number (pipeline/migrations).'")
    con.execute("COMMENT ON COLUMN schema_migrations.name IS 'Migration file name.'")
    con.execute("COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied.'")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, or ROLLBACK on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# --- the run ledger -----------------------------------------------------------------------------


def start_run(con: duckdb.DuckDBPyConnection, command: str, *, data_timestamp: str | None = None) -> int:
    """Open a ``sync_runs`` row in state running; its counts grow with every committed batch."""
    close_interrupted_runs(con)
    row = con.execute(
        "INSERT INTO sync_runs (command, started_at, status, data_timestamp, pid)"
        " VALUES (?, ?, 'running', ?, ?) RETURNING run_id",
        [command, datetime.now(UTC), data_timestamp, os.getpid()],
    ).fetchone()
    assert row is not None
    log.info("run %s started: %s", row[0], command, extra={"event": "run started", "run_id": row[0]})
    return int(row[0])


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    status: str,
    *,
    watermark: date | None = None,
    error: str | None = None,
    counts: dict[str, int] | None = None,
) -> None:
    """Close a run with its final status (succeeded, partial, failed, noop) and any extra counts."""
    counts = counts or {}
    assignments = "".join(f", {name} = {name} + ?" for name in counts)
    con.execute(
        f"UPDATE sync_runs SET finished_at = ?, status = ?, watermark = ?, error = ?{assignments}"
        " WHERE run_id = ? RETURNING *",
        [datetime.now(UTC), status, watermark, error, *counts.values(), run_id],
    )
    names = [column[0] for column in con.description or ()]
    row = con.fetchone()
    ledger = dict(zip(names, row, strict=True)) if row else {"run_id": run_id}
    level = logging.ERROR if status == "failed" else logging.INFO
    log.log(
        level,
        "run %s %s%s",
        run_id,
        status,
        f": {error}" if error else "",
        extra={"event": "run finished", **ledger},
    )


def add_run_counts(con: duckdb.DuckDBPyConnection, run_id: int, **counts: int) -> None:
    assignments = ", ".join(f"{name} = {name} + ?" for name in counts)
    con.execute(f"UPDATE sync_runs SET {assignments} WHERE run_id = ?", [*counts.values(), run_id])


# --- versioned writes ---------------------------------------------------------------------------


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
    current = {
        nct_id: (version, stored_hash, posted)
        for nct_id, version, stored_hash, posted in con.execute(
            "SELECT nct_id, version, content_hash, last_update_posted_date FROM trials"
            " WHERE nct_id IN (SELECT unnest(?))",
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
        version = 1 if previous is None else previous[0] + 1
        result.note(item.nct_id, "new" if previous is None else "changed")
        versions.append(_version_row(item, version))
        if previous is not None:
            changed.append((item, previous[0], version))
    _mark_seen(con, ids, run_id, now)
    if unchanged:
        _update_fingerprints(con, unchanged)
    if not versions:
        return
    # The differ reads the previous records by key before the merge replaces them.
    changes = _change_rows_of(con, changed, change_rows) if change_rows is not None else []
    with _staging_file(con) as stage_path:
        _write_json_array(stage_path, versions)
        _merge_versions(con, stage_path, run_id, now)
    if changes:
        insert_changes(con, changes, run_id, now)


def _version_row(item: Incoming, version: int) -> str:
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


STAGE_PREFIX = ".ctsync-stage-"


@contextlib.contextmanager
def _staging_file(con: duckdb.DuckDBPyConnection) -> Iterator[Path]:
    """A temporary file beside the database (same disk, swept by the next writer if a crash leaves it)."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    folder = Path(row[0]).parent if row and row[0] else None
    handle, name = tempfile.mkstemp(prefix=STAGE_PREFIX, suffix=".json", dir=folder)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _write_json_array(path: Path, rows: Iterable[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for index, row in enumerate(rows):
            if index:
                out.write(",\n")
            out.write(row)
        out.write("\n]\n")


_STAGE_COLUMNS = (
    "{nct_id: 'VARCHAR', version: 'INTEGER', content_hash: 'VARCHAR', source: 'VARCHAR',"
    " last_update_post_date: 'DATE', version_holder: 'DATE', raw_fingerprint: 'VARCHAR',"
    " record_zlib: 'VARCHAR', record: 'JSON', raw: 'JSON'}"
)


def _merge_versions(con: duckdb.DuckDBPyConnection, stage_path: Path, run_id: int, now: datetime) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM read_json(?, format = 'array',"
        f" columns = {_STAGE_COLUMNS}, maximum_object_size = 33554432)",
        [str(stage_path)],
    )
    con.execute(
        "INSERT INTO trial_versions SELECT nct_id, version, content_hash, ?, last_update_post_date,"
        " version_holder, source, ?, record, raw FROM stage",
        [now, run_id],
    )
    replaced = con.execute("SELECT count(*) FROM stage WHERE version > 1").fetchone()
    if replaced and replaced[0]:
        # Each DELETE scans its whole table: skip them when every trial of the batch is new (a backfill).
        for table in CURRENT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE nct_id IN (SELECT nct_id FROM stage WHERE version > 1)")
    con.execute(
        "INSERT INTO trial_current_records SELECT nct_id, version, from_base64(record_zlib) FROM stage"
    )
    con.execute(PARSE_STAGE)
    con.execute(TRIALS_FROM_STAGE, [now])
    for statement in CHILDREN_FROM_STAGE:
        con.execute(statement)
    for statement in aact_tables.FROM_STAGE:
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
        "INSERT OR REPLACE INTO trial_seen SELECT nct_id, ?, ? FROM (SELECT unnest(?) AS nct_id)",
        [now, run_id, ids],
    )


def _change_rows_of(
    con: duckdb.DuckDBPyConnection, changed: list[tuple[Incoming, int, int]], change_rows: ChangeRows
) -> list[str]:
    """The differ's rows for every changed trial, from its stored current record to the incoming one."""
    previous = current_records(con, [(item.nct_id, version) for item, version, _ in changed])
    return [
        _change_row(item.nct_id, from_version, to_version, change)
        for item, from_version, to_version in changed
        for change in change_rows(previous[(item.nct_id, from_version)], item.trial())
    ]


def _change_row(nct_id: str, from_version: int | None, to_version: int, change: dict[str, Any]) -> str:
    return json.dumps(
        {
            "nct_id": nct_id,
            "from_version": from_version,
            "to_version": to_version,
            "field": change["field"],
            "change": change["change"],
            "old_value": json.dumps(change.get("old"), ensure_ascii=False),
            "new_value": json.dumps(change.get("new"), ensure_ascii=False),
            "category": change["category"],
            "severity": change["severity"],
            "detail": change.get("detail"),
            "labels": list(change.get("labels") or ()),
        },
        ensure_ascii=False,
    )


def insert_changes(con: duckdb.DuckDBPyConnection, rows: list[str], run_id: int, now: datetime) -> None:
    """Append change rows (JSON objects as made by ``_change_row``) to trial_changes in one statement."""
    with _staging_file(con) as path:
        _write_json_array(path, rows)
        con.execute(
            "INSERT INTO trial_changes SELECT nct_id, from_version, to_version, field, change,"
            " old_value, new_value, category, severity, detail, labels, ?, ?"
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


# --- reads --------------------------------------------------------------------------------------


def current_records(
    con: duckdb.DuckDBPyConnection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], Trial]:
    """The current canonical records of the given trials, by primary-key lookups (index, no scan).

    Falls back to trial_versions for a key whose version is not the current one.
    """
    found: dict[tuple[str, int], Trial] = {}
    for nct_id, version in keys:
        row = con.execute(
            "SELECT record_zlib FROM trial_current_records WHERE nct_id = ? AND version = ?",
            [nct_id, version],
        ).fetchone()
        if row is not None:
            # Without its version holder, which the differ ignores (it lives in trial_versions).
            found[(nct_id, version)] = _trial(zlib.decompress(row[0]).decode(), None)
    missing = [key for key in keys if key not in found]
    return {**found, **load_versions(con, missing)}


def load_versions(
    con: duckdb.DuckDBPyConnection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], Trial]:
    """The canonical records of the given (NCT ID, version) pairs."""
    if not keys:
        return {}
    rows = con.execute(
        "SELECT v.nct_id, v.version, v.record, v.version_holder FROM trial_versions v"
        " JOIN (SELECT unnest(?) AS nct_id, unnest(?) AS version) k USING (nct_id, version)",
        [[key[0] for key in keys], [key[1] for key in keys]],
    ).fetchall()
    return {(nct_id, version): _trial(record, holder) for nct_id, version, record, holder in rows}


def _trial(record_json: str, version_holder: date | None) -> Trial:
    """A stored canonical record back as a model; the version holder lives in its own column."""
    return Trial.model_validate_json(record_json).model_copy(update={"version_holder": version_holder})


def current_trial(con: duckdb.DuckDBPyConnection, nct_id: str) -> tuple[int, Trial] | None:
    """The current version number and canonical record of one trial, or None if it is not stored."""
    row = con.execute(
        "SELECT v.version, v.record, v.version_holder FROM trials t JOIN trial_versions v"
        " USING (nct_id, version) WHERE t.nct_id = ?",
        [nct_id],
    ).fetchone()
    if row is None:
        return None
    return int(row[0]), _trial(row[1], row[2])


# --- publishing and export ----------------------------------------------------------------------


def publish(con: duckdb.DuckDBPyConnection, db: Path, published: Path) -> None:
    """Replace the analysts' copy atomically: checkpoint, copy to a temporary file, rename into place.

    A reader holding the old published file keeps its (unlinked) copy until it reopens, and never
    blocks this writer.
    """
    con.execute("CHECKPOINT")
    published.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=".ctsync-publish-", dir=published.parent)
    os.close(handle)
    try:
        shutil.copyfile(db, tmp_name)
        # mkstemp makes the file private; analysts (often another user) must be able to read it.
        Path(tmp_name).chmod(0o644)
        Path(tmp_name).replace(published)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def export_parquet(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """Write every analyst table to ``directory/<table>.parquet``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in ANALYST_TABLES:
        path = directory / f"{table}.parquet"
        con.execute(f"COPY {table} TO '{_sql_string(path)}' (FORMAT parquet, COMPRESSION zstd)")
        written.append(path)
    return written


def _sql_string(path: Path) -> str:
    text = str(path)
    if "\0" in text:
        raise UsageError(f"unusable path: {text!r}")
    return text.replace("'", "''")


# --- current-state SQL, derived from the staged canonical records -------------------------------

CURRENT_TABLES = (
    "trials",
    "trial_current_records",
    "trial_conditions",
    "trial_interventions",
    "trial_locations",
    "trial_outcomes",
    "trial_sponsors",
    *aact_tables.TABLES,
)


_DATE_SHAPE = {"date": "DATE", "precision": "VARCHAR", "type": "VARCHAR"}
_TEXTS = ["VARCHAR"]
_CONTACT_SHAPE = {
    "name": "VARCHAR",
    "role": "VARCHAR",
    "phone": "VARCHAR",
    "phone_ext": "VARCHAR",
    "email": "VARCHAR",
}
_MESH_SHAPE = [{"id": "VARCHAR", "term": "VARCHAR"}]

# The part of the canonical record the current-state tables need, as one DuckDB JSON structure, so each
# staged record is parsed once (per-field JSON paths would re-parse the whole document for every column).
RECORD_SHAPE = {
    "brief_title": "VARCHAR",
    "official_title": "VARCHAR",
    "acronym": "VARCHAR",
    "org_study_id": "VARCHAR",
    "nct_id_aliases": _TEXTS,
    "overall_status": "VARCHAR",
    "last_known_status": "VARCHAR",
    "why_stopped": "VARCHAR",
    **dict.fromkeys(
        (
            "status_verified_date",
            "start_date",
            "primary_completion_date",
            "completion_date",
            "first_submitted_date",
            "first_posted_date",
            "results_first_posted_date",
            "last_update_submitted_date",
            "last_update_posted_date",
        ),
        _DATE_SHAPE,
    ),
    "study_type": "VARCHAR",
    "phases": _TEXTS,
    "design": dict.fromkeys(
        (
            "allocation",
            "intervention_model",
            "primary_purpose",
            "masking",
            "observational_model",
            "time_perspective",
        ),
        "VARCHAR",
    ),
    "enrollment_count": "INTEGER",
    "enrollment_type": "VARCHAR",
    "eligibility": {
        "criteria": "VARCHAR",
        "inclusion": _TEXTS,
        "exclusion": _TEXTS,
        "sex": "VARCHAR",
        "gender_based": "BOOLEAN",
        "minimum_age": "VARCHAR",
        "minimum_age_years": "DOUBLE",
        "maximum_age": "VARCHAR",
        "maximum_age_years": "DOUBLE",
        "healthy_volunteers": "BOOLEAN",
        "std_ages": _TEXTS,
    },
    "lead_sponsor": {"name": "VARCHAR", "agency_class": "VARCHAR"},
    "collaborators": [{"name": "VARCHAR", "agency_class": "VARCHAR"}],
    "responsible_party": {"type": "VARCHAR"},
    "conditions": _TEXTS,
    "keywords": _TEXTS,
    "condition_mesh_terms": _MESH_SHAPE,
    "intervention_mesh_terms": _MESH_SHAPE,
    "interventions": [
        {
            "type": "VARCHAR",
            "name": "VARCHAR",
            "description": "VARCHAR",
            "other_names": _TEXTS,
            "arm_group_labels": _TEXTS,
        }
    ],
    "outcomes": [
        {"kind": "VARCHAR", "measure": "VARCHAR", "description": "VARCHAR", "time_frame": "VARCHAR"}
    ],
    "locations": [
        {
            "key": "VARCHAR",
            "facility": "VARCHAR",
            "city": "VARCHAR",
            "state": "VARCHAR",
            "zip": "VARCHAR",
            "country": "VARCHAR",
            "status": "VARCHAR",
            "geo_point": {"lat": "DOUBLE", "lon": "DOUBLE"},
            "contacts": [_CONTACT_SHAPE],
        }
    ],
    "brief_summary": "VARCHAR",
    "has_results": "BOOLEAN",
    "unknown_values": _TEXTS,
}

PARSE_STAGE = (
    "CREATE OR REPLACE TEMP TABLE parsed AS SELECT nct_id, version, content_hash, version_holder,"
    f" raw_fingerprint, from_json(record, '{json.dumps(RECORD_SHAPE)}') AS r FROM stage"
)


def _dated(name: str) -> str:
    return f"r.{name}.date, r.{name}.precision, r.{name}.type"


TRIALS_FROM_STAGE = f"""
INSERT INTO trials SELECT
    nct_id, version, content_hash,
    r.brief_title, r.official_title, r.acronym, r.org_study_id, r.nct_id_aliases,
    r.overall_status, r.last_known_status, r.why_stopped, r.status_verified_date.date,
    {_dated("start_date")}, {_dated("primary_completion_date")}, {_dated("completion_date")},
    r.first_submitted_date.date, r.first_posted_date.date, r.results_first_posted_date.date,
    r.last_update_submitted_date.date, r.last_update_posted_date.date, r.last_update_posted_date.type,
    r.study_type, r.phases,
    r.design.allocation, r.design.intervention_model, r.design.primary_purpose, r.design.masking,
    r.design.observational_model, r.design.time_perspective,
    r.enrollment_count, r.enrollment_type,
    r.eligibility.sex, r.eligibility.gender_based,
    r.eligibility.minimum_age, r.eligibility.minimum_age_years,
    r.eligibility.maximum_age, r.eligibility.maximum_age_years,
    r.eligibility.healthy_volunteers, r.eligibility.std_ages,
    r.eligibility.criteria, r.eligibility.inclusion, r.eligibility.exclusion,
    r.lead_sponsor.name, r.lead_sponsor.agency_class, r.responsible_party.type,
    r.keywords, r.condition_mesh_terms, r.intervention_mesh_terms,
    list_sort(list_distinct(list_filter(list_transform(r.locations, lambda site: site.country),
        lambda country: country IS NOT NULL))),
    len(coalesce(r.locations, [])),
    r.brief_summary, r.has_results, version_holder, r.unknown_values, raw_fingerprint,
    ?
FROM parsed
"""


def _unnest(path: str) -> str:
    """Rows (nct_id, item, ordinal) of one list of the parsed records, ordinals from 1."""
    return (
        f"(SELECT nct_id, unnest(r.{path}) AS item, generate_subscripts(r.{path}, 1) AS ordinal FROM parsed)"
    )


CHILDREN_FROM_STAGE = (
    f"INSERT INTO trial_conditions SELECT nct_id, ordinal, item FROM {_unnest('conditions')}",
    f"""
INSERT INTO trial_interventions
SELECT nct_id, ordinal, item.type, item.name, item.description, item.other_names, item.arm_group_labels
FROM {_unnest("interventions")}
""",
    f"""
INSERT INTO trial_locations
SELECT nct_id, item.key, ordinal, item.facility, item.city, item.state, item.zip, item.country,
       item.status, item.geo_point.lat, item.geo_point.lon, item.contacts
FROM {_unnest("locations")}
""",
    f"""
INSERT INTO trial_outcomes
SELECT nct_id, item.kind, row_number() OVER (PARTITION BY nct_id, item.kind ORDER BY ordinal),
       item.measure, item.description, item.time_frame
FROM {_unnest("outcomes")}
""",
    f"""
INSERT INTO trial_sponsors
SELECT nct_id, 'lead', 1, r.lead_sponsor.name, r.lead_sponsor.agency_class
FROM parsed WHERE r.lead_sponsor.name IS NOT NULL
UNION ALL
SELECT nct_id, 'collaborator', ordinal, item.name, item.agency_class FROM {_unnest("collaborators")}
""",
)


# --- editors: reviews, the change log, tracking -------------------------------------------------


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


def review_states(con: duckdb.DuckDBPyConnection, nct_ids: Sequence[str] | None = None) -> list[ReviewState]:
    """Review state of the given trials, or of every tracked trial (every stored one if none is tracked)."""
    if nct_ids is None:
        tracked = con.execute("SELECT count(*) FROM tracked_trials").fetchone()
        scope = "tracked_trials" if tracked and tracked[0] else "trials"
        nct_ids = [row[0] for row in con.execute(f"SELECT nct_id FROM {scope} ORDER BY nct_id").fetchall()]
    rows = con.execute(
        """
        WITH ids AS (SELECT unnest(?) AS nct_id),
        last_review AS (
            SELECT nct_id, arg_max(version, reviewed_at) AS version, arg_max(reviewed_by, reviewed_at) AS by,
                   max(reviewed_at) AS at
            FROM reviews WHERE nct_id IN (SELECT nct_id FROM ids) GROUP BY nct_id
        )
        SELECT t.nct_id, t.version, r.version, r.by, r.at,
               (SELECT min(v.fetched_at) FROM trial_versions v
                 WHERE v.nct_id = t.nct_id AND v.version > coalesce(r.version, 0)),
               k.upstream_state
        FROM ids JOIN trials t USING (nct_id)
        LEFT JOIN last_review r USING (nct_id)
        LEFT JOIN tracked_trials k USING (nct_id)
        ORDER BY t.nct_id
        """,
        [list(nct_ids)],
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
            "INSERT INTO reviews SELECT unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), unnest(?)",
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
        "SELECT k.i, max(v.version) FROM"
        " (SELECT unnest(?) AS i, unnest(?) AS nct_id, unnest(?) AS day) k"
        " LEFT JOIN trial_versions v ON v.nct_id = k.nct_id AND v.last_update_post_date <= k.day"
        " GROUP BY k.i",
        [list(range(len(asked))), [a[0] for a in asked], [a[1] for a in asked]],
    ).fetchall()
    found = {int(i): (None if version is None else int(version)) for i, version in rows}
    return [found[i] for i in range(len(asked))]


def change_log(con: duckdb.DuckDBPyConnection, nct_id: str) -> list[dict[str, Any]]:
    """Every stored version-to-version change of a trial, oldest first."""
    cursor = con.execute(
        "SELECT from_version, to_version, field, change, old_value, new_value, category, severity, detail,"
        " labels, detected_at FROM trial_changes WHERE nct_id = ?"
        " ORDER BY to_version, detected_at,"
        " list_position(['critical', 'major', 'minor', 'info'], severity), field",
        [nct_id],
    )
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class LastSync:
    run_id: int
    data_timestamp: str | None
    watermark: date | None
    finished_at: datetime | None


def last_successful_sync(con: duckdb.DuckDBPyConnection) -> LastSync | None:
    """The latest sync that succeeded (a no-op run counts: nothing was new upstream)."""
    row = con.execute(
        "SELECT run_id, data_timestamp, watermark, finished_at FROM sync_runs"
        " WHERE command LIKE 'sync%' AND status IN ('succeeded', 'noop') ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else LastSync(*row)


def set_run_data_timestamp(con: duckdb.DuckDBPyConnection, run_id: int, data_timestamp: str) -> None:
    con.execute("UPDATE sync_runs SET data_timestamp = ? WHERE run_id = ?", [data_timestamp, run_id])


def close_interrupted_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Runs left 'running' by a process that died (we hold the write lock, so none is alive)."""
    rows = con.execute(
        "UPDATE sync_runs SET status = 'failed', error = 'interrupted: the process ended before finishing'"
        " WHERE status = 'running' RETURNING run_id"
    ).fetchall()
    return len(rows)


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
            "INSERT INTO tracked_trials SELECT nct_id, ?, 'present', NULL, NULL, NULL"
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
    change_rows_by_id: dict[str, dict[str, Any]],
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
                    "INSERT INTO tracked_trials SELECT ?, ?, 'present', NULL, ?, NULL"
                    " WHERE ? NOT IN (SELECT nct_id FROM tracked_trials)",
                    [merged_into, now, now, merged_into],
                )
        rows = [
            _change_row(nct_id, version, version, change_rows_by_id[nct_id])
            for nct_id, version in moved
            if version is not None
        ]
        if rows:
            insert_changes(con, rows, run_id, now)


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, Any]]:
    cursor = con.execute("SELECT * FROM sync_runs ORDER BY run_id DESC LIMIT ?", [limit])
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
