"""The review queue's cache (``review_pending``): the writer keeps each waiting trial's changes since its
review, and the queue built from it equals the queue diffed live, whatever the cache holds.

The databases are ``webdb.editorial_db``: three real trials stored at their older real version, reviewed,
then stored at their newer real version (tests/fixtures/versions).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from webdb import PAIRS, editorial_db, later_version, real, write_studies

from pipeline import review_queue, store, sync
from pipeline.policy import Policy, Rule, default_policy
from pipeline.settings import Settings


def _live_queue(con: duckdb.DuckDBPyConnection, policy: Policy, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The queue with the cache ignored: every waiting trial diffed from its stored records."""
    with monkeypatch.context() as patch:
        patch.setattr(review_queue, "cached_changes", lambda *_: {})
        return review_queue.queue(con, "info", policy)


def _queue_without_diffing(
    con: duckdb.DuckDBPyConnection, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """The queue, failing if it had to load a single record to diff."""
    loaded: list[Any] = []

    def records_for(con: duckdb.DuckDBPyConnection, states: list[Any]) -> dict[Any, Any]:
        loaded.extend(states)
        return {}

    with monkeypatch.context() as patch:
        patch.setattr(review_queue, "records_for", records_for)
        entries = review_queue.queue(con, "info", policy)
    assert loaded == []
    return entries


def _pending(db: Path) -> list[tuple[str, int, int]]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT nct_id, baseline, current_version FROM review_pending ORDER BY nct_id"
    ).fetchall()
    con.close()
    return rows


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return editorial_db(tmp_path)


def test_the_writer_caches_every_waiting_trial_and_the_queue_reads_only_the_cache(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _pending(settings.db) == [(nct_id, 1, 2) for nct_id in sorted(PAIRS)]
    con = store.connect(settings.db, read_only=True)
    cached = _queue_without_diffing(con, default_policy(), monkeypatch)
    live = _live_queue(con, default_policy(), monkeypatch)
    con.close()
    assert [(e.nct_id, e.severity, e.change_count) for e in cached] == [
        ("NCT06972472", "critical", 150),
        ("NCT05766735", "major", 2),
        ("NCT03549754", "minor", 45),
    ]
    assert cached == live


def test_a_cached_row_for_other_versions_or_another_policy_is_not_used(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row whose baseline is not the trial's review, or whose fingerprint is another policy's, is
    ignored: that trial is diffed live, so a stale cache costs time, never a wrong queue."""
    con = duckdb.connect(str(settings.db))
    con.execute("UPDATE review_pending SET baseline = 7, changes = '[]' WHERE nct_id = 'NCT03549754'")
    con.execute("UPDATE review_pending SET changes = '[]' WHERE nct_id = 'NCT06972472'")
    con.close()
    con = store.connect(settings.db, read_only=True)
    entries = {entry.nct_id: entry for entry in review_queue.queue(con, "info", default_policy())}
    live = {entry.nct_id: entry for entry in _live_queue(con, default_policy(), monkeypatch)}
    assert entries["NCT03549754"] == live["NCT03549754"]  # wrong baseline: diffed live
    assert "NCT06972472" not in entries  # same versions, same fingerprint: the (tampered) row is trusted
    strict = Policy(
        rules=(Rule(field="**", severity="critical"), *default_policy().rules), ignore=default_policy().ignore
    )
    under_strict = review_queue.queue(con, "info", strict)
    assert under_strict == _live_queue(con, strict, monkeypatch)
    assert {entry.severity for entry in under_strict} == {"critical"}
    con.close()


def test_reviews_and_new_versions_keep_the_cache_and_the_published_copy_in_step(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync.review(settings, ["NCT05766735"], "B. Editor", None)
    assert _pending(settings.db) == [("NCT03549754", 1, 2), ("NCT06972472", 1, 2)]
    newer = later_version(real(PAIRS["NCT03549754"][1]), 4321, "2026-11-30")
    sync.load(settings, [write_studies(tmp_path / "third", [newer])])
    assert _pending(settings.db) == [("NCT03549754", 1, 3), ("NCT06972472", 1, 2)]
    assert settings.published is not None
    assert _pending(settings.published) == _pending(settings.db)
    con = store.connect(settings.db, read_only=True)
    cached = _queue_without_diffing(con, default_policy(), monkeypatch)
    assert cached == _live_queue(con, default_policy(), monkeypatch)
    row = con.execute("SELECT changes FROM review_pending WHERE nct_id = 'NCT03549754'").fetchone()
    con.close()
    assert row is not None
    # From the reviewed version 1 (real: 35,000 estimated) straight to the derived version 3.
    enrollment = [(c["old"], c["new"]) for c in json.loads(row[0]) if c["field"] == "enrollment_count"]
    assert enrollment == [(35000, 4321)]


def test_a_renormalize_empties_the_cache_and_the_next_write_rebuilds_it(settings: Settings) -> None:
    con = duckdb.connect(str(settings.db))
    store.forget_pending(con)
    con.close()
    assert _pending(settings.db) == []
    sync.load(settings, [write_studies(Path(str(settings.db) + ".again"), [real(PAIRS["NCT05766735"][1])])])
    assert _pending(settings.db) == [(nct_id, 1, 2) for nct_id in sorted(PAIRS)]


def test_a_database_no_writer_of_this_ctsync_migrated_yet_gets_the_live_queue(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers do not migrate: before any write, a database without the cache table queues as before."""
    con = duckdb.connect(str(settings.db))
    con.execute("DROP TABLE review_pending")
    con.close()
    con = store.connect(settings.db, read_only=True)
    entries = review_queue.queue(con, "info", default_policy())
    assert [entry.nct_id for entry in entries] == ["NCT06972472", "NCT05766735", "NCT03549754"]
    assert entries == _live_queue(con, default_policy(), monkeypatch)
    con.close()
