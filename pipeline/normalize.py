"""Map one raw ClinicalTrials.gov API v2 study to the canonical ``Trial``. Pure: no I/O.

Text is normalized conservatively (Unicode NFC and surrounding whitespace) and never rewritten, so an
editor sees what the sponsor wrote. Rich text (the fields API v2 serves as Markdown and the website's
record history as HTML: summaries, descriptions, criteria…) is stored as canonical Markdown
(``pipeline.richtext.markdown``): the same words, lists and paragraphs, escaped only where needed, so the
same content read from either API is the same record. The eligibility criteria text is also read into
its structure (``pipeline.criteria``: sections, groups, nested items, notes) and flattened into the
inclusion and exclusion lists. A record that cannot be normalized raises ``RecordError`` naming the
NCT ID and the field; callers put it in the dead letters and go on with the batch.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline import richtext
from pipeline.criteria import parse_criteria
from pipeline.errors import FieldError, RecordError
from pipeline.ids import describe, is_nct_id
from pipeline.models import Trial, identity_key

Raw = Mapping[str, Any]

NORMALIZER_VERSION = 3
"""Bump whenever a rule changes what a raw record normalizes to: stored versions made by an older
normalizer are then re-derived from their raw JSON by ``ctsync renormalize`` (no new versions).

1: ctsync 0.1.0; 2: eligibility criteria parsed into their structure (pipeline.criteria);
3: rich text in canonical Markdown (pipeline.richtext), so the website's HTML and API v2's Markdown of
the same content are the same record."""

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_YEARS_PER_UNIT = {
    "year": 1.0,
    "month": 1 / 12,
    "week": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / (365.25 * 24),
    "minute": 1 / (365.25 * 24 * 60),
}


@cache
def known_values() -> dict[str, frozenset[str]]:
    """Enum values of the official OpenAPI specs (pipeline/enums.json), by enum name."""
    text = (Path(__file__).parent / "enums.json").read_text(encoding="utf-8")
    return {name: frozenset(values) for name, values in json.loads(text)["enums"].items()}


def normalize(raw: Raw) -> Trial:
    """The canonical trial of one raw API v2 study; raises RecordError when that is impossible."""
    if not isinstance(raw, Mapping):
        raise RecordError(None, "(record)", f"expected a JSON object, got {type(raw).__name__}")
    protocol = raw.get("protocolSection")
    if not isinstance(protocol, Mapping):
        raise RecordError(None, "protocolSection", "missing: not a ClinicalTrials.gov study record")
    ident = protocol.get("identificationModule")
    nct_id = ident.get("nctId") if isinstance(ident, Mapping) else None
    if not isinstance(nct_id, str) or not nct_id:
        raise RecordError(None, "protocolSection.identificationModule.nctId", "missing")
    if not is_nct_id(nct_id):
        raise RecordError(
            None,
            "protocolSection.identificationModule.nctId",
            f"malformed: {describe(nct_id)}; an NCT ID is NCT followed by 8 digits",
        )
    unknown: list[str] = []
    try:
        fields = _trial_fields(raw, protocol, _enum_checker(unknown))
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise RecordError(nct_id, getattr(exc, "field", "(record)"), str(exc)) from exc
    fields["unknown_values"] = tuple(unknown)
    try:
        return Trial.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RecordError(nct_id, where, first["msg"]) from exc


def _trial_fields(raw: Raw, protocol: Raw, enum: EnumCheck) -> dict[str, Any]:
    ident = protocol.get("identificationModule", {})
    status = protocol.get("statusModule", {})
    sponsors = protocol.get("sponsorCollaboratorsModule", {})
    design = protocol.get("designModule", {})
    derived = raw.get("derivedSection", {})
    misc = derived.get("miscInfoModule", {})
    org_study = ident.get("orgStudyIdInfo", {})
    return {
        "nct_id": ident["nctId"],
        "nct_id_aliases": tuple(ident.get("nctIdAliases", ())),
        "org_study_id": text(org_study.get("id")),
        "org_study_id_type": enum("OrgStudyIdType", "org_study_id_type", org_study.get("type")),
        "org_study_id_link": text(org_study.get("link")),
        "secondary_ids": [
            {
                "id": text(item.get("id")),
                "type": enum("SecondaryIdType", "secondary_ids.type", item.get("type")),
                "domain": text(item.get("domain")),
                "link": text(item.get("link")),
            }
            for item in ident.get("secondaryIdInfos", ())
        ],
        "organization": _organization(ident.get("organization"), enum),
        "brief_title": text(ident.get("briefTitle")),
        "official_title": text(ident.get("officialTitle")),
        "acronym": text(ident.get("acronym")),
        **_status_fields(status, enum),
        "study_type": enum("StudyType", "study_type", design.get("studyType")),
        "phases": tuple(enum("Phase", "phases", phase) for phase in design.get("phases", ())),
        "design": _design(design, enum),
        "enrollment_count": design.get("enrollmentInfo", {}).get("count"),
        "enrollment_type": enum(
            "EnrollmentType", "enrollment_type", design.get("enrollmentInfo", {}).get("type")
        ),
        "eligibility": _eligibility(protocol.get("eligibilityModule", {}), enum),
        "lead_sponsor": _organization(sponsors.get("leadSponsor"), enum),
        "collaborators": [_organization(item, enum) for item in sponsors.get("collaborators", ())],
        "responsible_party": _responsible_party(sponsors.get("responsibleParty"), enum),
        **_contacts_fields(protocol.get("contactsLocationsModule", {}), enum),
        "oversight": _oversight(protocol.get("oversightModule", {})),
        "conditions": texts(protocol.get("conditionsModule", {}).get("conditions")),
        "keywords": texts(protocol.get("conditionsModule", {}).get("keywords")),
        "condition_mesh_terms": _mesh_terms(derived.get("conditionBrowseModule", {})),
        "intervention_mesh_terms": _mesh_terms(derived.get("interventionBrowseModule", {})),
        **_arms_fields(protocol.get("armsInterventionsModule", {}), enum),
        "outcomes": _outcomes(protocol.get("outcomesModule", {})),
        "removed_countries": texts(misc.get("removedCountries")),
        "brief_summary": rich(protocol.get("descriptionModule", {}).get("briefSummary")),
        "detailed_description": rich(protocol.get("descriptionModule", {}).get("detailedDescription")),
        "has_results": bool(raw.get("hasResults", False)),
        **_references_fields(protocol.get("referencesModule", {})),
        "ipd_sharing": _ipd_sharing(protocol.get("ipdSharingStatementModule"), enum),
        "version_holder": misc.get("versionHolder"),
    }


# --- sections -----------------------------------------------------------------------------------


def _status_fields(status: Raw, enum: EnumCheck) -> dict[str, Any]:
    access = status.get("expandedAccessInfo")
    return {
        "overall_status": enum("Status", "overall_status", status.get("overallStatus")),
        "last_known_status": enum("Status", "last_known_status", status.get("lastKnownStatus")),
        "why_stopped": rich(status.get("whyStopped")),
        "delayed_posting": status.get("delayedPosting"),
        "expanded_access": None
        if access is None
        else {
            "has_expanded_access": access.get("hasExpandedAccess"),
            "nct_id": text(access.get("nctId")),
            "status_for_nct_id": enum(
                "ExpandedAccessStatus", "expanded_access.status_for_nct_id", access.get("statusForNctId")
            ),
        },
        "status_verified_date": trial_date(status.get("statusVerifiedDate"), "statusVerifiedDate"),
        "start_date": _date_struct(status, "startDateStruct", enum),
        "primary_completion_date": _date_struct(status, "primaryCompletionDateStruct", enum),
        "completion_date": _date_struct(status, "completionDateStruct", enum),
        "first_submitted_date": trial_date(status.get("studyFirstSubmitDate"), "studyFirstSubmitDate"),
        "first_submitted_qc_date": trial_date(status.get("studyFirstSubmitQcDate"), "studyFirstSubmitQcDate"),
        "first_posted_date": _date_struct(status, "studyFirstPostDateStruct", enum),
        "results_waived": status.get("resultsWaived"),
        "results_first_submitted_date": trial_date(
            status.get("resultsFirstSubmitDate"), "resultsFirstSubmitDate"
        ),
        "results_first_submitted_qc_date": trial_date(
            status.get("resultsFirstSubmitQcDate"), "resultsFirstSubmitQcDate"
        ),
        "results_first_posted_date": _date_struct(status, "resultsFirstPostDateStruct", enum),
        "disposition_first_submitted_date": trial_date(
            status.get("dispFirstSubmitDate"), "dispFirstSubmitDate"
        ),
        "disposition_first_submitted_qc_date": trial_date(
            status.get("dispFirstSubmitQcDate"), "dispFirstSubmitQcDate"
        ),
        "disposition_first_posted_date": _date_struct(status, "dispFirstPostDateStruct", enum),
        "last_update_submitted_date": trial_date(status.get("lastUpdateSubmitDate"), "lastUpdateSubmitDate"),
        "last_update_posted_date": _date_struct(status, "lastUpdatePostDateStruct", enum),
    }


def _design(design: Raw, enum: EnumCheck) -> dict[str, Any]:
    info = design.get("designInfo", {})
    masking = info.get("maskingInfo", {})
    bio_spec = design.get("bioSpec", {})
    access_types = design.get("expandedAccessTypes", {})
    return {
        "allocation": enum("DesignAllocation", "design.allocation", info.get("allocation")),
        "intervention_model": enum(
            "InterventionalAssignment", "design.intervention_model", info.get("interventionModel")
        ),
        "intervention_model_description": rich(info.get("interventionModelDescription")),
        "primary_purpose": enum("PrimaryPurpose", "design.primary_purpose", info.get("primaryPurpose")),
        "observational_model": enum(
            "ObservationalModel", "design.observational_model", info.get("observationalModel")
        ),
        "time_perspective": enum(
            "DesignTimePerspective", "design.time_perspective", info.get("timePerspective")
        ),
        "masking": enum("DesignMasking", "design.masking", masking.get("masking")),
        "masking_description": rich(masking.get("maskingDescription")),
        "who_masked": tuple(
            enum("WhoMasked", "design.who_masked", who) for who in masking.get("whoMasked", ())
        ),
        "patient_registry": design.get("patientRegistry"),
        "target_duration": text(design.get("targetDuration")),
        "bio_spec_retention": enum(
            "BioSpecRetention", "design.bio_spec_retention", bio_spec.get("retention")
        ),
        "bio_spec_description": rich(bio_spec.get("description")),
        "expanded_access_types": tuple(kind for kind, flagged in sorted(access_types.items()) if flagged),
        "n_ptrs_to_this_exp_acc_nct_id": design.get("nPtrsToThisExpAccNctId"),
    }


def _eligibility(module: Raw, enum: EnumCheck) -> dict[str, Any]:
    criteria = rich(module.get("eligibilityCriteria"))
    structure = parse_criteria(criteria)
    minimum, maximum = text(module.get("minimumAge")), text(module.get("maximumAge"))
    return {
        "criteria": criteria,
        "structure": structure,
        "inclusion": structure.texts("inclusion"),
        "exclusion": structure.texts("exclusion"),
        "sex": enum("Sex", "eligibility.sex", module.get("sex")),
        "gender_based": module.get("genderBased"),
        "gender_description": rich(module.get("genderDescription")),
        "minimum_age": minimum,
        "minimum_age_years": age_in_years(minimum),
        "maximum_age": maximum,
        "maximum_age_years": age_in_years(maximum),
        "healthy_volunteers": module.get("healthyVolunteers"),
        "std_ages": tuple(
            enum("StandardAge", "eligibility.std_ages", age) for age in module.get("stdAges", ())
        ),
        "sampling_method": enum(
            "SamplingMethod", "eligibility.sampling_method", module.get("samplingMethod")
        ),
        "study_population": rich(module.get("studyPopulation")),
    }


def _contacts_fields(module: Raw, enum: EnumCheck) -> dict[str, Any]:
    return {
        "overall_officials": [
            {
                "name": text(item.get("name")),
                "affiliation": text(item.get("affiliation")),
                "role": enum("OfficialRole", "overall_officials.role", item.get("role")),
            }
            for item in module.get("overallOfficials", ())
        ],
        "central_contacts": [_contact(item, enum) for item in module.get("centralContacts", ())],
        "locations": _locations(module.get("locations", ()), enum),
    }


def _locations(items: Any, enum: EnumCheck) -> list[dict[str, Any]]:
    locations = []
    seen: dict[str, int] = {}
    for item in items:
        site = {
            "facility": text(item.get("facility")),
            "city": text(item.get("city")),
            "state": text(item.get("state")),
            "zip": text(item.get("zip")),
            "country": text(item.get("country")),
        }
        key = identity_key(site["facility"], site["city"], site["state"], site["country"], site["zip"])
        # The same site listed twice is indistinguishable; number the repeats so keys stay unique.
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        geo = item.get("geoPoint")
        locations.append(
            {
                "key": key,
                **site,
                "status": enum("RecruitmentStatus", "locations.status", item.get("status")),
                "geo_point": None if geo is None else {"lat": geo["lat"], "lon": geo["lon"]},
                "contacts": [_contact(contact, enum) for contact in item.get("contacts", ())],
            }
        )
    return locations


def _contact(item: Raw, enum: EnumCheck) -> dict[str, Any]:
    return {
        "name": text(item.get("name")),
        "role": enum("ContactRole", "contacts.role", item.get("role")),
        "phone": text(item.get("phone")),
        "phone_ext": text(item.get("phoneExt")),
        "email": text(item.get("email")),
    }


def _arms_fields(module: Raw, enum: EnumCheck) -> dict[str, Any]:
    return {
        "arm_groups": [
            {
                "label": text(item.get("label")) or "",
                "type": enum("ArmGroupType", "arm_groups.type", item.get("type")),
                "description": rich(item.get("description")),
                "intervention_names": texts(item.get("interventionNames")),
            }
            for item in module.get("armGroups", ())
        ],
        "interventions": [
            {
                "type": enum("InterventionType", "interventions.type", item.get("type")),
                "name": text(item.get("name")) or "",
                "description": rich(item.get("description")),
                "other_names": texts(item.get("otherNames")),
                "arm_group_labels": texts(item.get("armGroupLabels")),
            }
            for item in module.get("interventions", ())
        ],
    }


def _outcomes(module: Raw) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "measure": text(item.get("measure")) or "",
            "description": rich(item.get("description")),
            "time_frame": text(item.get("timeFrame")),
        }
        for kind in ("primary", "secondary", "other")
        for item in module.get(f"{kind}Outcomes", ())
    ]


def _references_fields(module: Raw) -> dict[str, Any]:
    return {
        "references": [
            {
                "pmid": text(item.get("pmid")),
                "type": text(item.get("type")),
                "citation": text(item.get("citation")),
                "retractions": [
                    {"pmid": text(r.get("pmid")), "source": text(r.get("source"))}
                    for r in item.get("retractions", ())
                ],
            }
            for item in module.get("references", ())
        ],
        "see_also_links": [
            {"label": rich(item.get("label")), "url": text(item.get("url"))}
            for item in module.get("seeAlsoLinks", ())
        ],
        "available_ipds": [
            {
                "id": text(item.get("id")),
                "type": text(item.get("type")),
                "url": text(item.get("url")),
                "comment": rich(item.get("comment")),
            }
            for item in module.get("availIpds", ())
        ],
    }


def _ipd_sharing(module: Raw | None, enum: EnumCheck) -> dict[str, Any] | None:
    if module is None:
        return None
    return {
        "sharing": enum("IpdSharing", "ipd_sharing.sharing", module.get("ipdSharing")),
        "description": rich(module.get("description")),
        "info_types": tuple(
            enum("IpdSharingInfoType", "ipd_sharing.info_types", kind) for kind in module.get("infoTypes", ())
        ),
        "time_frame": rich(module.get("timeFrame")),
        "access_criteria": rich(module.get("accessCriteria")),
        "url": text(module.get("url")),
    }


def _oversight(module: Raw) -> dict[str, Any]:
    return {
        "has_dmc": module.get("oversightHasDmc"),
        "is_fda_regulated_drug": module.get("isFdaRegulatedDrug"),
        "is_fda_regulated_device": module.get("isFdaRegulatedDevice"),
        "is_unapproved_device": module.get("isUnapprovedDevice"),
        "is_ppsd": module.get("isPpsd"),
        "is_us_export": module.get("isUsExport"),
        "fdaaa801_violation": module.get("fdaaa801Violation"),
    }


def _organization(item: Raw | None, enum: EnumCheck) -> dict[str, Any] | None:
    if item is None:
        return None
    name = item.get("name", item.get("fullName"))
    return {"name": text(name) or "", "agency_class": enum("AgencyClass", "agency_class", item.get("class"))}


def _responsible_party(item: Raw | None, enum: EnumCheck) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "type": enum("ResponsiblePartyType", "responsible_party.type", item.get("type")),
        "investigator_full_name": text(item.get("investigatorFullName")),
        "investigator_title": text(item.get("investigatorTitle")),
        "investigator_affiliation": text(item.get("investigatorAffiliation")),
        "old_name_title": text(item.get("oldNameTitle")),
        "old_organization": text(item.get("oldOrganization")),
    }


def _mesh_terms(module: Raw) -> list[dict[str, str]]:
    # ClinicalTrials.gov does not keep derived MeSH lists in a stable order: sort them.
    terms = {(item["id"], item.get("term", "")) for item in module.get("meshes", ())}
    return [{"id": mesh_id, "term": term} for mesh_id, term in sorted(terms)]


def _date_struct(status: Raw, name: str, enum: EnumCheck) -> dict[str, Any] | None:
    struct = status.get(name)
    if struct is None:
        return None
    parsed = trial_date(struct.get("date"), f"{name}.date")
    if parsed is not None:
        parsed["type"] = enum("DateType", f"{name}.type", struct.get("type"))
    return parsed


# --- values -------------------------------------------------------------------------------------

EnumCheck = Callable[[str, str, Any], str | None]


def _enum_checker(unknown: list[str]) -> EnumCheck:
    known = known_values()

    def check(enum_name: str, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldError(field, f"expected a text value, got {value!r}")
        if value not in known.get(enum_name, frozenset()):
            unknown.append(f"{field}={value}")
        return value

    return check


def text(value: Any) -> str | None:
    """Text as the sponsor wrote it, in NFC and without surrounding whitespace; None when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    value = value.strip()
    return value or None


def rich(value: Any) -> str | None:
    """Rich text (Markdown or HTML) as canonical Markdown, see ``pipeline.richtext.markdown``."""
    return richtext.markdown(text(value))


def texts(values: Any) -> tuple[str, ...]:
    """A list of texts with empty items dropped, order kept."""
    cleaned = (text(value) for value in values or ())
    return tuple(value for value in cleaned if value)


def trial_date(value: Any, field: str) -> dict[str, Any] | None:
    """``2024``, ``2024-03`` or ``2024-03-15`` as the first day of that period and its precision."""
    if value is None:
        return None
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise FieldError(field, f"not a date: {value!r}")
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    return {"date": f"{year}-{month or '01'}-{day or '01'}", "precision": precision}


def age_in_years(age: str | None) -> float | None:
    """ "18 Years" → 18.0, "6 Months" → 0.5, "28 Days" → 0.0767; None for no limit or unreadable text."""
    if age is None:
        return None
    match = _AGE.match(age)
    if match is None:
        return None
    number, unit = match.groups()
    return round(float(number) * _YEARS_PER_UNIT[unit.lower()], 4)
