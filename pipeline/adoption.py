"""Adopting ctsync on a site whose pages already carry review dates: the commands that read the record
history (``review import`` and ``review --at`` with baselines from it, ``ctsync history``).

Each opens the writer, one ``ApiClient`` for the run when the record history may be asked (not with
``--no-history``), and calls the library: ``editorial`` records reviews, ``baselines`` finds them a
version in the record history, ``history`` reads it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline import editorial, store
from pipeline.baselines import Baseline, HistoryBaselines, exit_code
from pipeline.history import HistoryFailure, fetch_versions, history_base_url
from pipeline.http import ApiClient
from pipeline.ids import validate_nct_ids
from pipeline.reading import reader
from pipeline.settings import Settings
from pipeline.writer import require_database, writer

Progress = Callable[[int], None]
Notice = Callable[[str], None]


@dataclass(frozen=True)
class DatedReviews:
    """What ``review import`` / ``review --at`` did, and the exit code it calls for."""

    reviews: list[editorial.ImportedReview]
    requests: int

    @property
    def exit_code(self) -> int:
        return exit_code([r.baseline for r in self.reviews if r.baseline is not None])


@contextlib.contextmanager
def _lookup(
    settings: Settings, progress: Progress | None, notice: Notice | None
) -> Iterator[tuple[HistoryBaselines | None, ApiClient | None]]:
    if not settings.use_history:
        yield None, None
        return
    with ApiClient(settings) as client:
        yield HistoryBaselines(settings, client, progress, notice), client


def import_reviews(
    settings: Settings, path: Path, progress: Progress | None = None, notice: Notice | None = None
) -> DatedReviews:
    """``ctsync review import FILE.csv``, a baseline from the record history for reviews older than
    every stored version."""
    require_database(settings)
    with _lookup(settings, progress, notice) as (lookup, client), writer(settings, "review import") as con:
        reviews = editorial.import_reviews(con, path, lookup)
    return DatedReviews(reviews, client.stats.requests if client else 0)


def review_at(
    settings: Settings,
    nct_ids: list[str],
    by: str,
    note: str | None,
    day: date,
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> DatedReviews:
    """``ctsync review NCT… --by NAME --at DAY``."""
    require_database(settings)
    wanted = validate_nct_ids(nct_ids)
    with _lookup(settings, progress, notice) as (lookup, client), writer(settings, "review") as con:
        reviews = editorial.review_at(con, wanted, by, note, day, lookup)
    return DatedReviews(reviews, client.stats.requests if client else 0)


def history(settings: Settings, nct_id: str) -> dict[str, Any]:
    """``ctsync history NCT``: the trial's upstream versions (fetched anew, one request, unless
    ``--no-history``: then as stored) and which one each of its reviews counts for."""
    require_database(settings)
    (nct_id,) = validate_nct_ids([nct_id])
    failure: str | None = None
    unreachable = False
    with writer(settings, "history") as con:
        if settings.use_history:
            with ApiClient(settings) as client:
                try:
                    versions = fetch_versions(client, history_base_url(settings), nct_id)
                except HistoryFailure as exc:
                    failure, unreachable = exc.reason, exc.unreachable
                else:
                    rows = [(nct_id, v.version, v.submitted, v.status, v.module_labels) for v in versions]
                    store.save_version_lists(con, rows, datetime.now(UTC))
        listed = store.version_lists(con, nct_id)
        reviews = store.review_counts_for(con, nct_id)
    return {
        "nct_id": nct_id,
        "upstream_versions": [
            {
                "upstream_version": row["upstream_version"],
                "date": row["submitted_date"],
                "status": row["overall_status"],
                "modules": list(row["module_labels"]),
                "version": row["version"],
                "reviews": [_review(r) for r in reviews if r["upstream_version"] == row["upstream_version"]],
            }
            for row in listed
        ],
        "reviews": [_review(r) for r in reviews],
        "error": failure,
        "history_unreachable": failure is not None and unreachable,
    }


def _review(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "reviewed_at": row["reviewed_at"],
        "reviewed_by": row["reviewed_by"],
        "version": row["version"],
        "upstream_version": row["upstream_version"],
    }


def baseline_fields(settings: Settings, nct_id: str, version: int | None) -> dict[str, Any]:
    """``baseline_upstream_version`` and ``baseline_date`` of a review's version, for ``changes --json``."""
    if version is None:
        return {"baseline_upstream_version": None, "baseline_date": None}
    with reader(settings) as con:
        upstream, day = store.baseline_facts(con, nct_id, version)
    return {"baseline_upstream_version": upstream, "baseline_date": day}


__all__ = ["Baseline", "DatedReviews", "baseline_fields", "history", "import_reviews", "review_at"]
