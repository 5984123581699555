"""Renormalize: a normalizer change re-derives stored records in place and never floods the editors' queue."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import SAMPLE
from webdb import PAIRS, editorial_db, later_version, real, write_studies

import pipeline.criteria
import pipeline.normalize
import pipeline.records
import pipeline.renormalize
import pipeline.store.batches
from pipeline import reading, sync
from pipeline.settings import Settings


def _criteria_upper_cased(criteria: str | None) -> Any:
    """A changed criteria rule: the structure's texts in capitals (every criteria item moves)."""
    return _real_parse(criteria.upper() if criteria else criteria)


_real_parse = pipeline.criteria.parse_criteria


def _upgrade_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if a newer ctsync with a changed criteria rule were installed (its normalizer version one up)."""
    monkeypatch.setattr(pipeline.normalize, "parse_criteria", _criteria_upper_cased)
    newer = pipeline.normalize.NORMALIZER_VERSION + 1
    for module in (pipeline.normalize, pipeline.records, pipeline.renormalize, pipeline.store.batches):
        monkeypatch.setattr(module, "NORMALIZER_VERSION", newer)


def _snapshot(settings: Settings) -> dict[str, Any]:
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        return {
            name: con.execute(query).fetchall()
            for name, query in {
                "versions": "SELECT nct_id, version, fetched_at, run_id FROM trial_versions ORDER BY 1, 2",
                "reviews": "SELECT * FROM reviews ORDER BY nct_id, reviewed_at",
                "normalizers": "SELECT DISTINCT normalizer_version FROM trial_versions",
            }.items()
        }
    finally:
        con.close()


def _inclusion(settings: Settings, nct_id: str) -> tuple[str, ...]:
    return reading.trial(settings, nct_id)[1].eligibility.inclusion


@pytest.fixture
def reviewed_db(tmp_path: Path) -> Settings:
    """The three real version pairs (old reviewed, new pending) and the 38 sample records, all reviewed."""
    settings = editorial_db(tmp_path)
    sync.load(settings, [SAMPLE])
    sample_ids = sorted(path.stem for path in SAMPLE.glob("NCT*.json"))
    sync.review(settings, [i for i in sample_ids if i not in PAIRS], "A. Editor", None)
    return settings


def test_a_normalizer_change_then_a_write_leaves_the_queue_unchanged(
    reviewed_db: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade that changes a criteria rule, the first write (a reload of the same records)
    re-derives every version first: no new version, reviews untouched, the queue exactly as before,
    and the stored records follow the new rule."""
    settings = reviewed_db
    queue_before = reading.queue(settings, "minor")
    assert [entry.nct_id for entry in queue_before] == ["NCT06972472", "NCT05766735", "NCT03549754"]
    before = _snapshot(settings)
    old_items = _inclusion(settings, "NCT05766735")
    assert len(old_items) > 1

    _upgrade_normalizer(monkeypatch)
    summary = sync.load(settings, [SAMPLE, tmp_path / "new"])

    assert summary.count("changed") == 0 and summary.count("new") == 0
    after = _snapshot(settings)
    assert after["versions"] == before["versions"]
    assert after["reviews"] == before["reviews"]
    assert after["normalizers"] == [(pipeline.normalize.NORMALIZER_VERSION,)]
    assert reading.queue(settings, "minor") == queue_before
    assert _inclusion(settings, "NCT05766735") == tuple(item.upper() for item in old_items)
    runs = [(run["command"], run["status"]) for run in reading.runs(settings, 3)]
    assert runs[:2] == [("load", "succeeded"), ("renormalize", "succeeded")]


def test_renormalize_command_counts_and_is_then_a_no_op(
    reviewed_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`renormalize` re-derives every trial once (counts in its summary); run again it does nothing."""
    _upgrade_normalizer(monkeypatch)
    counts = sync.renormalize_all(reviewed_db)
    assert counts["trials"] == 38  # the sample holds the three paired trials too
    assert counts["versions"] == 38 + 3  # each pair has its older version as well
    assert counts["rederived"] > 0 and counts["failed"] == 0
    assert sync.renormalize_all(reviewed_db) == {"trials": 0, "versions": 0, "rederived": 0, "failed": 0}


def test_a_real_upstream_change_after_renormalize_still_reaches_the_queue(
    reviewed_db: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renormalizing hides only the rule change: a new enrollment target posted afterwards is in the queue."""
    settings = reviewed_db
    sync.review(settings, list(PAIRS), "A. Editor", None)
    assert reading.queue(settings, "minor") == []
    _upgrade_normalizer(monkeypatch)
    sync.renormalize_all(settings)
    assert reading.queue(settings, "minor") == []
    third = later_version(real(PAIRS["NCT05766735"][1]), 250, "2026-11-20")
    sync.load(settings, [write_studies(tmp_path / "third", [third])])
    queue = reading.queue(settings, "minor")
    assert [(entry.nct_id, entry.change_count) for entry in queue] == [("NCT05766735", 1)]


PRE_CRITERIA = Path(__file__).parent / "fixtures" / "pre-criteria.duckdb.gz"
"""A database written by ctsync 0.1.0 as it landed before the criteria structure (git 87a5247, normalizer 1,
migration 1 only): the 38 sample records, the three real version pairs' older versions, all reviewed by
"A. Editor", then the newer versions loaded. Built by that code from real records; nothing edited."""


def test_a_database_built_before_the_criteria_structure_upgrades_without_entering_the_queue(
    tmp_path: Path,
) -> None:
    """The pre-criteria database, migrated and renormalized by this ctsync, keeps exactly the queue
    ctsync 0.1.0 showed (the three pairs with their own changes, no criteria change); trial_criteria fills."""
    settings = Settings(db=tmp_path / "ctsync.duckdb", published=tmp_path / "published.duckdb")
    settings.db.write_bytes(gzip.decompress(PRE_CRITERIA.read_bytes()))
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (1,)
        before = {
            "versions": con.execute(
                "SELECT nct_id, version, fetched_at, run_id FROM trial_versions ORDER BY 1, 2"
            ).fetchall(),
            "reviews": con.execute("SELECT * FROM reviews ORDER BY nct_id, reviewed_at").fetchall(),
        }
    finally:
        con.close()

    counts = sync.renormalize_all(settings)

    assert counts == {"trials": 38, "versions": 41, "rederived": 41, "failed": 0}
    queue = reading.queue(settings, "info")
    assert [(e.nct_id, e.severity, e.change_count) for e in queue] == [
        ("NCT06972472", "critical", 150),
        ("NCT05766735", "major", 2),
        ("NCT03549754", "minor", 45),
    ]  # as ctsync 0.1.0 printed it for this database before the upgrade
    pending = reading.pending(settings, [e.nct_id for e in queue])
    assert not [c.field for p in pending for c in p.changes if c.field.startswith("eligibility")]
    after = _snapshot(settings)
    assert after["versions"] == before["versions"] and after["reviews"] == before["reviews"]
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        assert con.execute("SELECT count(DISTINCT nct_id) FROM trial_criteria").fetchone() == (38,)
    finally:
        con.close()
