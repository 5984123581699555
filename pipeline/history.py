"""ClinicalTrials.gov's own record history, read from the website's internal API. Only HTTP.

There is no official documentation; what is known (the R packages cthist and ctrdata use the same
endpoints, and one real answer is saved in ``tests/fixtures/history/``):

- ``GET /api/int/studies/{NCT}/history`` gives ``{"changes": [{"version": 0, "date": "2018-09-27",
  "status": "RECRUITING", "moduleLabels": [...]}, ...], ...}``: every posted version, 0-based, with the
  day it was submitted (QC; public posting follows by a day or more);
- ``GET /api/int/studies/{NCT}/history/{v}`` gives ``{"studyVersion": v, "study": {...}}``, the study in
  API v2's shape with its rich text in HTML.

Requests go through the run's one ``ApiClient`` (same session, rate limit, retries and request count)
with the internal API's base: ``--history-url``, or ``--api-url`` with its trailing ``/v2`` as ``/int``.
Whatever keeps one trial's history from being read is a ``HistoryFailure`` naming the reason and whether
the history API itself is out of reach (refused with 403, or unavailable after every retry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline.errors import ClientError, Moved, NotFound, UpstreamUnavailable, UsageError
from pipeline.http import ApiClient
from pipeline.settings import Settings

NO_HISTORY_MARK = "history summary"
"""The part of the error body ("No study NCTxxxxxxxx history summary") of a study without history."""


@dataclass(frozen=True)
class UpstreamVersion:
    """One entry of a trial's upstream version list."""

    version: int
    """ClinicalTrials.gov's version number, 0-based as the website's history tab counts."""
    submitted: date
    status: str | None
    module_labels: tuple[str, ...]


class HistoryFailure(Exception):
    """One trial's history could not be read; ``unreachable``: the history API itself is out of reach."""

    def __init__(self, nct_id: str, reason: str, *, unreachable: bool = False) -> None:
        self.nct_id = nct_id
        self.reason = reason
        self.unreachable = unreachable
        super().__init__(f"{nct_id}: {reason}")


def history_base_url(settings: Settings) -> str:
    """The internal API's base URL: ``history_url`` if given, else ``api_url`` with /v2 as /int."""
    if settings.history_url:
        return settings.history_url.rstrip("/")
    api_url = settings.api_url.rstrip("/")
    if not api_url.endswith("/v2"):
        raise UsageError(
            f"cannot derive the record history's URL from --api-url {api_url} (it does not end in /v2):"
            " give --history-url (CTSYNC_HISTORY_URL), e.g. https://clinicaltrials.gov/api/int"
        )
    return api_url.removesuffix("/v2") + "/int"


def fetch_versions(client: ApiClient, base_url: str, nct_id: str) -> list[UpstreamVersion]:
    """The trial's upstream version list, oldest first: one request."""
    document = _get(client, base_url, f"/studies/{nct_id}/history", nct_id)
    return parse_versions(nct_id, document)


def fetch_version(client: ApiClient, base_url: str, nct_id: str, version: int) -> dict[str, Any]:
    """The study as upstream version ``version`` posted it (API v2 shape, HTML rich text): one request."""
    document = _get(client, base_url, f"/studies/{nct_id}/history/{version}", nct_id)
    study = document.get("study")
    if document.get("studyVersion") != version or not isinstance(study, dict):
        raise HistoryFailure(
            nct_id, f"the answer for version {version} is not that version's study (the API may have changed)"
        )
    found = study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
    if found != nct_id:
        raise HistoryFailure(nct_id, f"the answer for version {version} is the study {found!r}, not {nct_id}")
    return study


def parse_versions(nct_id: str, document: dict[str, Any]) -> list[UpstreamVersion]:
    """The version list of a history answer; a missing, malformed or incomplete one is a failure."""
    changes = document.get("changes")
    if changes is None:
        message = " ".join(str(document.get(key, "")) for key in ("message", "error")).strip()
        raise HistoryFailure(nct_id, _no_history(message))
    if not isinstance(changes, list) or not changes:
        raise HistoryFailure(nct_id, "its history lists no versions (the API may have changed)")
    versions = [_version(nct_id, entry) for entry in changes]
    versions.sort(key=lambda item: item.version)
    numbers = [item.version for item in versions]
    if numbers != list(range(len(numbers))):
        raise HistoryFailure(
            nct_id,
            f"its history is incomplete: {len(numbers)} version(s) listed, numbered"
            f" {_ranges(numbers)} instead of 0-{len(numbers) - 1} (a truncated answer?)",
        )
    return versions


def _version(nct_id: str, entry: Any) -> UpstreamVersion:
    try:
        number, day = entry["version"], entry["date"]
        if not isinstance(number, int) or isinstance(number, bool):
            raise TypeError(number)
        labels = entry.get("moduleLabels") or []
        status = entry.get("status")
        return UpstreamVersion(
            number,
            date.fromisoformat(day),
            status if isinstance(status, str) else None,
            tuple(str(label) for label in labels),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise HistoryFailure(nct_id, f"its history has an unreadable entry: {str(entry)[:80]}") from None


def version_on(versions: list[UpstreamVersion], day: date) -> UpstreamVersion | None:
    """The upstream version current on ``day``: the last one submitted on or before it (None if none)."""
    before = [item for item in versions if item.submitted <= day]
    return max(before, key=lambda item: item.version) if before else None


def _get(client: ApiClient, base_url: str, path: str, nct_id: str) -> dict[str, Any]:
    try:
        return client.get_json(path, base_url=base_url)
    except NotFound as exc:
        if NO_HISTORY_MARK in exc.reason:
            raise HistoryFailure(nct_id, _no_history(exc.reason)) from None
        raise HistoryFailure(nct_id, f"the record history answered 404 ({exc.reason})") from None
    except ClientError as exc:
        if exc.status == 403:
            raise HistoryFailure(
                nct_id,
                "the record history refused ctsync (403); it has refused some HTTP clients at times:"
                " try again later",
                unreachable=True,
            ) from None
        raise HistoryFailure(nct_id, f"the record history refused the request: {exc}") from None
    except Moved as exc:
        raise HistoryFailure(nct_id, f"the record history moved it to {exc.location} (merged?)") from None
    except UpstreamUnavailable as exc:
        raise HistoryFailure(nct_id, f"the record history is unavailable: {exc}", unreachable=True) from None


def _no_history(message: str) -> str:
    said = f" ({message})" if message else ""
    return f"ClinicalTrials.gov keeps no record history for it{said}"


def _ranges(numbers: list[int]) -> str:
    shown = ", ".join(str(number) for number in numbers[:5])
    return shown + (f", … {numbers[-1]}" if len(numbers) > 5 else "")
