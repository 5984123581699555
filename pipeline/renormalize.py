"""``ctsync renormalize``: re-derive stored canonical records from their raw JSON after a normalizer change.

A stored version remembers which normalizer derived it (``trial_versions.normalizer_version``). When the
rules change (``pipeline.normalize.NORMALIZER_VERSION`` moves on), the next sync would otherwise compare
records derived by the new rules with records derived by the old ones and report every difference as a
change, criteria changes being critical: the editors' queue would flood. Renormalizing first re-derives
each old version in place, batch by batch, recorded in the ledger: no new versions, reviews stay on the
versions they were made for, and the stored changes between versions are derived anew.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby, islice

import duckdb

from pipeline import store
from pipeline.errors import RecordError
from pipeline.models import Trial
from pipeline.normalize import NORMALIZER_VERSION, normalize
from pipeline.records import ChangeRows, Failure, Incoming

log = logging.getLogger(__name__)
CHUNK = 200
"""Trials re-derived per transaction."""

Progress = Callable[[int], None]


def renormalize(
    con: duckdb.DuckDBPyConnection, change_rows: ChangeRows, progress: Progress | None = None
) -> dict[str, int]:
    """Re-derive every trial with a version from an older normalizer; a ledger run records it.

    Returns counts: ``trials`` re-derived, ``versions`` read, ``rederived`` versions whose canonical
    record changed under the new rules, ``failed`` trials whose raw JSON the new rules reject (kept as
    they were, each a dead letter).
    """
    stale = store.stale_trials(con, NORMALIZER_VERSION)
    counts = {"trials": 0, "versions": 0, "rederived": 0, "failed": 0}
    if not stale:
        return counts
    log.warning(
        "re-deriving %d trial(s) stored by an older normalizer (normalizer %d)",
        len(stale),
        NORMALIZER_VERSION,
        extra={"event": "renormalize", "trials": len(stale)},
    )
    with store.run(con, "renormalize") as run:
        for chunk in _chunks(stale, CHUNK):
            _renormalize_chunk(con, chunk, change_rows, run.run_id, counts)
            if progress is not None:
                progress(len(chunk))
        run.status = "partial" if counts["failed"] else "succeeded"
    return counts


def _renormalize_chunk(
    con: duckdb.DuckDBPyConnection,
    chunk: list[str],
    change_rows: ChangeRows,
    run_id: int,
    counts: dict[str, int],
) -> None:
    version_rows: list[str] = []
    changes: list[str] = []
    done: list[str] = []
    failures: list[Failure] = []
    versions = store.stored_versions(con, chunk)
    for nct_id, group in groupby(versions, key=lambda stored: stored.nct_id):
        stored = list(group)
        try:
            incoming = [_rederive(item) for item in stored]
        except RecordError as exc:
            failures.append(Failure("renormalize", "normalize", str(exc), nct_id))
            continue
        done.append(nct_id)
        previous: tuple[int, Trial] | None = None
        for item, new in zip(stored, incoming, strict=True):
            version_rows.append(store.version_row(new, item.version))
            counts["rederived"] += new.content_hash != item.content_hash
            trial = new.trial()
            if item.source == store.HISTORY_SOURCE:
                continue  # a review's baseline from the record history: outside the version chain
            if previous is not None:
                changes.extend(
                    store.detected_change_row(
                        store.change_row(nct_id, previous[0], item.version, change),
                        item.fetched_at,
                        item.run_id,
                    )
                    for change in change_rows(previous[1], trial)
                )
            previous = (item.version, trial)
    now = datetime.now(UTC)
    if done:
        store.rewrite_versions(con, done, version_rows, changes, NORMALIZER_VERSION, now)
    if failures:
        store.save_batch(con, [], failures, run_id)
    counts["trials"] += len(done)
    counts["versions"] += len(versions)
    counts["failed"] += len(failures)
    store.add_run_counts(con, run_id, fetched=len(versions), changed=len(done))


def _rederive(item: store.StoredVersion) -> Incoming:
    try:
        data = json.loads(item.raw_json)
    except json.JSONDecodeError as exc:
        raise RecordError(item.nct_id, "raw", f"stored raw JSON does not parse: {exc}") from exc
    return Incoming.of(normalize(data), item.raw_json, item.source)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
