"""Read-only access for the commands that only look: show, changes, queue, runs, export.

A reader opens the working database read-only. While a writer holds it (DuckDB allows no reader beside
a writer in another process), the reader falls back to the published copy, which is never more than
one completed write behind, and says so on stderr.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline import store
from pipeline.errors import UsageError
from pipeline.models import Trial
from pipeline.settings import Settings


@contextlib.contextmanager
def reader(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the working database, or to the published copy while a writer works."""
    if not settings.db.exists():
        raise UsageError(f"no database at {settings.db}: run `ctsync load` or `ctsync sync` first")
    try:
        con = store.connect(settings.db, read_only=True)
    except duckdb.IOException:
        if settings.published is None or not settings.published.exists():
            raise
        print(
            f"ctsync: {settings.db} is being written; reading the published copy {settings.published}",
            file=sys.stderr,
        )
        con = store.connect(settings.published, read_only=True)
    try:
        yield con
    finally:
        con.close()


def trial(settings: Settings, nct_id: str) -> tuple[int, Trial]:
    """The current version number and canonical record of a stored trial."""
    with reader(settings) as con:
        found = store.current_trial(con, nct_id)
    if found is None:
        raise UsageError(f"{nct_id} is not in {settings.db}: `ctsync refresh {nct_id}` fetches it")
    return found


def export_parquet(settings: Settings, directory: Path) -> list[Path]:
    """Every analyst table as ``directory/<table>.parquet``."""
    with reader(settings) as con:
        return store.export_parquet(con, directory)
