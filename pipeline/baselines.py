"""Review baselines from ClinicalTrials.gov's record history: "changes since the date on my page".

A review dated before a trial's first stored version has no stored version to count for. Here the
trial's history is fetched (one request), the upstream version current on the review's date is picked
(the last one submitted on or before it), fetched (one request), normalized like any record and stored
as a ctsync version marked with its source and upstream number; the review counts for it. So at most 2
requests per such trial, and none for trials whose stored versions cover the date.

A trial whose history cannot be read leaves its review unrecorded with the reason; the others go on.
``exit_code`` says 1 when some trials failed, 3 when the history API was out of reach for all of them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from pipeline import store
from pipeline.errors import RecordError
from pipeline.history import (
    HistoryFailure,
    UpstreamVersion,
    fetch_version,
    fetch_versions,
    history_base_url,
    version_on,
)
from pipeline.http import ApiClient
from pipeline.normalize import normalize
from pipeline.records import Incoming
from pipeline.settings import Settings

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
GIVE_UP_AFTER = 5
"""Trials in a row for which the history API is out of reach (403, unavailable) before the rest of an
import stops asking it: each costs up to every retry, and the answer will not change within the run."""
PROGRESS_EVERY = 100
Asked = tuple[str, date]
"""(NCT ID, review day) whose review predates every stored version of the trial."""


@dataclass(frozen=True)
class Baseline:
    """Where a review dated ``day`` counts: a ctsync version holding upstream ``upstream_version``, or
    ``failure`` saying why there is none."""

    version: int | None = None
    upstream_version: int | None = None
    submitted: date | None = None
    failure: str | None = None
    unreachable: bool = False
    note: str | None = None
    """Not recorded, yet no failure: a review superseded by a later one of the same trial."""


class HistoryBaselines:
    """Resolves baselines through one ``ApiClient`` (the run's session, rate limit and request count)."""

    def __init__(
        self,
        settings: Settings,
        client: ApiClient,
        progress: Progress | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.base_url = ""  # derived when first needed: most imports never ask the record history
        self.progress = progress
        self.notice = notice or (lambda line: None)

    def __call__(self, con: duckdb.DuckDBPyConnection, asked: Sequence[Asked]) -> dict[Asked, Baseline]:
        """A baseline for every (trial, day) asked, fetching each trial's history once."""
        by_trial: dict[str, list[date]] = {}
        for nct_id, day in asked:
            by_trial.setdefault(nct_id, []).append(day)
        if not by_trial:
            return {}
        self.base_url = history_base_url(self.settings)
        self.notice(
            f"{len(by_trial)} trial(s) reviewed before their first stored version: fetching their record"
            " history from ClinicalTrials.gov (at most 2 requests each)"
        )
        found: dict[Asked, Baseline] = {}
        fetched: list[tuple[Incoming, int]] = []
        lists: list[store.UpstreamRow] = []
        holders: dict[str, int] = {}
        stats = self.client.stats
        with store.run(con, "history") as run:
            run.counts = lambda: {
                "requested": len(by_trial),
                "requests": stats.requests,
                "retries": stats.retries,
            }
            out_of_reach = 0  # trials in a row for which the history API was out of reach
            for done, (nct_id, days) in enumerate(sorted(by_trial.items()), start=1):
                try:
                    if out_of_reach >= GIVE_UP_AFTER:
                        raise HistoryFailure(
                            nct_id,
                            f"not asked: the record history was out of reach for {out_of_reach} trials"
                            " in a row",
                            unreachable=True,
                        )
                    versions, chosen = self._trial(nct_id, days, fetched)
                    lists += [(nct_id, v.version, v.submitted, v.status, v.module_labels) for v in versions]
                    found.update(_per_day(nct_id, days, versions, chosen))
                    out_of_reach = 0
                except HistoryFailure as failure:
                    log.info("%s", failure)
                    out_of_reach = out_of_reach + 1 if failure.unreachable else 0
                    found.update({(nct_id, day): _failed(failure) for day in days})
                if self.progress is not None:
                    self.progress(1)
                if done % PROGRESS_EVERY == 0:  # stored as it goes: an interrupted import keeps its work
                    holders.update(_save(con, lists, fetched, run.run_id))
                    if done < len(by_trial):
                        self.notice(f"record history: {done} of {len(by_trial)} trials")
            holders.update(_save(con, lists, fetched, run.run_id))
            failed = sum(1 for baseline in found.values() if baseline.failure)
            run.status = "partial" if failed else "succeeded"
        return {
            key: (
                Baseline(holders[key[0]], baseline.upstream_version, baseline.submitted)
                if baseline.failure is None and baseline.upstream_version is not None
                else baseline
            )
            for key, baseline in found.items()
        }

    def _trial(
        self, nct_id: str, days: list[date], fetched: list[tuple[Incoming, int]]
    ) -> tuple[list[UpstreamVersion], UpstreamVersion | None]:
        """The trial's version list and the version its latest asked day needs (fetched and normalized)."""
        versions = fetch_versions(self.client, self.base_url, nct_id)
        chosen = version_on(versions, max(days))
        if chosen is None:
            return versions, None
        study = fetch_version(self.client, self.base_url, nct_id, chosen.version)
        raw_json = json.dumps(study, ensure_ascii=False)
        try:
            incoming = Incoming.of(normalize(study), raw_json, store.HISTORY_SOURCE)
        except RecordError as exc:
            raise HistoryFailure(nct_id, f"its version {chosen.version} cannot be read: {exc}") from exc
        fetched.append((incoming, chosen.version))
        return versions, chosen


def _save(
    con: duckdb.DuckDBPyConnection,
    lists: list[store.UpstreamRow],
    fetched: list[tuple[Incoming, int]],
    run_id: int,
) -> dict[str, int]:
    """Store the version lists and fetched versions gathered so far (and forget them here)."""
    now = datetime.now(UTC)
    store.save_version_lists(con, lists, now)
    holders = store.save_baseline_versions(con, fetched, run_id, now)
    lists.clear()
    fetched.clear()
    return holders


def _per_day(
    nct_id: str, days: list[date], versions: list[UpstreamVersion], chosen: UpstreamVersion | None
) -> dict[Asked, Baseline]:
    """Each asked day's outcome: the chosen version for the latest day (and earlier days it also covers);
    an earlier day that needs another version is superseded by the later review anyway."""
    out: dict[Asked, Baseline] = {}
    for day in days:
        current = version_on(versions, day)
        if current is None:
            first = versions[0].submitted.isoformat()
            out[(nct_id, day)] = Baseline(
                failure=f"the review of {day} predates the trial's first version on ClinicalTrials.gov"
                f" ({first})"
            )
        elif chosen is not None and current.version == chosen.version:
            out[(nct_id, day)] = Baseline(upstream_version=chosen.version, submitted=chosen.submitted)
        else:
            out[(nct_id, day)] = Baseline(
                note=f"superseded by its later review of {max(days)} (only the latest review is the"
                " baseline; ClinicalTrials.gov version "
                f"{current.version} was not fetched)"
            )
    return out


def _failed(failure: HistoryFailure) -> Baseline:
    return Baseline(failure=failure.reason, unreachable=failure.unreachable)


def exit_code(baselines: Sequence[Baseline]) -> int:
    """0 when every baseline was found, 3 when the history API was out of reach for every trial that
    needed it, else 1 (some trials failed, the rest are recorded)."""
    failed = [baseline for baseline in baselines if baseline.failure]
    if not failed:
        return 0
    if len(failed) == len(baselines) and all(baseline.unreachable for baseline in failed):
        return 3
    return 1
