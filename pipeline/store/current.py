"""The current-state tables (``trials`` and its child tables): how they are derived from staged canonical
records, and how the current records are read back."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import date

import duckdb

from pipeline import aact_tables
from pipeline.criteria_sql import CRITERIA_FROM_STAGE, CRITERIA_SHAPE
from pipeline.models import Trial

CURRENT_TABLES = (
    "trials",
    "trial_current_records",
    "trial_conditions",
    "trial_interventions",
    "trial_locations",
    "trial_outcomes",
    "trial_sponsors",
    "trial_criteria",
    *aact_tables.TABLES,
)


_DATE_SHAPE = {"date": "DATE", "precision": "VARCHAR", "type": "VARCHAR"}
_TEXTS = ["VARCHAR"]
_CONTACT_SHAPE = {
    "name": "VARCHAR",
    "role": "VARCHAR",
    "phone": "VARCHAR",
    "phone_ext": "VARCHAR",
    "email": "VARCHAR",
}
_MESH_SHAPE = [{"id": "VARCHAR", "term": "VARCHAR"}]

# The part of the canonical record the current-state tables need, as one DuckDB JSON structure, so each
# staged record is parsed once (per-field JSON paths would re-parse the whole document for every column).
RECORD_SHAPE = {
    "brief_title": "VARCHAR",
    "official_title": "VARCHAR",
    "acronym": "VARCHAR",
    "org_study_id": "VARCHAR",
    "nct_id_aliases": _TEXTS,
    "overall_status": "VARCHAR",
    "last_known_status": "VARCHAR",
    "why_stopped": "VARCHAR",
    **dict.fromkeys(
        (
            "status_verified_date",
            "start_date",
            "primary_completion_date",
            "completion_date",
            "first_submitted_date",
            "first_posted_date",
            "results_first_posted_date",
            "last_update_submitted_date",
            "last_update_posted_date",
        ),
        _DATE_SHAPE,
    ),
    "study_type": "VARCHAR",
    "phases": _TEXTS,
    "design": dict.fromkeys(
        (
            "allocation",
            "intervention_model",
            "primary_purpose",
            "masking",
            "observational_model",
            "time_perspective",
        ),
        "VARCHAR",
    ),
    "enrollment_count": "INTEGER",
    "enrollment_type": "VARCHAR",
    "eligibility": {
        "criteria": "VARCHAR",
        "structure": CRITERIA_SHAPE,
        "inclusion": _TEXTS,
        "exclusion": _TEXTS,
        "sex": "VARCHAR",
        "gender_based": "BOOLEAN",
        "minimum_age": "VARCHAR",
        "minimum_age_years": "DOUBLE",
        "maximum_age": "VARCHAR",
        "maximum_age_years": "DOUBLE",
        "healthy_volunteers": "BOOLEAN",
        "std_ages": _TEXTS,
    },
    "lead_sponsor": {"name": "VARCHAR", "agency_class": "VARCHAR"},
    "collaborators": [{"name": "VARCHAR", "agency_class": "VARCHAR"}],
    "responsible_party": {"type": "VARCHAR"},
    "conditions": _TEXTS,
    "keywords": _TEXTS,
    "condition_mesh_terms": _MESH_SHAPE,
    "intervention_mesh_terms": _MESH_SHAPE,
    "interventions": [
        {
            "type": "VARCHAR",
            "name": "VARCHAR",
            "description": "VARCHAR",
            "other_names": _TEXTS,
            "arm_group_labels": _TEXTS,
        }
    ],
    "outcomes": [
        {"kind": "VARCHAR", "measure": "VARCHAR", "description": "VARCHAR", "time_frame": "VARCHAR"}
    ],
    "locations": [
        {
            "key": "VARCHAR",
            "facility": "VARCHAR",
            "city": "VARCHAR",
            "state": "VARCHAR",
            "zip": "VARCHAR",
            "country": "VARCHAR",
            "status": "VARCHAR",
            "geo_point": {"lat": "DOUBLE", "lon": "DOUBLE"},
            "contacts": [_CONTACT_SHAPE],
        }
    ],
    "brief_summary": "VARCHAR",
    "has_results": "BOOLEAN",
    "unknown_values": _TEXTS,
}

PARSE_STAGE = (
    "CREATE OR REPLACE TEMP TABLE parsed AS SELECT nct_id, version, content_hash, version_holder,"
    f" raw_fingerprint, from_json(record, '{json.dumps(RECORD_SHAPE)}') AS r FROM stage"
)


def _dated(name: str) -> str:
    return f"r.{name}.date AS {name}, r.{name}.precision AS {name}_precision, r.{name}.type AS {name}_type"


TRIALS_FROM_STAGE = f"""
INSERT INTO trials BY NAME SELECT
    nct_id, version, content_hash,
    r.brief_title, r.official_title, r.acronym, r.org_study_id, r.nct_id_aliases,
    r.overall_status, r.last_known_status, r.why_stopped, r.status_verified_date.date AS status_verified_date,
    {_dated("start_date")}, {_dated("primary_completion_date")}, {_dated("completion_date")},
    r.first_submitted_date.date AS first_submitted_date, r.first_posted_date.date AS first_posted_date,
    r.results_first_posted_date.date AS results_first_posted_date,
    r.last_update_submitted_date.date AS last_update_submitted_date,
    r.last_update_posted_date.date AS last_update_posted_date,
    r.last_update_posted_date.type AS last_update_posted_type,
    r.study_type, r.phases,
    r.design.allocation, r.design.intervention_model, r.design.primary_purpose, r.design.masking,
    r.design.observational_model, r.design.time_perspective,
    r.enrollment_count, r.enrollment_type,
    r.eligibility.sex, r.eligibility.gender_based,
    r.eligibility.minimum_age, r.eligibility.minimum_age_years,
    r.eligibility.maximum_age, r.eligibility.maximum_age_years,
    r.eligibility.healthy_volunteers, r.eligibility.std_ages,
    r.eligibility.criteria AS eligibility_criteria, r.eligibility.inclusion AS inclusion_criteria,
    r.eligibility.exclusion AS exclusion_criteria,
    r.lead_sponsor.name AS lead_sponsor, r.lead_sponsor.agency_class AS lead_sponsor_class,
    r.responsible_party.type AS responsible_party_type,
    r.keywords, r.condition_mesh_terms, r.intervention_mesh_terms,
    list_sort(list_distinct(list_filter(list_transform(r.locations, lambda site: site.country),
        lambda country: country IS NOT NULL))) AS countries,
    len(coalesce(r.locations, [])) AS location_count,
    r.brief_summary, r.has_results, version_holder, r.unknown_values, raw_fingerprint,
    ?::TIMESTAMPTZ AS updated_at
FROM parsed
"""


def _unnest(path: str) -> str:
    """Rows (nct_id, item, ordinal) of one list of the parsed records, ordinals from 1."""
    return (
        f"(SELECT nct_id, unnest(r.{path}) AS item, generate_subscripts(r.{path}, 1) AS ordinal FROM parsed)"
    )


CHILDREN_FROM_STAGE = (
    "INSERT INTO trial_conditions BY NAME"
    f" SELECT nct_id, ordinal, item AS condition FROM {_unnest('conditions')}",
    f"""
INSERT INTO trial_interventions BY NAME
SELECT nct_id, ordinal, item.type, item.name, item.description, item.other_names, item.arm_group_labels
FROM {_unnest("interventions")}
""",
    f"""
INSERT INTO trial_locations BY NAME
SELECT nct_id, item.key AS location_key, ordinal, item.facility, item.city, item.state, item.zip,
       item.country, item.status, item.geo_point.lat AS latitude, item.geo_point.lon AS longitude,
       item.contacts
FROM {_unnest("locations")}
""",
    f"""
INSERT INTO trial_outcomes BY NAME
SELECT nct_id, item.kind,
       row_number() OVER (PARTITION BY nct_id, item.kind ORDER BY ordinal) AS ordinal,
       item.measure, item.description, item.time_frame
FROM {_unnest("outcomes")}
""",
    f"""
INSERT INTO trial_sponsors BY NAME
SELECT nct_id, 'lead' AS role, 1 AS ordinal, r.lead_sponsor.name AS name,
       r.lead_sponsor.agency_class AS agency_class
FROM parsed WHERE r.lead_sponsor.name IS NOT NULL
UNION ALL BY NAME
SELECT nct_id, 'collaborator' AS role, ordinal, item.name, item.agency_class FROM {_unnest("collaborators")}
""",
    CRITERIA_FROM_STAGE,
)


def current_records(
    con: duckdb.DuckDBPyConnection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], Trial]:
    """The current canonical records of the given trials, by primary-key lookups (index, no scan).

    Falls back to trial_versions for a key whose version is not the current one.
    """
    found: dict[tuple[str, int], Trial] = {}
    for nct_id, version in keys:
        row = con.execute(
            "SELECT record_zlib FROM trial_current_records WHERE nct_id = ? AND version = ?",
            [nct_id, version],
        ).fetchone()
        if row is not None:
            # Without its version holder, which the differ ignores (it lives in trial_versions).
            found[(nct_id, version)] = _trial(zlib.decompress(row[0]).decode(), None)
    missing = [key for key in keys if key not in found]
    return {**found, **load_versions(con, missing)}


def load_versions(
    con: duckdb.DuckDBPyConnection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], Trial]:
    """The canonical records of the given (NCT ID, version) pairs."""
    if not keys:
        return {}
    rows = con.execute(
        "SELECT v.nct_id, v.version, v.record, v.version_holder FROM trial_versions v"
        " JOIN (SELECT unnest(?) AS nct_id, unnest(?) AS version) k USING (nct_id, version)",
        [[key[0] for key in keys], [key[1] for key in keys]],
    ).fetchall()
    return {(nct_id, version): _trial(record, holder) for nct_id, version, record, holder in rows}


def _trial(record_json: str, version_holder: date | None) -> Trial:
    """A stored canonical record back as a model; the version holder lives in its own column."""
    return Trial.model_validate_json(record_json).model_copy(update={"version_holder": version_holder})


def current_trial(con: duckdb.DuckDBPyConnection, nct_id: str) -> tuple[int, Trial] | None:
    """The current version number and canonical record of one trial, or None if it is not stored."""
    row = con.execute(
        "SELECT v.version, v.record, v.version_holder FROM trials t JOIN trial_versions v"
        " USING (nct_id, version) WHERE t.nct_id = ?",
        [nct_id],
    ).fetchone()
    if row is None:
        return None
    return int(row[0]), _trial(row[1], row[2])


def brief_titles(con: duckdb.DuckDBPyConnection, nct_ids: list[str]) -> dict[str, str | None]:
    """The current brief title of each of these trials, in one query."""
    rows = con.execute(
        "SELECT nct_id, brief_title FROM trials WHERE nct_id IN (SELECT unnest(?))", [nct_ids]
    ).fetchall()
    return {str(nct_id): title for nct_id, title in rows}
