"""Map one raw ClinicalTrials.gov API v2 study to the canonical ``Trial``. Pure: no I/O.

The value rules live in ``normalize_values``, the later modules' mappings in ``normalize_sections``.
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

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from pipeline.criteria import parse_criteria
from pipeline.errors import RecordError
from pipeline.ids import describe, is_nct_id
from pipeline.models import Trial
from pipeline.normalize_sections import (
    arms_fields,
    contacts_fields,
    date_struct,
    ipd_sharing,
    mesh_terms,
    organization,
    outcomes,
    oversight,
    references_fields,
    responsible_party,
)
from pipeline.normalize_values import (
    EnumCheck,
    age_in_years,
    enum_checker,
    known_values,
    rich,
    text,
    texts,
    trial_date,
)

__all__ = [
    "NORMALIZER_VERSION",
    "age_in_years",
    "known_values",
    "normalize",
    "rich",
    "text",
    "texts",
    "trial_date",
]

Raw = Mapping[str, Any]

NORMALIZER_VERSION = 3
"""Bump whenever a rule changes what a raw record normalizes to: stored versions made by an older
normalizer are then re-derived from their raw JSON by ``ctsync renormalize`` (no new versions).

1: ctsync 0.1.0; 2: eligibility criteria parsed into their structure (pipeline.criteria);
3: rich text in canonical Markdown (pipeline.richtext), so the website's HTML and API v2's Markdown of
the same content are the same record."""


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
        fields = _trial_fields(raw, protocol, enum_checker(unknown))
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
        "organization": organization(ident.get("organization"), enum),
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
        "lead_sponsor": organization(sponsors.get("leadSponsor"), enum),
        "collaborators": [organization(item, enum) for item in sponsors.get("collaborators", ())],
        "responsible_party": responsible_party(sponsors.get("responsibleParty"), enum),
        **contacts_fields(protocol.get("contactsLocationsModule", {}), enum),
        "oversight": oversight(protocol.get("oversightModule", {})),
        "conditions": texts(protocol.get("conditionsModule", {}).get("conditions")),
        "keywords": texts(protocol.get("conditionsModule", {}).get("keywords")),
        "condition_mesh_terms": mesh_terms(derived.get("conditionBrowseModule", {})),
        "intervention_mesh_terms": mesh_terms(derived.get("interventionBrowseModule", {})),
        **arms_fields(protocol.get("armsInterventionsModule", {}), enum),
        "outcomes": outcomes(protocol.get("outcomesModule", {})),
        "removed_countries": texts(misc.get("removedCountries")),
        "brief_summary": rich(protocol.get("descriptionModule", {}).get("briefSummary")),
        "detailed_description": rich(protocol.get("descriptionModule", {}).get("detailedDescription")),
        "has_results": bool(raw.get("hasResults", False)),
        **references_fields(protocol.get("referencesModule", {})),
        "ipd_sharing": ipd_sharing(protocol.get("ipdSharingStatementModule"), enum),
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
        "start_date": date_struct(status, "startDateStruct", enum),
        "primary_completion_date": date_struct(status, "primaryCompletionDateStruct", enum),
        "completion_date": date_struct(status, "completionDateStruct", enum),
        "first_submitted_date": trial_date(status.get("studyFirstSubmitDate"), "studyFirstSubmitDate"),
        "first_submitted_qc_date": trial_date(status.get("studyFirstSubmitQcDate"), "studyFirstSubmitQcDate"),
        "first_posted_date": date_struct(status, "studyFirstPostDateStruct", enum),
        "results_waived": status.get("resultsWaived"),
        "results_first_submitted_date": trial_date(
            status.get("resultsFirstSubmitDate"), "resultsFirstSubmitDate"
        ),
        "results_first_submitted_qc_date": trial_date(
            status.get("resultsFirstSubmitQcDate"), "resultsFirstSubmitQcDate"
        ),
        "results_first_posted_date": date_struct(status, "resultsFirstPostDateStruct", enum),
        "disposition_first_submitted_date": trial_date(
            status.get("dispFirstSubmitDate"), "dispFirstSubmitDate"
        ),
        "disposition_first_submitted_qc_date": trial_date(
            status.get("dispFirstSubmitQcDate"), "dispFirstSubmitQcDate"
        ),
        "disposition_first_posted_date": date_struct(status, "dispFirstPostDateStruct", enum),
        "last_update_submitted_date": trial_date(status.get("lastUpdateSubmitDate"), "lastUpdateSubmitDate"),
        "last_update_posted_date": date_struct(status, "lastUpdatePostDateStruct", enum),
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
