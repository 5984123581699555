"""The review queue: trials waiting for review, most severe first, and the writer's cache behind it.

Listing the queue diffs each waiting trial's reviewed version against its current one. At registry
size that is hundreds of diffs (6 to 20 s at 100,000 trials), so the writer keeps each waiting trial's
changes in ``review_pending`` (``refresh_pending``, run by every write for the trials it stored or
reviewed) and the queue reads them. A cached row counts only while its versions match the trial's
review state and its fingerprint the policy, normalizer and ctsync version; any other waiting trial is
diffed live, so the cache can make the queue fast but never wrong.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import duckdb

from pipeline import __version__, store
from pipeline.change import Change, QueueEntry, gone_upstream_change
from pipeline.editorial import needs_diff, pending_changes, records_for
from pipeline.normalize import NORMALIZER_VERSION
from pipeline.policy import Policy, Severity, at_least, default_policy, most_severe, severity_rank

NEVER_REVIEWED: Severity = "major"
"""Where a never-reviewed trial ranks in the queue: its page has to be written."""


def queue(con: duckdb.DuckDBPyConnection, min_severity: Severity, policy: Policy | None) -> list[QueueEntry]:
    """Trials with changes at or above ``min_severity`` since review, most severe first, then oldest;
    ``change_count`` counts the changes at or above it too."""
    entries: list[QueueEntry] = []
    waiting = store.review_states(con, waiting=True)
    known = cached_changes(con, waiting, policy)
    records = records_for(con, [state for state in waiting if state.nct_id not in known])
    for state in waiting:
        pending = pending_changes(con, state, policy, records, known.get(state.nct_id))
        severity = pending.severity
        if pending.baseline is None:
            severity = most_severe([NEVER_REVIEWED, *([severity] if severity else [])])
        if severity is None or not at_least(severity, min_severity):
            continue
        shown = [change for change in pending.changes if at_least(change.severity, min_severity)]
        entries.append(
            QueueEntry(
                nct_id=state.nct_id,
                severity=severity,
                change_count=len(shown),
                current_version=state.current_version,
                baseline=state.reviewed_version,
                never_reviewed=state.reviewed_version is None,
                pending_since=state.pending_since,
                top_changes=[change.field for change in shown[:3]],
                categories=list(dict.fromkeys(change.category for change in shown)),
            )
        )
    entries += _gone_before_stored(con, min_severity, policy)
    entries.sort(key=lambda e: (severity_rank(e.severity), _sortable(e.pending_since), e.nct_id))
    return entries


def _sortable(moment: datetime | None) -> str:
    """Oldest first, an unknown time first of all."""
    return moment.astimezone(UTC).isoformat() if moment else ""


def _gone_before_stored(
    con: duckdb.DuckDBPyConnection, min_severity: Severity, policy: Policy | None
) -> list[QueueEntry]:
    """Tracked trials ClinicalTrials.gov does not have and ctsync never stored: the page points at a
    trial that is not there, a critical change like any trial gone upstream."""
    entries = []
    for nct_id, state, merged_into, checked_at in store.gone_before_stored(con):
        reason = f"merged into {merged_into}" if state == "merged" else "not found on ClinicalTrials.gov"
        change = gone_upstream_change(nct_id, reason, policy)
        if not at_least(change.severity, min_severity):
            continue
        entries.append(
            QueueEntry(
                nct_id=nct_id,
                severity=change.severity,
                change_count=1,
                current_version=None,
                baseline=None,
                never_reviewed=True,
                pending_since=checked_at,
                top_changes=[change.field],
                categories=[change.category],
                upstream_state=state,
            )
        )
    return entries


def fingerprint(policy: Policy | None) -> str:
    """What cached changes were computed under: the policy, the normalizer and ctsync's version."""
    text = (policy or default_policy()).model_dump_json()
    return hashlib.sha256(f"{text}|{NORMALIZER_VERSION}|{__version__}".encode()).hexdigest()[:16]


def cached_changes(
    con: duckdb.DuckDBPyConnection, states: list[store.ReviewState], policy: Policy | None
) -> dict[str, list[Change]]:
    """The cached changes of the states that need a diff, where the cache row still matches."""
    wanted = fingerprint(policy)
    diffed = [state for state in states if needs_diff(state)]
    rows = store.cached_pending(con, [state.nct_id for state in diffed], wanted)
    found: dict[str, list[Change]] = {}
    for state in diffed:
        row = rows.get(state.nct_id)
        if row is not None and row[:2] == (state.reviewed_version, state.current_version):
            found[state.nct_id] = [Change.model_validate(item) for item in json.loads(row[2])]
    return found


def refresh_pending(con: duckdb.DuckDBPyConnection, marks: store.WriteMarks, policy: Policy | None) -> None:
    """After a write: the cached changes of the trials it stored or reviewed (of every waiting trial
    when the cache was built under another fingerprint, or a write touched everything)."""
    wanted = fingerprint(policy)
    nct_ids, everything = store.touched_since(con, marks)
    rebuild = everything or store.pending_fingerprint_stored(con) != wanted
    if not nct_ids and not rebuild:
        return
    states = store.review_states(con, None if rebuild else nct_ids, waiting=True)
    diffed = [state for state in states if needs_diff(state)]
    records = records_for(con, diffed)
    from pipeline.diff import diff  # a reader's queue imports no differ when every trial is cached

    rows = []
    for state in diffed:
        assert state.reviewed_version is not None
        old = records[(state.nct_id, state.reviewed_version)]
        changes = diff(old, records[(state.nct_id, state.current_version)], policy)
        payload = json.dumps([change.model_dump(mode="json") for change in changes], ensure_ascii=False)
        rows.append((state.nct_id, state.reviewed_version, state.current_version, wanted, payload))
    with store.transaction(con):
        store.replace_pending(con, nct_ids, rows, complete=wanted if rebuild else None)
