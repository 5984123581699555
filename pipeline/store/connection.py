"""Connecting to the working database, migrating it, transactions, and staging files beside it."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline import aact_tables
from pipeline.errors import StorageError

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
WRITER_MEMORY_LIMIT = os.environ.get("CTSYNC_MEMORY_LIMIT") or "512MB"
"""DuckDB's memory limit for the writer (``CTSYNC_MEMORY_LIMIT``, e.g. ``2GB``, raises it)."""
CHECKPOINT_THRESHOLD = "1GB"
STAGE_PREFIX = ".ctsync-stage-"
ANALYST_TABLES = (
    "trials",
    "trial_conditions",
    "trial_interventions",
    "trial_locations",
    "trial_outcomes",
    "trial_sponsors",
    "trial_criteria",
    "trial_versions",
    "trial_changes",
    "upstream_versions",
    "trial_seen",
    "reviews",
    "tracked_trials",
    "sync_runs",
    "failed_records",
    "schema_migrations",
    *aact_tables.TABLES,
)
INTERNAL_TABLES = (
    "trial_current_records",
    "publish_journal",
    "publish_state",
    "review_pending",
    "review_pending_state",
)
"""ctsync's own lookups: not exported, not for analysts (documented all the same)."""


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


_STORAGE_FAULTS = (
    (
        "not a valid duckdb database",
        "is not a DuckDB database (a corrupt file or another kind of file):"
        " point --db at the file ctsync writes, or move this one away; nothing was changed",
    ),
    ("is a directory", "is a folder: --db names the database file, e.g. data/ctsync.duckdb"),
    (
        "no space left",
        "could not be written: the disk is full; free space and run again (the batch"
        " being written was rolled back, committed batches are kept)",
    ),
    (
        "read-only",
        "could not be written: its folder or file is read-only; fix permissions or choose another --db",
    ),
    ("permission denied", "could not be written: permission denied; fix permissions or choose another --db"),
)


def is_busy(exc: duckdb.Error) -> bool:
    """DuckDB's answer when another process holds the database file open (a lock conflict)."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def storage_error(exc: duckdb.Error, db: Path) -> StorageError | None:
    """The one place that turns a DuckDB I/O fault on the working database into ctsync's one-line
    error (exit 5), or None when it is none of the known local faults."""
    text = str(exc).lower()
    for marker, message in _STORAGE_FAULTS:
        if marker in text:
            return StorageError(f"{db} {message}")
    if isinstance(exc, duckdb.OutOfMemoryException):
        return StorageError(
            f"{db}: DuckDB ran out of its {WRITER_MEMORY_LIMIT} memory limit; committed batches are kept:"
            " run again with a larger CTSYNC_MEMORY_LIMIT (e.g. 2GB) or a smaller --batch-size"
        )
    if isinstance(exc, duckdb.IOException):
        first = str(exc).strip().splitlines()[0][:200]
        return StorageError(f"{db} could not be opened or written (DuckDB: {first})")
    return None


def is_ctsync_database(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('schema_migrations', 'trials')"
    ).fetchone()
    return row is not None and row[0] == 2


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the numbered migrations not yet applied, each in a transaction with its bookkeeping row.

    A new database gets its bookkeeping table in the same transaction as the first migration, so a
    writer killed at any instant leaves a database that is either empty or valid. A DuckDB file that
    holds another application's tables is refused and left untouched.
    """
    if not _has_table(con, "schema_migrations"):
        if _user_tables(con):
            raise StorageError(
                f"{_database_path(con)} is a DuckDB database of another application, not a ctsync database:"
                " point --db at a new file or at the one ctsync writes (nothing was changed)"
            )
        applied: set[int] = set()
    else:
        applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    done: list[int] = []
    for path in migration_files():
        number = int(path.name.split("_", 1)[0])
        if number in applied:
            continue
        with transaction(con):
            if not applied and not done:
                con.execute(
                    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                    " applied_at TIMESTAMP WITH TIME ZONE NOT NULL)"
                )
                _comment_migrations_table(con)
            _apply(con, path)
            con.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [number, path.stem, datetime.now(UTC)],
            )
        done.append(number)
    return done


def migration_files() -> list[Path]:
    """The numbered migrations in order: SQL files, or Python files with ``apply(con)`` for the rare
    change SQL cannot say (e.g. dropping a primary key means rebuilding the table)."""
    return sorted(
        (path for path in MIGRATIONS.iterdir() if path.suffix in {".sql", ".py"} and path.name[:4].isdigit()),
        key=lambda path: path.name,
    )


def _apply(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    if path.suffix == ".sql":
        con.execute(path.read_text(encoding="utf-8"))
        return
    spec = importlib.util.spec_from_file_location(f"ctsync_migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.apply(con)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ?",
        [name],
    ).fetchone()
    return row is not None and row[0] > 0


def _user_tables(con: duckdb.DuckDBPyConnection) -> int:
    """Tables and views of the database file itself (not the temp catalog, not DuckDB's own)."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database())"
        " + (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND NOT internal)"
    ).fetchone()
    return 0 if row is None else int(row[0])


def _database_path(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return str(row[0]) if row and row[0] else "the database"


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


@contextlib.contextmanager
def staging_file(con: duckdb.DuckDBPyConnection) -> Iterator[Path]:
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


def write_json_array(path: Path, rows: Iterable[str]) -> None:
    """Write JSON texts as one JSON array, one element a line, without re-serializing them."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for index, row in enumerate(rows):
            if index:
                out.write(",\n")
            out.write(row)
        out.write("\n]\n")
