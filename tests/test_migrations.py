"""Schema migrations: applied once, in order, with their bookkeeping, and every column documented."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline import store


def test_migrations_apply_once_and_rerun_is_a_no_op(tmp_path: Path) -> None:
    """The first connect applies every migration with its bookkeeping row; reconnecting applies nothing."""
    db = tmp_path / "m.duckdb"
    con = store.connect(db)
    assert con.execute("SELECT version, name FROM schema_migrations").fetchall() == [
        (1, "0001_initial"),
        (4, "0004_aact_tables"),
    ]
    assert store.migrate(con) == []
    con.close()
    again = store.connect(db)
    assert again.execute("SELECT count(*) FROM schema_migrations").fetchone() == (2,)
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
