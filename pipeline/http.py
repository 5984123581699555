"""The one place that builds HTTP sessions and talks to ClinicalTrials.gov.

Everything that goes over the wire passes ``ApiClient``: the User-Agent, the timeouts, a client-side rate
limit and the retry policy (tenacity, driven by ``Settings.retry``). What it retries is what is known to be
transient: 429 (honouring ``Retry-After``), 5xx, connection errors, timeouts, bodies cut short and bodies that
are not the JSON that was asked for. Other 4xx are the caller's business and are never retried: they raise
``NotFound`` (404), ``BadRequest`` (400) or ``ClientError``, and a redirect the caller did not want to follow
raises ``Moved``. After the last attempt, or once the time budget is spent, ``UpstreamUnavailable`` says what
failed and what to do.

Time comes from an injectable ``Clock`` so tests run backoff and rate limiting without sleeping, and
``RequestStats`` counts requests and retries by reason for the sync run ledger.
"""

from __future__ import annotations

import http.client
import logging
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Protocol, Self

import requests
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception_type
from urllib3.exceptions import ReadTimeoutError

import pipeline
from pipeline.errors import BadRequest, ClientError, Moved, NotFound, UpstreamError, UpstreamUnavailable
from pipeline.settings import RetryPolicy, Settings

USER_AGENT = f"ctsync/{pipeline.__version__} (+https://github.com/ctsync)"
log = logging.getLogger(__name__)


class Clock(Protocol):
    """Where the client reads the time and how it waits; tests pass a fake one that never sleeps."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class RequestStats:
    """What one client did on the wire: each attempt is a request; ``retry_reasons`` sums to ``retries``."""

    requests: int = 0
    retries: int = 0
    retry_reasons: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy for the run ledger."""
        return {"requests": self.requests, "retries": self.retries, "retry_reasons": dict(self.retry_reasons)}


class _Transient(Exception):
    """One failed attempt worth another; ``reason`` is the key counted in ``RequestStats.retry_reasons``."""

    def __init__(self, reason: str, detail: str, retry_after: float | None = None) -> None:
        self.reason = reason
        self.detail = detail
        self.retry_after = retry_after
        super().__init__(detail)


def build_session(settings: Settings) -> requests.Session:
    """A session that names ctsync, asks for gzip'd JSON, and leaves every retry to ``ApiClient``."""
    session = requests.Session()
    session.headers.update(
        {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "gzip"}
    )
    # urllib3 must not retry behind our back, or RequestStats and the time budget would lie.
    adapter = HTTPAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class RateLimiter:
    """Spaces requests at least ``1/rate`` seconds apart (robots.txt asks one second); rate <= 0 disables."""

    def __init__(self, rate: float, clock: Clock) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._next_allowed: float | None = None

    def wait(self) -> None:
        """Block (on the clock) until the next request may go out, and book that slot."""
        if self._interval == 0.0:
            return
        now = self._clock.monotonic()
        if self._next_allowed is not None and now < self._next_allowed:
            self._clock.sleep(self._next_allowed - now)
            now = self._next_allowed
        self._next_allowed = now + self._interval


def parse_retry_after(value: str | None, server_date: str | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds, or an HTTP-date.

    An HTTP-date is measured against the answer's own ``Date`` header when there is one, so a skewed local
    clock does not stretch or shrink the wait.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    until = _parse_http_date(value)
    if until is None:
        return None
    now = _parse_http_date(server_date) if server_date else None
    return max(0.0, (until - (now or datetime.now(UTC))).total_seconds())


def _parse_http_date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def backoff_seconds(policy: RetryPolicy, failed_attempts: int) -> float:
    """``backoff_initial * 2**(n-1)`` plus up to ``jitter`` random seconds, never above ``backoff_max``.

    The jitter spreads the retries of many clients (or many cron hosts) so they do not hit the API in step.
    """
    exponential = policy.backoff_initial * 2.0 ** (failed_attempts - 1)
    return min(exponential + random.uniform(0.0, policy.jitter), policy.backoff_max)


def body_is_complete(response: requests.Response) -> bool:
    """False when an uncompressed body is shorter than its ``Content-Length``.

    urllib3 2 already refuses such bodies (``enforce_content_length``); this check keeps us honest if a
    transport ever stops doing so. A content-encoded body is measured before decoding, so it is skipped here.
    """
    declared = response.headers.get("Content-Length", "")
    if not declared.isdigit() or response.headers.get("Content-Encoding", "identity") != "identity":
        return True
    return len(response.content) >= int(declared)


_OS_ERROR = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def _one_line(exc: BaseException, limit: int = 120) -> str:
    """requests' messages nest urllib3's; keep the part a person needs ("Connection refused"), on one line."""
    text = " ".join(str(exc).split())
    found = _OS_ERROR.search(text)
    if found:
        return found.group(1).strip()
    if "timed out" in text.lower():
        return "no answer in time"
    return text[:limit]


def _first_line(text: str, limit: int = 200) -> str:
    lines = text.strip().splitlines()
    return lines[0][:limit] if lines else "(empty body)"


class ApiClient:
    """Rate-limited, retrying GETs against ``settings.api_url``; use one client per run and read ``stats``."""

    def __init__(
        self, settings: Settings, session: requests.Session | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.stats = RequestStats()
        self._base_url = settings.api_url.rstrip("/")
        self._session = session or build_session(settings)
        self._clock = clock or SystemClock()
        self._rate_limiter = RateLimiter(settings.rate, self._clock)

    def get(
        self,
        path: str,
        params: dict[str, str] | None = None,
        allow_redirects: bool = False,
        *,
        expect_json: bool = False,
    ) -> requests.Response:
        """GET ``path`` (relative to the API base), retrying what is transient; 2xx and 3xx are returned.

        Raises ``NotFound``/``BadRequest``/``ClientError`` for other 4xx and ``UpstreamUnavailable`` after
        the last retry.
        With ``expect_json`` a 2xx body that does not parse as JSON counts as a transient failure.
        """
        response, _ = self._send(path, params or {}, allow_redirects=allow_redirects, expect_json=expect_json)
        return response

    def get_json(
        self, path: str, params: dict[str, str] | None = None, *, base_url: str | None = None
    ) -> dict[str, Any]:
        """GET ``path`` and return its JSON object; a redirect raises ``Moved`` (never followed silently).

        ``base_url`` sends it to another API of the same service (the website's ``/api/int`` record
        history) through this same session, rate limit, retry policy and request count.
        """
        response, document = self._send(
            path, params or {}, allow_redirects=False, expect_json=True, base_url=base_url
        )
        if response.is_redirect:
            raise Moved(response.status_code, path, response.headers.get("Location", ""))
        if not isinstance(document, dict):
            raise UpstreamError(f"GET {path} returned JSON that is not an object; the API may have changed")
        return document

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _send(
        self,
        path: str,
        params: dict[str, str],
        *,
        allow_redirects: bool,
        expect_json: bool,
        base_url: str | None = None,
    ) -> tuple[requests.Response, Any]:
        started = self._clock.monotonic()
        retrying = Retrying(
            retry=retry_if_exception_type(_Transient),
            wait=self._wait_seconds,
            stop=lambda state: self._budget_spent(state, started),
            sleep=self._clock.sleep,
            before_sleep=lambda state: self._count_retry(state, path),
        )
        try:
            return retrying(self._attempt, path, params, allow_redirects, expect_json, base_url)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise UpstreamUnavailable(
                self._give_up_message(path, exc.last_attempt.attempt_number, started, last)
            ) from last

    def _attempt(
        self,
        path: str,
        params: dict[str, str],
        allow_redirects: bool,
        expect_json: bool,
        base_url: str | None = None,
    ) -> tuple[requests.Response, Any]:
        self._rate_limiter.wait()
        self.stats.requests += 1
        response = self._request(path, params, allow_redirects, base_url)
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), response.headers.get("Date"))
            raise _Transient(str(status), f"{status} {_first_line(response.text)}", retry_after)
        if status == 404:
            raise NotFound(status, path, _first_line(response.text))
        if status == 400:
            raise BadRequest(status, path, _first_line(response.text))
        if status >= 400:
            raise ClientError(status, path, _first_line(response.text))
        if expect_json and status < 300:
            return response, _parse_json(response)
        return response, None

    def _request(
        self, path: str, params: dict[str, str], allow_redirects: bool, base_url: str | None = None
    ) -> requests.Response:
        """One HTTP exchange with the whole body read, every transport failure turned into ``_Transient``."""
        settings = self.settings
        try:
            response = self._session.get(
                (base_url or self._base_url).rstrip("/") + path,
                params=params,
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=allow_redirects,
            )
        except requests.Timeout as exc:
            raise _Transient("timeout", f"timed out ({_one_line(exc)})") from exc
        except (requests.exceptions.ChunkedEncodingError, http.client.IncompleteRead) as exc:
            raise _Transient("truncated", f"body cut short ({_one_line(exc)})") from exc
        except requests.exceptions.ContentDecodingError as exc:
            raise _Transient("truncated", f"body could not be decoded ({_one_line(exc)})") from exc
        except requests.ConnectionError as exc:
            # A read timeout while the body streams in surfaces as a ConnectionError; it is still a timeout.
            reason = "timeout" if _caused_by_read_timeout(exc) else "connection"
            raise _Transient(reason, f"{reason} error ({_one_line(exc)})") from exc
        if not body_is_complete(response):
            declared = response.headers["Content-Length"]
            raise _Transient("truncated", f"body cut short ({len(response.content)} of {declared} bytes)")
        return response

    def _wait_seconds(self, state: RetryCallState) -> float:
        """``Retry-After`` when the server gave one (capped), else jittered exponential backoff."""
        failure = state.outcome.exception() if state.outcome else None
        policy = self.settings.retry
        if isinstance(failure, _Transient) and failure.retry_after is not None:
            return min(failure.retry_after, policy.retry_after_cap)
        return backoff_seconds(policy, state.attempt_number)

    def _budget_spent(self, state: RetryCallState, started: float) -> bool:
        """Stop at the attempt cap, or when the coming wait would end past the total time budget."""
        policy: RetryPolicy = self.settings.retry
        if state.attempt_number >= policy.max_attempts:
            return True
        elapsed = self._clock.monotonic() - started
        return elapsed + (state.upcoming_sleep or 0.0) > policy.max_total_seconds

    def _count_retry(self, state: RetryCallState, path: str) -> None:
        failure = state.outcome.exception() if state.outcome else None
        reason = failure.reason if isinstance(failure, _Transient) else "other"
        self.stats.retries += 1
        self.stats.retry_reasons[reason] += 1
        log.warning("GET %s failed (%s); retrying in %.1fs", path, failure, state.upcoming_sleep)

    def _give_up_message(self, path: str, attempts: int, started: float, last: BaseException | None) -> str:
        elapsed = self._clock.monotonic() - started
        return (
            f"ClinicalTrials.gov still failing after {attempts} attempt(s) in {elapsed:.0f}s "
            f"(GET {path}: {last}); try again later, or lower --rate if it keeps answering 429"
        )


def _parse_json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        snippet = _first_line(response.text, 80)
        raise _Transient("invalid-json", f"answer is not valid JSON ({snippet!r})") from exc


def _caused_by_read_timeout(exc: requests.ConnectionError) -> bool:
    return any(isinstance(arg, ReadTimeoutError) for arg in exc.args)
