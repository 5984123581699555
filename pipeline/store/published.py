"""Publishing in proportion to the change: two copies of the analysts' file, patched in turn.

The published path is a hard link to one of two copies beside it (``.NAME.a`` and ``.NAME.b``). A
publish patches the other one, the copy no reader is given any more: it applies the trials the writes
since that copy's position touched (``publish_journal``), then links it into place with one rename.
A reader holding the previous file keeps it unchanged; a reader still holding the copy being patched
(opened two publishes ago) holds DuckDB's file lock, so the patch is refused at once and the copy is
rebuilt whole into a fresh file instead, as every publish did before: a reader never blocks a writer.

The whole copy is also the answer when the copy is missing, of another database or schema, when a write
touched everything (a renormalize, a migration) or too many trials for a patch to be cheaper.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from pipeline.store.connection import transaction

log = logging.getLogger(__name__)

FULL_COPY_SHARE = 0.05
"""Touched trials above this share of all trials: copy the whole file (cheaper than the patch then)."""
FULL_COPY_MIN = 2_000
"""…but never for fewer touched trials than this."""
OWN_STATE = {"publish_state", "publish_journal"}
"""Each file's own bookkeeping: never copied from the working database by a patch."""
WHOLE = {"sync_runs", "schema_migrations", "tracked_trials", "review_pending_state"}
"""Small tables a patch replaces whole."""
APPENDED_BY_RUN = {"trial_versions", "trial_changes"}
"""Append-only but for a renormalize (which journals everything): a patch appends the rows of the runs
the copy does not hold. Deleting a trial's versions to re-insert them would cost what the whole history
weighs (DuckDB fetches the deleted rows' large JSON to maintain the key index)."""
PUBLISH_PREFIX = ".ctsync-publish-"


def copies(published: Path) -> tuple[Path, Path]:
    return published.with_name(f".{published.name}.a"), published.with_name(f".{published.name}.b")


def publish(con: duckdb.DuckDBPyConnection, db: Path, published: Path) -> str:
    """Bring the copy readers are not given up to date and link it into place; ``'patch'`` or ``'copy'``."""
    published.parent.mkdir(parents=True, exist_ok=True)
    target = _idle_copy(published)
    position = _journal_end(con)
    how = "patch" if _try_patch(con, target, position) else "copy"
    if how == "copy":
        _copy_whole(con, db, target, position)
    _link_into_place(target, published)
    _forget_applied(con, position)
    return how


def forget_journal(con: duckdb.DuckDBPyConnection) -> None:
    """No published copy is kept: the journal is not needed, and any old copy must be rebuilt whole."""
    row = con.execute("SELECT count(*) FROM publish_journal WHERE nct_id IS NOT NULL").fetchone()
    if row and row[0]:
        with transaction(con):
            con.execute("DELETE FROM publish_journal")
            con.execute("INSERT INTO publish_journal (nct_id) VALUES (NULL)")


def note_touched(con: duckdb.DuckDBPyConnection, nct_ids: list[str]) -> None:
    """Journal the trials a write touched (inside the write's own transaction)."""
    if nct_ids:
        con.execute("INSERT INTO publish_journal (nct_id) SELECT unnest(?)", [nct_ids])


def note_everything(con: duckdb.DuckDBPyConnection) -> None:
    """Journal a write that touched every trial: the next publishes copy the whole file."""
    con.execute("INSERT INTO publish_journal (nct_id) VALUES (NULL)")


def _idle_copy(published: Path) -> Path:
    """The copy the published path does not link to (the one readers are not given now)."""
    first, second = copies(published)
    try:
        shown = published.stat()
    except FileNotFoundError:
        return first
    for candidate, other in ((first, second), (second, first)):
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(candidate.stat(), shown):
                return other
    return first


def _journal_end(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(seq), 0) FROM publish_journal").fetchone()
    return int(row[0]) if row else 0


def _try_patch(con: duckdb.DuckDBPyConnection, target: Path, position: int) -> bool:
    """Patch ``target`` in place when it is a fit copy no reader holds; False to copy the whole file."""
    if not target.exists():
        return False
    if _open_here(target):  # POSIX locks do not conflict within a process (e.g. the web app's pages)
        log.info("publish: %s is open in this process; copying the whole database", target)
        return False
    try:
        con.execute(f"ATTACH '{_sql_string(target)}' AS publish_target")
    except duckdb.Error as exc:  # held by a reader (file lock), corrupt, not DuckDB: rebuild it whole
        log.info("publish: %s cannot be patched (%s); copying the whole database", target, exc)
        return False
    try:
        return _patch(con, position)
    except duckdb.Error as exc:
        log.info("publish: patching %s failed (%s); copying the whole database", target, exc)
        return False
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("DETACH publish_target")
        con.execute("DROP TABLE IF EXISTS temp.publish_touched")


def _open_here(target: Path) -> bool:
    """Whether this process holds ``target`` open (Linux: /proc/self/fd; elsewhere assumed not)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return False
    wanted = target.stat()
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            if os.path.samestat(fd.stat(), wanted):
                return True
    return False


def _patch(con: duckdb.DuckDBPyConnection, position: int) -> bool:
    since = _patchable_since(con)
    if since is None:
        return False
    con.execute(
        "CREATE OR REPLACE TEMP TABLE publish_touched AS"
        " SELECT DISTINCT nct_id FROM publish_journal WHERE seq > ?",
        [since],
    )
    touched = _scalar(con, "SELECT count(*) FROM temp.publish_touched")
    # A review changes the queue's cache of its trial without touching the trial's rows.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE publish_reviewed AS SELECT DISTINCT nct_id FROM main.reviews"
        " WHERE rowid >= (SELECT count(*) FROM publish_target.main.reviews)"
        " UNION SELECT nct_id FROM temp.publish_touched WHERE nct_id IS NOT NULL"
    )
    everything = _scalar(con, "SELECT count(*) FROM temp.publish_touched WHERE nct_id IS NULL")
    trials = _scalar(con, "SELECT count(*) FROM trials")
    if everything or touched > max(FULL_COPY_MIN, FULL_COPY_SHARE * trials):
        return False
    tables = _tables(con)
    last_run = _scalar(con, "SELECT coalesce(max(run_id), 0) FROM publish_target.main.sync_runs")
    with transaction(con):
        for table, columns in tables.items():
            _patch_table(con, table, columns, last_run, touched == 0)
        con.execute("UPDATE publish_target.publish_state SET position = ?", [position])
    con.execute("CHECKPOINT publish_target")  # no WAL beside the file readers will open
    return True


def _patchable_since(con: duckdb.DuckDBPyConnection) -> int | None:
    """The target copy's position when it can be patched from this database, else None."""
    try:
        theirs = con.execute("SELECT database_id, position FROM publish_target.publish_state").fetchone()
    except duckdb.CatalogException:  # published before the journal existed
        return None
    ours = con.execute("SELECT database_id, forgotten_through FROM publish_state").fetchone()
    if theirs is None or ours is None or theirs[0] != ours[0] or int(theirs[1]) < int(ours[1]):
        return None
    schema = "SELECT max(version) FROM {}schema_migrations"
    if _scalar(con, schema.format("")) != _scalar(con, schema.format("publish_target.")):
        return None
    if set(_tables(con)) != set(_tables(con, "publish_target")) - OWN_STATE:
        return None
    return int(theirs[1])


def _patch_table(
    con: duckdb.DuckDBPyConnection, table: str, columns: set[str], last_run: int, nothing_touched: bool
) -> None:
    there = f"publish_target.main.{table}"
    if table in WHOLE:
        con.execute(f"DELETE FROM {there}")
        con.execute(f"INSERT INTO {there} BY NAME SELECT * FROM main.{table}")
    elif table == "trial_seen":  # every run marks what it saw: the runs the copy does not hold yet
        con.execute(
            "CREATE OR REPLACE TEMP TABLE publish_seen AS SELECT * FROM main.trial_seen"
            " WHERE last_seen_run_id > ?",
            [last_run],
        )
        con.execute(f"DELETE FROM {there} WHERE nct_id IN (SELECT nct_id FROM temp.publish_seen)")
        con.execute(f"INSERT INTO {there} BY NAME SELECT * FROM temp.publish_seen")
        con.execute("DROP TABLE temp.publish_seen")
    elif table in APPENDED_BY_RUN:
        con.execute(f"INSERT INTO {there} BY NAME SELECT * FROM main.{table} WHERE run_id > ?", [last_run])
    elif table == "reviews":  # append-only, and the order of a trial's reviews is its meaning (rowid)
        con.execute(
            f"INSERT INTO {there} BY NAME SELECT * FROM main.reviews"
            f" WHERE rowid >= (SELECT count(*) FROM {there}) ORDER BY rowid"
        )
    elif table == "review_pending":  # follows the trials stored and the trials reviewed
        reviewed = "(SELECT nct_id FROM temp.publish_reviewed)"
        con.execute(f"DELETE FROM {there} WHERE nct_id IN {reviewed}")
        con.execute(f"INSERT INTO {there} BY NAME SELECT * FROM main.{table} WHERE nct_id IN {reviewed}")
    elif table == "failed_records":  # append-only
        con.execute(
            f"INSERT INTO {there} BY NAME SELECT * FROM main.failed_records"
            f" WHERE failure_id > (SELECT coalesce(max(failure_id), 0) FROM {there})"
        )
    elif "nct_id" in columns and not nothing_touched:
        touched = "(SELECT nct_id FROM temp.publish_touched)"
        con.execute(f"DELETE FROM {there} WHERE nct_id IN {touched}")
        con.execute(f"INSERT INTO {there} BY NAME SELECT * FROM main.{table} WHERE nct_id IN {touched}")
    elif "nct_id" not in columns:
        raise duckdb.CatalogException(f"no patch rule for table {table}")


def _tables(con: duckdb.DuckDBPyConnection, database: str | None = None) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT c.table_name, list(c.column_name) FROM duckdb_columns() c JOIN duckdb_tables() t"
        " USING (database_name, schema_name, table_name)"
        " WHERE c.database_name = coalesce(?, current_database()) AND c.schema_name = 'main'"
        " GROUP BY c.table_name",
        [database],
    ).fetchall()
    return {name: set(cols) for name, cols in rows if database is not None or name not in OWN_STATE}


def _copy_whole(con: duckdb.DuckDBPyConnection, db: Path, target: Path, position: int) -> None:
    """Copy the working database to a fresh file that becomes ``target`` (the old inode, if a reader
    still holds it, stays theirs)."""
    con.execute("CHECKPOINT")
    handle, tmp_name = tempfile.mkstemp(prefix=PUBLISH_PREFIX, dir=target.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(db, tmp)
        copy = duckdb.connect(str(tmp))
        try:
            copy.execute("UPDATE publish_state SET position = ?", [position])
            copy.execute("DELETE FROM publish_journal")
            copy.execute("CHECKPOINT")
        finally:
            copy.close()
        tmp.chmod(0o644)  # mkstemp makes the file private; analysts (often another user) must read it
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _link_into_place(target: Path, published: Path) -> None:
    """Make ``published`` name the same file as ``target``, atomically (a copy where links fail)."""
    handle, tmp_name = tempfile.mkstemp(prefix=PUBLISH_PREFIX, dir=published.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        try:
            os.link(target, tmp)
        except OSError:  # a file system without hard links: the last copy of the whole file
            shutil.copyfile(target, tmp)
            tmp.chmod(0o644)
        tmp.replace(published)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _forget_applied(con: duckdb.DuckDBPyConnection, position: int) -> None:
    """Both copies hold every entry up to the previous publish's position: forget those (keep the last)."""
    row = con.execute("SELECT last_published FROM publish_state").fetchone()
    previous = min(int(row[0]) if row else 0, position - 1)
    with transaction(con):
        if previous > 0:
            con.execute("DELETE FROM publish_journal WHERE seq <= ?", [previous])
        con.execute(
            "UPDATE publish_state SET last_published = ?, forgotten_through = greatest(forgotten_through, ?)",
            [position, max(previous, 0)],
        )


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")
