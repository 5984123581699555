"""Schema migrations: applied once, in order, with their bookkeeping, and every column documented."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import reading, store
from pipeline.errors import DatabaseBusy, StorageError
from pipeline.settings import Settings


def test_migrations_apply_once_and_rerun_is_a_no_op(tmp_path: Path) -> None:
    """The first connect applies every migration with its bookkeeping row; reconnecting applies nothing."""
    db = tmp_path / "m.duckdb"
    con = store.connect(db)
    files = store.connection.migration_files()
    expected = [(int(path.name.split("_", 1)[0]), path.stem) for path in files]
    assert expected == [
        (1, "0001_initial"),
        (2, "0002_normalizer_version"),
        (3, "0003_criteria"),
        (4, "0004_aact_tables"),
        (5, "0005_run_drift"),
        (6, "0006_upstream_versions"),
        (7, "0007_publish_journal"),
        (8, "0008_unindexed_current_tables"),
        (9, "0009_review_pending"),
    ]
    assert con.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall() == expected
    assert store.migrate(con) == []
    con.close()
    again = store.connect(db)
    assert again.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(files),)
    again.close()


def test_every_analyst_table_and_column_has_a_comment() -> None:
    """Analysts read what each table and column means from DuckDB itself (COMMENT ON)."""
    con = duckdb.connect(":memory:")
    store.migrate(con)
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE comment IS NULL").fetchall()
    columns = con.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns() WHERE comment IS NULL"
        " AND NOT internal AND database_name = 'memory'"
    ).fetchall()
    assert (tables, columns) == ([], [])
    names = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert names == set(store.ANALYST_TABLES) | set(store.INTERNAL_TABLES)


def test_a_migration_that_fails_leaves_no_bookkeeping_behind(tmp_path: Path, monkeypatch: Any) -> None:
    """The bookkeeping table and migration 1 commit together: a first write that dies inside migration 1
    (here its last statement fails) leaves an empty database, never one with only ``schema_migrations``."""
    broken = tmp_path / "migrations"
    broken.mkdir()
    sql = (store.connection.MIGRATIONS / "0001_initial.sql").read_text(encoding="utf-8")
    (broken / "0001_initial.sql").write_text(sql + "\nSELECT no_such_function();\n", encoding="utf-8")
    monkeypatch.setattr(store.connection, "MIGRATIONS", broken)
    db = tmp_path / "first.duckdb"
    with pytest.raises(duckdb.Error, match="no_such_function"):
        store.connect(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
    con.close()
    monkeypatch.undo()
    store.connect(db).close()  # the next writer builds the database from scratch
    con = duckdb.connect(str(db), read_only=True)
    migrations = store.connection.migration_files()
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(migrations),)
    con.close()


def test_another_applications_duckdb_file_is_refused_byte_identical(tmp_path: Path) -> None:
    """A writer pointed at a DuckDB file of another application refuses it (exit 5) and changes no byte."""
    db = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE invoices AS SELECT range AS id, 'paid' AS state FROM range(3)")
    con.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(StorageError, match="another application, not a ctsync database") as refused:
        store.connect(db)
    assert refused.value.exit_code == 5
    assert "\n" not in str(refused.value)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("theirs.duckdb.wal"))


def test_a_reader_during_the_first_write_is_told_the_database_is_busy(tmp_path: Path) -> None:
    """While the very first writer holds the database and no published copy exists yet, a reader gets
    DatabaseBusy (exit 4) in one line, not DuckDB's lock error."""
    db = tmp_path / "first.duckdb"
    writer = store.connect(db)
    settings = Settings(db=db, published=tmp_path / "published" / "ctsync.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True);"
            " sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    writer.close()
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseBusy, match="no published copy yet") as busy, reading.reader(settings):
            pass
    finally:
        holder.communicate("")
    assert busy.value.exit_code == 4
