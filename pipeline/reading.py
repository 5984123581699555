"""Read-only access for the commands that only look: show, changes, queue, runs, export.

A reader opens the working database read-only. While a writer holds it (DuckDB allows no reader beside
a writer in another process), the reader falls back to the published copy, which is never more than
one completed write behind, and says so on stderr.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from pipeline import store
from pipeline.change import ChangeLog, QueueEntry
from pipeline.errors import DatabaseBusy, StorageError, UsageError
from pipeline.models import Trial
from pipeline.policy import Severity, load_policy
from pipeline.settings import Settings

if TYPE_CHECKING:
    from pipeline.editorial import PendingChanges


@contextlib.contextmanager
def reader(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the working database, or to the published copy while a writer works."""
    if not settings.db.exists():
        raise UsageError(f"no database at {settings.db}: run `ctsync load` or `ctsync sync` first")
    try:
        con = store.connect(settings.db, read_only=True)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise StorageError(
                f"{settings.db} is not a ctsync database (DuckDB: {str(exc).splitlines()[0]})"
            ) from None
        if settings.published is None or not settings.published.exists():
            raise DatabaseBusy(
                f"{settings.db} is being written and has no published copy yet (the first write is still"
                " running): try again when it finishes"
            ) from None
        print(
            f"ctsync: {settings.db} is being written; reading the published copy {settings.published}",
            file=sys.stderr,
        )
        con = store.connect(settings.published, read_only=True)
    try:
        if not store.is_ctsync_database(con):
            raise StorageError(
                f"{settings.db} is not a ctsync database: point --db at the file ctsync writes"
            )
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
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file: name a folder to write the Parquet files into")
    with reader(settings) as con:
        try:
            return store.export_parquet(con, directory)
        except (OSError, duckdb.IOException) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _io_reason(exc)
            raise StorageError(
                f"cannot write Parquet files into {directory} ({reason}): name a writable folder"
                " with free space"
            ) from None


def _io_reason(exc: Exception) -> str:
    """The OS's reason at the end of a DuckDB IO error ("...: Read-only file system"), on one line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rsplit(": ", 1)[-1][:200]


def pending(settings: Settings, nct_ids: list[str]) -> list[PendingChanges]:
    """Changes since review of each trial (in the order given)."""
    from pipeline import editorial  # the differ loads only for what diffs, not for `show`

    policy = load_policy(settings.policy)
    with reader(settings) as con:
        return [editorial.changes_since_review(con, nct_id, policy) for nct_id in nct_ids]


def change_log(settings: Settings, nct_id: str) -> ChangeLog:
    """Every version-to-version change of a trial, oldest first, as ``changes --all --json`` prints it."""
    with reader(settings) as con:
        found = store.current_trial(con, nct_id)
        if found is None:
            raise UsageError(f"{nct_id} is not stored: `ctsync refresh {nct_id}` fetches it")
        return ChangeLog(nct_id=nct_id, current_version=found[0], changes=store.change_log(con, nct_id))


def queue(settings: Settings, min_severity: Severity) -> list[QueueEntry]:
    """Trials waiting for review, most severe first, then the longest waiting."""
    from pipeline import review_queue

    policy = load_policy(settings.policy)
    with reader(settings) as con:
        return review_queue.queue(con, min_severity, policy)


def tracked(settings: Settings) -> list[dict[str, Any]]:
    with reader(settings) as con:
        return store.tracked_list(con)


def runs(settings: Settings, limit: int) -> list[dict[str, Any]]:
    with reader(settings) as con:
        return store.recent_runs(con, limit)


def freshness(settings: Settings, max_age_weekdays: int, now: datetime | None = None) -> tuple[str, bool]:
    """Whether the last successful sync is recent enough, counting weekdays only (no weekend data)."""
    now = now or datetime.now(UTC)
    with reader(settings) as con:
        last = store.last_successful_sync(con)
    if last is None or last.finished_at is None:
        return f"ctsync: no successful sync recorded in {settings.db}: the nightly job has never run", False
    age = weekdays_between(last.finished_at.date(), now.date())
    when = last.finished_at.isoformat(timespec="seconds")
    if age > max_age_weekdays:
        return (
            f"ctsync: stale: the last successful sync (run {last.run_id}) finished {when}, {age} weekdays ago"
            f" (limit {max_age_weekdays}); check the nightly job's log",
            False,
        )
    return f"ctsync: fresh: last successful sync (run {last.run_id}) finished {when}", True


def weekdays_between(start: date, end: date) -> int:
    """Weekdays after ``start`` up to and including ``end``: Friday to Monday is 1."""
    days = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days
