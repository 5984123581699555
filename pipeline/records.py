"""The records that move between readers, workers and the store: no DuckDB here.

Readers (``sources``) and worker processes (``ingest.prepare``) build these; ``pipeline.store`` writes
them. Keeping them apart from the store means reading files and normalizing never import duckdb.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pipeline
from pipeline.change import Change
from pipeline.models import Trial
from pipeline.normalize import NORMALIZER_VERSION

ChangeRows = Callable[[Trial, Trial], list[Change]]
"""The differ's hook, under the configured policy: the changes from an old record to a new one."""


@dataclass(frozen=True)
class Incoming:
    """One normalized record on its way into the store, already serialized (cheap to pass between processes).

    ``record_json`` is the canonical record without ``version_holder``, the one field that changes when
    the trial does not; its SHA-256 is the content hash. ``raw_json`` is kept verbatim.
    """

    nct_id: str
    record_json: str
    content_hash: str
    raw_json: str
    source: str
    last_update_post_date: date | None
    version_holder: date | None
    raw_fingerprint: str
    record_zlib_b64: str
    """The canonical JSON compressed, base64 for the staging file (made in the worker, not the writer)."""
    unaccounted: frozenset[str] = frozenset()
    """Field paths of the raw record this ctsync neither maps nor leaves out on purpose: schema drift."""

    @classmethod
    def of(
        cls, trial: Trial, raw_json: str, source: str, unaccounted: frozenset[str] = frozenset()
    ) -> Incoming:
        record_json = trial.model_dump_json(exclude={"version_holder"})
        return cls(
            nct_id=trial.nct_id,
            record_json=record_json,
            content_hash=hashlib.sha256(record_json.encode()).hexdigest(),
            raw_json=raw_json,
            source=source,
            last_update_post_date=trial.last_update_posted_date.date
            if trial.last_update_posted_date
            else None,
            version_holder=trial.version_holder,
            raw_fingerprint=raw_fingerprint(raw_json),
            record_zlib_b64=base64.b64encode(zlib.compress(record_json.encode(), 1)).decode(),
            unaccounted=unaccounted,
        )

    def trial(self) -> Trial:
        """The canonical record back as a model (only needed to diff a changed trial)."""
        return Trial.model_validate_json(self.record_json).model_copy(
            update={"version_holder": self.version_holder}
        )


_VERSION_HOLDER = re.compile(r'"versionHolder"\s*:\s*"[^"]*"')
_FIRST_NCT_ID = re.compile(r'"nctId"\s*:\s*"(NCT\d{8})"')


def raw_fingerprint(raw_json: str) -> str:
    """SHA-256 of a raw record's text without its version holder, salted with the ctsync version.

    The same text normalizes to the same record (for one ctsync version), so a record whose fingerprint
    matches the stored one is unchanged without parsing it: that makes a no-op reload of the registry cheap.
    """
    text = _VERSION_HOLDER.sub("", raw_json)
    return hashlib.sha256(f"{pipeline.__version__}/{NORMALIZER_VERSION}\n{text}".encode()).hexdigest()


def nct_id_in_text(raw_json: str) -> str | None:
    """The first ``nctId`` of a raw record's text (identificationModule comes first in API JSON)."""
    found = _FIRST_NCT_ID.search(raw_json, 0, 2000)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Seen:
    """A record whose raw text matches the stored fingerprint of its trial: unchanged, not parsed."""

    nct_id: str
    source: str


@dataclass(frozen=True)
class Failure:
    """One record that could not be read or normalized: a dead letter."""

    source: str
    stage: str
    error: str
    nct_id: str | None = None
    raw: str | None = None


@dataclass
class BatchResult:
    """What a batch did, trial by trial: ``outcomes`` maps NCT ID to new, changed or unchanged."""

    outcomes: dict[str, str] = field(default_factory=dict)
    failed: int = 0
    records: Counter[str] = field(default_factory=Counter)
    """Records by outcome (the ledger counts records; ``outcomes`` keeps each trial's strongest)."""

    def note(self, nct_id: str, outcome: str) -> None:
        note_outcome(self.outcomes, nct_id, outcome)
        self.records[outcome] += 1

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


_OUTCOME_STRENGTH = {"unchanged": 0, "older": 1, "changed": 2, "new": 3}


def note_outcome(outcomes: dict[str, str], nct_id: str, outcome: str) -> None:
    """Keep a trial's strongest outcome of a run: a trial stored new then seen again is still new."""
    if _OUTCOME_STRENGTH[outcome] >= _OUTCOME_STRENGTH[outcomes.get(nct_id, "unchanged")]:
        outcomes[nct_id] = outcome
