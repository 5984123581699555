"""The shape of a change, one typed model from the differ to the user, and the walk's own small types.

``Change`` is what ``diff`` returns, what ``changes --json`` prints (``model_dump(mode="json")``), what the
renderers and the web pages show. ``StoredChange`` is a change as ``trial_changes`` keeps it: the same
fields plus the versions it went between and when it was detected, as ``changes --all --json`` prints it.
``QueueEntry`` is a trial waiting for review, as ``queue`` lists it. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

from pipeline.policy import ChangeKind, Policy, Severity, default_policy, severity_rank


class Change(BaseModel):
    """One fact of a trial that changed between two versions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    """Canonical path, e.g. ``overall_status``, ``locations[<key>].status``."""
    change: ChangeKind
    old: JsonValue = None
    new: JsonValue = None
    category: str
    severity: Severity
    detail: str | None = None
    """For long text: a word-level diff, ``[-removed words-]{+added words+}``, unchanged runs elided."""
    labels: tuple[str, ...] = ()
    """Human names of the entities the bracketed keys of ``field`` stand for, outermost first."""


class StoredChange(Change):
    """A change as stored in ``trial_changes``: from one stored version to the next, detected by a run."""

    from_version: int | None
    """None for a change recorded without a previous version (a trial gone upstream before any)."""
    to_version: int
    detected_at: datetime


class ChangeLog(BaseModel):
    """A trial's stored version-to-version changes, oldest first: ``changes --all --json``."""

    model_config = ConfigDict(frozen=True)

    nct_id: str
    current_version: int
    changes: list[StoredChange]


class QueueEntry(BaseModel):
    """A trial waiting for review: one row of ``queue`` (and of ``queue --json``)."""

    model_config = ConfigDict(frozen=True)

    nct_id: str
    severity: Severity
    """The highest among its changes at or above the queue's floor (critical for a trial gone upstream)."""
    change_count: int
    current_version: int | None
    """None for a tracked trial ClinicalTrials.gov does not have and ctsync never stored."""
    baseline: int | None
    never_reviewed: bool
    pending_since: datetime | None
    top_changes: list[str]
    categories: list[str]
    upstream_state: str | None = None
    """Set for a trial gone upstream before ctsync stored it: not_found or merged."""


def sort_changes(changes: Iterable[Change]) -> list[Change]:
    """Most severe first, then by field; fully deterministic."""
    return sorted(
        changes,
        key=lambda c: (severity_rank(c.severity), c.field, c.change, dumps_value(c.old), dumps_value(c.new)),
    )


def gone_upstream_change(nct_id: str, reason: str, policy: Policy | None = None) -> Change:
    """What the sync records when a tracked trial is no longer found upstream (or became an alias)."""
    category, severity = (policy or default_policy()).classify("upstream", "removed", nct_id, None)
    return Change(
        field="upstream",
        change="removed",
        old=nct_id,
        new=None,
        category=category,
        severity=severity,
        detail=reason,
    )


# --- where the walk is --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class At:
    """Where the walk is: the concrete path, its template (keys as ``[*]``) and the entities' names."""

    path: str
    template: str
    labels: tuple[str, ...]

    def attr(self, name: str) -> At:
        dot = "." if self.path else ""
        return At(f"{self.path}{dot}{name}", f"{self.template}{dot}{name}", self.labels)

    def key(self, key: str, label: str) -> At:
        return At(f"{self.path}[{key}]", f"{self.template}[*]", (*self.labels, label))


@dataclass(frozen=True)
class Found:
    at: At
    change: ChangeKind
    old: JsonValue
    new: JsonValue
    detail: str | None = None


def json_value(value: Any) -> JsonValue:
    """A plain JSON value: models dumped in JSON mode, tuples as lists."""
    if isinstance(value, BaseModel):
        dumped: JsonValue = value.model_dump(mode="json")
        return dumped
    if isinstance(value, tuple | list):
        return [json_value(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def dumps_value(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
