"""The HTTP layer: each retry rule counted call by call, the rate limit and the waits on an injected clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

import pytest
import requests
import responses
from conftest import FakeClock

from pipeline.errors import BadRequest, ClientError, Moved, NotFound, UpstreamError, UpstreamUnavailable
from pipeline.http import (
    USER_AGENT,
    ApiClient,
    RateLimiter,
    RequestStats,
    body_is_complete,
    build_session,
    parse_retry_after,
)
from pipeline.settings import RetryPolicy, Settings

BASE = "http://127.0.0.1:9/api/v2"
STUDIES = f"{BASE}/studies"
OK_PAGE: dict[str, list[object]] = {"studies": []}


def make_settings(rate: float = 0.0, **retry: Any) -> Settings:
    policy = replace(RetryPolicy(max_attempts=5, backoff_initial=1.0, backoff_max=60.0, jitter=0.0), **retry)
    return Settings(api_url=BASE, rate=rate, connect_timeout=3.0, read_timeout=7.0, retry=policy)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> Iterator[ApiClient]:
    with ApiClient(make_settings(), clock=clock) as api_client:
        yield api_client


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def test_503_503_200_is_three_calls(
    client: ApiClient, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    """Two 503s then a 200 cost exactly three calls, with exponential waits of 1 s then 2 s."""
    mocked.get(STUDIES, status=503, body="Service Unavailable")
    mocked.get(STUDIES, status=503, body="Service Unavailable")
    mocked.get(STUDIES, json=OK_PAGE)
    assert client.get_json("/studies") == OK_PAGE
    assert len(mocked.calls) == 3
    assert clock.sleeps == [1.0, 2.0]
    assert client.stats == RequestStats(requests=3, retries=2, retry_reasons=Counter({"503": 2}))


def test_404_is_one_call(client: ApiClient, clock: FakeClock, mocked: responses.RequestsMock) -> None:
    """A 404 is never retried and surfaces as NotFound carrying the API's reason."""
    mocked.get(f"{BASE}/studies/NCT00000001", status=404, body="Study NCT00000001 not found")
    with pytest.raises(NotFound) as caught:
        client.get_json("/studies/NCT00000001")
    assert len(mocked.calls) == 1
    assert clock.sleeps == []
    assert (caught.value.status, caught.value.reason) == (404, "Study NCT00000001 not found")


def test_400_is_one_call(client: ApiClient, clock: FakeClock, mocked: responses.RequestsMock) -> None:
    """A 400 is never retried and surfaces as BadRequest with the first line of the text/plain body."""
    mocked.get(STUDIES, status=400, body="filter.ids: invalid NCT number 'NCT0'\nmore detail")
    with pytest.raises(BadRequest) as caught:
        client.get_json("/studies", {"filter.ids": "NCT0"})
    assert len(mocked.calls) == 1
    assert clock.sleeps == []
    assert str(caught.value) == (
        "ClinicalTrials.gov answered 400 to GET /studies: filter.ids: invalid NCT number 'NCT0'"
    )


def test_other_4xx_is_one_call(client: ApiClient, mocked: responses.RequestsMock) -> None:
    """A 403 is neither retried nor mistaken for a missing study: it is a plain ClientError."""
    mocked.get(STUDIES, status=403, body="Forbidden")
    with pytest.raises(ClientError) as caught:
        client.get_json("/studies")
    assert type(caught.value) is ClientError
    assert len(mocked.calls) == 1
    assert client.stats.retries == 0


def test_429_waits_retry_after_seconds(
    client: ApiClient, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    """A 429 with Retry-After: 2 waits exactly 2 seconds on the injected clock, then succeeds."""
    mocked.get(STUDIES, status=429, body="Too Many Requests", headers={"Retry-After": "2"})
    mocked.get(STUDIES, json=OK_PAGE)
    assert client.get_json("/studies") == OK_PAGE
    assert len(mocked.calls) == 2
    assert clock.sleeps == [2.0]
    assert client.stats.retry_reasons == {"429": 1}


def test_429_retry_after_http_date_is_measured_against_server_date(
    client: ApiClient, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    """A Retry-After HTTP-date waits until that moment as the server's Date header counts time."""
    headers = {"Retry-After": "Wed, 21 Oct 2026 07:28:05 GMT", "Date": "Wed, 21 Oct 2026 07:28:00 GMT"}
    mocked.get(STUDIES, status=429, headers=headers)
    mocked.get(STUDIES, json=OK_PAGE)
    client.get_json("/studies")
    assert clock.sleeps == [5.0]


def test_429_retry_after_is_capped(clock: FakeClock, mocked: responses.RequestsMock) -> None:
    """A Retry-After longer than retry_after_cap waits only the cap."""
    mocked.get(STUDIES, status=429, headers={"Retry-After": "3600"})
    mocked.get(STUDIES, json=OK_PAGE)
    ApiClient(make_settings(retry_after_cap=30.0), clock=clock).get_json("/studies")
    assert clock.sleeps == [30.0]


def test_truncated_body_is_retried(client: ApiClient, mocked: responses.RequestsMock) -> None:
    """A body shorter than its Content-Length is retried and counted as 'truncated'."""
    mocked.get(STUDIES, body=b'{"studies": [', headers={"Content-Length": "500"})
    mocked.get(STUDIES, json=OK_PAGE)
    assert client.get_json("/studies") == OK_PAGE
    assert len(mocked.calls) == 2
    assert client.stats.retry_reasons == {"truncated": 1}


def test_chunked_encoding_error_is_retried(client: ApiClient, mocked: responses.RequestsMock) -> None:
    """A connection broken mid-body (ChunkedEncodingError) is retried as 'truncated'."""
    mocked.get(STUDIES, body=requests.exceptions.ChunkedEncodingError("Connection broken"))
    mocked.get(STUDIES, json=OK_PAGE)
    assert client.get_json("/studies") == OK_PAGE
    assert len(mocked.calls) == 2
    assert client.stats.retry_reasons == {"truncated": 1}


def test_invalid_json_is_retried(client: ApiClient, mocked: responses.RequestsMock) -> None:
    """A 200 whose body is not JSON, where JSON was asked for, is retried as 'invalid-json'."""
    mocked.get(STUDIES, body="<html>maintenance</html>", content_type="text/html")
    mocked.get(STUDIES, json=OK_PAGE)
    assert client.get_json("/studies") == OK_PAGE
    assert len(mocked.calls) == 2
    assert client.stats.retry_reasons == {"invalid-json": 1}


def test_non_json_body_is_fine_when_json_was_not_asked_for(
    client: ApiClient, mocked: responses.RequestsMock
) -> None:
    """get() without expect_json returns a non-JSON 200 after one call."""
    mocked.get(STUDIES, body="a,b\n1,2", content_type="text/csv")
    assert client.get("/studies").text == "a,b\n1,2"
    assert len(mocked.calls) == 1


def test_connection_error_and_timeout_are_retried(client: ApiClient, mocked: responses.RequestsMock) -> None:
    """A refused connection and a read timeout are each retried and counted under their own reason."""
    mocked.get(STUDIES, body=requests.exceptions.ConnectionError("refused"))
    mocked.get(STUDIES, body=requests.exceptions.ReadTimeout("read timed out"))
    mocked.get(STUDIES, json=OK_PAGE)
    assert client.get_json("/studies") == OK_PAGE
    assert len(mocked.calls) == 3
    assert client.stats.retry_reasons == {"connection": 1, "timeout": 1}


def test_exhausted_attempts_raise_upstream_unavailable(
    clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    """After max_attempts failures the client gives up with one line saying what failed and what to do."""
    for _ in range(3):
        mocked.get(STUDIES, status=503, body="Service Unavailable")
    client = ApiClient(make_settings(max_attempts=3), clock=clock)
    with pytest.raises(UpstreamUnavailable) as caught:
        client.get_json("/studies")
    assert len(mocked.calls) == 3
    assert str(caught.value) == (
        "ClinicalTrials.gov still failing after 3 attempt(s) in 3s (GET /studies: 503 Service Unavailable); "
        "try again later, or lower --rate if it keeps answering 429"
    )
    assert client.stats == RequestStats(requests=3, retries=2, retry_reasons=Counter({"503": 2}))


def test_total_time_cap_stops_before_attempt_cap(clock: FakeClock, mocked: responses.RequestsMock) -> None:
    """With 10 attempts allowed but a 5 s budget, waits of 1 s and 2 s fit and the next 4 s does not."""
    mocked.get(STUDIES, status=502, body="Bad Gateway")
    client = ApiClient(make_settings(max_attempts=10, max_total_seconds=5.0), clock=clock)
    with pytest.raises(UpstreamUnavailable):
        client.get_json("/studies")
    assert len(mocked.calls) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_rate_limit_spaces_requests(clock: FakeClock, mocked: responses.RequestsMock) -> None:
    """At 4 requests per second, three requests leave at 0, 0.25 and 0.5 s on the injected clock."""
    sent_at: list[float] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        sent_at.append(clock.now)
        return 200, {}, '{"studies": []}'

    mocked.add_callback(responses.GET, STUDIES, callback=answer)
    client = ApiClient(make_settings(rate=4.0), clock=clock)
    for _ in range(3):
        client.get_json("/studies")
    assert sent_at == [0.0, 0.25, 0.5]
    assert clock.sleeps == [0.25, 0.25]


def test_rate_limiter_does_not_wait_when_time_already_passed(clock: FakeClock) -> None:
    """A backoff longer than the rate interval leaves nothing for the rate limiter to wait."""
    limiter = RateLimiter(1.0, clock)
    limiter.wait()
    clock.sleep(3.0)
    limiter.wait()
    assert clock.sleeps == [3.0]


def test_session_names_ctsync_and_asks_for_gzipped_json(
    client: ApiClient, mocked: responses.RequestsMock
) -> None:
    """Every request carries the ctsync User-Agent, Accept-Encoding gzip, Accept JSON and both timeouts."""
    mocked.get(STUDIES, json=OK_PAGE)
    client.get_json("/studies", {"format": "json"})
    sent = mocked.calls[0].request
    assert sent.headers["User-Agent"] == "ctsync/0.1.0 (+https://github.com/ctsync)" == USER_AGENT
    assert (sent.headers["Accept-Encoding"], sent.headers["Accept"]) == ("gzip", "application/json")
    assert cast(Any, sent).req_kwargs["timeout"] == (3.0, 7.0)
    assert sent.url == f"{STUDIES}?format=json"


def test_build_session_disables_urllib3_retries() -> None:
    """urllib3 never retries on its own, so every attempt is one the client counted."""
    adapter = build_session(make_settings()).get_adapter("https://clinicaltrials.gov/api/v2")
    assert isinstance(adapter, requests.adapters.HTTPAdapter)
    assert adapter.max_retries.total == 0


def test_redirect_is_returned_by_get_and_raised_by_get_json(
    client: ApiClient, mocked: responses.RequestsMock
) -> None:
    """A 301 is not followed: get() returns it, get_json() raises Moved with the Location."""
    location = "/api/v2/studies/NCT01788527"
    for _ in range(2):
        mocked.get(f"{BASE}/studies/NCT01734031", status=301, headers={"Location": location})
    assert client.get("/studies/NCT01734031").status_code == 301
    with pytest.raises(Moved) as caught:
        client.get_json("/studies/NCT01734031")
    assert caught.value.location == location
    assert len(mocked.calls) == 2


def test_json_that_is_not_an_object_is_an_upstream_error(
    client: ApiClient, mocked: responses.RequestsMock
) -> None:
    """Valid JSON of the wrong shape is not retried: it is a terminal UpstreamError."""
    mocked.get(STUDIES, json=[1, 2])
    with pytest.raises(UpstreamError, match="not an object"):
        client.get_json("/studies")
    assert len(mocked.calls) == 1


def test_parse_retry_after_forms() -> None:
    """Retry-After reads delay-seconds and HTTP-dates (past dates wait 0); anything else means no hint."""
    server_now = "Wed, 21 Oct 2026 07:28:00 GMT"
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("Wed, 21 Oct 2026 07:29:00 GMT", server_now) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2026 07:27:00 GMT", server_now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_body_is_complete_only_measures_unencoded_bodies() -> None:
    """A short identity body is incomplete; a gzip body is left to urllib3, which counts raw bytes."""
    response = requests.Response()
    response._content = b"abc"
    response.headers["Content-Length"] = "10"
    assert body_is_complete(response) is False
    response.headers["Content-Encoding"] = "gzip"
    assert body_is_complete(response) is True


def test_give_up_message_is_one_line_for_transport_errors(
    clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    """Giving up after connection errors names the reason on a single line."""
    mocked.get(STUDIES, body=requests.exceptions.ConnectionError("Connection aborted.\n  RemoteDisconnected"))
    client = ApiClient(make_settings(max_attempts=2), clock=clock)
    with pytest.raises(UpstreamUnavailable) as caught:
        client.get_json("/studies")
    assert str(caught.value) == (
        "ClinicalTrials.gov still failing after 2 attempt(s) in 1s (GET /studies: connection error "
        "(Connection aborted. RemoteDisconnected)); "
        "try again later, or lower --rate if it keeps answering 429"
    )
    assert client.stats.retry_reasons == {"connection": 1}
