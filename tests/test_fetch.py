"""Fetching by NCT ID: request economy (counted), aliases, misses, bisection, paging guards, faults, and the
incremental plan choice, against the loopback stand-in serving real records."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from conftest import FakeClock

from pipeline.errors import UpstreamError, UsageError
from pipeline.fetch import (
    ID_CHUNK_SIZE,
    PLAN_ID_CHUNKS,
    PLAN_REGISTRY_WIDE,
    URL_LIMIT_BYTES,
    Fetcher,
    validate_nct_ids,
)
from pipeline.http import ApiClient
from pipeline.settings import RetryPolicy, Settings
from pipeline.standin import StandIn, with_last_update_post_date

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
VERSIONS = ROOT / "tests" / "fixtures" / "versions"
SAMPLE_IDS = sorted(path.stem for path in SAMPLE.glob("*.json"))
# The sample studies last posted on or after 2025-11-01, in NCT ID order.
UPDATED_SINCE_NOV_2025 = ["NCT03549754", "NCT03887936", "NCT05766735", "NCT06151964", "NCT06972472"]
FAKE_BASE = "http://127.0.0.1:9/api/v2"


def read_json(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def nct_id(study: dict[str, Any]) -> str:
    value: str = study["protocolSection"]["identificationModule"]["nctId"]
    return value


def make_client(api_url: str, clock: FakeClock, read_timeout: float = 5.0) -> ApiClient:
    policy = RetryPolicy(
        max_attempts=4, max_total_seconds=60.0, backoff_initial=0.5, backoff_max=2.0, jitter=0.0
    )
    return ApiClient(
        Settings(api_url=api_url, rate=0.0, read_timeout=read_timeout, retry=policy), clock=clock
    )


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn(SAMPLE) as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(standin: StandIn, clock: FakeClock) -> Iterator[ApiClient]:
    with make_client(standin.url, clock) as api_client:
        yield api_client


def test_chunk_size_keeps_the_url_under_8_kb() -> None:
    """A full chunk with a date filter and a long page token still builds a URL well under 8 KB."""
    ids = [f"NCT{number:08d}" for number in range(10_000_000, 10_000_000 + ID_CHUNK_SIZE)]
    params = {
        "format": "json",
        "filter.ids": ",".join(ids),
        "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]",
        "pageSize": "1000",
        "pageToken": "Z" * 64,
    }
    url = requests.Request("GET", "https://clinicaltrials.gov/api/v2/studies", params=params).prepare().url
    assert ID_CHUNK_SIZE == 512
    assert url is not None and len(url) == 7391 < URL_LIMIT_BYTES


def test_validate_nct_ids_cleans_and_names_every_malformed_id() -> None:
    """IDs are stripped, uppercased and deduped in order; every malformed one is named in one line."""
    assert validate_nct_ids([" nct05766735", "NCT00841061 ", "NCT05766735"]) == ["NCT05766735", "NCT00841061"]
    with pytest.raises(UsageError) as caught:
        validate_nct_ids(["NCT05766735", "NCT123", "", "ABC00000001", "NCT123"])
    assert str(caught.value) == (
        "malformed NCT ID(s): 'NCT123', '', 'ABC00000001'; "
        "an NCT ID is NCT followed by 8 digits, e.g. NCT01788527"
    )


def test_malformed_id_fails_before_any_request(standin: StandIn, client: ApiClient) -> None:
    """iter_studies refuses a malformed ID before a single request goes out."""
    with pytest.raises(UsageError):
        list(Fetcher(client).iter_studies(["NCT05766735", "12345"]))
    assert standin.requests == []


def test_all_sample_ids_in_one_request(standin: StandIn, client: ApiClient) -> None:
    """38 IDs fit one chunk and one page of 1000: one request, every study once, in NCT ID order."""
    fetcher = Fetcher(client)
    studies = list(fetcher.iter_studies(SAMPLE_IDS))
    assert [nct_id(study) for study in studies] == SAMPLE_IDS
    assert studies[0] == read_json(SAMPLE / "NCT00002708.json")
    assert standin.requests == [
        ("/studies", {"format": "json", "filter.ids": ",".join(SAMPLE_IDS), "pageSize": "1000"})
    ]
    assert fetcher.report.stats.requests == 1


def test_small_chunks_and_pages_cost_chunks_plus_extra_pages(standin: StandIn, client: ApiClient) -> None:
    """38 IDs in chunks of 10 with pages of 4 cost ceil(38/10)=4 first pages plus 8 follow-up pages."""
    fetcher = Fetcher(client, chunk_size=10, page_size=4)
    studies = list(fetcher.iter_studies(SAMPLE_IDS))
    assert [nct_id(study) for study in studies] == SAMPLE_IDS
    # Chunks of 10 take pages 4+4+2; the last chunk of 8 takes 4+4 and then an empty page.
    assert len(standin.requests) == math.ceil(38 / 10) + 8 == 12
    follow_up = standin.requests[1][1]
    assert follow_up == {**standin.requests[0][1], "pageToken": follow_up["pageToken"]}
    assert fetcher.report.stats.requests == 12


def test_empty_last_page_ends_the_stream(standin: StandIn, client: ApiClient) -> None:
    """When the last page is full, the token leads to an empty page without a token, and fetching stops."""
    fetcher = Fetcher(client, page_size=2)
    studies = list(fetcher.iter_studies(["NCT00002708", "NCT00184067", "NCT00276835", "NCT00286637"]))
    assert len(studies) == 4
    assert len(standin.requests) == 3
    assert standin.responses == {"200": 3}


def test_unknown_id_costs_one_extra_request(standin: StandIn, client: ApiClient) -> None:
    """An ID absent from the batch is looked up alone once; its 404 lands in report.not_found."""
    fetcher = Fetcher(client)
    studies = list(fetcher.iter_studies(["NCT05766735", "NCT99999999", "NCT00841061"]))
    assert [nct_id(study) for study in studies] == ["NCT00841061", "NCT05766735"]
    assert fetcher.report.not_found == ["NCT99999999"]
    assert [path for path, _ in standin.requests] == ["/studies", "/studies/NCT99999999"]


def test_alias_answered_by_the_batch_is_recorded_not_refetched(standin: StandIn, client: ApiClient) -> None:
    """An alias in filter.ids brings back the real record; the alias is recorded and nothing refetched."""
    fetcher = Fetcher(client)
    studies = list(fetcher.iter_studies(["NCT01734031"]))
    assert studies == [read_json(SAMPLE / "NCT01788527.json")]
    assert fetcher.report.aliases == {"NCT01734031": "NCT01788527"}
    assert fetcher.report.not_found == []
    assert len(standin.requests) == 1


def test_alias_and_real_id_yield_one_record(standin: StandIn, client: ApiClient) -> None:
    """Asking for an alias and its real ID, even in different chunks, yields the real record once."""
    fetcher = Fetcher(client, chunk_size=1)
    studies = list(fetcher.iter_studies(["NCT01788527", "NCT01734031"]))
    assert [nct_id(study) for study in studies] == ["NCT01788527"]
    assert fetcher.report.aliases == {"NCT01734031": "NCT01788527"}
    assert len(standin.requests) == 2


def test_alias_missing_from_the_batch_follows_the_301_once(clock: FakeClock) -> None:
    """An alias the batch did not answer is resolved through its 301: three calls, alias recorded."""
    record = read_json(SAMPLE / "NCT01788527.json")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        mocked.get(f"{FAKE_BASE}/studies", json={"studies": []})
        mocked.get(
            f"{FAKE_BASE}/studies/NCT01734031",
            status=301,
            headers={"Location": "https://clinicaltrials.gov/api/v2/studies/NCT01788527?format=json"},
        )
        mocked.get(f"{FAKE_BASE}/studies/NCT01788527", json=record)
        fetcher = Fetcher(make_client(FAKE_BASE, clock))
        assert list(fetcher.iter_studies(["NCT01734031"])) == [record]
        assert len(mocked.calls) == 3
    assert fetcher.report.aliases == {"NCT01734031": "NCT01788527"}


def test_bad_id_in_a_batch_is_isolated_by_bisection(standin: StandIn, client: ApiClient) -> None:
    """NCT00000000 passes ctsync's check, not the API's: bisection rejects it alone and gets the other 7."""
    good = SAMPLE_IDS[:7]
    fetcher = Fetcher(client, chunk_size=8)
    studies = list(fetcher.iter_studies([*good, "NCT00000000"]))
    assert [nct_id(study) for study in studies] == good
    assert fetcher.report.rejected == {"NCT00000000": "filter.ids: invalid NCT number 'NCT00000000'"}
    assert fetcher.report.not_found == []
    # 8 refused; 4 good; 4 refused; 2 good; 2 refused; 1 good; 1 refused: 7 requests, no single-ID lookups.
    assert [len(params["filter.ids"].split(",")) for _, params in standin.requests] == [8, 4, 4, 2, 2, 1, 1]
    assert standin.responses == {"400": 4, "200": 3}


def test_repeated_page_token_raises_instead_of_looping(clock: FakeClock) -> None:
    """A nextPageToken seen before stops the fetch with UpstreamError after two pages."""
    record = read_json(SAMPLE / "NCT00841061.json")
    with responses.RequestsMock() as mocked:
        mocked.get(f"{FAKE_BASE}/studies", json={"studies": [record], "nextPageToken": "abc"})
        fetcher = Fetcher(make_client(FAKE_BASE, clock))
        with pytest.raises(UpstreamError, match="sent page token 'abc' twice"):
            list(fetcher.iter_studies(["NCT00841061"]))
        assert len(mocked.calls) == 2


def test_empty_page_with_a_token_is_followed(clock: FakeClock) -> None:
    """The spec allows an empty page mid-stream: only a page without nextPageToken ends the stream."""
    record = read_json(SAMPLE / "NCT00841061.json")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        mocked.get(f"{FAKE_BASE}/studies", json={"studies": [], "nextPageToken": "t1"})
        mocked.get(f"{FAKE_BASE}/studies", json={"studies": [record]})
        fetcher = Fetcher(make_client(FAKE_BASE, clock))
        assert list(fetcher.iter_studies(["NCT00841061"])) == [record]
        assert mocked.calls[1].request.url == (
            f"{FAKE_BASE}/studies?format=json&filter.ids=NCT00841061&pageSize=1000&pageToken=t1"
        )


FAULTS = [
    pytest.param("429", 2, {"retry_after": "2"}, {"429": 2}, [2.0, 2.0], id="429"),
    pytest.param("503", 3, {}, {"503": 3}, [0.5, 1.0, 2.0], id="503-burst"),
    pytest.param("drop", 2, {}, {"connection": 2}, [0.5, 1.0], id="drop"),
    pytest.param("truncate", 2, {}, {"truncated": 2}, [0.5, 1.0], id="truncate"),
    pytest.param("slow", 1, {"delay": 0.75}, {"timeout": 1}, [0.5], id="slow"),
]


@pytest.mark.parametrize(("fault", "count", "options", "reasons", "sleeps"), FAULTS)
def test_faults_do_not_change_the_result(
    standin: StandIn,
    clock: FakeClock,
    fault: str,
    count: int,
    options: dict[str, Any],
    reasons: dict[str, int],
    sleeps: list[float],
) -> None:
    """With each fault injected the fetch yields exactly the fault-free result, after the expected retries."""
    ids = [*SAMPLE_IDS[:12], "NCT01734031", "NCT99999999"]
    baseline_fetcher = Fetcher(make_client(standin.url, FakeClock()), chunk_size=5, page_size=2)
    baseline = list(baseline_fetcher.iter_studies(ids))
    standin.inject(fault, count, **options)
    # 0.25 s is ages for a loopback answer of two studies, yet well short of the slow fault's delay.
    fetcher = Fetcher(make_client(standin.url, clock, read_timeout=0.25), chunk_size=5, page_size=2)
    assert list(fetcher.iter_studies(ids)) == baseline
    assert (fetcher.report.not_found, fetcher.report.aliases) == (
        baseline_fetcher.report.not_found,
        baseline_fetcher.report.aliases,
    )
    assert fetcher.report.stats.retry_reasons == Counter(reasons)
    assert fetcher.report.stats.requests == baseline_fetcher.report.stats.requests + count
    assert clock.sleeps == sleeps


def test_updated_since_picks_registry_wide_when_it_takes_fewer_pages(
    standin: StandIn, client: ApiClient
) -> None:
    """5 updated studies need 2 registry pages of 4, fewer than 3 ID chunks: the probe is page one of 2."""
    fetcher = Fetcher(client, chunk_size=1, page_size=4)
    tracked = ["NCT05766735", "NCT00002708", "NCT03549754"]
    studies = list(fetcher.iter_updated_since(date(2025, 11, 1), tracked))
    assert [nct_id(study) for study in studies] == ["NCT03549754", "NCT05766735"]
    assert fetcher.report.plan == PLAN_REGISTRY_WIDE
    advanced = "AREA[LastUpdatePostDate]RANGE[2025-11-01,MAX]"
    probe = {"format": "json", "filter.advanced": advanced, "countTotal": "true", "pageSize": "4"}
    assert standin.requests == [
        ("/studies", probe),
        ("/studies", {**probe, "pageToken": standin.requests[1][1]["pageToken"]}),
    ]


def test_updated_since_picks_id_chunks_when_they_take_fewer_pages(
    standin: StandIn, client: ApiClient
) -> None:
    """5 updated studies need 2 registry pages of 4, more than 1 ID chunk: probe, then the one chunk query."""
    fetcher = Fetcher(client, chunk_size=3, page_size=4)
    tracked = ["NCT05766735", "NCT00002708", "NCT03549754"]
    studies = list(fetcher.iter_updated_since(date(2025, 11, 1), tracked))
    assert [nct_id(study) for study in studies] == ["NCT03549754", "NCT05766735"]
    assert fetcher.report.plan == PLAN_ID_CHUNKS
    assert standin.requests[1] == (
        "/studies",
        {
            "format": "json",
            "filter.ids": "NCT05766735,NCT00002708,NCT03549754",
            "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2025-11-01,MAX]",
            "pageSize": "4",
        },
    )
    assert len(standin.requests) == 2
    assert fetcher.report.not_found == []


def test_updated_since_without_ids_pages_the_registry(standin: StandIn, client: ApiClient) -> None:
    """Without tracked IDs every updated study comes back, registry-wide, without a probe."""
    fetcher = Fetcher(client)
    studies = list(fetcher.iter_updated_since(date(2025, 11, 1)))
    assert [nct_id(study) for study in studies] == UPDATED_SINCE_NOV_2025
    assert fetcher.report.plan == PLAN_REGISTRY_WIDE
    assert len(standin.requests) == 1


def test_updated_since_sees_a_real_newer_version(clock: FakeClock) -> None:
    """With the 2025-05-07 version nothing changed since June; once the real 2026-04-09 one lands, it has."""
    older = read_json(VERSIONS / "NCT05766735@2025-05-07.json")
    newer = read_json(VERSIONS / "NCT05766735@2026-04-09.json")
    with StandIn([older]) as standin, make_client(standin.url, clock) as api_client:
        fetcher = Fetcher(api_client)
        assert list(fetcher.iter_updated_since(date(2025, 6, 1), ["NCT05766735"])) == []
        standin.set_record(newer)
        assert list(fetcher.iter_updated_since(date(2025, 6, 1), ["NCT05766735"])) == [newer]


def test_updated_since_maps_a_tracked_alias(standin: StandIn, client: ApiClient) -> None:
    """A tracked alias whose real record changed comes back under the real ID in both plans, as an alias."""
    standin.set_record(with_last_update_post_date(read_json(SAMPLE / "NCT01788527.json"), "2026-06-01"))
    # 6 updated studies: one page of 1000 fits the single chunk; pages of 2 would take 3, so ID chunks win.
    for page_size, plan in ((1000, PLAN_REGISTRY_WIDE), (2, PLAN_ID_CHUNKS)):
        fetcher = Fetcher(client, page_size=page_size)
        studies = list(fetcher.iter_updated_since(date(2025, 11, 1), ["NCT01734031"]))
        assert [nct_id(study) for study in studies] == ["NCT01788527"]
        assert (fetcher.report.plan, fetcher.report.aliases) == (plan, {"NCT01734031": "NCT01788527"})


def test_data_timestamp_comes_from_version(standin: StandIn, client: ApiClient) -> None:
    """data_timestamp() returns /version's dataTimestamp, as the stand-in currently reports it."""
    fetcher = Fetcher(client)
    assert fetcher.data_timestamp() == "2026-05-22T09:00:00"
    standin.set_data_timestamp("2026-06-02T09:00:00")
    assert fetcher.data_timestamp() == "2026-06-02T09:00:00"
    assert standin.requests == [("/version", {}), ("/version", {})]


def test_stats_are_the_clients(client: ApiClient) -> None:
    """The report's stats object is the client's own, so a run records every request of the fetch."""
    assert Fetcher(client).report.stats is client.stats


def test_truncated_plain_body_is_caught_and_retried(standin: StandIn, client: ApiClient) -> None:
    """A cut-off uncompressed answer (/version is too small to gzip) is detected and retried, not parsed."""
    standin.inject("truncate")
    assert Fetcher(client).data_timestamp() == "2026-05-22T09:00:00"
    assert standin.responses == {"truncate": 1, "200": 1}
    assert client.stats.retry_reasons == {"truncated": 1}
