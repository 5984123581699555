"""What the queue and trial pages show, read from the published copy in one connection per page.

The web app never opens the working database to read: the published copy is replaced after every
write, so a page is never more than one write behind, and a nightly ``sync`` is never blocked by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from rich.text import Text

from pipeline import editorial, reading, review_queue, store
from pipeline.change import Change, StoredChange
from pipeline.errors import UsageError
from pipeline.page import PageFacts, facts_of_changes, facts_touched, page_facts, quick_facts_summary
from pipeline.policy import CATEGORIES, SEVERITY_ORDER, Severity, at_least, load_policy
from pipeline.render import describe, detail_text
from pipeline.settings import Settings

RECORD_URL = "https://clinicaltrials.gov/study/{nct_id}"
HISTORY_URL = "https://clinicaltrials.gov/study/{nct_id}?tab=history"
STALE_AFTER_WEEKDAYS = 3
"""``ctsync runs --check``'s default: more weekdays than this without a successful sync is stale."""

# rich styles of pipeline.render, as the kinds of text a page marks
_STYLE_KINDS = {"red": "old", "green": "new", "red strike": "del", "bold green": "ins"}

Segments = list[tuple[str, str]]
"""Text in runs: ("", plain), ("old", value before), ("new", value after), ("del", words removed),
("ins", words added). Templates escape each run and mark it."""


def read_settings(settings: Settings) -> Settings:
    """Settings that read the published copy (the working database only when there is no copy)."""
    if settings.published is None:
        return settings
    return replace(settings, db=settings.published, published=None)


@dataclass(frozen=True)
class QueueRow:
    nct_id: str
    title: str | None
    severity: str
    change_count: int
    facts: str
    categories: list[str]
    waiting_since: str | None
    baseline: int | None
    current_version: int | None
    """None for a tracked trial ClinicalTrials.gov does not have and ctsync never stored."""


@dataclass(frozen=True)
class ChangeView:
    severity: str
    category: str
    description: Segments
    detail: Segments | None
    facts: tuple[str, ...]


@dataclass(frozen=True)
class LogVersion:
    from_version: int | None
    to_version: int
    detected_at: str
    changes: list[ChangeView]


@dataclass(frozen=True)
class TrialPage:
    nct_id: str
    version: int
    facts: PageFacts
    changed_facts: list[str]
    groups: list[tuple[str, list[ChangeView]]]
    change_count: int
    baseline: int | None
    reviewed_by: str | None
    reviewed_at: str | None
    log: list[LogVersion]
    record_url: str
    history_url: str
    hidden: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def freshness(settings: Settings) -> tuple[str, bool]:
    """The ``runs --check`` rule on the copy the pages read, as a sentence for the banner."""
    message, fresh = reading.freshness(read_settings(settings), STALE_AFTER_WEEKDAYS)
    return message.removeprefix("ctsync: "), fresh


def queue_rows(
    settings: Settings, min_severity: Severity = "minor", category: str | None = None, search: str = ""
) -> list[QueueRow]:
    """The queue as ``ctsync queue`` orders it, with titles and the page facts each trial's changes touch."""
    policy = load_policy(settings.policy)
    needle = search.strip().casefold()
    with reading.reader(read_settings(settings)) as con:
        entries = review_queue.queue(con, min_severity, policy)
        titles = store.brief_titles(con, [entry.nct_id for entry in entries])
        states = store.review_states(con, [entry.nct_id for entry in entries])
        known = review_queue.cached_changes(con, states, policy)
        records = editorial.records_for(con, [s for s in states if s.nct_id not in known])
        pending = {
            s.nct_id: editorial.pending_changes(con, s, policy, records, known.get(s.nct_id)) for s in states
        }
    rows = []
    for entry in entries:
        nct_id = entry.nct_id
        title = titles.get(nct_id)
        if category and category not in entry.categories:
            continue
        if needle and needle not in nct_id.casefold() and needle not in (title or "").casefold():
            continue
        fields = [c.field for c in pending[nct_id].changes if at_least(c.severity, min_severity)]
        rows.append(
            QueueRow(
                nct_id=nct_id,
                title=title,
                severity=entry.severity,
                change_count=entry.change_count,
                facts=quick_facts_summary(fields)
                or ("New trial: its page has to be written" if entry.never_reviewed else ""),
                categories=entry.categories,
                waiting_since=entry.pending_since.isoformat()[:10] if entry.pending_since else None,
                baseline=entry.baseline,
                current_version=entry.current_version,
            )
        )
    return rows


def trial_page(settings: Settings, nct_id: str, min_severity: Severity = "minor") -> TrialPage | None:
    """A trial's page facts beside its changes since review and its change log; None when not stored."""
    policy = load_policy(settings.policy)
    with reading.reader(read_settings(settings)) as con:
        found = store.current_trial(con, nct_id)
        if found is None:
            return None
        try:
            pending = editorial.changes_since_review(con, nct_id, policy)
        except UsageError:
            return None
        log_rows = store.change_log(con, nct_id)
    version, trial = found
    shown = [change for change in pending.changes if at_least(change.severity, min_severity)]
    groups = [
        (category, [change_view(c) for c in shown if c.category == category])
        for category in (*CATEGORIES, *sorted({c.category for c in shown} - set(CATEGORIES)))
    ]
    return TrialPage(
        nct_id=nct_id,
        version=version,
        facts=page_facts(trial),
        changed_facts=facts_of_changes([c.field for c in shown]),
        groups=[(category, changes) for category, changes in groups if changes],
        change_count=len(shown),
        baseline=pending.baseline,
        reviewed_by=pending.reviewed_by,
        reviewed_at=_date(pending.reviewed_at),
        log=change_log(log_rows, min_severity),
        record_url=RECORD_URL.format(nct_id=nct_id),
        history_url=HISTORY_URL.format(nct_id=nct_id),
        hidden=len(pending.changes) - len(shown),
    )


def change_log(changes: list[StoredChange], min_severity: Severity) -> list[LogVersion]:
    """The version-to-version log, newest version first."""
    versions: dict[int, LogVersion] = {}
    for change in changes:
        if not at_least(change.severity, min_severity):
            continue
        entry = versions.setdefault(
            change.to_version,
            LogVersion(change.from_version, change.to_version, _date(change.detected_at) or "", []),
        )
        entry.changes.append(change_view(change))
    for entry in versions.values():
        entry.changes.sort(key=lambda c: SEVERITY_ORDER.index(c.severity))
    return [versions[v] for v in sorted(versions, reverse=True)]


def change_view(change: Change) -> ChangeView:
    """One change in the editors' words, with the old value, the new one and changed words marked."""
    description, show_detail = describe(change)
    detail = segments(detail_text(change.detail)) if show_detail and change.detail else None
    return ChangeView(
        severity=change.severity,
        category=change.category,
        description=segments(description),
        detail=detail,
        facts=facts_touched(change.field),
    )


def segments(text: Text) -> Segments:
    """A rich Text from pipeline.render as runs of plain, old, new, removed and added text."""
    kinds = [""] * len(text.plain)
    for span in text.spans:
        kind = _STYLE_KINDS.get(str(span.style), "")
        for index in range(span.start, min(span.end, len(kinds))):
            kinds[index] = kind
    runs: Segments = []
    for char, kind in zip(text.plain, kinds, strict=True):
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + char)
        else:
            runs.append((kind, char))
    return runs


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None
