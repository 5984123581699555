"""The account of every leaf field of the ClinicalTrials.gov data model: mapped, or left out and why.

The raw JSON of every version is kept verbatim, so a field left out here is never lost; it is only not
part of the canonical record. ``unaccounted_paths`` names the fields a record carries that are in
neither list: that is how upstream schema drift shows up (``ctsync load`` reports them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

_ID = "protocolSection.identificationModule."
_STATUS = "protocolSection.statusModule."
_SPONSOR = "protocolSection.sponsorCollaboratorsModule."
_OVERSIGHT = "protocolSection.oversightModule."
_DESIGN = "protocolSection.designModule."
_ARMS = "protocolSection.armsInterventionsModule."
_OUTCOMES = "protocolSection.outcomesModule."
_ELIGIBILITY = "protocolSection.eligibilityModule."
_CONTACTS = "protocolSection.contactsLocationsModule."
_REFERENCES = "protocolSection.referencesModule."
_IPD = "protocolSection.ipdSharingStatementModule."


def _dates(raw: str, canonical: str) -> dict[str, str]:
    return {f"{_STATUS}{raw}.date": canonical, f"{_STATUS}{raw}.type": f"{canonical}.type"}


def _contact(raw: str, canonical: str) -> dict[str, str]:
    return {
        f"{raw}.{name}": f"{canonical}.{field}"
        for name, field in [
            ("name", "name"),
            ("role", "role"),
            ("phone", "phone"),
            ("phoneExt", "phone_ext"),
            ("email", "email"),
        ]
    }


MAPPED: dict[str, str] = {
    f"{_ID}nctId": "nct_id",
    f"{_ID}nctIdAliases": "nct_id_aliases",
    f"{_ID}orgStudyIdInfo.id": "org_study_id",
    f"{_ID}orgStudyIdInfo.type": "org_study_id_type",
    f"{_ID}orgStudyIdInfo.link": "org_study_id_link",
    f"{_ID}secondaryIdInfos.id": "secondary_ids.id",
    f"{_ID}secondaryIdInfos.type": "secondary_ids.type",
    f"{_ID}secondaryIdInfos.domain": "secondary_ids.domain",
    f"{_ID}secondaryIdInfos.link": "secondary_ids.link",
    f"{_ID}briefTitle": "brief_title",
    f"{_ID}officialTitle": "official_title",
    f"{_ID}acronym": "acronym",
    f"{_ID}organization.fullName": "organization.name",
    f"{_ID}organization.class": "organization.agency_class",
    f"{_STATUS}statusVerifiedDate": "status_verified_date",
    f"{_STATUS}overallStatus": "overall_status",
    f"{_STATUS}lastKnownStatus": "last_known_status",
    f"{_STATUS}delayedPosting": "delayed_posting",
    f"{_STATUS}whyStopped": "why_stopped",
    f"{_STATUS}expandedAccessInfo.hasExpandedAccess": "expanded_access.has_expanded_access",
    f"{_STATUS}expandedAccessInfo.nctId": "expanded_access.nct_id",
    f"{_STATUS}expandedAccessInfo.statusForNctId": "expanded_access.status_for_nct_id",
    **_dates("startDateStruct", "start_date"),
    **_dates("primaryCompletionDateStruct", "primary_completion_date"),
    **_dates("completionDateStruct", "completion_date"),
    f"{_STATUS}studyFirstSubmitDate": "first_submitted_date",
    f"{_STATUS}studyFirstSubmitQcDate": "first_submitted_qc_date",
    **_dates("studyFirstPostDateStruct", "first_posted_date"),
    f"{_STATUS}resultsWaived": "results_waived",
    f"{_STATUS}resultsFirstSubmitDate": "results_first_submitted_date",
    f"{_STATUS}resultsFirstSubmitQcDate": "results_first_submitted_qc_date",
    **_dates("resultsFirstPostDateStruct", "results_first_posted_date"),
    f"{_STATUS}dispFirstSubmitDate": "disposition_first_submitted_date",
    f"{_STATUS}dispFirstSubmitQcDate": "disposition_first_submitted_qc_date",
    **_dates("dispFirstPostDateStruct", "disposition_first_posted_date"),
    f"{_STATUS}lastUpdateSubmitDate": "last_update_submitted_date",
    **_dates("lastUpdatePostDateStruct", "last_update_posted_date"),
    f"{_SPONSOR}responsibleParty.type": "responsible_party.type",
    f"{_SPONSOR}responsibleParty.investigatorFullName": "responsible_party.investigator_full_name",
    f"{_SPONSOR}responsibleParty.investigatorTitle": "responsible_party.investigator_title",
    f"{_SPONSOR}responsibleParty.investigatorAffiliation": "responsible_party.investigator_affiliation",
    f"{_SPONSOR}responsibleParty.oldNameTitle": "responsible_party.old_name_title",
    f"{_SPONSOR}responsibleParty.oldOrganization": "responsible_party.old_organization",
    f"{_SPONSOR}leadSponsor.name": "lead_sponsor.name",
    f"{_SPONSOR}leadSponsor.class": "lead_sponsor.agency_class",
    f"{_SPONSOR}collaborators.name": "collaborators.name",
    f"{_SPONSOR}collaborators.class": "collaborators.agency_class",
    f"{_OVERSIGHT}oversightHasDmc": "oversight.has_dmc",
    f"{_OVERSIGHT}isFdaRegulatedDrug": "oversight.is_fda_regulated_drug",
    f"{_OVERSIGHT}isFdaRegulatedDevice": "oversight.is_fda_regulated_device",
    f"{_OVERSIGHT}isUnapprovedDevice": "oversight.is_unapproved_device",
    f"{_OVERSIGHT}isPpsd": "oversight.is_ppsd",
    f"{_OVERSIGHT}isUsExport": "oversight.is_us_export",
    f"{_OVERSIGHT}fdaaa801Violation": "oversight.fdaaa801_violation",
    "protocolSection.descriptionModule.briefSummary": "brief_summary",
    "protocolSection.descriptionModule.detailedDescription": "detailed_description",
    "protocolSection.conditionsModule.conditions": "conditions",
    "protocolSection.conditionsModule.keywords": "keywords",
    f"{_DESIGN}studyType": "study_type",
    f"{_DESIGN}nPtrsToThisExpAccNctId": "design.n_ptrs_to_this_exp_acc_nct_id",
    f"{_DESIGN}expandedAccessTypes.individual": "design.expanded_access_types",
    f"{_DESIGN}expandedAccessTypes.intermediate": "design.expanded_access_types",
    f"{_DESIGN}expandedAccessTypes.treatment": "design.expanded_access_types",
    f"{_DESIGN}patientRegistry": "design.patient_registry",
    f"{_DESIGN}targetDuration": "design.target_duration",
    f"{_DESIGN}phases": "phases",
    f"{_DESIGN}designInfo.allocation": "design.allocation",
    f"{_DESIGN}designInfo.interventionModel": "design.intervention_model",
    f"{_DESIGN}designInfo.interventionModelDescription": "design.intervention_model_description",
    f"{_DESIGN}designInfo.primaryPurpose": "design.primary_purpose",
    f"{_DESIGN}designInfo.observationalModel": "design.observational_model",
    f"{_DESIGN}designInfo.timePerspective": "design.time_perspective",
    f"{_DESIGN}designInfo.maskingInfo.masking": "design.masking",
    f"{_DESIGN}designInfo.maskingInfo.maskingDescription": "design.masking_description",
    f"{_DESIGN}designInfo.maskingInfo.whoMasked": "design.who_masked",
    f"{_DESIGN}bioSpec.retention": "design.bio_spec_retention",
    f"{_DESIGN}bioSpec.description": "design.bio_spec_description",
    f"{_DESIGN}enrollmentInfo.count": "enrollment_count",
    f"{_DESIGN}enrollmentInfo.type": "enrollment_type",
    f"{_ARMS}armGroups.label": "arm_groups.label",
    f"{_ARMS}armGroups.type": "arm_groups.type",
    f"{_ARMS}armGroups.description": "arm_groups.description",
    f"{_ARMS}armGroups.interventionNames": "arm_groups.intervention_names",
    f"{_ARMS}interventions.type": "interventions.type",
    f"{_ARMS}interventions.name": "interventions.name",
    f"{_ARMS}interventions.description": "interventions.description",
    f"{_ARMS}interventions.armGroupLabels": "interventions.arm_group_labels",
    f"{_ARMS}interventions.otherNames": "interventions.other_names",
    **{
        f"{_OUTCOMES}{kind}Outcomes.{name}": f"outcomes.{field}"
        for kind in ("primary", "secondary", "other")
        for name, field in [
            ("measure", "measure"),
            ("description", "description"),
            ("timeFrame", "time_frame"),
        ]
    },
    f"{_ELIGIBILITY}eligibilityCriteria": "eligibility.criteria",
    f"{_ELIGIBILITY}healthyVolunteers": "eligibility.healthy_volunteers",
    f"{_ELIGIBILITY}sex": "eligibility.sex",
    f"{_ELIGIBILITY}genderBased": "eligibility.gender_based",
    f"{_ELIGIBILITY}genderDescription": "eligibility.gender_description",
    f"{_ELIGIBILITY}minimumAge": "eligibility.minimum_age",
    f"{_ELIGIBILITY}maximumAge": "eligibility.maximum_age",
    f"{_ELIGIBILITY}stdAges": "eligibility.std_ages",
    f"{_ELIGIBILITY}studyPopulation": "eligibility.study_population",
    f"{_ELIGIBILITY}samplingMethod": "eligibility.sampling_method",
    **_contact(f"{_CONTACTS}centralContacts", "central_contacts"),
    f"{_CONTACTS}overallOfficials.name": "overall_officials.name",
    f"{_CONTACTS}overallOfficials.affiliation": "overall_officials.affiliation",
    f"{_CONTACTS}overallOfficials.role": "overall_officials.role",
    f"{_CONTACTS}locations.facility": "locations.facility",
    f"{_CONTACTS}locations.status": "locations.status",
    f"{_CONTACTS}locations.city": "locations.city",
    f"{_CONTACTS}locations.state": "locations.state",
    f"{_CONTACTS}locations.zip": "locations.zip",
    f"{_CONTACTS}locations.country": "locations.country",
    **_contact(f"{_CONTACTS}locations.contacts", "locations.contacts"),
    f"{_CONTACTS}locations.geoPoint": "locations.geo_point",
    f"{_CONTACTS}locations.geoPoint.lat": "locations.geo_point.lat",
    f"{_CONTACTS}locations.geoPoint.lon": "locations.geo_point.lon",
    f"{_REFERENCES}references.pmid": "references.pmid",
    f"{_REFERENCES}references.type": "references.type",
    f"{_REFERENCES}references.citation": "references.citation",
    f"{_REFERENCES}references.retractions.pmid": "references.retractions.pmid",
    f"{_REFERENCES}references.retractions.source": "references.retractions.source",
    f"{_REFERENCES}seeAlsoLinks.label": "see_also_links.label",
    f"{_REFERENCES}seeAlsoLinks.url": "see_also_links.url",
    f"{_REFERENCES}availIpds.id": "available_ipds.id",
    f"{_REFERENCES}availIpds.type": "available_ipds.type",
    f"{_REFERENCES}availIpds.url": "available_ipds.url",
    f"{_REFERENCES}availIpds.comment": "available_ipds.comment",
    f"{_IPD}ipdSharing": "ipd_sharing.sharing",
    f"{_IPD}description": "ipd_sharing.description",
    f"{_IPD}infoTypes": "ipd_sharing.info_types",
    f"{_IPD}timeFrame": "ipd_sharing.time_frame",
    f"{_IPD}accessCriteria": "ipd_sharing.access_criteria",
    f"{_IPD}url": "ipd_sharing.url",
    "derivedSection.miscInfoModule.versionHolder": "version_holder",
    "derivedSection.miscInfoModule.removedCountries": "removed_countries",
    "derivedSection.conditionBrowseModule.meshes.id": "condition_mesh_terms.id",
    "derivedSection.conditionBrowseModule.meshes.term": "condition_mesh_terms.term",
    "derivedSection.interventionBrowseModule.meshes.id": "intervention_mesh_terms.id",
    "derivedSection.interventionBrowseModule.meshes.term": "intervention_mesh_terms.term",
    "hasResults": "has_results",
}

# Prefixes of fields deliberately left out of the canonical record (kept in the raw JSON of every version).
NOT_MAPPED: dict[str, str] = {
    "resultsSection.": "posted results tables are not on a trial page; has_results says they exist, the "
    "raw JSON keeps them and analysts query them in the trial_* results tables (pipeline/aact_tables.py)",
    "annotationSection.": "administrative annotations (unposted results events, FDAAA violations) are not "
    "shown to patients; analysts have trial_unposted_events and trial_violation_events",
    "documentSection.": "uploaded protocol/SAP/consent documents are links on ClinicalTrials.gov, not page "
    "facts; analysts have trial_documents",
    "derivedSection.miscInfoModule.submissionTracking.": "results-submission bookkeeping of "
    "ClinicalTrials.gov",
    "derivedSection.conditionBrowseModule.ancestors.": "MeSH ancestors are derivable from the MeSH tree",
    "derivedSection.conditionBrowseModule.browseLeaves.": "website browse facets, unstable order",
    "derivedSection.conditionBrowseModule.browseBranches.": "website browse facets",
    "derivedSection.interventionBrowseModule.ancestors.": "MeSH ancestors are derivable from the MeSH tree",
    "derivedSection.interventionBrowseModule.browseLeaves.": "website browse facets, unstable order",
    "derivedSection.interventionBrowseModule.browseBranches.": "website browse facets",
    f"{_CONTACTS}locations_nested.": "not an API v2 field: a copy of locations that a third-party tool "
    "added to records it saved (seen in 11 real records); locations holds the same sites",
    f"{_ARMS}interventions.interventionMappedName": "an early (2023) API v2 field, since dropped from the "
    "spec; intervention_mesh_terms holds the mapped terms",
    "derivedSection.miscInfoModule.modelPredictions.": "ClinicalTrials.gov's machine predictions, not the "
    "sponsor's record",
}


@cache
def is_accounted(path: str) -> bool:
    """True when a dotted leaf path is mapped or deliberately left out."""
    return path in MAPPED or any(path.startswith(prefix) for prefix in NOT_MAPPED)


def iter_leaf_paths(record: Mapping[str, Any]) -> Iterator[str]:
    """Every dotted leaf path of a record, list positions dropped (``locations.city``)."""
    stack: list[tuple[str, Any]] = [("", record)]
    while stack:
        prefix, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend((f"{prefix}{key}.", item) for key, item in value.items())
            continue
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            stack.extend((prefix, item) for item in value)
            continue
        yield prefix.rstrip(".")


def unaccounted_paths(record: dict[str, Any]) -> set[str]:
    """Leaf paths of a record that are neither mapped nor deliberately left out: upstream drift.

    Cheap enough to run on every record ingested: it visits each distinct path once with all the values
    found there (the 400 sites of a record are one walk, not 400), and skips subtrees left out whole.
    """
    found: set[str] = set()
    _walk("", [record], found)
    return {path for path in found if not is_accounted(path)}


def _walk(prefix: str, values: list[Any], leaves: set[str]) -> None:
    """Add to ``leaves`` the leaf paths under ``prefix`` of every value in ``values`` (all at that path).

    Records come from ``json.loads``: objects are dicts, and ``type(...) is dict`` is several times cheaper
    than ``isinstance(..., Mapping)``, which goes through the ABC machinery for every value.
    """
    objects: list[dict[str, Any]] = []
    for value in values:
        kind = type(value)
        if kind is dict:
            objects.append(value)
        elif kind is list and value and type(value[0]) is dict:
            items = [item for item in value if type(item) is dict]
            objects.extend(items)
            if len(items) < len(value):  # a list mixing objects and values: the values are leaves
                leaves.add(prefix.rstrip("."))
        else:
            leaves.add(prefix.rstrip("."))
    keys: dict[str, None] = {}
    for item in objects:
        keys.update(dict.fromkeys(item))
    for key in keys:
        path = f"{prefix}{key}."
        if _left_out_whole(path):
            continue
        _walk(path, [item[key] for item in objects if key in item], leaves)


@cache
def _left_out_whole(path: str) -> bool:
    """A subtree every leaf of which is deliberately left out (``derivedSection.…browseLeaves.``)."""
    return any(path.startswith(prefix) for prefix in NOT_MAPPED if prefix.endswith("."))
