"""The editors' workflow: what changed since each trial was last reviewed, the queue, and reviews.

Changes since review are computed directly between the reviewed version and the current one, so a
change that was made and then undone shows nothing. The version-to-version log is ``--all``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import duckdb

from pipeline import store
from pipeline.change import Change, gone_upstream_change
from pipeline.errors import UsageError
from pipeline.ids import validate_nct_ids
from pipeline.policy import Policy, Severity, most_severe
from pipeline.textfiles import read_user_text

if TYPE_CHECKING:  # the history fetcher (requests) loads only where a baseline is looked up
    from pipeline.baselines import Baseline


@dataclass(frozen=True)
class PendingChanges:
    """A trial's changes since its last review (all of it when never reviewed)."""

    nct_id: str
    baseline: int | None
    current_version: int
    changes: list[Change]
    reviewed_by: str | None
    reviewed_at: datetime | None
    pending_since: datetime | None

    @property
    def severity(self) -> Severity | None:
        return most_severe(change.severity for change in self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "nct_id": self.nct_id,
            "baseline": self.baseline,
            "current_version": self.current_version,
            "never_reviewed": self.baseline is None,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "changes": [change.model_dump() for change in self.changes],
        }


def needs_diff(state: store.ReviewState) -> bool:
    return state.reviewed_version is not None and state.reviewed_version != state.current_version


def records_for(
    con: duckdb.DuckDBPyConnection, states: list[store.ReviewState]
) -> dict[tuple[str, int], Any]:
    """The reviewed and current records of every state that needs a diff, in two set-based reads:
    current ones by key, reviewed ones in one pass over trial_versions."""
    diffed = [state for state in states if needs_diff(state)]
    current = store.current_records(con, [(s.nct_id, s.current_version) for s in diffed])
    reviewed = store.load_versions(
        con, [(s.nct_id, s.reviewed_version) for s in diffed if s.reviewed_version]
    )
    return {**current, **reviewed}


def pending_changes(
    con: duckdb.DuckDBPyConnection,
    state: store.ReviewState,
    policy: Policy | None,
    records: dict[tuple[str, int], Any] | None = None,
    known: list[Change] | None = None,
) -> PendingChanges:
    """Diff the reviewed version against the current one; a trial gone upstream is a critical change.

    ``known``: the diff already computed (the queue's cache), used instead of diffing again."""
    changes: list[Change] = list(known) if known is not None else []
    if known is None and needs_diff(state):
        assert state.reviewed_version is not None
        records = records if records is not None else records_for(con, [state])
        old = records[(state.nct_id, state.reviewed_version)]
        from pipeline.diff import diff  # the queue's cached trials never need the differ

        changes = diff(old, records[(state.nct_id, state.current_version)], policy)
    if state.upstream_state in ("not_found", "merged"):
        changes.insert(0, gone_upstream_change(state.nct_id, f"upstream state: {state.upstream_state}"))
    return PendingChanges(
        state.nct_id,
        state.reviewed_version,
        state.current_version,
        changes,
        state.reviewed_by,
        state.reviewed_at,
        state.pending_since,
    )


def changes_since_review(
    con: duckdb.DuckDBPyConnection, nct_id: str, policy: Policy | None
) -> PendingChanges:
    states = store.review_states(con, [nct_id])
    if not states:
        raise UsageError(f"{nct_id} is not stored: `ctsync refresh {nct_id}` fetches it")
    return pending_changes(con, states[0], policy)


def review(
    con: duckdb.DuckDBPyConnection,
    nct_ids: list[str],
    by: str,
    note: str | None,
    expected_version: int | None = None,
) -> list[tuple[str, int]]:
    """Mark the current version of each trial reviewed by ``by``; every ID must be stored.

    ``expected_version``: the version the editor looked at; if a sync stored a newer one meanwhile,
    nothing is recorded (the editor has not seen the newest changes).
    """
    if not by.strip():
        raise UsageError("--by needs the reviewer's name")
    states = {state.nct_id: state for state in store.review_states(con, nct_ids)}
    missing = [nct_id for nct_id in nct_ids if nct_id not in states]
    if missing:
        raise UsageError(
            f"not stored, so nothing to review: {', '.join(missing)} (`ctsync refresh` fetches them)"
        )
    if expected_version is not None:
        moved = [n for n in nct_ids if states[n].current_version != expected_version]
        if moved:
            found = ", ".join(f"{n} is at version {states[n].current_version}" for n in moved)
            raise UsageError(f"not recorded: {found}, not {expected_version}; look at `ctsync changes` again")
    now = datetime.now(UTC)
    rows = [(nct_id, states[nct_id].current_version, by.strip(), now, note, "cli") for nct_id in nct_ids]
    store.add_reviews(con, rows)
    return [(nct_id, states[nct_id].current_version) for nct_id in nct_ids]


@dataclass(frozen=True)
class ImportedReview:
    nct_id: str
    reviewed_at: datetime
    reviewed_by: str
    note: str | None
    version: int | None
    """The stored version current on the review date; None when the review predates every stored version
    (and no baseline was found in the record history)."""
    already_recorded: bool = False
    """The same review (trial, version, reviewer, time) is recorded already: not recorded again."""
    baseline: Baseline | None = None
    """What the record history gave, for a review that predates every stored version (None: not asked)."""


HistoryLookup: TypeAlias = Callable[
    [duckdb.DuckDBPyConnection, Sequence[tuple[str, date]]], "dict[tuple[str, date], Baseline]"
]
"""Finds baselines in ClinicalTrials.gov's record history (``pipeline.baselines.HistoryBaselines``)."""


def read_review_csv(
    path: Path, now: datetime | None = None
) -> list[tuple[int, str, datetime, str, str | None]]:
    """Rows (line, nct_id, reviewed_at, reviewed_by, note) of a review CSV; a UsageError names a bad line.

    A review dated after ``now`` is refused: recorded, it would claim a version nobody has seen yet.
    """
    now = now or datetime.now(UTC)
    reader = csv.DictReader(io.StringIO(read_user_text(path, "review CSV"), newline=""))
    needed = {"nct_id", "reviewed_at", "reviewed_by"}
    if reader.fieldnames is None or not needed <= set(reader.fieldnames):
        raise UsageError(f"{path}: the header must name nct_id, reviewed_at, reviewed_by[, note]")
    rows = []
    for line, row in enumerate(reader, start=2):
        try:
            (nct_id,) = validate_nct_ids([row["nct_id"] or ""])
            when = _parse_when(row["reviewed_at"] or "")
        except UsageError as exc:
            raise UsageError(f"{path}:{line}: {exc}") from None
        except ValueError:
            raise UsageError(
                f"{path}:{line}: reviewed_at {row['reviewed_at']!r} is not a date: use YYYY-MM-DD"
                " or an ISO date-time"
            ) from None
        if when > now:
            raise UsageError(
                f"{path}:{line}: reviewed_at {row['reviewed_at'].strip()!r} is in the future;"
                " nothing imported (fix the date)"
            )
        if not (row["reviewed_by"] or "").strip():
            raise UsageError(f"{path}:{line}: reviewed_by is empty")
        rows.append((line, nct_id, when, row["reviewed_by"].strip(), (row.get("note") or "").strip() or None))
    return rows


def _parse_when(text: str) -> datetime:
    text = text.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def review_at(
    con: duckdb.DuckDBPyConnection,
    nct_ids: list[str],
    by: str,
    note: str | None,
    day: date,
    history: HistoryLookup | None = None,
) -> list[ImportedReview]:
    """``ctsync review --at DAY``: a review made on ``day``, for the version current then (for a day
    before every stored version, the upstream version of that day when ``history`` finds it)."""
    if not by.strip():
        raise UsageError("--by needs the reviewer's name")
    if day > datetime.now(UTC).date():
        raise UsageError(f"--at {day} is in the future; nothing recorded")
    stored = {state.nct_id for state in store.review_states(con, nct_ids)}
    missing = [nct_id for nct_id in nct_ids if nct_id not in stored]
    if missing:
        raise UsageError(
            f"not stored, so nothing to review: {', '.join(missing)} (`ctsync refresh` fetches them)"
        )
    when = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    return record_dated_reviews(con, [(n, when, by.strip(), note) for n in nct_ids], "cli", history)


def import_reviews(
    con: duckdb.DuckDBPyConnection, path: Path, history: HistoryLookup | None = None
) -> list[ImportedReview]:
    """Record the reviews editors already have on their pages, against the version current on that date.

    A review already recorded (same trial, version, reviewer and time: the same CSV imported again) is
    not recorded twice. The new ones are recorded oldest first, so of several rows for one trial the
    latest-dated is the latest recorded, the one ``changes`` and ``queue`` compare against. A review
    older than every stored version counts for the upstream version of its date when ``history`` finds
    it (``pipeline.baselines``).
    """
    rows = [(nct_id, when, by, note) for _, nct_id, when, by, note in read_review_csv(path)]
    return record_dated_reviews(con, rows, f"import:{path.name}", history)


def record_dated_reviews(
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[tuple[str, datetime, str, str | None]],
    source: str,
    history: HistoryLookup | None = None,
) -> list[ImportedReview]:
    """Record reviews (nct_id, reviewed_at, reviewed_by, note), each for the version current on its date."""
    versions = store.versions_current_on(con, [(nct_id, when.date()) for nct_id, when, _, _ in rows])
    candidates = [
        ImportedReview(nct_id, when, by, note, version)
        for (nct_id, when, by, note), version in zip(rows, versions, strict=True)
    ]
    stored = {state.nct_id for state in store.review_states(con, sorted({r.nct_id for r in candidates}))}
    predating = [
        (r.nct_id, r.reviewed_at.date()) for r in candidates if r.version is None and r.nct_id in stored
    ]
    if history is not None and predating:
        found = history(con, predating)
        candidates = [
            replace(r, version=found[key].version, baseline=found[key])
            if (key := (r.nct_id, r.reviewed_at.date())) in found
            else r
            for r in candidates
        ]
    known = store.recorded_reviews(con, [_key(r) for r in candidates if r.version])
    imported: list[ImportedReview] = []
    seen: set[store.ReviewKey] = set()
    for item in candidates:
        if item.version is not None and (_key(item) in known or _key(item) in seen):
            item = replace(item, already_recorded=True)
        elif item.version is not None:
            seen.add(_key(item))
        imported.append(item)
    new = sorted((r for r in imported if r.version and not r.already_recorded), key=lambda r: r.reviewed_at)
    store.add_reviews(
        con, [(r.nct_id, r.version, r.reviewed_by, r.reviewed_at, r.note, source) for r in new if r.version]
    )
    return imported


def _key(item: ImportedReview) -> store.ReviewKey:
    assert item.version is not None
    return (item.nct_id, item.version, item.reviewed_by, item.reviewed_at)
