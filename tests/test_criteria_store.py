"""trial_criteria: the analysts' table of criteria equals the flat view of every stored record."""

from __future__ import annotations

from pathlib import Path

import duckdb
from conftest import SAMPLE

from pipeline import store, sync
from pipeline.criteria_sql import CRITERIA_FROM_STAGE
from pipeline.settings import Settings


def _loaded(tmp_path: Path) -> Path:
    settings = Settings(db=tmp_path / "ctsync.duckdb", published=tmp_path / "published.duckdb", wait=0.5)
    sync.load(settings, [SAMPLE])
    return settings.db


def test_trial_criteria_rows_are_the_flat_view_of_each_current_record(tmp_path: Path) -> None:
    """Every row of trial_criteria (section, group, ordinal, parent, depth, text) is Criteria.flat() of
    the stored record, for all 38 sample records: the recursive SQL walk numbers items as Python does."""
    con = duckdb.connect(str(_loaded(tmp_path)), read_only=True)
    try:
        rows = con.execute(
            "SELECT nct_id, section, group_ordinal, group_header, ordinal, parent_ordinal, depth, text"
            " FROM trial_criteria ORDER BY nct_id, section, group_ordinal, ordinal"
        ).fetchall()
        expected = []
        for (nct_id,) in con.execute("SELECT nct_id FROM trials ORDER BY nct_id").fetchall():
            current = store.current_trial(con, nct_id)
            assert current is not None
            for row in current[1].eligibility.structure.flat():
                place = (row.section, row.group_ordinal, row.group_header, row.ordinal, row.parent_ordinal)
                expected.append((nct_id, *place, row.depth, row.text))
        expected.sort(key=lambda row: (row[0], row[1], row[2], row[4]))
        assert rows == expected
        stats = con.execute(
            "SELECT count(*), max(depth), count(*) FILTER (WHERE group_header IS NOT NULL)"
            " FROM trial_criteria"
        )
        assert stats.fetchone() == (683, 3, 113)
    finally:
        con.close()


def test_trials_flat_lists_match_trial_criteria(tmp_path: Path) -> None:
    """trials.inclusion_criteria is the inclusion rows of trial_criteria in reading order (NCT01788527)."""
    con = duckdb.connect(str(_loaded(tmp_path)), read_only=True)
    try:
        flat = con.execute("SELECT inclusion_criteria FROM trials WHERE nct_id = 'NCT01788527'").fetchone()
        rows = con.execute(
            "SELECT group_header, text FROM trial_criteria WHERE nct_id = 'NCT01788527'"
            " AND section = 'inclusion' ORDER BY group_ordinal, ordinal"
        ).fetchall()
        assert flat is not None and flat[0] == [text for _, text in rows]
        assert rows[5] == (
            "Pre-pregnancy Group",
            "Patients who are planning pregnancy and wish to optimise glycemic control before conception",
        )
    finally:
        con.close()


def test_criteria_statement_is_in_the_stores_current_state_statements() -> None:
    """The store fills trial_criteria with the current-state tables and lists it for analysts."""
    assert CRITERIA_FROM_STAGE in store.CHILDREN_FROM_STAGE
    assert "trial_criteria" in store.CURRENT_TABLES
    assert "trial_criteria" in store.ANALYST_TABLES


def test_a_database_from_before_gets_the_criteria_table_on_upgrade(tmp_path: Path) -> None:
    """A database without migration 3 gains trial_criteria (documented) on its next connect; its trials
    keep their rows, and the table is empty until the records are normalized again."""
    db = _loaded(tmp_path)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE trial_criteria")
    con.execute("DELETE FROM schema_migrations WHERE version = 3")
    con.close()
    upgraded = store.connect(db)
    try:
        assert upgraded.execute("SELECT count(*) FROM trial_criteria").fetchone() == (0,)
        assert upgraded.execute("SELECT count(*) FROM trials").fetchone() == (38,)
        comment = upgraded.execute(
            "SELECT comment FROM duckdb_columns()"
            " WHERE table_name = 'trial_criteria' AND column_name = 'depth'"
        ).fetchone()
        assert comment == ("1 for a group's own criteria, 2 for their sub-criteria, and so on.",)
    finally:
        upgraded.close()
