"""The analysts' copies: the published database file and Parquet export."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline import aact_tables
from pipeline.errors import UsageError
from pipeline.store import published as published_copies
from pipeline.store.connection import ANALYST_TABLES


def publish(con: duckdb.DuckDBPyConnection, db: Path, published: Path) -> str:
    """Replace the analysts' copy atomically, at the cost of what changed since (``published``).

    A reader holding the old published file keeps it unchanged until it reopens, and never blocks this
    writer. Returns ``'patch'`` or ``'copy'`` (the whole file was copied).
    """
    return published_copies.publish(con, db, published)


def export_parquet(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """Write every analyst table and view to ``directory/<name>.parquet``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in (*ANALYST_TABLES, *aact_tables.VIEWS):
        path = directory / f"{table}.parquet"
        con.execute(f"COPY {table} TO '{_sql_string(path)}' (FORMAT parquet, COMPRESSION zstd)")
        written.append(path)
    return written


def _sql_string(path: Path) -> str:
    text = str(path)
    if "\0" in text:
        raise UsageError(f"unusable path: {text!r}")
    return text.replace("'", "''")
