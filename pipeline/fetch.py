"""Fetch study records from ClinicalTrials.gov by NCT ID, in as few requests as the API allows.

Only HTTP: every function yields raw study dicts, the JSON of one study exactly as the API gave it, and notes
in ``Fetcher.report`` what did not come back (``not_found``), what came back under another ID (``aliases``)
and what the API refused (``rejected``).

Economy: IDs go to ``GET /studies`` in ``filter.ids`` chunks of ``ID_CHUNK_SIZE`` with ``pageSize=1000``;
only IDs a batch did not answer cost one ``GET /studies/{id}`` each (404: not found; 301: an alias). A batch
the API refuses with 400 is bisected, so one bad ID costs about 2*log2(chunk) requests, not the whole chunk.

Incremental fetches (``iter_updated_since``) pick the cheaper of two plans with one probe, see there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from pipeline.errors import BadRequest, Moved, NotFound, UpstreamError
from pipeline.http import ApiClient, RequestStats

# NCT_ID and validate_nct_ids lived here first; re-exported for the callers that import them from here.
from pipeline.ids import NCT_ID as NCT_ID
from pipeline.ids import is_nct_id
from pipeline.ids import validate_nct_ids as validate_nct_ids

Study = dict[str, Any]

MAX_PAGE_SIZE = 1000  # the API silently caps pageSize here

# Servers and proxies commonly refuse request lines over 8 KB. Each ID costs its 11 characters plus a
# separator that requests percent-encodes ("," -> "%2C"); 1 KB stays free for the scheme, host, path and the
# other parameters (format, pageSize, a pageToken of ~50 characters, filter.advanced of ~80 once encoded).
URL_LIMIT_BYTES = 8192
URL_RESERVED_BYTES = 1024
ENCODED_ID_BYTES = len("NCT00000000") + len("%2C")
ID_CHUNK_SIZE = (URL_LIMIT_BYTES - URL_RESERVED_BYTES) // ENCODED_ID_BYTES  # 512

PLAN_REGISTRY_WIDE = "registry-wide"
PLAN_ID_CHUNKS = "id-chunks"


@dataclass
class FetchReport:
    """What a ``Fetcher`` could not return as asked; ``stats`` is its client's request accounting."""

    not_found: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # requested ID -> real NCT ID
    rejected: dict[str, str] = field(default_factory=dict)  # ID -> the API's reason for refusing it
    stats: RequestStats = field(default_factory=RequestStats)
    plan: str | None = None  # the plan the last iter_updated_since chose


def study_ids(study: Study) -> tuple[str | None, list[str]]:
    """The study's NCT ID and its aliases (older IDs that now lead to it)."""
    identification = study.get("protocolSection", {}).get("identificationModule", {})
    nct_id = identification.get("nctId")
    aliases = identification.get("nctIdAliases") or []
    return (nct_id if isinstance(nct_id, str) else None), [
        alias for alias in aliases if isinstance(alias, str)
    ]


def _chunks(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class Fetcher:
    """Fetches studies through one ``ApiClient``; one fetcher per run, its ``report`` accumulates."""

    def __init__(
        self, client: ApiClient, *, chunk_size: int = ID_CHUNK_SIZE, page_size: int = MAX_PAGE_SIZE
    ) -> None:
        if not 1 <= chunk_size <= ID_CHUNK_SIZE:
            raise ValueError(
                f"chunk_size must be 1..{ID_CHUNK_SIZE} to keep URLs under {URL_LIMIT_BYTES} bytes"
            )
        self._client = client
        self._chunk_size = chunk_size
        self._page_size = min(page_size, MAX_PAGE_SIZE)
        self.report = FetchReport(stats=client.stats)

    # -- public ----------------------------------------------------------------------------------------

    def iter_studies(self, ids: Iterable[str]) -> Iterator[Study]:
        """Every study asked for, once each, as pages arrive; misses end up in ``report``."""
        yielded: set[str] = set()
        for chunk in _chunks(validate_nct_ids(ids), self._chunk_size):
            answered: set[str] = set()
            yield from self._iter_batch(chunk, {}, answered, yielded)
            for nct_id in chunk:
                if nct_id not in answered:
                    yield from self._iter_one(nct_id, yielded)

    def iter_updated_since(self, since: date, ids: Sequence[str] | None = None) -> Iterator[Study]:
        """Studies last updated on ``since`` or later; only the tracked ``ids`` (or their aliases) if given.

        Plan rule, decided by one probe (the registry-wide first page, countTotal=true, pageSize=1000):
        if the pages the registry-wide answer needs (``ceil(totalCount / pageSize)``) are no more than the
        number of ID chunks, keep paging registry-wide (the probe was page one) and keep the tracked
        studies; otherwise ask each ID chunk with the same date filter. IDs absent from the answer did not
        change.
        """
        date_filter = {"filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"}
        yielded: set[str] = set()
        if ids is None:
            self.report.plan = PLAN_REGISTRY_WIDE
            yield from self._iter_registry_wide(self._list_params(date_filter), None, yielded)
            return
        wanted = validate_nct_ids(ids)
        if not wanted:
            return
        probe_params = self._list_params({**date_filter, "countTotal": "true"})
        probe = self._client.get_json("/studies", probe_params)
        if self._registry_pages(probe) <= math.ceil(len(wanted) / self._chunk_size):
            self.report.plan = PLAN_REGISTRY_WIDE
            yield from self._iter_registry_wide(probe_params, set(wanted), yielded, first_page=probe)
            return
        self.report.plan = PLAN_ID_CHUNKS
        for chunk in _chunks(wanted, self._chunk_size):
            yield from self._iter_batch(chunk, date_filter, set(), yielded)

    def data_timestamp(self) -> str:
        """When ClinicalTrials.gov last refreshed its data (``GET /version``), e.g. 2026-05-22T09:00:00."""
        timestamp = self._client.get_json("/version").get("dataTimestamp")
        if not isinstance(timestamp, str):
            raise UpstreamError("GET /version gave no dataTimestamp; the API may have changed")
        return timestamp

    # -- batches ---------------------------------------------------------------------------------------

    def _list_params(self, extra: dict[str, str]) -> dict[str, str]:
        return {"format": "json", **extra, "pageSize": str(self._page_size)}

    def _iter_batch(
        self, chunk: list[str], extra: dict[str, str], answered: set[str], yielded: set[str]
    ) -> Iterator[Study]:
        """One ``filter.ids`` query for ``chunk``; a 400 is bisected down to the IDs the API refuses."""
        params = self._list_params({"filter.ids": ",".join(chunk), **extra})
        requested = set(chunk)
        try:
            for study in self._iter_page_studies(params):
                answered.update(self._match(study, requested))
                yield from self._once(study, yielded)
        except BadRequest as refusal:  # only ever raised for the first page, before anything was yielded
            if len(chunk) == 1:
                self.report.rejected[chunk[0]] = refusal.reason
                answered.add(chunk[0])
                return
            middle = len(chunk) // 2
            yield from self._iter_batch(chunk[:middle], extra, answered, yielded)
            yield from self._iter_batch(chunk[middle:], extra, answered, yielded)

    def _iter_registry_wide(
        self,
        params: dict[str, str],
        wanted: set[str] | None,
        yielded: set[str],
        first_page: dict[str, Any] | None = None,
    ) -> Iterator[Study]:
        for study in self._iter_page_studies(params, first_page):
            if wanted is None or self._match(study, wanted):
                yield from self._once(study, yielded)

    def _registry_pages(self, probe: dict[str, Any]) -> int:
        total = probe.get("totalCount")
        if not isinstance(total, int):
            raise UpstreamError(
                "GET /studies with countTotal=true gave no totalCount; the API may have changed"
            )
        return math.ceil(total / self._page_size)

    def _match(self, study: Study, requested: set[str]) -> set[str]:
        """The requested IDs this study answers; those it answers as an alias are noted in the report."""
        nct_id, aliases = study_ids(study)
        matched = requested & {nct_id, *aliases}
        for alias in matched - {nct_id}:
            self.report.aliases[alias] = str(nct_id)
        return matched

    @staticmethod
    def _once(study: Study, yielded: set[str]) -> Iterator[Study]:
        """Yield a study unless this fetch already did (an alias and its real ID may both be asked for)."""
        nct_id, _ = study_ids(study)
        if nct_id is None or nct_id not in yielded:
            if nct_id is not None:
                yielded.add(nct_id)
            yield study

    # -- pages -----------------------------------------------------------------------------------------

    def _iter_page_studies(
        self, params: dict[str, str], first_page: dict[str, Any] | None = None
    ) -> Iterator[Study]:
        """The studies of every page of one query, page by page, never holding more than one page."""
        page = first_page if first_page is not None else self._client.get_json("/studies", params)
        tokens_seen: set[str] = set()
        while True:
            studies = page.get("studies")
            if not isinstance(studies, list):
                raise UpstreamError(
                    "GET /studies gave a page without a studies list; the API may have changed"
                )
            yield from studies
            token = page.get("nextPageToken")
            if not token:  # the last page has no token (it may be empty, and so may a page before it)
                return
            if token in tokens_seen:
                raise UpstreamError(
                    f"GET /studies sent page token {token!r} twice; stopped instead of looping"
                )
            tokens_seen.add(token)
            page = self._next_page(params, str(token))

    def _next_page(self, params: dict[str, str], token: str) -> dict[str, Any]:
        try:
            # The API wants every later page to repeat the first page's parameters.
            return self._client.get_json("/studies", {**params, "pageToken": token})
        except BadRequest as refusal:
            raise UpstreamError(f"GET /studies refused page token {token!r}: {refusal.reason}") from refusal

    # -- one ID ----------------------------------------------------------------------------------------

    def _iter_one(self, nct_id: str, yielded: set[str]) -> Iterator[Study]:
        """Resolve an ID its batch did not answer: the study, an alias (301), unknown (404), refused (400)."""
        try:
            study = self._client.get_json(f"/studies/{nct_id}", {"format": "json"})
        except NotFound:
            self.report.not_found.append(nct_id)
            return
        except BadRequest as refusal:
            self.report.rejected[nct_id] = refusal.reason
            return
        except Moved as moved:
            real_id = _nct_id_in_location(moved)
            self.report.aliases[nct_id] = real_id
            if real_id in yielded:
                return
            try:
                study = self._client.get_json(f"/studies/{real_id}", {"format": "json"})
            except NotFound:  # the record went away between the redirect and now
                self.report.not_found.append(nct_id)
                return
        self._match(study, {nct_id})
        yield from self._once(study, yielded)


def _nct_id_in_location(moved: Moved) -> str:
    real_id = urlsplit(moved.location).path.rstrip("/").rsplit("/", 1)[-1].upper()
    if not is_nct_id(real_id):
        raise UpstreamError(f"{moved}: no NCT ID in the redirect; the API may have changed")
    return real_id
