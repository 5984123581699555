"""A loopback stand-in of the ClinicalTrials.gov API v2, for tests, the offline demo and end-to-end runs.

Standard library only, and it binds 127.0.0.1 only, so nothing it does can reach the real service. It serves
real study records (a folder of ``NCTxxxxxxxx.json`` files, ``{"studies": [...]}`` page files, or dicts) with
the semantics DESIGN.md lists for the real API:

- ``GET /api/v2/studies/{id}``: the study; 301 to the real record for an alias; 404 text/plain when unknown;
  400 text/plain for a malformed ID.
- ``GET /api/v2/studies``: ``filter.ids`` (comma or pipe separated, matches aliases, one malformed ID fails
  the whole request with 400), ``filter.advanced`` (only ``AREA[LastUpdatePostDate]RANGE[from,to]``),
  ``pageSize`` (default 10, silently capped at 1000), ``pageToken`` (opaque, tied to the query: a token sent
  with other parameters is a 400), ``countTotal`` (``totalCount`` on the first page only). Results are in NCT
  ID order. A full page always carries a ``nextPageToken``, so a result that fills its last page ends with an
  empty page, as the real API sometimes does.
- ``GET /api/v2/version``: ``apiVersion`` and a settable ``dataTimestamp``.
- ``GET /api/int/studies/{id}/history[/{v}]``: the website's record history, from versions it is given
  (``pipeline.standin_history``).

Tests steer it with ``set_record``/``remove_record``/``set_data_timestamp``, read ``requests`` (the log of
``(path, params)``) and ``responses`` (a Counter of what was answered), and make the next requests misbehave
with ``inject("403" | "429" | "503" | "drop" | "truncate" | "slow", count=n)``; ``set_history`` gives a
trial's upstream versions.

Records and request parameters are read in ``pipeline.standin_records``. Run by hand:
``python -m pipeline.standin --folder data/sample [--history FILE] [--port N]``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from pipeline.standin_history import HistoryArchive, load_history_file
from pipeline.standin_records import (
    LIST_PARAMS,
    PAGING_PARAMS,
    RefusedRequest,
    aliases_of,
    canonical_nct_id,
    last_update_post_date,
    nct_id_of,
    parse_ids,
    parse_last_update_range,
    parse_page_size,
    refuse_unknown,
    require_json_format,
    timestamp_of,
)
from pipeline.standin_records import load_studies as load_studies
from pipeline.standin_records import with_last_update_post_date as with_last_update_post_date

Study = dict[str, Any]

LOOPBACK = "127.0.0.1"
API_PREFIX = "/api/v2"
API_VERSION = "2.0.5"
FAULTS = frozenset({"403", "429", "503", "drop", "truncate", "slow"})

# Bodies below this size go out uncompressed, like most servers do.
GZIP_MIN_BYTES = 1024


@dataclass
class _Fault:
    kind: str
    remaining: int
    retry_after: str
    delay: float


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    location: str | None = None

    @classmethod
    def json(cls, document: object) -> _Answer:
        return cls(200, json.dumps(document, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def text(cls, status: int, message: str) -> _Answer:
        return cls(status, message.encode("utf-8"), "text/plain; charset=utf-8")


class StandIn:
    """A running (or startable) loopback server that answers like the API v2 for a set of real records."""

    def __init__(
        self, source: str | Path | Iterable[Study], *, port: int = 0, data_timestamp: str | None = None
    ) -> None:
        studies = load_studies(Path(source)) if isinstance(source, str | Path) else list(source)
        self._lock = threading.Lock()
        self._records: dict[str, Study] = {}
        self._aliases: dict[str, str] = {}
        for study in studies:
            if nct_id_of(study) in self._records:
                raise ValueError(f"two records for {nct_id_of(study)}: give the stand-in one version of each")
            self._store(study)
        self._data_timestamp = data_timestamp or timestamp_of(studies)
        self._tokens: dict[str, tuple[tuple[tuple[str, str], ...], int]] = {}
        self._faults: list[_Fault] = []
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.responses: Counter[str] = Counter()
        self._history = HistoryArchive()

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen on 127.0.0.1 (an ephemeral port unless one was given) in a background thread."""
        if self._server is None:
            self._server = _Server((LOOPBACK, self._port), _Handler, self)
            # A short poll interval makes stop() quick: shutdown() waits for the loop to notice.
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.01,), name="standin", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; idle keep-alive connections die with their daemon threads."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:PORT/api/v2``, to use as ``Settings.api_url``."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running: call start() first")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}{API_PREFIX}"

    # -- test controls ---------------------------------------------------------------------------------

    def set_record(self, study: Study) -> None:
        """Serve this version of the study from now on (adds it when new)."""
        with self._lock:
            self._forget(nct_id_of(study))
            self._store(study)

    def remove_record(self, nct_id: str) -> None:
        """Stop serving the study; its ID (and its aliases) answer 404 from now on."""
        with self._lock:
            self._forget(nct_id)

    def set_history(self, nct_id: str, versions: list[tuple[str, Study]]) -> None:
        """Serve these upstream versions of the trial, oldest first: (submitted date, study) each."""
        with self._lock:
            self._history.set(nct_id, versions)

    def set_history_answer(self, nct_id: str, status: int, body: object) -> None:
        """Answer the trial's history list with this (a JSON document, or a text message)."""
        with self._lock:
            self._history.set_raw(nct_id, status, body)

    @property
    def history_url(self) -> str:
        """The internal API's base URL, ``http://127.0.0.1:PORT/api/int``."""
        return self.url.removesuffix(API_PREFIX) + "/api/int"

    def set_data_timestamp(self, timestamp: str) -> None:
        """What ``/version`` reports as ``dataTimestamp``."""
        with self._lock:
            self._data_timestamp = timestamp

    def inject(self, fault: str, count: int = 1, *, retry_after: str = "1", delay: float = 0.05) -> None:
        """Make the next ``count`` requests fail with ``fault``; faults queue up in the order injected.

        ``retry_after`` is the ``Retry-After`` header value of a "429"; ``delay`` the seconds a "slow" answer
        waits before it starts.
        """
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}: use one of {', '.join(sorted(FAULTS))}")
        with self._lock:
            self._faults.append(_Fault(fault, count, retry_after, delay))

    def clear_log(self) -> None:
        """Forget the request log and the response counters."""
        with self._lock:
            self.requests.clear()
            self.responses.clear()

    @property
    def record_ids(self) -> list[str]:
        """The NCT IDs served, in the order the list endpoint returns them."""
        with self._lock:
            return sorted(self._records)

    # -- request handling (called from the server threads) --------------------------------------------

    def _receive(self, path: str, params: dict[str, str]) -> _Fault | None:
        """Log one request and take the fault, if any, that it must suffer."""
        with self._lock:
            self.requests.append((path, params))
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.pop(0)
            return fault

    def _count(self, outcome: str) -> None:
        with self._lock:
            self.responses[outcome] += 1

    def _answer(self, path: str, params: dict[str, str]) -> _Answer:
        with self._lock:
            try:
                return self._route(path, params)
            except RefusedRequest as exc:
                return _Answer.text(400, str(exc))

    def _route(self, path: str, params: dict[str, str]) -> _Answer:
        if path.startswith("/api/int/"):
            status, body = self._history.route(path.removeprefix("/api/int"), params)
            return _Answer.json(body) if status == 200 else _Answer.text(status, str(body))
        if path == "/version":
            return _Answer.json({"apiVersion": API_VERSION, "dataTimestamp": self._data_timestamp})
        if path == "/studies":
            return self._list_studies(params)
        if path.startswith("/studies/"):
            return self._one_study(path.removeprefix("/studies/"), params)
        return _Answer.text(404, f"Not found: {API_PREFIX}{path}")

    def _one_study(self, raw_id: str, params: dict[str, str]) -> _Answer:
        refuse_unknown(params, {"format"})
        require_json_format(params)
        nct_id = canonical_nct_id(raw_id)
        if nct_id is None:
            raise RefusedRequest(f"Invalid NCT number: {raw_id}")
        if nct_id in self._records:
            return _Answer.json(self._records[nct_id])
        if nct_id in self._aliases:
            query = "&".join(f"{key}={value}" for key, value in params.items())
            location = f"{API_PREFIX}/studies/{self._aliases[nct_id]}" + (f"?{query}" if query else "")
            return _Answer(301, b"Moved Permanently", "text/plain; charset=utf-8", location)
        return _Answer.text(404, f"Study {nct_id} not found")

    def _list_studies(self, params: dict[str, str]) -> _Answer:
        refuse_unknown(params, LIST_PARAMS)
        require_json_format(params)
        wanted = parse_ids(params.get("filter.ids"))
        low, high = parse_last_update_range(params.get("filter.advanced"))
        page_size = parse_page_size(params.get("pageSize"))
        query = tuple(sorted((key, value) for key, value in params.items() if key not in PAGING_PARAMS))
        offset = self._offset_of(params.get("pageToken"), query)
        matches = [
            study
            for nct_id, study in sorted(self._records.items())
            if (wanted is None or wanted & {nct_id, *aliases_of(study)})
            and low <= last_update_post_date(study) <= high
        ]
        page: dict[str, Any] = {"studies": matches[offset : offset + page_size]}
        if params.get("countTotal", "").lower() == "true" and "pageToken" not in params:
            page["totalCount"] = len(matches)
        if len(page["studies"]) == page_size:
            page["nextPageToken"] = self._issue_token(query, offset + page_size)
        return _Answer.json(page)

    def _offset_of(self, token: str | None, query: tuple[tuple[str, str], ...]) -> int:
        if token is None:
            return 0
        if token not in self._tokens:
            raise RefusedRequest(f"Invalid pageToken: {token}")
        token_query, offset = self._tokens[token]
        if token_query != query:
            raise RefusedRequest("pageToken does not belong to these parameters: repeat the first page's")
        return offset

    def _issue_token(self, query: tuple[tuple[str, str], ...], offset: int) -> str:
        # Deterministic, so two runs of a test see the same tokens, yet opaque to the client.
        token = hashlib.sha256(repr((query, offset)).encode("utf-8")).hexdigest()[:24]
        self._tokens[token] = (query, offset)
        return token

    def _store(self, study: Study) -> None:
        nct_id = nct_id_of(study)
        self._records[nct_id] = study
        for alias in aliases_of(study):
            self._aliases[alias] = nct_id

    def _forget(self, nct_id: str) -> None:
        self._records.pop(nct_id, None)
        for alias in [alias for alias, real in self._aliases.items() if real == nct_id]:
            del self._aliases[alias]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], standin: StandIn) -> None:
        self.standin = standin
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read timeout) leaves a broken pipe behind; that is the point of the fault.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real client session expects
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall
    timeout = 10.0  # idle keep-alive connections close on their own
    server: _Server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path.removeprefix(API_PREFIX) if url.path.startswith(API_PREFIX + "/") else url.path
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        standin = self.server.standin
        fault = standin._receive(path, params)
        if fault is not None and fault.kind == "drop":
            standin._count("drop")
            self.close_connection = True
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        answer = _fault_answer(fault) or standin._answer(path, params)
        truncate = fault is not None and fault.kind == "truncate"
        standin._count("truncate" if truncate else str(answer.status))
        self._send(answer, fault, truncate=truncate)

    def _send(self, answer: _Answer, fault: _Fault | None, *, truncate: bool) -> None:
        body = answer.body
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        if "gzip" in self.headers.get("Accept-Encoding", "") and len(body) >= GZIP_MIN_BYTES:
            body = gzip.compress(body, compresslevel=1)  # speed over size on loopback
            self.send_header("Content-Encoding", "gzip")
        if answer.location is not None:
            self.send_header("Location", answer.location)
        if fault is not None and fault.kind == "429":
            self.send_header("Retry-After", fault.retry_after)
        # A truncated answer promises the whole body, sends half of it and hangs up.
        self.send_header("Content-Length", str(len(body) * 2 if truncate else len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if truncate else body)
        if truncate:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests and the demo keep stderr for what matters


def _fault_answer(fault: _Fault | None) -> _Answer | None:
    if fault is None:
        return None
    if fault.kind == "403":
        return _Answer.text(403, "Forbidden")
    if fault.kind == "429":
        return _Answer.text(429, "Too Many Requests")
    if fault.kind == "503":
        return _Answer.text(503, "Service Unavailable")
    return None


def main(argv: list[str] | None = None) -> None:
    """``python -m pipeline.standin --folder data/sample [--port N]``: serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.standin",
        description="Serve study records like the ClinicalTrials.gov API v2.",
    )
    parser.add_argument("--folder", type=Path, required=True, help="folder of study JSON files to serve")
    parser.add_argument(
        "--history", type=Path, help="JSON file of upstream versions to serve as the record history"
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.exit(2, f"stand-in: error: no such folder: {args.folder}\n")
    try:
        standin = StandIn(args.folder, port=args.port)
        for nct_id, versions in (load_history_file(args.history) if args.history else {}).items():
            standin.set_history(nct_id, versions)
    except (ValueError, KeyError, OSError, json.JSONDecodeError) as exc:
        parser.exit(2, f"stand-in: error: cannot serve {args.folder}: {exc}\n")
    try:  # from the start: a Ctrl-C right after the URL is printed must still stop cleanly
        try:
            url = standin.start().url
        except OSError as exc:
            parser.exit(1, f"stand-in: error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}\n")
        print(f"stand-in of the ClinicalTrials.gov API v2 at {url} (Ctrl-C stops)", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
