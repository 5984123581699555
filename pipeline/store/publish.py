"""The analysts' copies: the published database file and Parquet export."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from pipeline import aact_tables
from pipeline.errors import UsageError
from pipeline.store.connection import ANALYST_TABLES


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
