"""Databases and a live server for the web tests, built from the real version pairs in tests/fixtures.

``editorial_db`` stores the older real version of each pair, records a review of it, then stores the
newer real version: the queue then holds real changes (NCT05766735: dates, NCT03549754: sites and a
description, NCT06972472: sites and contacts). With ``via_sync`` the versions come through ``ctsync
sync`` against the loopback stand-in, so the run ledger has a successful sync (no stale banner).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from pipeline import sync
from pipeline.settings import Settings
from pipeline.standin import StandIn, with_last_update_post_date
from pipeline.web.app import create_app

VERSIONS = Path(__file__).resolve().parent / "fixtures" / "versions"
PAIRS = {
    "NCT05766735": ("NCT05766735@2025-05-07.json", "NCT05766735@2026-04-09.json"),
    "NCT03549754": ("NCT03549754@2025-06-04.json", "NCT03549754@2025-12-09.json"),
    "NCT06972472": ("NCT06972472@2025-06-26.json", "NCT06972472@2025-11-04.json"),
}

Study = dict[str, Any]


def real(name: str) -> Study:
    loaded = json.loads((VERSIONS / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def settings_for(tmp_path: Path) -> Settings:
    return Settings(
        db=tmp_path / "ctsync.duckdb", published=tmp_path / "published" / "ctsync.duckdb", rate=0, wait=5
    )


def write_studies(folder: Path, studies: list[Study]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for study in studies:
        nct_id = study["protocolSection"]["identificationModule"]["nctId"]
        (folder / f"{nct_id}.json").write_text(json.dumps(study), encoding="utf-8")
    return folder


def editorial_db(
    tmp_path: Path,
    *,
    newer: Callable[[str, Study], Study] | None = None,
    via_sync: bool = False,
) -> Settings:
    """Older versions stored and reviewed by "A. Editor", then the newer ones (``newer`` may derive them).

    Without ``newer`` the two databases (loaded, synced) are the same in every test, so each is built once
    per test session and its folder (databases, published copy, record files) copied into ``tmp_path``;
    tests then write to their own copy only.
    """
    if newer is not None:
        return _build_editorial_db(tmp_path, newer=newer, via_sync=via_sync)
    if via_sync not in _BUILT:
        _BUILT[via_sync] = Path(_TEMPLATES.name) / ("synced" if via_sync else "loaded")
        _build_editorial_db(_BUILT[via_sync], newer=None, via_sync=via_sync)
    shutil.copytree(_BUILT[via_sync], tmp_path, dirs_exist_ok=True)
    return settings_for(tmp_path)


_TEMPLATES = tempfile.TemporaryDirectory(prefix="ctsync-webdb-")
_BUILT: dict[bool, Path] = {}


def _build_editorial_db(
    tmp_path: Path, *, newer: Callable[[str, Study], Study] | None, via_sync: bool
) -> Settings:
    settings = settings_for(tmp_path)
    old = [real(first) for first, _ in PAIRS.values()]
    new = [(newer or (lambda _id, s: s))(nct_id, real(second)) for nct_id, (_, second) in PAIRS.items()]
    if via_sync:
        with StandIn(old, data_timestamp="2026-11-19T09:00:00") as server:
            live = Settings(**{**settings.__dict__, "api_url": server.url})
            sync.track_add(live, list(PAIRS), [])
            sync.sync(live)
            sync.review(live, list(PAIRS), "A. Editor", None)
            for study in new:  # posted again the day after the first sync, as the registry would
                server.set_record(with_last_update_post_date(study, "2026-11-20"))
            server.set_data_timestamp("2026-11-20T09:00:00")
            sync.sync(live)
        return settings
    sync.load(settings, [write_studies(tmp_path / "old", old)])
    sync.review(settings, list(PAIRS), "A. Editor", None)
    sync.load(settings, [write_studies(tmp_path / "new", new)])
    return settings


def later_version(study: Study, enrollment: int, day: str) -> Study:
    """A real record as if re-posted on ``day`` with another enrollment target (a derived third version)."""
    revised = copy.deepcopy(study)
    design = revised["protocolSection"]["designModule"]
    design["enrollmentInfo"]["count"] = enrollment
    revised["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = day
    return revised


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """``ctsync serve``'s app on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
