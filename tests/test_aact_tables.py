"""The analyst tables at AACT parity: one row per element of the API's lists, exact values on real
records, current state replaced atomically by a new version, and the README's results queries."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import FIXTURES, REPO, SAMPLE, SHARED, load_raw

from pipeline import aact_tables, store, sync
from pipeline.settings import Settings

AACT_FIXTURES = FIXTURES / "aact"
RESULTS_IDS = ["NCT00663260", "NCT02058160", "NCT02552212", "NCT03064438", "NCT03887936", "NCT04280705"]
"""Every record with results in data/sample: the six distinct trials with results in ../shared/ctgov."""

Raw = dict[str, Any]


def _list(node: Any, *path: str) -> list[Any]:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def _sum(items: list[Any], *path: str) -> int:
    return sum(len(_list(item, *path)) for item in items)


def _measure_counts(measures: list[Any]) -> tuple[int, int, int, int]:
    """(classes, categories, measurements, class-level denominator counts) of a list of measures."""
    classes = [k for m in measures for k in _list(m, "classes")]
    categories = [g for k in classes for g in _list(k, "categories")]
    class_denoms = [d for k in classes for d in _list(k, "denoms")]
    return len(classes), len(categories), _sum(categories, "measurements"), _sum(class_denoms, "counts")


def expected_counts(raw: Raw) -> dict[str, int]:
    """The number of rows each table should hold for one record, counted in the API JSON itself."""
    protocol = raw.get("protocolSection", {})
    results = raw.get("resultsSection")
    flow = (results or {}).get("participantFlowModule", {})
    baseline = (results or {}).get("baselineCharacteristicsModule", {})
    outcomes = _list(results, "outcomeMeasuresModule", "outcomeMeasures")
    events = (results or {}).get("adverseEventsModule", {})
    periods = _list(flow, "periods")
    measures = _list(baseline, "measures")
    references = _list(protocol, "referencesModule", "references")
    b_classes, b_categories, b_values, b_class_denoms = _measure_counts(measures)
    o_classes, o_categories, o_values, o_class_denoms = _measure_counts(outcomes)
    ae_lists = _list(events, "seriousEvents") + _list(events, "otherEvents")
    annotation = raw.get("annotationSection", {}).get("annotationModule", {})
    return {
        "trial_details": 1,
        "trial_responsible_parties": int(
            "responsibleParty" in protocol.get("sponsorCollaboratorsModule", {})
        ),
        "trial_secondary_ids": len(_list(protocol, "identificationModule", "secondaryIdInfos")),
        "trial_arms": len(_list(protocol, "armsInterventionsModule", "armGroups")),
        "trial_arm_interventions": _sum(
            _list(protocol, "armsInterventionsModule", "interventions"), "armGroupLabels"
        ),
        "trial_central_contacts": len(_list(protocol, "contactsLocationsModule", "centralContacts")),
        "trial_officials": len(_list(protocol, "contactsLocationsModule", "overallOfficials")),
        "trial_references": len(references),
        "trial_retractions": _sum(references, "retractions"),
        "trial_links": len(_list(protocol, "referencesModule", "seeAlsoLinks")),
        "trial_ipd_documents": len(_list(protocol, "referencesModule", "availIpds")),
        "trial_results": int(results is not None),
        "trial_flow_groups": len(_list(flow, "groups")),
        "trial_flow_periods": len(periods),
        "trial_flow_milestones": sum(_sum(_list(p, "milestones"), "achievements") for p in periods),
        "trial_flow_drop_withdrawals": sum(_sum(_list(p, "dropWithdraws"), "reasons") for p in periods),
        "trial_baseline_groups": len(_list(baseline, "groups")),
        "trial_baseline_denoms": _sum(_list(baseline, "denoms"), "counts")
        + sum(_sum(_list(m, "denoms"), "counts") for m in measures)
        + b_class_denoms,
        "trial_baseline_measures": len(measures),
        "trial_baseline_classes": b_classes,
        "trial_baseline_categories": b_categories,
        "trial_baseline_measurements": b_values,
        "trial_outcome_measures": len(outcomes),
        "trial_outcome_groups": _sum(outcomes, "groups"),
        "trial_outcome_denoms": sum(_sum(_list(m, "denoms"), "counts") for m in outcomes) + o_class_denoms,
        "trial_outcome_classes": o_classes,
        "trial_outcome_categories": o_categories,
        "trial_outcome_measurements": o_values,
        "trial_outcome_analyses": _sum(outcomes, "analyses"),
        "trial_event_groups": len(_list(events, "eventGroups")),
        "trial_adverse_events": len(ae_lists),
        "trial_adverse_event_counts": _sum(ae_lists, "stats"),
        "trial_unposted_events": len(_list(annotation, "unpostedAnnotation", "unpostedEvents")),
        "trial_violation_events": len(_list(annotation, "violationAnnotation", "violationEvents")),
        "trial_documents": len(_list(raw.get("documentSection"), "largeDocumentModule", "largeDocs")),
    }


def stored_counts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """(table, NCT ID) → rows, for every table of aact_tables."""
    found = {}
    for table in aact_tables.TABLES:
        for nct_id, rows in con.execute(f"SELECT nct_id, count(*) FROM {table} GROUP BY nct_id").fetchall():
            found[(table, nct_id)] = rows
    return found


def current_raws(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, Raw]]:
    """Every stored trial with the raw API JSON of its current version."""
    rows = con.execute(
        "SELECT nct_id, v.raw FROM trials t JOIN trial_versions v USING (nct_id, version) ORDER BY nct_id"
    ).fetchall()
    for nct_id, raw in rows:
        yield nct_id, json.loads(raw)


def assert_counts_match_json(db: Path) -> int:
    """Row counts of every table equal the JSON list counts of each trial's current record; trials seen."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = stored_counts(con)
        expected: dict[tuple[str, str], int] = {}
        trials = 0
        for nct_id, raw in current_raws(con):
            trials += 1
            for table, rows in expected_counts(raw).items():
                if rows:
                    expected[(table, nct_id)] = rows
    finally:
        con.close()
    assert stored == expected
    return trials


def settings_for(folder: Path) -> Settings:
    return Settings(db=folder / "ctsync.duckdb", published=folder / "published" / "ctsync.duckdb", wait=0.5)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/sample and tests/fixtures/aact loaded into one database (read-only use by the tests)."""
    settings = settings_for(tmp_path_factory.mktemp("aact"))
    summary = sync.load(settings, [SAMPLE, AACT_FIXTURES])
    assert summary.failures == []
    return settings.db


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --- row counts ----------------------------------------------------------------------------------


def test_row_counts_equal_the_json_lists_of_every_sample_record(sample_db: Path) -> None:
    """Each table holds one row per element of its API list, for all 39 bundled real records."""
    assert assert_counts_match_json(sample_db) == 39


def test_every_results_record_of_the_sample_fills_every_results_table(sample_db: Path) -> None:
    """The six records with results have rows in each results table; no other trial has any."""
    per_table = {
        table: sorted(row[0] for row in query(sample_db, f"SELECT DISTINCT nct_id FROM {table}"))
        for table in ("trial_results", "trial_flow_milestones", "trial_baseline_measurements",
                      "trial_outcome_measurements", "trial_event_groups", "trial_adverse_event_counts")
    }  # fmt: skip
    assert per_table == dict.fromkeys(per_table, RESULTS_IDS)
    assert [
        r[0] for r in query(sample_db, "SELECT nct_id FROM trials WHERE has_results ORDER BY 1")
    ] == RESULTS_IDS


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/ctgov is not beside this checkout")
def test_row_counts_equal_the_json_lists_of_every_shared_record(tmp_path: Path) -> None:
    """All 474 real files of ../shared/ctgov (470 trials, 6 with results): counts equal the JSON lists."""
    settings = settings_for(tmp_path)
    assert sync.load(settings, [SHARED / "studies"]).failures == []
    assert assert_counts_match_json(settings.db) == 470
    with_results = query(settings.db, "SELECT count(*) FROM trial_results")
    assert with_results == [(len(RESULTS_IDS),)]


# --- exact values --------------------------------------------------------------------------------


def test_participant_flow_of_nct03064438(sample_db: Path) -> None:
    """Groups, the one period, milestones per group and the drop-out reasons, as the record gives them."""
    n = ["NCT03064438"]
    assert query(sample_db, "SELECT ordinal, group_id, title FROM trial_flow_groups WHERE nct_id = ?", n) == [
        (1, "FG000", "ACU-D1 Ointment"),
        (2, "FG001", "ACU-D1 Ointment Vehicle"),
    ]
    assert query(sample_db, "SELECT ordinal, title FROM trial_flow_periods WHERE nct_id = ?", n) == [
        (1, "Overall Study")
    ]
    assert query(
        sample_db,
        "SELECT milestone_ordinal, milestone, group_id, num_subjects FROM trial_flow_milestones"
        " WHERE nct_id = ? ORDER BY milestone_ordinal, ordinal",
        n,
    ) == [
        (1, "STARTED", "FG000", 27),
        (1, "STARTED", "FG001", 13),
        (2, "COMPLETED", "FG000", 26),
        (2, "COMPLETED", "FG001", 12),
        (3, "NOT COMPLETED", "FG000", 1),
        (3, "NOT COMPLETED", "FG001", 1),
    ]
    assert query(
        sample_db,
        "SELECT reason, group_id, num_subjects FROM trial_flow_drop_withdrawals WHERE nct_id = ?"
        " ORDER BY reason_ordinal, ordinal",
        n,
    ) == [
        ("Lost to Follow-up", "FG000", 1),
        ("Lost to Follow-up", "FG001", 0),
        ("Withdrawal by Subject", "FG000", 0),
        ("Withdrawal by Subject", "FG001", 1),
    ]


def test_baseline_of_nct03064438(sample_db: Path) -> None:
    """Overall denominators, measures, the categories of sex and the values with their spread."""
    n = ["NCT03064438"]
    assert query(
        sample_db, "SELECT scope, units, group_id, count FROM trial_baseline_denoms WHERE nct_id = ?", n
    ) == [("module", "Participants", "BG000", 27), ("module", "Participants", "BG001", 13),
          ("module", "Participants", "BG002", 40)]  # fmt: skip
    assert query(
        sample_db,
        "SELECT title, param_type, dispersion_type, unit_of_measure FROM trial_baseline_measures"
        " WHERE nct_id = ? AND ordinal <= 2 ORDER BY ordinal",
        n,
    ) == [
        ("Age, Continuous", "MEAN", "STANDARD_DEVIATION", "years"),
        ("Sex: Female, Male", "COUNT_OF_PARTICIPANTS", None, "Participants"),
    ]
    assert query(
        sample_db,
        "SELECT class_ordinal, ordinal, title FROM trial_baseline_categories"
        " WHERE nct_id = ? AND measure_ordinal = 2 ORDER BY ordinal",
        n,
    ) == [(1, 1, "Female"), (1, 2, "Male")]
    assert query(
        sample_db,
        "SELECT measure_ordinal, category_ordinal, group_id, value, value_num, spread_num"
        " FROM trial_baseline_measurements WHERE nct_id = ? AND measure_ordinal <= 2 AND group_id = 'BG002'"
        " ORDER BY measure_ordinal, category_ordinal",
        n,
    ) == [(1, 1, "BG002", "50.08", 50.08, 11.708), (2, 1, "BG002", "34", 34.0, None),
          (2, 2, "BG002", "6", 6.0, None)]  # fmt: skip
    classes = query(
        sample_db, "SELECT count(*), count(title) FROM trial_baseline_classes WHERE nct_id = ?", n
    )
    assert classes == [(6, 0)]  # one untitled class per measure


def test_outcome_measures_of_nct03064438(sample_db: Path) -> None:
    """The primary outcome: its definition, groups, denominators, values and its analysis."""
    n = ["NCT03064438"]
    assert query(
        sample_db,
        "SELECT type, title, param_type, dispersion_type, unit_of_measure, time_frame, reporting_status"
        " FROM trial_outcome_measures WHERE nct_id = ? AND ordinal = 1",
        n,
    ) == [
        (
            "PRIMARY",
            "Change From Baseline in Total Lesion Count at Week 12",
            "LEAST_SQUARES_MEAN",
            "Standard Error",
            "number of lesions",
            "Baseline, Week 12",
            "POSTED",
        )
    ]
    assert query(
        sample_db,
        "SELECT group_id, title FROM trial_outcome_groups WHERE nct_id = ? AND outcome_ordinal = 1",
        n,
    ) == [("OG000", "ACU-D1 Ointment"), ("OG001", "ACU-D1 Ointment Vehicle")]
    assert query(
        sample_db,
        "SELECT scope, group_id, count FROM trial_outcome_denoms WHERE nct_id = ? AND outcome_ordinal = 1",
        n,
    ) == [("measure", "OG000", 26), ("measure", "OG001", 11)]
    assert query(
        sample_db,
        "SELECT group_id, value, value_num, spread, spread_num FROM trial_outcome_measurements"
        " WHERE nct_id = ? AND outcome_ordinal = 1 ORDER BY ordinal",
        n,
    ) == [("OG000", "-10.2", -10.2, "1.08", 1.08), ("OG001", "-12.0", -12.0, "1.62", 1.62)]
    assert query(
        sample_db,
        "SELECT group_ids, non_inferiority_type, p_value, p_value_num, statistical_method, param_type,"
        " param_value_num, ci_pct_value, ci_num_sides, ci_lower_limit, ci_upper_limit, dispersion_type"
        " FROM trial_outcome_analyses WHERE nct_id = ? AND outcome_ordinal = 1",
        n,
    ) == [
        (
            ["OG000", "OG001"],
            "SUPERIORITY",
            "0.366",
            0.366,
            "t-test, 2 sided",
            "Difference of Least Squares (LS) Mean",
            1.8,
            "95",
            "TWO_SIDED",
            "-2.162",
            "5.727",
            "STANDARD_ERROR_OF_MEAN",
        )
    ]
    # a class per time point, with its own denominators
    assert query(
        sample_db,
        "SELECT class_ordinal, group_id, count FROM trial_outcome_denoms"
        " WHERE nct_id = ? AND outcome_ordinal = 2 AND scope = 'class' AND class_ordinal = 1",
        n,
    ) == [(1, "OG000", 27), (1, "OG001", 13)]


def test_p_values_keep_their_sign_apart(sample_db: Path) -> None:
    """'<0.0001' and '=0.247' as given, their sign and their number apart; NULL where none is given."""
    rows = query(
        sample_db,
        "SELECT p_value, p_value_modifier, p_value_num, count(*) FROM trial_outcome_analyses"
        " WHERE p_value IN ('<0.0001', '=0.247', '0.366') GROUP BY ALL ORDER BY 1",
    )
    assert rows == [("0.366", None, 0.366, 1), ("<0.0001", "<", 0.0001, 8), ("=0.247", "=", 0.247, 1)]


def test_adverse_events_of_nct03064438(sample_db: Path) -> None:
    """Event groups with their totals, one other event with its vocabulary and counts, the time frame."""
    n = ["NCT03064438"]
    assert query(
        sample_db,
        "SELECT group_id, title, deaths_num_affected, serious_num_affected, serious_num_at_risk,"
        " other_num_affected, other_num_at_risk FROM trial_event_groups WHERE nct_id = ? ORDER BY ordinal",
        n,
    ) == [
        ("EG000", "ACU-D1 Ointment", 0, 0, 27, 11, 27),
        ("EG001", "ACU-D1 Ointment Vehicle", 0, 0, 13, 4, 13),
    ]
    assert query(
        sample_db,
        "SELECT kind, term, organ_system, source_vocabulary, assessment_type FROM trial_adverse_events"
        " WHERE nct_id = ? AND ordinal = 1",
        n,
    ) == [("other", "Vomiting", "Gastrointestinal disorders", "MedDRA (21.0)", "SYSTEMATIC_ASSESSMENT")]
    assert query(
        sample_db,
        "SELECT group_id, num_events, num_affected, num_at_risk FROM trial_adverse_event_counts"
        " WHERE nct_id = ? AND kind = 'other' AND event_ordinal = 1 ORDER BY ordinal",
        n,
    ) == [("EG000", None, 1, 27), ("EG001", None, 0, 13)]
    assert query(
        sample_db, "SELECT ae_time_frame, ae_frequency_threshold FROM trial_results WHERE nct_id = ?", n
    ) == [("Baseline up to Week 14", "0")]


def test_serious_events_of_nct04280705(sample_db: Path) -> None:
    """A record with serious events: the per-group counts of its first serious term."""
    rows = query(
        sample_db,
        "SELECT e.term, e.organ_system, c.group_id, c.num_events, c.num_affected, c.num_at_risk"
        " FROM trial_adverse_events e JOIN trial_adverse_event_counts c"
        " ON c.nct_id = e.nct_id AND c.kind = e.kind AND c.event_ordinal = e.ordinal"
        " WHERE e.nct_id = 'NCT04280705' AND e.kind = 'serious' AND e.ordinal = 1 ORDER BY c.ordinal",
    )
    raw = load_raw("NCT04280705")["resultsSection"]["adverseEventsModule"]["seriousEvents"][0]
    assert rows == [
        (raw["term"], raw["organSystem"], s["groupId"], s.get("numEvents"), s["numAffected"], s["numAtRisk"])
        for s in raw["stats"]
    ]
    assert len(rows) == 2


def test_more_info_of_nct03064438(sample_db: Path) -> None:
    """Certain agreements and the results point of contact."""
    assert query(
        sample_db,
        "SELECT pi_sponsor_employee, restrictive_agreement, contact_title, contact_organization,"
        " contact_email, contact_phone, flow_recruitment_details FROM trial_results"
        " WHERE nct_id = 'NCT03064438'",
    ) == [(False, False, "Chief Science Officer", "Accuitis, Inc.", "info@accuitis.com", "678-812-1492",
           "The study was conducted at two sites in the United States.")]  # fmt: skip


def test_annotations_and_documents(sample_db: Path) -> None:
    """Unposted results events (NCT01788527), FDAAA violations and uploaded documents (NCT03064438)."""
    assert query(
        sample_db, "SELECT nct_id, ordinal, type, date FROM trial_unposted_events ORDER BY 1, 2"
    ) == [
        ("NCT01788527", 1, "RELEASE", date(2020, 5, 6)),
        ("NCT01788527", 2, "RESET", date(2020, 5, 28)),
        ("NCT01788527", 3, "RELEASE", date(2020, 11, 18)),
        ("NCT01788527", 4, "RESET", date(2020, 12, 11)),
    ]
    assert query(
        sample_db, "SELECT unposted_responsible_party FROM trial_details WHERE nct_id = 'NCT01788527'"
    ) == [("Mount Sinai Hospital, Canada",)]
    assert query(
        sample_db,
        "SELECT type, issued_date, posted_date FROM trial_violation_events WHERE nct_id = 'NCT03064438'"
        " ORDER BY ordinal",
    ) == [
        ("CORRECTION_CONFIRMED", date(2022, 5, 26), date(2022, 6, 7)),
        ("VIOLATION_IDENTIFIED", date(2021, 7, 26), date(2021, 7, 29)),
    ]
    assert query(
        sample_db,
        "SELECT type_abbrev, has_protocol, has_sap, has_icf, label, date, size, url FROM trial_documents"
        " WHERE nct_id = 'NCT03064438' ORDER BY ordinal",
    ) == [
        ("Prot", True, False, False, "Study Protocol", date(2017, 8, 5), 642802,
         "https://cdn.clinicaltrials.gov/large-docs/38/NCT03064438/Prot_000.pdf"),
        ("SAP", False, True, False, "Statistical Analysis Plan", date(2018, 5, 11), 7296067,
         "https://cdn.clinicaltrials.gov/large-docs/38/NCT03064438/SAP_001.pdf"),
    ]  # fmt: skip


def test_protocol_lists(sample_db: Path) -> None:
    """Arms and their interventions, secondary IDs, references, links, contacts and IPD documents."""
    assert query(
        sample_db,
        "SELECT ordinal, label, type, intervention_names FROM trial_arms WHERE nct_id = 'NCT03064438'",
    ) == [(1, "ACU-D1 Ointment", "EXPERIMENTAL", ["Drug: ACCU-D1"]),
          (2, "ACU-D1 Ointment Vehicle", "PLACEBO_COMPARATOR", ["Drug: Vehicle"])]  # fmt: skip
    assert query(
        sample_db,
        "SELECT intervention_ordinal, arm_label, arm_ordinal, intervention_type, intervention_name"
        " FROM trial_arm_interventions WHERE nct_id = 'NCT03064438' ORDER BY 1",
    ) == [(1, "ACU-D1 Ointment", 1, "DRUG", "ACCU-D1"), (2, "ACU-D1 Ointment Vehicle", 2, "DRUG", "Vehicle")]
    assert query(sample_db, "SELECT * FROM trial_secondary_ids WHERE nct_id = 'NCT02552212'") == [
        ("NCT02552212", 1, "2015-001894-41", "EUDRACT_NUMBER", None, None)
    ]
    assert query(
        sample_db, "SELECT pmid, type FROM trial_references WHERE nct_id = 'NCT02552212' AND ordinal <= 3"
    ) == [("35296532", "RESULT"), ("35733363", "RESULT"), ("34715908", "DERIVED")]
    assert query(
        sample_db, "SELECT label, url FROM trial_links WHERE nct_id = 'NCT00663260' AND ordinal = 1"
    ) == [("Publication", "http://rd.springer.com/article/10.1007%2Fs00125-016-4017-1")]
    assert query(
        sample_db, "SELECT name, role, phone, email FROM trial_central_contacts WHERE nct_id = 'NCT00286637'"
    ) == [("Taylor Harwood", "CONTACT", "215-928-3197", "tharwood@willseye.org"),
          ("Ronald Zambrano", "CONTACT", "215-928-3197", "rzambrano@willseye.org")]  # fmt: skip
    ipd = load_raw(AACT_FIXTURES / "NCT07048717.json")["protocolSection"]["referencesModule"]["availIpds"]
    assert query(sample_db, "SELECT document_id, type, url, comment FROM trial_ipd_documents") == [
        (d.get("id"), d.get("type"), d.get("url"), d.get("comment")) for d in ipd
    ]


def test_trial_details_of_nct03064438(sample_db: Path) -> None:
    """Flat protocol facts: organization, QC and results dates with their types, oversight, masking."""
    assert query(
        sample_db,
        "SELECT organization_name, organization_class, study_first_submitted_qc_date,"
        " study_first_posted_date_type, results_first_submitted_date, results_first_posted_date_type,"
        " has_dmc, is_fda_regulated_drug, is_fda_regulated_device, who_masked, ipd_sharing"
        " FROM trial_details WHERE nct_id = 'NCT03064438'",
    ) == [("Accuitis, Inc.", "INDUSTRY", date(2017, 2, 24), "ACTUAL", date(2021, 8, 17), "ACTUAL",
           False, True, False, ["PARTICIPANT", "INVESTIGATOR"], "NO")]  # fmt: skip
    assert query(sample_db, "SELECT * FROM trial_responsible_parties WHERE nct_id = 'NCT03064438'") == [
        ("NCT03064438", "SPONSOR", None, None, None, None, None)
    ]


def _months(start: date, end: date) -> int:
    return int((end - start).days // 30.436875)


def test_calculated_values_follow_the_record(sample_db: Path) -> None:
    """Sites, countries, US site, ages, months to report, duration, arms and SAE subjects, recomputed here."""
    raw = load_raw("NCT04280705")
    status = raw["protocolSection"]["statusModule"]
    start = date.fromisoformat(status["startDateStruct"]["date"])
    completion = date.fromisoformat(status["primaryCompletionDateStruct"]["date"])
    submitted = date.fromisoformat(status["resultsFirstSubmitDate"])
    groups = raw["resultsSection"]["adverseEventsModule"]["eventGroups"]
    sites = raw["protocolSection"]["contactsLocationsModule"]["locations"]
    row = query(
        sample_db,
        "SELECT number_of_sites, number_of_countries, has_us_site, minimum_age_years, maximum_age_years,"
        " months_to_report_results, actual_duration_months, number_of_arms, number_of_sae_subjects,"
        " number_of_sae_subjects_at_risk FROM trial_calculated_values WHERE nct_id = 'NCT04280705'",
    )
    assert row == [
        (
            len(sites),
            len({s["country"] for s in sites}),
            any(s["country"] == "United States" for s in sites),
            18.0,
            99.0,
            _months(completion, submitted),
            _months(start, completion),
            len(raw["protocolSection"]["armsInterventionsModule"]["armGroups"]),
            sum(g["seriousNumAffected"] for g in groups),
            sum(g["seriousNumAtRisk"] for g in groups),
        )
    ]
    assert row == [(60, 10, True, 18.0, 99.0, 3, 2, 2, 294, 1048)]
    # no results: no SAE count, and months to report only with a results submission
    assert query(
        sample_db,
        "SELECT number_of_sae_subjects, months_to_report_results, number_of_arms"
        " FROM trial_calculated_values WHERE nct_id = 'NCT05766735'",
    ) == [(None, None, 2)]


# --- current state: reload, new versions, atomicity ---------------------------------------------


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of aact_tables (and trials), as text, sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            table: sorted(con.execute(f"SELECT COLUMNS(*)::VARCHAR FROM {table}").fetchall(), key=repr)
            for table in (*aact_tables.TABLES, "trials")
        }
    finally:
        con.close()


def write_records(folder: Path, *records: Raw) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for raw in records:
        nct_id = raw["protocolSection"]["identificationModule"]["nctId"]
        (folder / f"{nct_id}.json").write_text(json.dumps(raw), encoding="utf-8")
    return folder


def later_version(raw: Raw) -> Raw:
    """A next version derived by code from a real record: posted later, results corrected.

    The last other adverse event and the last outcome measure are dropped, the first milestone count
    goes up by one and the documents are gone: every kind of change a results update makes.
    """
    new = copy.deepcopy(raw)
    new["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-01-15"
    results = new["resultsSection"]
    results["adverseEventsModule"]["otherEvents"].pop()
    results["outcomeMeasuresModule"]["outcomeMeasures"].pop()
    first = results["participantFlowModule"]["periods"][0]["milestones"][0]["achievements"][0]
    first["numSubjects"] = str(int(first["numSubjects"]) + 1)
    del new["documentSection"]
    return new


def test_loading_twice_changes_no_table(tmp_path: Path) -> None:
    """A second load of the same records stores nothing new and leaves every table as it was."""
    settings = settings_for(tmp_path)
    sync.load(settings, [SAMPLE])
    before = snapshot(settings.db)
    again = sync.load(settings, [SAMPLE])
    assert (again.count("new"), again.count("changed")) == (0, 0)
    assert snapshot(settings.db) == before


def test_new_version_replaces_the_trials_rows(tmp_path: Path) -> None:
    """After a later version, the trial's rows are exactly those of the new JSON; other trials keep theirs."""
    settings = settings_for(tmp_path)
    old = load_raw("NCT03064438")
    other = load_raw("NCT03887936")
    sync.load(settings, [write_records(tmp_path / "v1", old, other)])
    other_before = snapshot(settings.db)
    new = later_version(old)
    summary = sync.load(settings, [write_records(tmp_path / "v2", new)])
    assert summary.count("changed") == 1
    assert assert_counts_match_json(settings.db) == 2
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        counts = stored_counts(con)
    finally:
        con.close()
    assert counts[("trial_adverse_events", "NCT03064438")] == expected_counts(old)["trial_adverse_events"] - 1
    assert ("trial_documents", "NCT03064438") not in counts
    dropped = old["resultsSection"]["adverseEventsModule"]["otherEvents"][-1]["term"]
    assert query(settings.db, "SELECT count(*) FROM trial_adverse_events WHERE term = ?", [dropped]) == [(0,)]
    assert query(
        settings.db,
        "SELECT num_subjects FROM trial_flow_milestones WHERE nct_id = 'NCT03064438'"
        " AND period_ordinal = 1 AND milestone_ordinal = 1 AND ordinal = 1",
    ) == [(28,)]
    after = snapshot(settings.db)
    for table, rows in other_before.items():
        keep = [row for row in rows if row[0] == "NCT03887936"]
        assert [row for row in after[table] if row[0] == "NCT03887936"] == keep


def test_a_failing_statement_leaves_every_table_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error after the results rows are written rolls back the whole batch: old rows, old version."""
    settings = settings_for(tmp_path)
    old = load_raw("NCT03064438")
    sync.load(settings, [write_records(tmp_path / "v1", old)])
    before = snapshot(settings.db)
    broken = (*aact_tables.FROM_STAGE[:-1], "SELECT * FROM no_such_table", aact_tables.FROM_STAGE[-1])
    monkeypatch.setattr(aact_tables, "FROM_STAGE", broken)
    with pytest.raises(duckdb.CatalogException):
        sync.load(settings, [write_records(tmp_path / "v2", later_version(old))])
    assert snapshot(settings.db) == before
    assert query(settings.db, "SELECT max(version) FROM trial_versions") == [(1,)]


def test_retractions_of_a_derived_record(tmp_path: Path) -> None:
    """No real record carries a retraction: one derived by code (a reference's own PMID as the notice's)."""
    raw = load_raw("NCT02552212")
    references = raw["protocolSection"]["referencesModule"]["references"]
    references[1]["retractions"] = [{"pmid": references[0]["pmid"], "source": references[1]["citation"][:20]}]
    settings = settings_for(tmp_path)
    sync.load(settings, [write_records(tmp_path / "r", raw)])
    assert query(settings.db, "SELECT reference_ordinal, ordinal, pmid, source FROM trial_retractions") == [
        (2, 1, "35296532", references[1]["citation"][:20])
    ]
    assert assert_counts_match_json(settings.db) == 1


# --- documentation -------------------------------------------------------------------------------


def readme_results_queries() -> list[str]:
    """The SQL statements of the README's results examples, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Results, queried", 1)[1]
    block = re.search(r"```sql\n(.*?)```", section, re.S)
    assert block is not None
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


def test_readme_results_queries_run_on_the_sample(sample_db: Path) -> None:
    """The README's three example queries over results run and give these rows on the bundled records."""
    serious, arms, significant = (query(sample_db, sql) for sql in readme_results_queries())
    assert serious == [
        ("NCT04280705", "Placebo", 163, 516, 31.6),
        ("NCT04280705", "Remdesivir", 131, 532, 24.6),
        ("NCT00663260", "Dapagliflozin 10 mg", 12, 85, 14.1),
        ("NCT00663260", "Placebo", 9, 84, 10.7),
        ("NCT00663260", "Dapagliflozin 5 mg", 7, 83, 8.4),
        ("NCT02552212", "SFE OL CZP 200 mg Q2W (SS)", 15, 243, 6.2),
        ("NCT02058160", "Insulin Glargine/Lixisenatide Fixed Ratio Combination", 20, 365, 5.5),
        ("NCT02552212", "CZP 200 mg Q2W (SS)", 8, 159, 5.0),
    ]
    assert arms[:3] == [("NCT06151964", 10), ("NCT05041309", 7), ("NCT04613596", 5)]
    assert len(arms) == 36  # of the 39 records, three register no arm
    assert [row[:4] for row in significant] == [
        ("NCT02058160", 1, "Change in Glycated Hemoglobin (HbA1c) From Baseline to Week 30", "<0.0001"),
        ("NCT02552212", 1, "Percentage of Subjects With Ankylosing Spondylitis Disease Activity Score Major"
         " Improvement (ASDAS-MI) Response Criteria Response at Week 52", "<0.001"),
        ("NCT02552212", 2, "Percentage of Subjects With Axial SpondyloArthritis International Society 40%"
         " Response Criteria (ASAS40) Response at Week 12", "<0.001"),
        ("NCT04280705", 1, "Time to Recovery", "<0.001"),
    ]  # fmt: skip
    assert significant[3][4:] == ("Log Rank", "Cox Proportional Hazard", "1.29")


AACT_TABLES = [
    "studies",
    "browse_conditions",
    "browse_interventions",
    "facilities",
    "conditions",
    "countries",
    "design_outcomes",
    "design_groups",
    "id_information",
    "interventions",
    "keywords",
    "overall_officials",
    "sponsors",
    "baseline_counts",
    "baseline_measurements",
    "brief_summaries",
    "calculated_values",
    "search_results",
    "central_contacts",
    "design_group_interventions",
    "designs",
    "detailed_descriptions",
    "documents",
    "drop_withdrawals",
    "eligibilities",
    "facility_contacts",
    "facility_investigators",
    "intervention_other_names",
    "ipd_information_types",
    "links",
    "mesh_headings",
    "mesh_terms",
    "milestones",
    "outcome_analyses",
    "outcome_analysis_groups",
    "outcome_counts",
    "outcome_measurements",
    "outcomes",
    "participant_flows",
    "pending_results",
    "provided_documents",
    "reported_event_totals",
    "reported_events",
    "responsible_parties",
    "result_agreements",
    "result_contacts",
    "result_groups",
    "retractions",
    "study_records",
    "study_references",
    "study_searches",
]
"""The 51 tables of AACT's ctgov_v2 schema (CREATE TABLE ctgov_v2.* in ../shared/aact/structure.sql)."""


def readme_aact_map() -> dict[str, str]:
    """AACT table name → the README's ctsync cell, from the map's rows."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### AACT's tables in ctsync", 1)[1].split("\n## ", 1)[0]
    found = {}
    for line in section.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) == 2:
            for name in re.findall(r"`(\w+)`", cells[0]):
                found[name] = cells[1]
    return found


def test_readme_maps_every_aact_table_to_a_ctsync_table_or_a_reason() -> None:
    """Each of AACT's 51 tables has a row; every ctsync table or view a row names exists."""
    mapping = readme_aact_map()
    assert sorted(mapping) == sorted(AACT_TABLES)
    con = duckdb.connect(":memory:")
    store.migrate(con)
    names = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    names |= {
        row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    columns = {
        f"{table}.{column}"
        for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall()
    }
    con.close()
    for aact, cell in mapping.items():
        named = re.findall(r"`((?:trial|trials)\w*(?:\.\w+)?)`", cell)
        assert named or cell.startswith("none: "), aact
        for name in named:
            assert name in names or name in columns, (aact, name)


@pytest.mark.skipif(
    not (SHARED.parent / "aact").is_dir(), reason="../shared/aact is not beside this checkout"
)
def test_aact_table_list_is_the_one_of_structure_sql() -> None:
    """AACT_TABLES is exactly the ctgov_v2 tables of AACT's published schema."""
    text = (SHARED.parent / "aact" / "structure.sql").read_text(encoding="utf-8")
    assert sorted(re.findall(r"CREATE TABLE ctgov_v2\.(\w+) \(", text)) == sorted(AACT_TABLES)


def test_every_table_is_current_state_and_for_analysts() -> None:
    """The store deletes and re-inserts every one of these tables per new version, and exports them."""
    assert set(aact_tables.TABLES) <= set(store.CURRENT_TABLES)
    assert set(aact_tables.TABLES) <= set(store.ANALYST_TABLES)
    assert len(set(aact_tables.TABLES)) == len(aact_tables.TABLES) == 35
