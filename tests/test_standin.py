"""The loopback stand-in answers like the API v2 for real records, and misbehaves exactly when told to.

These tests talk to it with the standard library's http.client, so they check the stand-in on its own,
independently of ctsync's HTTP client.
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from pipeline.standin import StandIn, load_studies, with_last_update_post_date

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
VERSIONS = ROOT / "tests" / "fixtures" / "versions"
PAGE_FILE = ROOT / "tests" / "fixtures" / "pages" / "sample_response.json"
SAMPLE_IDS = sorted(path.stem for path in SAMPLE.glob("*.json"))


def read_json(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn(SAMPLE) as running:
        yield running


def call(
    standin: StandIn, path: str, params: dict[str, str] | None = None, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    """One GET on a fresh connection: status, headers (lower-cased names) and the raw body."""
    url = urlsplit(standin.url)
    assert url.hostname is not None
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.request("GET", url.path + path + (f"?{urlencode(params)}" if params else ""))
        response = connection.getresponse()
        body = response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, body
    finally:
        connection.close()


def page(standin: StandIn, params: dict[str, str]) -> dict[str, Any]:
    status, _, body = call(standin, "/studies", params)
    assert status == 200, body
    document: dict[str, Any] = json.loads(body)
    return document


def nct_ids(document: dict[str, Any]) -> list[str]:
    return [study["protocolSection"]["identificationModule"]["nctId"] for study in document["studies"]]


def test_binds_loopback_on_an_ephemeral_port(standin: StandIn) -> None:
    """The URL names 127.0.0.1, a port the OS picked, and the /api/v2 base path."""
    url = urlsplit(standin.url)
    assert (url.scheme, url.hostname, url.path) == ("http", "127.0.0.1", "/api/v2")
    assert url.port is not None and url.port > 0


def test_single_study_is_the_file_as_given(standin: StandIn) -> None:
    """GET /studies/{id} returns the record exactly as its file holds it, as application/json."""
    status, headers, body = call(standin, "/studies/NCT00841061")
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body) == read_json(SAMPLE / "NCT00841061.json")


def test_single_study_alias_unknown_and_malformed(standin: StandIn) -> None:
    """An alias answers 301 to the real record, an unknown ID 404 and a malformed one 400, both text/plain."""
    status, headers, _ = call(standin, "/studies/NCT01734031", {"format": "json"})
    assert (status, headers["location"]) == (301, "/api/v2/studies/NCT01788527?format=json")
    status, headers, body = call(standin, "/studies/NCT00000001")
    assert (status, headers["content-type"], body) == (
        404,
        "text/plain; charset=utf-8",
        b"Study NCT00000001 not found",
    )
    status, headers, body = call(standin, "/studies/NCT0000000X")
    assert (status, body) == (400, b"Invalid NCT number: NCT0000000X")


def test_filter_ids_takes_commas_pipes_and_aliases(standin: StandIn) -> None:
    """filter.ids takes comma- or pipe-separated IDs, matches aliases and returns studies in NCT ID order."""
    by_comma = page(standin, {"filter.ids": "NCT05766735,NCT01734031"})
    by_pipe = page(standin, {"filter.ids": "NCT05766735|NCT01734031"})
    assert nct_ids(by_comma) == nct_ids(by_pipe) == ["NCT01788527", "NCT05766735"]
    assert set(by_comma) == {"studies"}


def test_one_malformed_id_fails_the_whole_list_request(standin: StandIn) -> None:
    """One ID outside the spec's pattern (here NCT00000000) turns the whole filter.ids request into a 400."""
    status, headers, body = call(standin, "/studies", {"filter.ids": "NCT05766735,NCT00000000"})
    assert (status, headers["content-type"]) == (400, "text/plain; charset=utf-8")
    assert body == b"filter.ids: invalid NCT number 'NCT00000000'"


def test_page_size_defaults_to_10_and_is_capped_at_1000(standin: StandIn) -> None:
    """Without pageSize a page holds 10 studies; pageSize=5000 is silently read as 1000 (all 38 here)."""
    assert nct_ids(page(standin, {})) == SAMPLE_IDS[:10]
    everything = page(standin, {"pageSize": "5000"})
    assert nct_ids(everything) == SAMPLE_IDS
    assert "nextPageToken" not in everything


def test_paging_with_tokens_and_count_total(standin: StandIn) -> None:
    """Pages follow nextPageToken, totalCount comes on the first page only, and a full last page leads to an
    empty one."""
    params = {"pageSize": "19", "countTotal": "true"}
    first = page(standin, params)
    second = page(standin, {**params, "pageToken": first["nextPageToken"]})
    third = page(standin, {**params, "pageToken": second["nextPageToken"]})
    assert (first["totalCount"], nct_ids(first)) == (38, SAMPLE_IDS[:19])
    assert ("totalCount" in second, nct_ids(second)) == (False, SAMPLE_IDS[19:])
    assert third == {"studies": []}


def test_page_token_is_tied_to_its_query(standin: StandIn) -> None:
    """A token sent with other filter parameters, or a token never issued, is a 400."""
    first = page(standin, {"pageSize": "2", "filter.ids": "NCT05766735,NCT00841061,NCT00002708"})
    status, _, body = call(standin, "/studies", {"pageSize": "2", "pageToken": first["nextPageToken"]})
    assert (status, body) == (400, b"pageToken does not belong to these parameters: repeat the first page's")
    status, _, body = call(standin, "/studies", {"pageToken": "made-up"})
    assert (status, body) == (400, b"Invalid pageToken: made-up")


def test_last_update_range_filter(standin: StandIn) -> None:
    """AREA[LastUpdatePostDate]RANGE[2025-11-01,MAX] keeps exactly the studies posted on or after that day."""
    updated = page(standin, {"filter.advanced": "AREA[LastUpdatePostDate]RANGE[2025-11-01,MAX]"})
    assert nct_ids(updated) == ["NCT03549754", "NCT03887936", "NCT05766735", "NCT06151964", "NCT06972472"]
    status, _, _ = call(standin, "/studies", {"filter.advanced": "AREA[Phase]PHASE3"})
    assert status == 400


def test_unknown_parameters_are_refused(standin: StandIn) -> None:
    """A misspelt parameter is a 400, so a client typo cannot pass unnoticed."""
    status, _, body = call(standin, "/studies", {"filter.id": "NCT05766735"})
    assert (status, body) == (400, b"Unknown parameter(s): filter.id")


def test_version_and_settable_data_timestamp(standin: StandIn) -> None:
    """/version reports API 2.0.5 and by default the newest versionHolder of the records; tests can set it."""
    assert json.loads(call(standin, "/version")[2]) == {
        "apiVersion": "2.0.5",
        "dataTimestamp": "2026-05-22T09:00:00",
    }
    standin.set_data_timestamp("2026-06-01T09:00:00")
    assert json.loads(call(standin, "/version")[2])["dataTimestamp"] == "2026-06-01T09:00:00"


def test_set_record_swaps_in_a_real_later_version(standin: StandIn) -> None:
    """After set_record the next fetch gets the new version; remove_record makes the ID (and aliases) 404."""
    older = read_json(VERSIONS / "NCT05766735@2025-05-07.json")
    standin.set_record(older)
    assert json.loads(call(standin, "/studies/NCT05766735")[2]) == older
    standin.set_record(read_json(VERSIONS / "NCT05766735@2026-04-09.json"))
    assert json.loads(call(standin, "/studies/NCT05766735")[2]) == read_json(
        VERSIONS / "NCT05766735@2026-04-09.json"
    )
    standin.remove_record("NCT01788527")
    assert call(standin, "/studies/NCT01734031")[0] == 404


def test_request_log_and_counters(standin: StandIn) -> None:
    """Every request is logged as (path below /api/v2, params) and every answer counted by status."""
    call(standin, "/studies", {"filter.ids": "NCT05766735", "pageSize": "5"})
    call(standin, "/studies/NCT00000001")
    assert standin.requests == [
        ("/studies", {"filter.ids": "NCT05766735", "pageSize": "5"}),
        ("/studies/NCT00000001", {}),
    ]
    assert standin.responses == {"200": 1, "404": 1}
    standin.clear_log()
    assert (standin.requests, standin.responses) == ([], {})


def test_fault_429_and_503_burst(standin: StandIn) -> None:
    """A 429 carries the given Retry-After; a 503 burst of 2 hits the next 2 requests and no more."""
    standin.inject("429", retry_after="7")
    standin.inject("503", count=2)
    status, headers, _ = call(standin, "/version")
    assert (status, headers["retry-after"]) == (429, "7")
    assert [call(standin, "/version")[0] for _ in range(3)] == [503, 503, 200]
    assert standin.responses == {"429": 1, "503": 2, "200": 1}


def test_fault_drop_closes_without_an_answer(standin: StandIn) -> None:
    """A dropped request gets no status line at all."""
    standin.inject("drop")
    with pytest.raises(http.client.RemoteDisconnected):
        call(standin, "/version")
    assert call(standin, "/version")[0] == 200


def test_fault_truncate_promises_more_than_it_sends(standin: StandIn) -> None:
    """A truncated answer declares a Content-Length larger than the body it sends before hanging up."""
    standin.inject("truncate")
    with pytest.raises(http.client.IncompleteRead):
        call(standin, "/studies/NCT00841061")
    assert standin.responses == {"truncate": 1}


def test_fault_slow_outlasts_a_short_timeout(standin: StandIn) -> None:
    """A slow answer waits its delay first, so a client with a shorter read timeout times out."""
    standin.inject("slow", delay=0.3)
    with pytest.raises(TimeoutError):
        call(standin, "/version", timeout=0.05)
    assert call(standin, "/version")[0] == 200


def test_unknown_fault_is_refused(standin: StandIn) -> None:
    """A typo in a fault name fails loudly instead of injecting nothing."""
    with pytest.raises(ValueError, match="unknown fault 'timeout'"):
        standin.inject("timeout")


def test_loads_page_files_and_refuses_two_versions_of_one_study() -> None:
    """A {"studies": [...]} page file loads study by study; two versions of one NCT ID are refused."""
    assert len(load_studies(PAGE_FILE)) == 10
    with pytest.raises(ValueError, match="two records for NCT02552212"):
        StandIn(VERSIONS)


def test_with_last_update_post_date_derives_a_copy() -> None:
    """A derived version changes only lastUpdatePostDateStruct.date and leaves the real record untouched."""
    real = read_json(SAMPLE / "NCT00841061.json")
    derived = with_last_update_post_date(real, "2026-06-01")
    assert derived["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] == {
        "date": "2026-06-01",
        "type": "ESTIMATED",
    }
    assert real == read_json(SAMPLE / "NCT00841061.json")


def test_runs_by_hand_until_interrupted() -> None:
    """`python -m pipeline.standin --folder data/sample` prints its URL, serves, and stops on Ctrl-C."""
    command = [sys.executable, "-m", "pipeline.standin", "--folder", str(SAMPLE)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            url = urlsplit(line.split(" at ")[1].split()[0])
            assert url.hostname == "127.0.0.1"
            connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=5)
            connection.request("GET", "/api/v2/version")
            assert connection.getresponse().status == 200
            connection.close()
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=5) == 0
        finally:
            if process.poll() is None:
                process.kill()
