"""normalize(): every real record, golden values of varied real records, text, enums, errors and criteria.

Golden values were read off the raw JSON of each record (data/sample, byte copies of
../shared/ctgov/studies), not copied from the normalizer's output.
"""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, SAMPLE, SHARED, load_raw

from pipeline.criteria import parse_criteria
from pipeline.errors import RecordError
from pipeline.models import (
    Contact,
    DatePrecision,
    GeoPoint,
    MeshTerm,
    Organization,
    SecondaryId,
    Trial,
    TrialDate,
)
from pipeline.normalize import age_in_years, normalize

RawFactory = Callable[[str], dict[str, Any]]

# Every folder of real records: always-present ones first, then ../shared/ctgov when it is there.
RECORD_FOLDERS = [
    SAMPLE,
    FIXTURES / "versions",
    FIXTURES / "pages",
    FIXTURES / "partial",
    SHARED / "studies",
    SHARED / "pages",
    SHARED / "partial",
]
RECORD_FILES = [path for folder in RECORD_FOLDERS for path in sorted(folder.glob("*.json"))]


def studies_in(path: Path) -> Iterator[dict[str, Any]]:
    """The studies of one real file: itself, or each study of an API list page."""
    raw = load_raw(path)
    yield from raw.get("studies", [raw])


def case_id(path: Path) -> str:
    """A test ID naming the file relative to the repository (``../shared/...`` for the shared records)."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else f"../{path.relative_to(REPO.parent)}"


def when(iso: str, precision: DatePrecision, type_: str | None = None) -> TrialDate:
    """The TrialDate for the first day ``iso`` names, at the given precision."""
    return TrialDate(date=dt.date.fromisoformat(iso), precision=precision, type=type_)


def facts(trial: Trial) -> dict[str, object]:
    """The facts every golden test pins, in one comparable dict."""
    eligibility = trial.eligibility
    return {
        "nct_id": trial.nct_id,
        "brief_title": trial.brief_title,
        "overall_status": trial.overall_status,
        "study_type": trial.study_type,
        "phases": trial.phases,
        "start": trial.start_date,
        "primary_completion": trial.primary_completion_date,
        "completion": trial.completion_date,
        "last_update_posted": trial.last_update_posted_date,
        "enrollment": (trial.enrollment_count, trial.enrollment_type),
        "sex": eligibility.sex,
        "minimum_age": (eligibility.minimum_age, eligibility.minimum_age_years),
        "maximum_age": (eligibility.maximum_age, eligibility.maximum_age_years),
        "lead_sponsor": trial.lead_sponsor,
        "counts": {
            "collaborators": len(trial.collaborators),
            "conditions": len(trial.conditions),
            "arm_groups": len(trial.arm_groups),
            "interventions": len(trial.interventions),
            "outcomes": tuple(
                sum(outcome.kind == kind for outcome in trial.outcomes)
                for kind in ("primary", "secondary", "other")
            ),
            "locations": len(trial.locations),
        },
        "has_results": trial.has_results,
        "unknown_values": trial.unknown_values,
    }


# --- every real record ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", RECORD_FILES, ids=case_id)
def test_every_real_record_normalizes(path: Path) -> None:
    """Every real study (each file, each study of each list page) normalizes to a Trial of its own NCT ID."""
    studies = list(studies_in(path))
    normalized = [normalize(study) for study in studies]
    assert [trial.nct_id for trial in normalized] == [
        study["protocolSection"]["identificationModule"]["nctId"] for study in studies
    ]


def test_normalize_leaves_its_input_untouched(sample_raw: RawFactory) -> None:
    """normalize is pure: the raw record is the same after normalizing it."""
    raw = sample_raw("NCT04613596")
    before = copy.deepcopy(raw)
    normalize(raw)
    assert raw == before


# --- golden records ---------------------------------------------------------------------------------


def test_golden_nct00841061_partial_dates_and_age_in_days(sample_raw: RawFactory) -> None:
    """A month-only start date is the first of that month at month precision; "28 Days" is 28/365.25 years."""
    trial = normalize(sample_raw("NCT00841061"))
    assert facts(trial) == {
        "nct_id": "NCT00841061",
        "brief_title": "Cereals as a Source of Iron for Breastfed Infants",
        "overall_status": "COMPLETED",
        "study_type": "INTERVENTIONAL",
        "phases": ("NA",),
        "start": when("2003-07-01", "month"),
        "primary_completion": when("2006-05-01", "month", "ACTUAL"),
        "completion": when("2006-05-01", "month", "ACTUAL"),
        "last_update_posted": when("2009-02-11", "day", "ESTIMATED"),
        "enrollment": (111, "ACTUAL"),
        "sex": "ALL",
        "minimum_age": ("28 Days", 0.0767),
        "maximum_age": ("1 Year", 1.0),
        "lead_sponsor": Organization(name="National Institutes of Health (NIH)", agency_class="NIH"),
        "counts": {
            "collaborators": 0,
            "conditions": 1,
            "arm_groups": 2,
            "interventions": 2,
            "outcomes": (1, 1, 0),
            "locations": 1,
        },
        "has_results": False,
        "unknown_values": (),
    }
    assert trial.start_date is not None
    assert trial.start_date.text == "2003-07"
    assert trial.status_verified_date == when("2009-01-01", "month")
    assert trial.first_submitted_date == when("2009-02-09", "day")
    assert (
        trial.official_title
        == "Breast Feeding and Iron: Comparison of Cereals Fortified With Different Forms of Iron"
    )
    assert trial.acronym == "Bfe03B"
    assert trial.organization == Organization(
        name="Eunice Kennedy Shriver National Institute of Child Health and Human Development (NICHD)",
        agency_class="NIH",
    )
    assert trial.secondary_ids == (SecondaryId(id="HD40315-01"),)
    assert trial.responsible_party is not None
    assert (trial.responsible_party.old_name_title, trial.responsible_party.old_organization) == (
        "Dr. Ekhard E. Ziegler",
        "University of Iowa",
    )
    assert trial.eligibility.std_ages == ("CHILD",)
    assert trial.eligibility.healthy_volunteers is True
    assert trial.eligibility.inclusion == (
        "exclusively breastfed",
        "birth weight between 2500 and 4200g",
        "gestational age >36 weeks",
    )
    assert trial.eligibility.exclusion == ("supplementing formula", "no iron drops")
    assert trial.design.who_masked == ("PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR")
    assert [(o.kind, o.measure, o.time_frame) for o in trial.outcomes] == [
        ("primary", "plasma ferritin", "280 days"),
        ("secondary", "hemoglobin", "280"),
    ]
    (site,) = trial.locations
    assert site.key == "university of iowa|iowa city|iowa|united states|52242"
    assert site.geo_point == GeoPoint(lat=41.66113, lon=-91.53017)
    assert trial.condition_mesh_terms == (MeshTerm(id="D000090463", term="Iron Deficiencies"),)
    assert trial.intervention_mesh_terms == (MeshTerm(id="C000031621", term="Ferrous fumarate"),)
    assert trial.version_holder == dt.date(2023, 6, 20)


def test_golden_nct03118986_age_in_months_and_criteria_without_headers(sample_raw: RawFactory) -> None:
    """ "30 Months" is 2.5 years, and criteria without section headers are all inclusion items."""
    trial = normalize(sample_raw("NCT03118986"))
    assert facts(trial) == {
        "nct_id": "NCT03118986",
        "brief_title": "RCT of Olanzapine for Control of CIV in Children Receiving Highly Emetogenic "
        "Chemotherapy",
        "overall_status": "RECRUITING",
        "study_type": "INTERVENTIONAL",
        "phases": ("PHASE2",),
        "start": when("2017-08-10", "day", "ACTUAL"),
        "primary_completion": when("2026-03-01", "month", "ESTIMATED"),
        "completion": when("2026-04-01", "month", "ESTIMATED"),
        "last_update_posted": when("2025-05-18", "day", "ACTUAL"),
        "enrollment": (200, "ESTIMATED"),
        "sex": "ALL",
        "minimum_age": ("30 Months", 2.5),
        "maximum_age": ("18 Years", 18.0),
        "lead_sponsor": Organization(name="The Hospital for Sick Children", agency_class="OTHER"),
        "counts": {
            "collaborators": 8,
            "conditions": 4,
            "arm_groups": 2,
            "interventions": 2,
            "outcomes": (2, 12, 0),
            "locations": 10,
        },
        "has_results": False,
        "unknown_values": (),
    }
    eligibility = trial.eligibility
    assert eligibility.std_ages == ("CHILD", "ADULT")
    assert (len(eligibility.inclusion), eligibility.exclusion) == (15, ())
    assert eligibility.inclusion[3] == (
        "2.5 to < 18 years of age. Note that the minimum age requirement corresponds to an approximate body "
        "weight of 12.5 kg."
    )
    assert eligibility.inclusion[5] == "Plasma creatinine within 1.5 times the upper limit of normal for age."
    assert eligibility.inclusion[-1].startswith("Optional: Child participants in the optional assessment")
    assert trial.countries == ("Canada", "India", "United States")
    first = trial.locations[0]
    assert first.key == "university of california|san francisco|california|united states|94158"
    assert first.status == "RECRUITING"
    assert first.contacts == (Contact(name="Ying Lu", role="CONTACT", email="ying.lu@ucsf.edu"),)
    assert trial.locations[-1].key == "all india institute of medical sciences|new delhi|delhi|india|110029"


def test_golden_nct02577120_phase1_phase2_numbered_criteria(sample_raw: RawFactory) -> None:
    """PHASE1|PHASE2 keeps both phases in order, numbered items lose their numbers, last update ESTIMATED."""
    trial = normalize(sample_raw("NCT02577120"))
    assert facts(trial) == {
        "nct_id": "NCT02577120",
        "brief_title": "Wound Healing Endpoint and Recurrence",
        "overall_status": "ACTIVE_NOT_RECRUITING",
        "study_type": "INTERVENTIONAL",
        "phases": ("PHASE1", "PHASE2"),
        "start": when("2019-01-08", "day", "ACTUAL"),
        "primary_completion": when("2029-02-01", "month", "ESTIMATED"),
        "completion": when("2034-02-01", "month", "ESTIMATED"),
        "last_update_posted": when("2025-09-26", "day", "ESTIMATED"),
        "enrollment": (100, "ESTIMATED"),
        "sex": "ALL",
        "minimum_age": ("18 Years", 18.0),
        "maximum_age": (None, None),
        "lead_sponsor": Organization(name="Sashwati Roy", agency_class="OTHER"),
        "counts": {
            "collaborators": 0,
            "conditions": 7,
            "arm_groups": 2,
            "interventions": 2,
            "outcomes": (1, 0, 0),
            "locations": 3,
        },
        "has_results": False,
        "unknown_values": (),
    }
    assert trial.first_posted_date == when("2015-10-16", "day", "ESTIMATED")
    eligibility = trial.eligibility
    # "i. … ii. … iii. … iv. …" run together on one line are four sub-items of the item above them
    assert (len(eligibility.inclusion), len(eligibility.exclusion)) == (8, 7)
    assert eligibility.inclusion[0] == "Age ≥ 18"
    assert eligibility.inclusion[3:7] == (
        "Diabetic foot ulcers, Wagner grade 1-3",
        "Pressure ulcers, stage 2-3",
        "Venous leg ulcers, confirmed by venous duplex",
        "Burn wounds",
    )
    assert [row.depth for row in eligibility.structure.flat()[2:7]] == [1, 2, 2, 2, 2]
    assert eligibility.exclusion[-1] == (
        "Patients with an HbA1c score greater than 10.0 at Visit 1, will be considered a screen fail. "
        "Score can be gathered from EMR in previous 12 months to visit 1 if done as SOC, or completed during "
        "visit 1."
    )
    assert [(i.type, i.name) for i in trial.interventions] == [
        ("DEVICE", "Epiceram Skin Barrier Function"),
        ("BIOLOGICAL", "Vaseline Petroleum Jelly"),
    ]
    # Raw order is D002056, D017719, D003668, D000092122, D014947: the canonical list is sorted.
    assert trial.condition_mesh_terms == (
        MeshTerm(id="D000092122", term="Bronchiolitis Obliterans Syndrome"),
        MeshTerm(id="D002056", term="Burns"),
        MeshTerm(id="D003668", term="Pressure Ulcer"),
        MeshTerm(id="D014947", term="Wounds and Injuries"),
        MeshTerm(id="D017719", term="Diabetic Foot"),
    )
    assert trial.ipd_sharing is not None
    assert (trial.ipd_sharing.sharing, trial.ipd_sharing.info_types) == (
        "YES",
        ("STUDY_PROTOCOL", "SAP", "ICF"),
    )


def test_golden_nct04790240_phase1_phase2_without_age_limits(sample_raw: RawFactory) -> None:
    """A record without minimumAge and maximumAge has no age limits (N/A), not zero."""
    trial = normalize(sample_raw("NCT04790240"))
    assert facts(trial) == {
        "nct_id": "NCT04790240",
        "brief_title": "Medical Herbs Inhibit Inflammation Directing T Cells to Kill the COVID-19 Virus "
        "(COVID)",
        "overall_status": "RECRUITING",
        "study_type": "INTERVENTIONAL",
        "phases": ("PHASE1", "PHASE2"),
        "start": when("2025-01-01", "day", "ACTUAL"),
        "primary_completion": when("2026-12-30", "day", "ESTIMATED"),
        "completion": when("2027-05-30", "day", "ESTIMATED"),
        "last_update_posted": when("2025-02-19", "day", "ESTIMATED"),
        "enrollment": (100, "ESTIMATED"),
        "sex": "ALL",
        "minimum_age": (None, None),
        "maximum_age": (None, None),
        "lead_sponsor": Organization(name="All Natural Medicine Clinic, LLC", agency_class="OTHER"),
        "counts": {
            "collaborators": 0,
            "conditions": 1,
            "arm_groups": 3,
            "interventions": 4,
            "outcomes": (3, 3, 0),
            "locations": 1,
        },
        "has_results": False,
        "unknown_values": (),
    }
    assert trial.acronym == "COVID"
    assert trial.eligibility.std_ages == ("CHILD", "ADULT", "OLDER_ADULT")
    assert len(trial.keywords) == 14
    # the lead-in of each section is a note of its group, not a criterion
    assert (len(trial.eligibility.inclusion), len(trial.eligibility.exclusion)) == (6, 8)
    assert trial.eligibility.structure.inclusion[0].lead_ins == (
        "A subject will be eligible for inclusion in this study if any of the following criteria apply:",
    )
    assert trial.eligibility.exclusion[-1] == (
        "Severe patients, when there have insufficient normal cells, can be adjusted, with pre-list diseases "
        "life-threatening."
    )
    assert (trial.design.masking, trial.design.who_masked) == ("DOUBLE", ("PARTICIPANT", "CARE_PROVIDER"))
    assert (trial.design.intervention_model_description or "").startswith(
        "The participants are randomly divided into two groups"
    )
    assert (
        trial.locations[0].key
        == "all natural medicine clinic, llc|rockville|maryland|united states|20852-2235"
    )
    assert trial.condition_mesh_terms == (MeshTerm(id="D000086382", term="COVID-19"),)
    assert trial.intervention_mesh_terms == ()


def test_golden_nct00286637_observational(sample_raw: RawFactory) -> None:
    """An observational study has no phases, an observational design and a study population."""
    trial = normalize(sample_raw("NCT00286637"))
    assert facts(trial) == {
        "nct_id": "NCT00286637",
        "brief_title": "Novel Glaucoma Diagnostics",
        "overall_status": "RECRUITING",
        "study_type": "OBSERVATIONAL",
        "phases": (),
        "start": when("2000-08-01", "day", "ACTUAL"),
        "primary_completion": when("2029-07-31", "day", "ESTIMATED"),
        "completion": when("2029-07-31", "day", "ESTIMATED"),
        "last_update_posted": when("2024-08-15", "day", "ACTUAL"),
        "enrollment": (5000, "ESTIMATED"),
        "sex": "ALL",
        "minimum_age": ("18 Years", 18.0),
        "maximum_age": (None, None),
        "lead_sponsor": Organization(name="Wills Eye", agency_class="OTHER"),
        "counts": {
            "collaborators": 1,
            "conditions": 2,
            "arm_groups": 4,
            "interventions": 0,
            "outcomes": (1, 0, 0),
            "locations": 1,
        },
        "has_results": False,
        "unknown_values": (),
    }
    design = trial.design
    assert (design.observational_model, design.time_perspective, design.allocation) == (
        "OTHER",
        "OTHER",
        None,
    )
    assert trial.collaborators == (Organization(name="National Eye Institute (NEI)", agency_class="NIH"),)
    assert trial.secondary_ids == (
        SecondaryId(id="R01EY013178", type="NIH", link="https://reporter.nih.gov/quickSearch/R01EY013178"),
    )
    eligibility = trial.eligibility
    assert (eligibility.sampling_method, eligibility.healthy_volunteers) == ("NON_PROBABILITY_SAMPLE", True)
    assert (eligibility.study_population or "").startswith("The study aims to enroll healthy volunteers")
    assert (len(eligibility.inclusion), len(eligibility.exclusion)) == (4, 4)
    assert eligibility.inclusion[-1] == "(AD Sub-Study ONLY): Subjects diagnosed with AD or MCI."
    assert [contact.role for contact in trial.locations[0].contacts] == [
        "CONTACT",
        "CONTACT",
        "PRINCIPAL_INVESTIGATOR",
        "SUB_INVESTIGATOR",
    ]
    # Raw order is D005901, D008268, D012164, D003920, D012167.
    assert [term.id for term in trial.condition_mesh_terms] == [
        "D003920",
        "D005901",
        "D008268",
        "D012164",
        "D012167",
    ]


def test_golden_nct02725658_withdrawn(sample_raw: RawFactory) -> None:
    """A withdrawn study keeps why it stopped and its actual enrollment of zero."""
    trial = normalize(sample_raw("NCT02725658"))
    assert facts(trial) == {
        "nct_id": "NCT02725658",
        "brief_title": "Monitoring and Predicting Breast Cancer Neoadjuvant Chemotherapy Response Using DOSI",
        "overall_status": "WITHDRAWN",
        "study_type": "INTERVENTIONAL",
        "phases": ("NA",),
        "start": when("2015-12-01", "month"),
        "primary_completion": when("2019-12-01", "month", "ESTIMATED"),
        "completion": when("2019-12-01", "month", "ESTIMATED"),
        "last_update_posted": when("2022-11-01", "day", "ACTUAL"),
        "enrollment": (0, "ACTUAL"),
        "sex": "FEMALE",
        "minimum_age": ("21 Years", 21.0),
        "maximum_age": ("80 Years", 80.0),
        "lead_sponsor": Organization(name="Beckman Laser Institute and Medical Center", agency_class="OTHER"),
        "counts": {
            "collaborators": 2,
            "conditions": 1,
            "arm_groups": 1,
            "interventions": 1,
            "outcomes": (5, 0, 0),
            "locations": 4,
        },
        "has_results": False,
        "unknown_values": (),
    }
    assert trial.why_stopped == "This study doesn't meet NIH criteria of clinical trial study"
    assert (
        trial.eligibility.inclusion[0] == "Females between the ages of 21 and 80. Specific to Study part #1"
    )
    assert trial.eligibility.exclusion == ("Pregnant", "Unable to give written, informed consent.")


def test_golden_nct04267848_1148_locations(sample_raw: RawFactory) -> None:
    """All 1,148 sites are kept in ClinicalTrials.gov's order, each with a distinct key."""
    trial = normalize(sample_raw("NCT04267848"))
    assert facts(trial) == {
        "nct_id": "NCT04267848",
        "brief_title": "Testing the Addition of a Type of Drug Called Immunotherapy to the Usual "
        "Chemotherapy Treatment for Non-small Cell Lung Cancer, an ALCHEMIST Treatment Trial "
        "(Chemo-IO [ACCIO])",
        "overall_status": "RECRUITING",
        "study_type": "INTERVENTIONAL",
        "phases": ("PHASE3",),
        "start": when("2020-06-16", "day", "ACTUAL"),
        "primary_completion": when("2025-12-15", "day", "ESTIMATED"),
        "completion": when("2025-12-15", "day", "ESTIMATED"),
        "last_update_posted": when("2025-09-10", "day", "ESTIMATED"),
        "enrollment": (1210, "ESTIMATED"),
        "sex": "ALL",
        "minimum_age": ("18 Years", 18.0),
        "maximum_age": (None, None),
        "lead_sponsor": Organization(name="National Cancer Institute (NCI)", agency_class="NIH"),
        "counts": {
            "collaborators": 0,
            "conditions": 6,
            "arm_groups": 3,
            "interventions": 12,
            "outcomes": (1, 4, 3),
            "locations": 1148,
        },
        "has_results": False,
        "unknown_values": (),
    }
    keys = [location.key for location in trial.locations]
    assert len(set(keys)) == 1148
    assert keys[0] == "anchorage associates in radiation medicine|anchorage|alaska|united states|98508"
    assert keys[-1] == "fhp health center-guam|tamuning||guam|96913"
    assert trial.locations[0].status == "SUSPENDED"
    assert trial.countries == ("Guam", "United States")
    assert [(s.id, s.type, s.domain) for s in trial.secondary_ids] == [
        ("NCI-2020-00751", "REGISTRY", "CTRP (Clinical Trial Reporting Program)"),
        ("A081801", "OTHER", "Alliance for Clinical Trials in Oncology"),
        ("A081801", "OTHER", "CTEP"),
        ("U10CA180821", "NIH", None),
    ]
    eligibility = trial.eligibility
    assert (len(eligibility.inclusion), eligibility.exclusion) == (29, ())
    assert eligibility.inclusion[:2] == (
        "A female of childbearing potential is a sexually mature female who:",
        "Has not undergone a hysterectomy or bilateral oophorectomy; or",
    )
    assert eligibility.inclusion[-1] == (
        "Aspartate aminotransferase (AST) / alanine aminotransferase (ALT) =< 2.5 x upper limit of normal "
        "(ULN)"
    )
    assert [term.id for term in trial.intervention_mesh_terms] == [
        "C044245",
        "C582435",
        "D000068196",
        "D000068437",
        "D000093542",
        "D002945",
        "D009682",
        "D010984",
        "D013048",
        "D016190",
        "D017239",
        "D019370",
    ]


def test_golden_nct04613596_715_locations_and_expanded_access(sample_raw: RawFactory) -> None:
    """715 sites in 47 countries, PHASE2|PHASE3, and the expanded-access record it points to."""
    trial = normalize(sample_raw("NCT04613596"))
    assert facts(trial) == {
        "nct_id": "NCT04613596",
        "brief_title": "Phase 2 Trial of Adagrasib Monotherapy and in Combination With Pembrolizumab and a "
        "Phase 3 Trial of Adagrasib in Combination in Patients With a KRAS G12C Mutation KRYSTAL-7",
        "overall_status": "RECRUITING",
        "study_type": "INTERVENTIONAL",
        "phases": ("PHASE2", "PHASE3"),
        "start": when("2020-12-02", "day", "ACTUAL"),
        "primary_completion": when("2028-10-31", "day", "ESTIMATED"),
        "completion": when("2029-10-31", "day", "ESTIMATED"),
        "last_update_posted": when("2025-06-29", "day", "ACTUAL"),
        "enrollment": (806, "ESTIMATED"),
        "sex": "ALL",
        "minimum_age": ("18 Years", 18.0),
        "maximum_age": (None, None),
        "lead_sponsor": Organization(name="Mirati Therapeutics Inc.", agency_class="INDUSTRY"),
        "counts": {
            "collaborators": 0,
            "conditions": 2,
            "arm_groups": 5,
            "interventions": 5,
            "outcomes": (2, 12, 0),
            "locations": 715,
        },
        "has_results": False,
        "unknown_values": (),
    }
    assert trial.expanded_access is not None
    assert trial.expanded_access.model_dump() == {
        "has_expanded_access": True,
        "nct_id": "NCT05162443",
        "status_for_nct_id": "APPROVED_FOR_MARKETING",
    }
    assert len(trial.countries) == 47
    assert len({location.key for location in trial.locations}) == 715
    first, last = trial.locations[0], trial.locations[-1]
    assert (first.key, first.status) == (
        "local institution - 007-556-a|goodyear|arizona|united states|85395",
        "NOT_YET_RECRUITING",
    )
    assert (last.key, last.geo_point) == (
        "royal surrey county hospital nhs foundation trust|surrey||united kingdom|gu2 7xx",
        None,
    )
    assert last.contacts == (Contact(name="Ajay Mehta, Site 007-419", role="CONTACT", phone="441483571122"),)
    eligibility = trial.eligibility
    assert (len(eligibility.inclusion), len(eligibility.exclusion)) == (7, 8)
    assert (
        eligibility.inclusion[-1] == "Previously treated brain metastases not needing immediate local therapy"
    )
    assert eligibility.exclusion[-1] == (
        "Phase 3: Radiation to the lung > 30 Gy within 6 months prior to the first dose of study treatment"
    )
    assert trial.intervention_mesh_terms == (
        MeshTerm(id="C000718190", term="Adagrasib"),
        MeshTerm(id="C582435", term="Pembrolizumab"),
    )


def test_golden_nct02058160_with_results(sample_raw: RawFactory) -> None:
    """A study with posted results says so and carries its results and disposition dates."""
    trial = normalize(sample_raw("NCT02058160"))
    assert facts(trial) == {
        "nct_id": "NCT02058160",
        "brief_title": "Efficacy and Safety of the Insulin Glargine/Lixisenatide Fixed Ratio Combination "
        "Versus Insulin Glargine in Patients With Type 2 Diabetes",
        "overall_status": "COMPLETED",
        "study_type": "INTERVENTIONAL",
        "phases": ("PHASE3",),
        "start": when("2014-01-01", "month"),
        "primary_completion": when("2015-07-01", "month", "ACTUAL"),
        "completion": when("2015-07-01", "month", "ACTUAL"),
        "last_update_posted": when("2017-05-09", "day", "ACTUAL"),
        "enrollment": (736, "ACTUAL"),
        "sex": "ALL",
        "minimum_age": ("18 Years", 18.0),
        "maximum_age": (None, None),
        "lead_sponsor": Organization(name="Sanofi", agency_class="INDUSTRY"),
        "counts": {
            "collaborators": 0,
            "conditions": 1,
            "arm_groups": 2,
            "interventions": 3,
            "outcomes": (1, 14, 0),
            "locations": 236,
        },
        "has_results": True,
        "unknown_values": (),
    }
    assert trial.acronym == "LixiLan-L"
    assert trial.results_first_submitted_date == when("2016-12-16", "day")
    assert trial.results_first_posted_date == when("2017-02-10", "day", "ACTUAL")
    assert trial.disposition_first_posted_date == when("2016-07-06", "day", "ESTIMATED")
    assert trial.secondary_ids == (
        SecondaryId(id="2013-003132-79", type="EUDRACT_NUMBER"),
        SecondaryId(id="U1111-1148-4351", type="OTHER", domain="UTN"),
    )
    eligibility = trial.eligibility
    # "Inclusion criteria :" and "Exclusion criteria for randomization:" are headers too.
    assert (len(eligibility.inclusion), len(eligibility.exclusion)) == (12, 23)
    assert (
        eligibility.inclusion[0]
        == "Type 2 diabetes mellitus diagnosed at least 1 year before the screening visit."
    )
    assert (
        eligibility.inclusion[5] == "metformin (more than or equal to 1500 mg/day or maximal tolerated dose),"
    )
    assert eligibility.inclusion[-1] == "Signed written informed consent."
    assert eligibility.exclusion[18] == "HbA1c less than 7% or above 10% ."
    assert eligibility.exclusion[-1] == (
        "The above information is not intended to contain all considerations relevant to a participant's "
        "potential participation in a clinical trial."
    )
    assert trial.intervention_mesh_terms == (
        MeshTerm(id="C557859", term="Insulin, Globin Zinc"),
        MeshTerm(id="D000069036", term="Insulin Glargine"),
        MeshTerm(id="D007328", term="Insulin"),
        MeshTerm(id="D008687", term="Metformin"),
    )
    assert len(trial.countries) == 18


def test_golden_nct04280705_with_results(sample_raw: RawFactory) -> None:
    """A results record with sites lacking state and geo point keeps them as None, with an empty key part."""
    trial = normalize(sample_raw("NCT04280705"))
    assert facts(trial) == {
        "nct_id": "NCT04280705",
        "brief_title": "Adaptive COVID-19 Treatment Trial (ACTT)",
        "overall_status": "COMPLETED",
        "study_type": "INTERVENTIONAL",
        "phases": ("PHASE3",),
        "start": when("2020-02-21", "day", "ACTUAL"),
        "primary_completion": when("2020-05-21", "day", "ACTUAL"),
        "completion": when("2020-05-21", "day", "ACTUAL"),
        "last_update_posted": when("2022-03-14", "day", "ACTUAL"),
        "enrollment": (1062, "ACTUAL"),
        "sex": "ALL",
        "minimum_age": ("18 Years", 18.0),
        "maximum_age": ("99 Years", 99.0),
        "lead_sponsor": Organization(
            name="National Institute of Allergy and Infectious Diseases (NIAID)", agency_class="NIH"
        ),
        "counts": {
            "collaborators": 0,
            "conditions": 1,
            "arm_groups": 2,
            "interventions": 2,
            "outcomes": (4, 39, 0),
            "locations": 60,
        },
        "has_results": True,
        "unknown_values": (),
    }
    assert trial.results_first_posted_date == when("2020-09-25", "day", "ACTUAL")
    assert trial.oversight.has_dmc is None
    assert trial.oversight.is_fda_regulated_drug is True
    last = trial.locations[-1]
    assert (last.key, last.state, last.geo_point) == (
        "john radcliffe hospital|headington, oxford||united kingdom|ox3 9du",
        None,
        None,
    )
    assert len(trial.countries) == 10
    eligibility = trial.eligibility
    assert (eligibility.criteria or "").startswith("Inclusion Criteria:\n\n1. Admitted to a hospital")
    # 14 inclusion items; the "Exclusion Criteria:" line the sponsor left indented inside item 5.1 is a
    # paragraph of that sub-item (a real heading follows later), not a section of its own.
    assert (len(eligibility.inclusion), len(eligibility.exclusion)) == (14, 5)
    assert eligibility.inclusion[5:7] == (
        "PCR positive in sample collected < 72 hours prior to randomization; OR Exclusion Criteria:",
        "PCR positive in sample collected >/= 72 hours prior to randomization, documented inability to "
        "obtain a repeat sample (e.g. due to lack of testing supplies, limited testing capacity, results "
        "taking >24 hours, etc.) AND progressive disease suggestive of ongoing SARS-CoV-2 infection.",
    )
    assert [len(item.items) for item in eligibility.structure.inclusion[0].items] == [0, 0, 0, 0, 2, 4, 0, 0]
    assert eligibility.exclusion[0] == (
        "Alanine Transaminase (ALT) or Aspartate Transaminase (AST) > 5 times the upper limit of normal."
    )


def test_golden_nct01788527_alias_and_group_subheaders(sample_raw: RawFactory) -> None:
    """The NCT ID alias is kept, and group sub-headers inside a section head groups of that section."""
    trial = normalize(sample_raw("NCT01788527"))
    assert facts(trial) == {
        "nct_id": "NCT01788527",
        "brief_title": "Continuous Glucose Monitoring in Women With Type 1 Diabetes in Pregnancy Trial",
        "overall_status": "COMPLETED",
        "study_type": "INTERVENTIONAL",
        "phases": ("NA",),
        "start": when("2013-03-01", "month"),
        "primary_completion": when("2016-03-01", "month", "ACTUAL"),
        "completion": when("2016-03-01", "month", "ACTUAL"),
        "last_update_posted": when("2017-07-19", "day", "ACTUAL"),
        "enrollment": (325, "ACTUAL"),
        "sex": "FEMALE",
        "minimum_age": ("18 Years", 18.0),
        "maximum_age": ("40 Years", 40.0),
        "lead_sponsor": Organization(name="Mount Sinai Hospital, Canada", agency_class="OTHER"),
        "counts": {
            "collaborators": 4,
            "conditions": 1,
            "arm_groups": 2,
            "interventions": 1,
            "outcomes": (2, 29, 0),
            "locations": 31,
        },
        "has_results": False,
        "unknown_values": (),
    }
    assert trial.nct_id_aliases == ("NCT01734031",)
    assert trial.acronym == "CONCEPTT"
    eligibility = trial.eligibility
    assert (len(eligibility.inclusion), len(eligibility.exclusion)) == (9, 12)
    assert eligibility.inclusion[0] == (
        "Clinical diagnosis of type 1 diabetes and using daily insulin therapy for at least one year"
    )
    inclusion = eligibility.structure.inclusion
    assert [(group.header, len(group.items)) for group in inclusion] == [
        (None, 5),
        ("Pre-pregnancy Group", 1),
        ("Pregnancy Group", 3),
    ]
    assert inclusion[0].notes == (
        "In addition, specific eligibility criteria apply to the respective groups:",
    )
    assert eligibility.inclusion[5] == (
        "Patients who are planning pregnancy and wish to optimise glycemic control before conception"
    )
    assert eligibility.exclusion[3] == "Estimated GFR <60 ml/min/1.73"
    assert eligibility.exclusion[-1] == "Known potentially major fetal anomaly (as per EUROCAT criteria)."
    assert "* Estimated GFR <60 ml/min/1.73\n" in (eligibility.criteria or "")  # canonical: "\\<" is "<"
    assert trial.condition_mesh_terms == (
        MeshTerm(id="D011254", term="Pregnancy in Diabetics"),
        MeshTerm(id="D016640", term="Diabetes, Gestational"),
    )
    assert trial.countries == ("Canada", "Ireland", "Italy", "Spain", "United Kingdom", "United States")


# --- text ----------------------------------------------------------------------------------------------

# The real title of NCT06171568 (in ../shared/ctgov only), whose "è" has a decomposed form.
ACCENTED_TITLE = "Lariboisière Cognitive Assessment: Evaluation of the 1-year Outcomes"


def test_title_in_nfd_normalizes_to_nfc(sample_raw: RawFactory) -> None:
    """A title sent in decomposed Unicode (NFD) comes out composed (NFC), character for character."""
    raw = sample_raw("NCT00841061")
    decomposed = unicodedata.normalize("NFD", ACCENTED_TITLE)
    assert decomposed != ACCENTED_TITLE
    raw["protocolSection"]["identificationModule"]["briefTitle"] = decomposed
    assert normalize(raw).brief_title == ACCENTED_TITLE


def test_whole_record_in_nfd_normalizes_like_the_original(sample_raw: RawFactory) -> None:
    """Every text of a real record sent in NFD normalizes to the same Trial as the record itself."""
    raw = sample_raw("NCT07048054")

    def decompose(value: Any) -> Any:
        if isinstance(value, str):
            return unicodedata.normalize("NFD", value)
        if isinstance(value, dict):
            return {key: decompose(item) for key, item in value.items()}
        if isinstance(value, list):
            return [decompose(item) for item in value]
        return value

    original = normalize(raw)
    assert original.lead_sponsor == Organization(name="Nicolò Brembilla", agency_class="OTHER")
    assert normalize(decompose(raw)) == original


def test_surrounding_whitespace_is_stripped_and_blank_text_is_none(sample_raw: RawFactory) -> None:
    """Leading and trailing whitespace goes, inner text stays as written, and a blank text becomes None."""
    raw = sample_raw("NCT00841061")
    ident = raw["protocolSection"]["identificationModule"]
    ident["briefTitle"] = " \t Cereals as a Source of Iron  for Breastfed Infants\n"
    ident["acronym"] = "   "
    raw["protocolSection"]["conditionsModule"]["conditions"] = ["  Iron Deficiency ", " "]
    trial = normalize(raw)
    assert trial.brief_title == "Cereals as a Source of Iron  for Breastfed Infants"
    assert trial.acronym is None
    assert trial.conditions == ("Iron Deficiency",)


# --- enums and dates -------------------------------------------------------------------------------------


def test_unknown_enum_value_is_kept_and_listed(sample_raw: RawFactory) -> None:
    """An overallStatus the spec does not know is kept as sent and listed in unknown_values, no error."""
    raw = sample_raw("NCT02725658")
    raw["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED_FOR_REVIEW"
    trial = normalize(raw)
    assert trial.overall_status == "PAUSED_FOR_REVIEW"
    assert trial.unknown_values == ("overall_status=PAUSED_FOR_REVIEW",)


def test_year_only_date_has_year_precision(sample_raw: RawFactory) -> None:
    """A date of only a year is the first of January at year precision and prints back as the year."""
    raw = sample_raw("NCT00841061")
    raw["protocolSection"]["statusModule"]["startDateStruct"] = {"date": "2003", "type": "ESTIMATED"}
    start = normalize(raw).start_date
    assert start == when("2003-01-01", "year", "ESTIMATED")
    assert start.text == "2003"


@pytest.mark.parametrize(
    ("age", "years"),
    [
        ("18 Years", 18.0),
        ("1 Year", 1.0),
        ("30 Months", 2.5),
        ("6 Months", 0.5),
        ("28 Days", 0.0767),
        ("2 Weeks", 0.0383),
        (None, None),
        ("N/A", None),
    ],
)
def test_age_in_years(age: str | None, years: float | None) -> None:
    """Ages convert to years at 365.25 days a year, rounded to 4 places; no limit or unreadable is None."""
    assert age_in_years(age) == years


# --- malformed input -----------------------------------------------------------------------------------


def test_unreadable_date_names_the_record_and_field(sample_raw: RawFactory) -> None:
    """A start date of "soon" raises RecordError naming the NCT ID and startDateStruct.date."""
    raw = sample_raw("NCT00841061")
    raw["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "soon"
    with pytest.raises(RecordError) as caught:
        normalize(raw)
    assert (caught.value.nct_id, caught.value.field) == ("NCT00841061", "startDateStruct.date")
    assert str(caught.value) == "NCT00841061: startDateStruct.date: not a date: 'soon'"


def test_enrollment_that_is_not_a_number_names_the_record_and_field(sample_raw: RawFactory) -> None:
    """An enrollment count of "many" raises RecordError naming the NCT ID and enrollment_count."""
    raw = sample_raw("NCT00841061")
    raw["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "many"
    with pytest.raises(RecordError) as caught:
        normalize(raw)
    assert (caught.value.nct_id, caught.value.field) == ("NCT00841061", "enrollment_count")


def test_record_without_protocol_section_is_a_record_error(sample_raw: RawFactory) -> None:
    """A record whose protocolSection is missing raises RecordError naming protocolSection."""
    raw = sample_raw("NCT00841061")
    del raw["protocolSection"]
    with pytest.raises(RecordError) as caught:
        normalize(raw)
    assert (caught.value.nct_id, caught.value.field) == (None, "protocolSection")
    assert str(caught.value) == (
        "record without NCT ID: protocolSection: missing: not a ClinicalTrials.gov study record"
    )


def test_non_object_is_a_record_error() -> None:
    """A JSON value that is not an object (here the list of a page) raises RecordError, not TypeError."""
    studies = load_raw(FIXTURES / "pages" / "sample_response.json")["studies"]
    with pytest.raises(RecordError) as caught:
        normalize(studies)
    assert (caught.value.nct_id, caught.value.field) == (None, "(record)")
    assert caught.value.reason == "expected a JSON object, got list"


# --- criteria ------------------------------------------------------------------------------------------


def split_criteria(criteria: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The flat inclusion and exclusion lists of a criteria text, as the Eligibility model holds them."""
    structure = parse_criteria(criteria)
    return structure.texts("inclusion"), structure.texts("exclusion")


def criteria_of(raw: dict[str, Any]) -> str:
    """The raw eligibility criteria text of a record."""
    text = raw["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert isinstance(text, str)
    return text


def test_criteria_split_on_headers_and_bullets(sample_raw: RawFactory) -> None:
    """ "Inclusion Criteria:" and "Exclusion Criteria:" open the sections; "* " bullets are dropped."""
    inclusion, exclusion = split_criteria(criteria_of(sample_raw("NCT02725658")))
    assert inclusion == (
        "Females between the ages of 21 and 80. Specific to Study part #1",
        "Diagnosed with a Breast Imaging-Reporting and Data System score of 4 or higher breast abnormality "
        "greater than 1cm in size Specific to Study part #2",
        "Enrolled in study part #1",
        "Diagnosed with histologically-proven invasive breast cancer",
        "Prescribed neoadjuvant chemotherapy for breast cancer",
    )
    assert exclusion == ("Pregnant", "Unable to give written, informed consent.")


def test_criteria_split_drops_numbers_of_numbered_items(sample_raw: RawFactory) -> None:
    """ "1. " numbering is dropped from each item and indented sub-items become items of their section."""
    inclusion, exclusion = split_criteria(criteria_of(sample_raw("NCT04613596")))
    assert inclusion[3:] == (
        "Phase 3: CNS Inclusion - Based on screening brain imaging, patients must have one of the following:",
        "No evidence of brain metastases",
        "Untreated brain metastases not needing immediate local therapy",
        "Previously treated brain metastases not needing immediate local therapy",
    )
    assert exclusion[2:4] == (
        "Phase 3: Patients with known central nervous system (CNS) lesions must not have any of the "
        "following:",
        "Any untreated brain lesions > 1.0 cm in size",
    )


def test_criteria_text_is_canonical_markdown_without_needless_escapes(sample_raw: RawFactory) -> None:
    """ "\\>" in the raw text is ">" in the item and in Eligibility.criteria (canonical Markdown escapes
    only what would act as markup), while the raw JSON keeps the text as written."""
    raw = sample_raw("NCT00841061")
    trial = normalize(raw)
    assert "gestational age \\>36 weeks" in raw["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert trial.eligibility.criteria == (
        "Inclusion Criteria:\n\n* exclusively breastfed\n* birth weight between 2500 and 4200g\n"
        "* gestational age >36 weeks\n\nExclusion Criteria:\n\n* supplementing formula\n* no iron drops"
    )
    assert trial.eligibility.inclusion[-1] == "gestational age >36 weeks"


def test_criteria_header_with_text_after_colon_keeps_that_text(sample_raw: RawFactory) -> None:
    """ "Exclusion Criteria: none" opens the exclusion section and keeps "none" as its one item."""
    inclusion, exclusion = split_criteria(criteria_of(sample_raw("NCT05041309")))
    assert (len(inclusion), exclusion) == (3, ("none",))


def test_criteria_mentioning_inclusion_are_not_headers() -> None:
    """A line that mentions inclusion criteria mid-sentence stays an item of the current section."""
    inclusion, exclusion = split_criteria(
        "Inclusion Criteria:\n\n* Meets inclusion criteria of the parent study\n\n"
        "Exclusion Criteria:\n\n* Use of other oral or injectable glucose-lowering agents than stated in the "
        "inclusion criteria"
    )
    assert inclusion == ("Meets inclusion criteria of the parent study",)
    assert exclusion == (
        "Use of other oral or injectable glucose-lowering agents than stated in the inclusion criteria",
    )


def test_no_criteria_means_no_items() -> None:
    """A record without eligibility criteria has no inclusion and no exclusion items."""
    assert split_criteria(None) == ((), ())


def test_caret_escape_is_removed_in_items(sample_raw: RawFactory) -> None:
    """ "kg/m\\^2" in the raw text is "kg/m^2" in the item, as every other markdown escape is."""
    exclusion = normalize(sample_raw("NCT02058160")).eligibility.exclusion
    assert (
        exclusion[12]
        == "At screening visit, Body Mass Index (BMI) less than or equal to 20 or above 40 kg/m^2."
    )


def test_header_indented_inside_an_item_does_not_open_a_section(sample_raw: RawFactory) -> None:
    """An "Exclusion Criteria:" indented under inclusion item 5.1 of NCT04280705 opens no section."""
    eligibility = normalize(sample_raw("NCT04280705")).eligibility
    assert eligibility.inclusion[-1] == (
        "Agrees to not participate in another clinical trial for the treatment of COVID-19 or SARS-CoV-2 "
        "through Day 29."
    )
    assert len(eligibility.exclusion) == 5
