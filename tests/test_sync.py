"""End to end against the loopback stand-in of the API: refresh, review, queue, and the nightly sync."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from clirun import run_ctsync

from pipeline import reading, sync
from pipeline.errors import UsageError
from pipeline.settings import RetryPolicy, Settings
from pipeline.standin import StandIn, with_last_update_post_date

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
VERSIONS = REPO / "tests" / "fixtures" / "versions"
NO_WAITING = RetryPolicy(backoff_initial=0, backoff_max=0, jitter=0, retry_after_cap=0)


def real(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def derived_corpus(copies: int) -> list[dict[str, Any]]:
    """Real sample records under derived NCT IDs (NCT9…): only the ID differs from the real record."""
    studies = []
    for copy in range(copies):
        for index, path in enumerate(sorted(SAMPLE.glob("*.json"))):
            study = real(path)
            ident = study["protocolSection"]["identificationModule"]
            ident["nctId"] = f"NCT9{copy:04d}{index:03d}"
            ident.pop("nctIdAliases", None)
            studies.append(study)
    return studies


def next_day(study: dict[str, Any], status: str) -> dict[str, Any]:
    """A later version of a real record, derived by code: a new overall status, posted 2026-11-20."""
    changed = json.loads(json.dumps(study))
    changed["protocolSection"]["statusModule"]["overallStatus"] = status
    return with_last_update_post_date(changed, "2026-11-20")


def settings_for(tmp_path: Path, url: str) -> Settings:
    return Settings(
        db=tmp_path / "ctsync.duckdb",
        published=tmp_path / "published.duckdb",
        api_url=url,
        rate=0,
        wait=0.5,
        retry=NO_WAITING,
        read_timeout=2,
    )


def content(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Trial data that must not depend on how a run went: versions, current rows, changes."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "versions": con.execute(
                "SELECT nct_id, version, content_hash FROM trial_versions ORDER BY ALL"
            ).fetchall(),
            "trials": con.execute(
                "SELECT nct_id, version, overall_status FROM trials ORDER BY ALL"
            ).fetchall(),
            "locations": con.execute("SELECT count(*) FROM trial_locations").fetchall(),
            "changes": con.execute(
                "SELECT nct_id, from_version, to_version, field, severity FROM trial_changes ORDER BY ALL"
            ).fetchall(),
        }
    finally:
        con.close()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn(derived_corpus(8), data_timestamp="2026-11-19T09:00:00") as server:
        yield server


def test_refresh_review_queue_round_trip(tmp_path: Path) -> None:
    """A new upstream version shows in the queue as critical; reviewing it takes it out of the queue."""
    old = real(VERSIONS / "NCT05766735@2025-05-07.json")
    with StandIn([old, real(SAMPLE / "NCT01788527.json")]) as server:
        settings = settings_for(tmp_path, server.url)
        first = sync.refresh(settings, ["NCT05766735", "NCT01734031", "NCT00000001"])
        assert first.outcomes == {"NCT05766735": "new", "NCT01788527": "new"}
        assert first.extra["not_found"] == ["NCT00000001"]
        assert first.extra["aliases"] == {"NCT01734031": "NCT01788527"}
        sync.review(settings, ["NCT05766735", "NCT01788527"], "A. Editor", None)
        assert reading.queue(settings, "info") == []
        server.set_record(next_day(real(VERSIONS / "NCT05766735@2026-04-09.json"), "ACTIVE_NOT_RECRUITING"))
        second = sync.refresh(settings, ["NCT05766735"])
    assert second.outcomes == {"NCT05766735": "changed"}
    pending = reading.pending(settings, ["NCT05766735"])[0]
    assert [(c.field, c.severity, c.old, c.new) for c in pending.changes] == [
        ("overall_status", "critical", "RECRUITING", "ACTIVE_NOT_RECRUITING"),
        ("primary_completion_date", "major", "2027-04-15", "2027-05-31"),
        ("completion_date", "minor", "2027-04-15", "2027-05-31"),
    ]
    queued = reading.queue(settings, "info")
    assert [(e.nct_id, e.severity, e.change_count, e.baseline) for e in queued] == [
        ("NCT05766735", "critical", 3, 1)
    ]
    assert reading.queue(settings, "critical")[0].nct_id == "NCT05766735"
    sync.review(settings, ["NCT05766735"], "A. Editor", "checked")
    assert reading.queue(settings, "info") == []


def test_undone_change_shows_nothing_since_review(tmp_path: Path) -> None:
    """A change made and then undone upstream leaves nothing to review, though the log keeps both steps."""
    study = real(SAMPLE / "NCT05766735.json")
    with StandIn([study]) as server:
        settings = settings_for(tmp_path, server.url)
        sync.refresh(settings, ["NCT05766735"])
        sync.review(settings, ["NCT05766735"], "A. Editor", None)
        server.set_record(next_day(study, "SUSPENDED"))
        sync.refresh(settings, ["NCT05766735"])
        server.set_record(with_last_update_post_date(json.loads(json.dumps(study)), "2026-11-21"))
        sync.refresh(settings, ["NCT05766735"])
    assert reading.pending(settings, ["NCT05766735"])[0].changes == []
    log = reading.change_log(settings, "NCT05766735")
    assert [(c.from_version, c.to_version, c.field) for c in log.changes] == [
        (1, 2, "overall_status"),
        (2, 3, "overall_status"),
    ]


def test_first_and_incremental_sync(tmp_path: Path, standin: StandIn) -> None:
    """The next sync asks only for updated trials, stores just their new versions, moves the watermark."""
    settings = settings_for(tmp_path, standin.url)
    ids = sorted(standin.record_ids)
    assert len(ids) == 304
    sync.track_add(settings, ids, [])
    first = sync.sync(settings)
    assert (first.count("new"), first.extra["watermark"]) == (304, "2026-11-19")
    assert first.extra["requests"]["requests"] == 2  # /version, then one filter.ids chunk of 304
    changed_ids = ids[::50]
    for nct_id in changed_ids:
        study = next(
            s for s in derived_corpus(8) if s["protocolSection"]["identificationModule"]["nctId"] == nct_id
        )
        standin.set_record(next_day(study, "TERMINATED"))
    standin.set_data_timestamp("2026-11-20T09:00:00")
    standin.clear_log()
    second = sync.sync(settings)
    assert {k for k, v in second.outcomes.items() if v == "changed"} == set(changed_ids)
    assert second.count("unchanged") == 0
    # /version plus one registry-wide page filtered on LastUpdatePostDate >= 2026-11-18.
    assert second.extra["requests"]["requests"] == 2
    assert [path for path, _ in standin.requests] == ["/version", "/studies"]
    assert standin.requests[1][1]["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-11-18,MAX]"
    assert second.extra["watermark"] == "2026-11-20"
    con = duckdb.connect(str(settings.db), read_only=True)
    changes = con.execute("SELECT DISTINCT field, severity FROM trial_changes").fetchall()
    con.close()
    assert changes == [("overall_status", "critical")]
    third = sync.sync(settings)
    assert third.extra["status"] == "noop"


def test_trial_gone_upstream_is_a_critical_change(tmp_path: Path, standin: StandIn) -> None:
    """A tracked trial that disappears upstream is recorded as gone and queued as critical, never dropped."""
    settings = settings_for(tmp_path, standin.url)
    ids = sorted(standin.record_ids)[:5]
    sync.track_add(settings, ids, [])
    sync.sync(settings)
    sync.review(settings, ids, "A. Editor", None)
    standin.remove_record(ids[0])
    summary = sync.sync(settings, full=True)
    assert summary.extra["not_found"] == [ids[0]]
    queued = reading.queue(settings, "critical")
    assert [(e.nct_id, e.severity) for e in queued] == [(ids[0], "critical")]
    assert reading.change_log(settings, ids[0]).changes[0].field == "upstream"
    assert [row["upstream_state"] for row in reading.tracked(settings)][:2] == ["not_found", "present"]


@pytest.mark.parametrize("fault", ["429", "503", "drop", "truncate", "slow"])
def test_sync_under_faults_matches_fault_free(tmp_path: Path, fault: str) -> None:
    """Under each injected fault the sync retries and ends with the same content as a fault-free run."""
    results = []
    for label, inject in (("clean", False), ("faulty", True)):
        with StandIn(derived_corpus(3), data_timestamp="2026-11-19T09:00:00") as server:
            settings = settings_for(tmp_path / label, server.url)
            if fault == "slow":
                # Answers delayed 4 s against a 2 s read timeout: a healthy answer on a loaded, shared
                # machine stays well inside it (0.5 s was not: the count below then saw 6 retries).
                settings = Settings(**{**settings.__dict__, "read_timeout": 2.0})
            sync.track_add(settings, sorted(server.record_ids), [])
            if inject:
                server.inject(fault, count=3, retry_after="1", delay=4.0)  # delay: "slow" only
            summary = sync.sync(settings)
        results.append(content(settings.db))
        if inject:
            assert summary.extra["requests"]["retries"] == 3
    assert results[0] == results[1]


def ctsync(*args: str, cwd: Path, crash: str | None = None) -> subprocess.Popen[str]:
    """ctsync in a subprocess; ``crash`` ("N:SIGNAL") arms the deterministic crash hook."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if crash is not None:
        env["CTSYNC_TEST_CRASH"] = crash
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_syncs_at_once_one_waits_out(tmp_path: Path, standin: StandIn) -> None:
    """Two syncs started together: one completes, the other exits 4 within its --wait, naming the holder."""
    settings = settings_for(tmp_path, standin.url)
    sync.track_add(settings, sorted(standin.record_ids), [])
    # --rate 2 spaces the two requests by half a second, so the first sync holds the lock for a while.
    common = ["--db", str(settings.db), "--api-url", standin.url, "--rate", "2", "--wait", "0.3", "sync"]
    first, second = ctsync(*common, cwd=tmp_path), ctsync(*common, cwd=tmp_path)
    runs = [first.communicate(timeout=60), second.communicate(timeout=60)]
    outcomes = sorted([(first.returncode, runs[0][1]), (second.returncode, runs[1][1])], key=lambda r: r[0])
    assert [code for code, _ in outcomes] == [0, 4]
    assert "is busy: pid" in outcomes[1][1]
    assert "ctsync sync" in outcomes[1][1]


def test_reader_of_published_copy_does_not_block_sync(tmp_path: Path, standin: StandIn) -> None:
    """An analyst holding the published copy open does not stop a sync from finishing and publishing."""
    settings = settings_for(tmp_path, standin.url)
    ids = sorted(standin.record_ids)
    sync.track_add(settings, ids[:10], [])
    assert settings.published is not None
    analyst = duckdb.connect(str(settings.published), read_only=True)
    try:
        sync.track_add(settings, ids[10:20], [])
        summary = sync.sync(settings)
        assert summary.count("new") == 20
        assert analyst.execute("SELECT count(*) FROM trials").fetchone() == (0,)
    finally:
        analyst.close()
    con = duckdb.connect(str(settings.published), read_only=True)
    assert con.execute("SELECT count(*) FROM trials").fetchone() == (20,)
    con.close()


@pytest.fixture(scope="module")
def uninterrupted_sync(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    """``content`` of an unbroken sync of the ``standin`` corpus in batches of 20: built once per module."""
    with StandIn(derived_corpus(8), data_timestamp="2026-11-19T09:00:00") as server:
        reference = settings_for(tmp_path_factory.mktemp("reference"), server.url)
        sync.track_add(reference, sorted(server.record_ids), [])
        sync.sync(Settings(**{**reference.__dict__, "batch_size": 20}))
    return content(reference.db)


@pytest.mark.parametrize("batches", [1, 7])
def test_sync_killed_after_k_batches_then_rerun_matches_uninterrupted(
    tmp_path: Path,
    standin: StandIn,
    batches: int,
    uninterrupted_sync: dict[str, list[tuple[Any, ...]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sync of 304 trials in batches of 20 (16 batches), SIGKILLed right after the k-th commit, leaves
    exactly k whole batches and a 'running' ledger row; the next sync ends like an unbroken one."""
    ids = sorted(standin.record_ids)
    db = tmp_path / "killed.duckdb"
    base = [
        "--db",
        str(db),
        "--published",
        str(tmp_path / "killed-published.duckdb"),
        "--api-url",
        standin.url,
    ]
    assert run_ctsync(capsys, monkeypatch, *base, "track", "add", *ids, cwd=tmp_path).returncode == 0
    victim = ctsync(*base, "--rate", "0", "sync", "--batch-size", "20", cwd=tmp_path, crash=f"{batches}:KILL")
    victim.communicate(timeout=120)
    assert victim.returncode == -signal.SIGKILL
    con = duckdb.connect(str(db), read_only=True)
    killed_run = con.execute("SELECT status, fetched FROM sync_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    stored = con.execute("SELECT count(*) FROM trials").fetchone()
    con.close()
    assert killed_run == ("running", 20 * batches)
    assert stored == (20 * batches,)
    rerun = ctsync(*base, "--rate", "0", "sync", "--batch-size", "20", cwd=tmp_path)
    _, errors = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, errors
    assert content(db) == uninterrupted_sync
    con = duckdb.connect(str(db), read_only=True)
    statuses = [row[0] for row in con.execute("SELECT status FROM sync_runs ORDER BY run_id").fetchall()]
    con.close()
    assert statuses == ["failed", "succeeded"]  # the killed run is closed by the next writer


def test_trial_stored_by_load_is_fetched_in_full_once_tracked(tmp_path: Path, standin: StandIn) -> None:
    """A trial loaded from an old file and tracked later is fetched by ID, not only when updated upstream."""
    settings = settings_for(tmp_path, standin.url)
    ids = sorted(standin.record_ids)
    sync.track_add(settings, ids[:3], [])
    sync.sync(settings)
    current = next(
        s for s in derived_corpus(8) if s["protocolSection"]["identificationModule"]["nctId"] == ids[3]
    )
    old_copy = tmp_path / "old.json"
    old_copy.write_text(json.dumps(with_last_update_post_date(next_day(current, "WITHDRAWN"), "2020-01-01")))
    sync.load(settings, [old_copy])
    sync.track_add(settings, [ids[3]], [])
    standin.set_data_timestamp("2026-11-20T09:00:00")
    summary = sync.sync(settings)
    assert summary.outcomes == {ids[3]: "changed"}
    assert (
        reading.trial(settings, ids[3])[1].overall_status
        == current["protocolSection"]["statusModule"]["overallStatus"]
    )


def test_newly_tracked_trial_is_fetched_when_nothing_is_new_upstream(
    tmp_path: Path, standin: StandIn
) -> None:
    """With the same data snapshot as the last sync, a newly tracked trial is still fetched (not a no-op)."""
    settings = settings_for(tmp_path, standin.url)
    ids = sorted(standin.record_ids)
    sync.track_add(settings, ids[:3], [])
    sync.sync(settings)
    sync.track_add(settings, [ids[3]], [])
    standin.clear_log()
    summary = sync.sync(settings)
    assert summary.outcomes == {ids[3]: "new"}
    assert [params.get("filter.ids") for path, params in standin.requests if path == "/studies"] == [ids[3]]
    assert sync.sync(settings).extra["status"] == "noop"


def test_older_record_never_replaces_the_stored_newer_one(tmp_path: Path) -> None:
    """Loading the 2025 version of NCT05766735 after the 2026 one keeps 2026 current and adds no version."""
    settings = settings_for(tmp_path, "http://127.0.0.1:9/api/v2")
    newer, older = tmp_path / "newer", tmp_path / "older"
    newer.mkdir()
    older.mkdir()
    (newer / "a.json").write_text((VERSIONS / "NCT05766735@2026-04-09.json").read_text())
    (older / "a.json").write_text((VERSIONS / "NCT05766735@2025-05-07.json").read_text())
    sync.load(settings, [newer])
    summary = sync.load(settings, [older])
    assert summary.outcomes == {"NCT05766735": "older"}
    version, trial = reading.trial(settings, "NCT05766735")
    assert version == 1
    assert trial.last_update_posted_date is not None
    assert trial.last_update_posted_date.text == "2026-04-09"


def test_trial_back_upstream_is_present_again(tmp_path: Path, standin: StandIn) -> None:
    """A trial missing once (404) and back later is fetched by the next full sync and tracked as present."""
    settings = settings_for(tmp_path, standin.url)
    ids = sorted(standin.record_ids)[:2]
    sync.track_add(settings, ids, [])
    sync.sync(settings)
    study = next(
        s for s in derived_corpus(8) if s["protocolSection"]["identificationModule"]["nctId"] == ids[0]
    )
    standin.remove_record(ids[0])
    assert sync.sync(settings, full=True).extra["not_found"] == [ids[0]]
    assert reading.queue(settings, "critical")[0].nct_id == ids[0]  # never reviewed, and gone: critical
    standin.set_record(study)
    summary = sync.sync(settings, full=True)
    assert summary.outcomes[ids[0]] == "unchanged"
    assert [row["upstream_state"] for row in reading.tracked(settings)] == ["present", "present"]


def test_sync_with_nothing_tracked_is_a_usage_error(tmp_path: Path, standin: StandIn) -> None:
    """A sync before any `track add` says what to do instead of reporting an empty success."""
    with pytest.raises(UsageError, match="nothing is tracked"):
        sync.sync(settings_for(tmp_path, standin.url))
