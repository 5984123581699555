"""Every column of ``trials`` and of each child table equals the value of the Trial it came from.

The store fills these tables with set-based SQL over the staged canonical JSON; the expected values
here are computed in Python straight from the ``Trial`` the normalizer makes of each record in
``data/sample``, column by column, so a statement that shifts, drops or mis-maps a column fails here.
``updated_at`` is the one column not derived from the record (it is the time of the write).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import REPO, SAMPLE

from pipeline import sync
from pipeline.models import Trial, TrialDate
from pipeline.normalize import normalize
from pipeline.records import Incoming, raw_fingerprint
from pipeline.settings import Settings

RECORDS = sorted(SAMPLE.glob("NCT*.json"))


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """data/sample loaded once into a fresh database, opened read-only."""
    folder = tmp_path_factory.mktemp("roundtrip")
    settings = Settings(db=folder / "ctsync.duckdb", published=None, workers=1)
    summary = sync.load(settings, [SAMPLE])
    assert summary.failures == []
    con = duckdb.connect(str(settings.db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def trials() -> dict[str, tuple[Trial, str]]:
    """Each sample record's Trial and raw text, by NCT ID."""
    out = {}
    for path in RECORDS:
        raw = path.read_text(encoding="utf-8")
        trial = normalize(json.loads(raw))
        out[trial.nct_id] = (trial, raw)
    return out


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[dict[str, Any]]:
    cursor = con.execute(sql, list(params))
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _dated(name: str, value: TrialDate | None) -> dict[str, Any]:
    return {
        name: value.date if value else None,
        f"{name}_precision": value.precision if value else None,
        f"{name}_type": value.type if value else None,
    }


def _mesh(terms: Any) -> list[dict[str, str]]:
    return [{"id": term.id, "term": term.term} for term in terms]


def expected_trial_row(trial: Trial, raw: str) -> dict[str, Any]:
    """The ``trials`` row of a Trial, column by column (all but ``updated_at``)."""
    design, eligibility = trial.design, trial.eligibility
    return {
        "nct_id": trial.nct_id,
        "version": 1,
        "content_hash": Incoming.of(trial, raw, "test").content_hash,
        "brief_title": trial.brief_title,
        "official_title": trial.official_title,
        "acronym": trial.acronym,
        "org_study_id": trial.org_study_id,
        "nct_id_aliases": list(trial.nct_id_aliases),
        "overall_status": trial.overall_status,
        "last_known_status": trial.last_known_status,
        "why_stopped": trial.why_stopped,
        "status_verified_date": trial.status_verified_date.date if trial.status_verified_date else None,
        **_dated("start_date", trial.start_date),
        **_dated("primary_completion_date", trial.primary_completion_date),
        **_dated("completion_date", trial.completion_date),
        "first_submitted_date": trial.first_submitted_date.date if trial.first_submitted_date else None,
        "first_posted_date": trial.first_posted_date.date if trial.first_posted_date else None,
        "results_first_posted_date": (
            trial.results_first_posted_date.date if trial.results_first_posted_date else None
        ),
        "last_update_submitted_date": (
            trial.last_update_submitted_date.date if trial.last_update_submitted_date else None
        ),
        "last_update_posted_date": (
            trial.last_update_posted_date.date if trial.last_update_posted_date else None
        ),
        "last_update_posted_type": trial.last_update_posted_date.type
        if trial.last_update_posted_date
        else None,
        "study_type": trial.study_type,
        "phases": list(trial.phases),
        "allocation": design.allocation,
        "intervention_model": design.intervention_model,
        "primary_purpose": design.primary_purpose,
        "masking": design.masking,
        "observational_model": design.observational_model,
        "time_perspective": design.time_perspective,
        "enrollment_count": trial.enrollment_count,
        "enrollment_type": trial.enrollment_type,
        "sex": eligibility.sex,
        "gender_based": eligibility.gender_based,
        "minimum_age": eligibility.minimum_age,
        "minimum_age_years": eligibility.minimum_age_years,
        "maximum_age": eligibility.maximum_age,
        "maximum_age_years": eligibility.maximum_age_years,
        "healthy_volunteers": eligibility.healthy_volunteers,
        "std_ages": list(eligibility.std_ages),
        "eligibility_criteria": eligibility.criteria,
        "inclusion_criteria": list(eligibility.inclusion),
        "exclusion_criteria": list(eligibility.exclusion),
        "lead_sponsor": trial.lead_sponsor.name if trial.lead_sponsor else None,
        "lead_sponsor_class": trial.lead_sponsor.agency_class if trial.lead_sponsor else None,
        "responsible_party_type": trial.responsible_party.type if trial.responsible_party else None,
        "keywords": list(trial.keywords),
        "condition_mesh_terms": _mesh(trial.condition_mesh_terms),
        "intervention_mesh_terms": _mesh(trial.intervention_mesh_terms),
        "countries": sorted({site.country for site in trial.locations if site.country is not None}),
        "location_count": len(trial.locations),
        "brief_summary": trial.brief_summary,
        "has_results": trial.has_results,
        "version_holder": trial.version_holder,
        "unknown_values": list(trial.unknown_values),
        "raw_fingerprint": raw_fingerprint(raw),
    }


def expected_children(trial: Trial) -> dict[str, list[dict[str, Any]]]:
    """The rows of each child table of a Trial, in ordinal order."""
    ordinals: dict[str, int] = {}
    outcomes = []
    for outcome in trial.outcomes:
        ordinals[outcome.kind] = ordinals.get(outcome.kind, 0) + 1
        outcomes.append(
            {
                "kind": outcome.kind,
                "ordinal": ordinals[outcome.kind],
                "measure": outcome.measure,
                "description": outcome.description,
                "time_frame": outcome.time_frame,
            }
        )
    sponsors = [
        {"role": "lead", "ordinal": 1, "name": lead.name, "agency_class": lead.agency_class}
        for lead in [trial.lead_sponsor]
        if lead is not None
    ] + [
        {"role": "collaborator", "ordinal": n, "name": c.name, "agency_class": c.agency_class}
        for n, c in enumerate(trial.collaborators, 1)
    ]
    return {
        "trial_conditions": [
            {"ordinal": n, "condition": condition} for n, condition in enumerate(trial.conditions, 1)
        ],
        "trial_interventions": [
            {
                "ordinal": n,
                "type": item.type,
                "name": item.name,
                "description": item.description,
                "other_names": list(item.other_names),
                "arm_group_labels": list(item.arm_group_labels),
            }
            for n, item in enumerate(trial.interventions, 1)
        ],
        "trial_locations": [
            {
                "location_key": site.key,
                "ordinal": n,
                "facility": site.facility,
                "city": site.city,
                "state": site.state,
                "zip": site.zip,
                "country": site.country,
                "status": site.status,
                "latitude": site.geo_point.lat if site.geo_point else None,
                "longitude": site.geo_point.lon if site.geo_point else None,
                "contacts": [contact.model_dump() for contact in site.contacts],
            }
            for n, site in enumerate(trial.locations, 1)
        ],
        "trial_outcomes": sorted(outcomes, key=lambda row: (row["kind"], row["ordinal"])),
        "trial_sponsors": sponsors,
        "trial_criteria": [row.model_dump() for row in trial.eligibility.structure.flat()],
    }


CHILD_ORDER = {
    "trial_conditions": "ordinal",
    "trial_interventions": "ordinal",
    "trial_locations": "ordinal",
    "trial_outcomes": "kind, ordinal",
    "trial_sponsors": "role DESC, ordinal",
    "trial_criteria": "section DESC, group_ordinal, ordinal",
}


def test_the_sample_holds_every_shape_the_tables_map() -> None:
    """The round trip is only as good as its records: the sample has results, sites with coordinates
    and contacts, collaborators, nested criteria, aliases and unknown values."""
    trials = [normalize(json.loads(path.read_text(encoding="utf-8"))) for path in RECORDS]
    assert len(trials) == 38
    assert any(t.has_results for t in trials)
    assert any(site.geo_point and site.contacts for t in trials for site in t.locations)
    assert any(t.collaborators for t in trials)
    assert any(row.depth > 1 for t in trials for row in t.eligibility.structure.flat())
    assert any(t.nct_id_aliases for t in trials)
    assert {o.kind for t in trials for o in t.outcomes} == {"primary", "secondary", "other"}


def test_every_trials_column_equals_its_trial(
    stored: duckdb.DuckDBPyConnection, trials: dict[str, tuple[Trial, str]]
) -> None:
    rows = _rows(stored, "SELECT * FROM trials ORDER BY nct_id")
    assert [row["nct_id"] for row in rows] == sorted(trials)
    for row in rows:
        assert isinstance(row.pop("updated_at"), datetime)
        trial, raw = trials[row["nct_id"]]
        expected = expected_trial_row(trial, raw)
        assert list(row) == list(expected), "a column was added to trials without a round-trip value"
        assert row == expected, row["nct_id"]


@pytest.mark.parametrize("table", sorted(CHILD_ORDER))
def test_every_child_table_column_equals_its_trial(
    stored: duckdb.DuckDBPyConnection, trials: dict[str, tuple[Trial, str]], table: str
) -> None:
    total = 0
    for nct_id, (trial, _) in trials.items():
        rows = _rows(stored, f"SELECT * FROM {table} WHERE nct_id = ? ORDER BY {CHILD_ORDER[table]}", nct_id)
        for row in rows:
            assert row.pop("nct_id") == nct_id
        expected = expected_children(trial)[table]
        if rows:
            assert list(rows[0]) == list(expected[0]), f"{table}: columns differ from the round-trip's"
        assert rows == expected, nct_id
        total += len(rows)
    assert total > 0


def _declared_keys(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The key each unindexed current-state table names in its comment (migration 0008)."""
    rows = con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE comment LIKE '%Key: (%'")
    keys = {}
    for table, comment in rows.fetchall():
        found = re.search(r"Key: \(([^)]*)\)", comment)
        assert found is not None
        keys[table] = found.group(1)
    return keys


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


def test_the_unindexed_tables_keys_stay_unique_when_every_trial_gets_a_new_version(tmp_path: Path) -> None:
    """The 41 current-state tables carry no primary-key index (it ran the writer out of memory): the
    writer alone keeps their keys unique. Every sample trial, then a second version of every one (derived
    by code: a later lastUpdatePostDate and a changed title), and every declared key is still unique
    with the same row counts, so replacing a trial's rows leaves none of the old ones behind."""
    settings = Settings(db=tmp_path / "ctsync.duckdb", published=None, workers=1)
    sync.load(settings, [SAMPLE])
    con = duckdb.connect(str(settings.db), read_only=True)
    keys = _declared_keys(con)
    first = {table: _count(con, f"SELECT count(*) FROM {table}")[0] for table in keys}
    con.close()
    assert len(keys) == 41
    revised = tmp_path / "revised"
    revised.mkdir()
    for path in RECORDS:
        record = json.loads(path.read_text(encoding="utf-8"))
        status = record["protocolSection"]["statusModule"]
        status["lastUpdatePostDateStruct"]["date"] = "2026-11-30"
        record["protocolSection"]["identificationModule"]["briefTitle"] += " (revised)"
        (revised / path.name).write_text(json.dumps(record), encoding="utf-8")
    summary = sync.load(settings, [revised])
    assert summary.count("changed") == 38
    con = duckdb.connect(str(settings.db), read_only=True)
    for table, key in keys.items():
        counts = _count(con, f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")
        assert counts == (first[table], first[table]), table
    assert sum(first.values()) > 5_000
    con.close()


def test_a_table_column_appended_out_of_order_cannot_shift_values(tmp_path: Path) -> None:
    """The writes name their columns: a table whose columns are in another order than the statement's
    (as after an ALTER TABLE ADD COLUMN in a later migration) still gets each value in its column."""
    settings = Settings(db=tmp_path / "ctsync.duckdb", published=None, workers=1)
    sync.load(settings, [SAMPLE / "NCT05766735.json"])
    con = duckdb.connect(str(settings.db))
    con.execute("ALTER TABLE trial_conditions RENAME TO old_conditions")
    con.execute(
        "CREATE TABLE trial_conditions AS SELECT condition, ordinal, nct_id, NULL::VARCHAR AS later"
        " FROM old_conditions WHERE false"
    )
    con.close()
    sync.load(settings, [SAMPLE / "NCT01788527.json"])
    con = duckdb.connect(str(settings.db), read_only=True)
    got = con.execute("SELECT nct_id, ordinal, condition, later FROM trial_conditions").fetchall()
    con.close()
    trial = normalize(json.loads((SAMPLE / "NCT01788527.json").read_text(encoding="utf-8")))
    assert got == [("NCT01788527", n, c, None) for n, c in enumerate(trial.conditions, 1)]


def test_every_sql_write_in_the_package_names_its_columns() -> None:
    """No ``INSERT INTO t SELECT`` or ``INSERT INTO t VALUES`` by position anywhere in pipeline/: each
    write says ``BY NAME`` or lists its columns."""
    positional = re.compile(r"INSERT\s+(?:OR\s+\w+\s+)?INTO\s+\w+\s+(?:SELECT|VALUES|WITH)\b", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in sorted((REPO / "pipeline").rglob("*.py"))
        for match in positional.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
