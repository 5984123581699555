"""The statements that fill the protocol tables (details, designs, arms, references, IPD, ...) from
``aact_raw``. Pure text, no DuckDB import."""

from __future__ import annotations

from pipeline.aact_sql import (
    ANNOTATION,
    ARMS,
    DESIGN,
    DOCS,
    IPD,
    REFS,
    STATUS,
    P,
    each,
    insert,
    items,
)

# --- the statements ------------------------------------------------------------------------------

PROTOCOL_FROM_RAW = (
    f"""
INSERT INTO trial_details BY NAME
SELECT nct_id,
    {P}.identificationModule.orgStudyIdInfo.type AS org_study_id_type,
    {P}.identificationModule.orgStudyIdInfo.link AS org_study_id_link,
    {P}.identificationModule.organization.fullName AS organization_name,
    {P}.identificationModule.organization.class AS organization_class,
    {STATUS}.delayedPosting AS delayed_posting,
    {STATUS}.expandedAccessInfo.hasExpandedAccess AS has_expanded_access,
    {STATUS}.expandedAccessInfo.nctId AS expanded_access_nct_id,
    {STATUS}.expandedAccessInfo.statusForNctId AS expanded_access_status,
    {DESIGN}.expandedAccessTypes.individual AS expanded_access_individual,
    {DESIGN}.expandedAccessTypes.intermediate AS expanded_access_intermediate,
    {DESIGN}.expandedAccessTypes.treatment AS expanded_access_treatment,
    {DESIGN}.nPtrsToThisExpAccNctId AS expanded_access_pointer_count,
    {STATUS}.studyFirstSubmitQcDate AS study_first_submitted_qc_date,
    {STATUS}.studyFirstPostDateStruct.type AS study_first_posted_date_type,
    {STATUS}.resultsWaived AS results_waived,
    {STATUS}.resultsFirstSubmitDate AS results_first_submitted_date,
    {STATUS}.resultsFirstSubmitQcDate AS results_first_submitted_qc_date,
    {STATUS}.resultsFirstPostDateStruct.type AS results_first_posted_date_type,
    {STATUS}.dispFirstSubmitDate AS disposition_first_submitted_date,
    {STATUS}.dispFirstSubmitQcDate AS disposition_first_submitted_qc_date,
    {STATUS}.dispFirstPostDateStruct.date AS disposition_first_posted_date,
    {STATUS}.dispFirstPostDateStruct.type AS disposition_first_posted_date_type,
    {P}.oversightModule.oversightHasDmc AS has_dmc,
    {P}.oversightModule.isFdaRegulatedDrug AS is_fda_regulated_drug,
    {P}.oversightModule.isFdaRegulatedDevice AS is_fda_regulated_device,
    {P}.oversightModule.isUnapprovedDevice AS is_unapproved_device,
    {P}.oversightModule.isPpsd AS is_ppsd,
    {P}.oversightModule.isUsExport AS is_us_export,
    {P}.oversightModule.fdaaa801Violation AS fdaaa801_violation,
    {P}.descriptionModule.detailedDescription AS detailed_description,
    {DESIGN}.patientRegistry AS patient_registry,
    {DESIGN}.targetDuration AS target_duration,
    {DESIGN}.designInfo.interventionModelDescription AS intervention_model_description,
    {DESIGN}.designInfo.maskingInfo.maskingDescription AS masking_description,
    {DESIGN}.designInfo.maskingInfo.whoMasked AS who_masked,
    {DESIGN}.bioSpec.retention AS biospec_retention,
    {DESIGN}.bioSpec.description AS biospec_description,
    {P}.eligibilityModule.genderDescription AS gender_description,
    {P}.eligibilityModule.studyPopulation AS study_population,
    {P}.eligibilityModule.samplingMethod AS sampling_method,
    {IPD}.ipdSharing AS ipd_sharing,
    {IPD}.description AS ipd_description,
    {IPD}.infoTypes AS ipd_info_types,
    {IPD}.timeFrame AS ipd_time_frame,
    {IPD}.accessCriteria AS ipd_access_criteria,
    {IPD}.url AS ipd_url,
    j.derivedSection.miscInfoModule.removedCountries AS removed_countries,
    j.derivedSection.miscInfoModule.submissionTracking.estimatedResultsFirstSubmitDate
        AS estimated_results_first_submitted_date,
    j.derivedSection.miscInfoModule.submissionTracking.firstMcpInfo.postDateStruct.date
        AS first_mcp_posted_date,
    j.derivedSection.miscInfoModule.submissionTracking.firstMcpInfo.postDateStruct.type
        AS first_mcp_posted_date_type,
    {ANNOTATION}.unpostedAnnotation.unpostedResponsibleParty AS unposted_responsible_party,
    {DOCS}.noSap AS no_sap
FROM aact_raw
""",
    f"""
INSERT INTO trial_responsible_parties BY NAME
SELECT nct_id, p.type, p.investigatorFullName AS investigator_full_name,
    p.investigatorTitle AS investigator_title, p.investigatorAffiliation AS investigator_affiliation,
    p.oldNameTitle AS old_name_title, p.oldOrganization AS old_organization
FROM (SELECT nct_id, {P}.sponsorCollaboratorsModule.responsibleParty AS p FROM aact_raw)
WHERE p IS NOT NULL
""",
    insert(
        "trial_secondary_ids",
        {"s": each("s", f"{P}.identificationModule.secondaryIdInfos")},
        "SELECT nct_id, s.i AS ordinal, s.x.id AS secondary_id, s.x.type AS type, s.x.domain AS domain,"
        " s.x.link AS link FROM s",
    ),
    insert(
        "trial_arms",
        {"a": each("a", f"{ARMS}.armGroups")},
        "SELECT nct_id, a.i AS ordinal, a.x.label AS label, a.x.type AS type,"
        " a.x.description AS description, a.x.interventionNames AS intervention_names FROM a",
    ),
    insert(
        "trial_arm_interventions",
        {
            "a": each("a", f"{ARMS}.armGroups"),
            "arm": "SELECT nct_id, a.x.label AS label, min(a.i) AS arm_ordinal FROM a GROUP BY ALL",
            "v": each("v", f"{ARMS}.interventions"),
            "l": "SELECT nct_id, v.i AS intervention_ordinal, v.x.type AS intervention_type,"
            f" v.x.name AS intervention_name, {items('v.x.armGroupLabels')} AS l FROM v",
        },
        "SELECT l_rows.nct_id, intervention_ordinal, l.i AS label_ordinal, l.x AS arm_label,"
        " arm_rows.arm_ordinal, intervention_type, intervention_name"
        " FROM l LEFT JOIN arm ON arm_rows.nct_id = l_rows.nct_id AND arm_rows.label = l.x",
    ),
    insert(
        "trial_central_contacts",
        {"c": each("c", f"{P}.contactsLocationsModule.centralContacts")},
        "SELECT nct_id, c.i AS ordinal, c.x.name AS name, c.x.role AS role, c.x.phone AS phone,"
        " c.x.phoneExt AS phone_ext, c.x.email AS email FROM c",
    ),
    insert(
        "trial_officials",
        {"o": each("o", f"{P}.contactsLocationsModule.overallOfficials")},
        "SELECT nct_id, o.i AS ordinal, o.x.name AS name, o.x.affiliation AS affiliation,"
        " o.x.role AS role FROM o",
    ),
    insert(
        "trial_references",
        {"r": each("r", f"{REFS}.references")},
        "SELECT nct_id, r.i AS ordinal, r.x.pmid AS pmid, r.x.type AS type, r.x.citation AS citation FROM r",
    ),
    insert(
        "trial_retractions",
        {
            "r": each("r", f"{REFS}.references"),
            "t": f"SELECT nct_id, r.i AS reference_ordinal, {items('r.x.retractions')} AS t FROM r",
        },
        "SELECT nct_id, reference_ordinal, t.i AS ordinal, t.x.pmid AS pmid, t.x.source AS source FROM t",
    ),
    insert(
        "trial_links",
        {"s": each("s", f"{REFS}.seeAlsoLinks")},
        "SELECT nct_id, s.i AS ordinal, s.x.label AS label, s.x.url AS url FROM s",
    ),
    insert(
        "trial_ipd_documents",
        {"d": each("d", f"{REFS}.availIpds")},
        "SELECT nct_id, d.i AS ordinal, d.x.id AS document_id, d.x.type AS type, d.x.url AS url,"
        " d.x.comment AS comment FROM d",
    ),
)
