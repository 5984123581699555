-- ctsync schema, version 4: analyst tables at AACT parity (issue 15). Append-only.
-- Current-state tables derived from the raw API JSON of each trial's current version
-- (pipeline/aact_tables.py fills them in the transaction that stores the version).

CREATE TABLE trial_details (
    nct_id VARCHAR PRIMARY KEY,
    org_study_id_type VARCHAR,
    org_study_id_link VARCHAR,
    organization_name VARCHAR,
    organization_class VARCHAR,
    delayed_posting BOOLEAN,
    has_expanded_access BOOLEAN,
    expanded_access_nct_id VARCHAR,
    expanded_access_status VARCHAR,
    expanded_access_individual BOOLEAN,
    expanded_access_intermediate BOOLEAN,
    expanded_access_treatment BOOLEAN,
    expanded_access_pointer_count INTEGER,
    study_first_submitted_qc_date DATE,
    study_first_posted_date_type VARCHAR,
    results_waived BOOLEAN,
    results_first_submitted_date DATE,
    results_first_submitted_qc_date DATE,
    results_first_posted_date_type VARCHAR,
    disposition_first_submitted_date DATE,
    disposition_first_submitted_qc_date DATE,
    disposition_first_posted_date DATE,
    disposition_first_posted_date_type VARCHAR,
    has_dmc BOOLEAN,
    is_fda_regulated_drug BOOLEAN,
    is_fda_regulated_device BOOLEAN,
    is_unapproved_device BOOLEAN,
    is_ppsd BOOLEAN,
    is_us_export BOOLEAN,
    fdaaa801_violation BOOLEAN,
    detailed_description VARCHAR,
    patient_registry BOOLEAN,
    target_duration VARCHAR,
    intervention_model_description VARCHAR,
    masking_description VARCHAR,
    who_masked VARCHAR[],
    biospec_retention VARCHAR,
    biospec_description VARCHAR,
    gender_description VARCHAR,
    study_population VARCHAR,
    sampling_method VARCHAR,
    ipd_sharing VARCHAR,
    ipd_description VARCHAR,
    ipd_info_types VARCHAR[],
    ipd_time_frame VARCHAR,
    ipd_access_criteria VARCHAR,
    ipd_url VARCHAR,
    removed_countries VARCHAR[],
    estimated_results_first_submitted_date DATE,
    first_mcp_posted_date DATE,
    first_mcp_posted_date_type VARCHAR,
    unposted_responsible_party VARCHAR,
    no_sap BOOLEAN
);

CREATE TABLE trial_responsible_parties (
    nct_id VARCHAR PRIMARY KEY,
    type VARCHAR,
    investigator_full_name VARCHAR,
    investigator_title VARCHAR,
    investigator_affiliation VARCHAR,
    old_name_title VARCHAR,
    old_organization VARCHAR
);

CREATE TABLE trial_secondary_ids (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    secondary_id VARCHAR,
    type VARCHAR,
    domain VARCHAR,
    link VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_arms (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    label VARCHAR,
    type VARCHAR,
    description VARCHAR,
    intervention_names VARCHAR[],
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_arm_interventions (
    nct_id VARCHAR NOT NULL,
    intervention_ordinal INTEGER NOT NULL,
    label_ordinal INTEGER NOT NULL,
    arm_label VARCHAR,
    arm_ordinal INTEGER,
    intervention_type VARCHAR,
    intervention_name VARCHAR,
    PRIMARY KEY (nct_id, intervention_ordinal, label_ordinal)
);

CREATE TABLE trial_central_contacts (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    name VARCHAR,
    role VARCHAR,
    phone VARCHAR,
    phone_ext VARCHAR,
    email VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_officials (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    name VARCHAR,
    affiliation VARCHAR,
    role VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_references (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    pmid VARCHAR,
    type VARCHAR,
    citation VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_retractions (
    nct_id VARCHAR NOT NULL,
    reference_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    pmid VARCHAR,
    source VARCHAR,
    PRIMARY KEY (nct_id, reference_ordinal, ordinal)
);

CREATE TABLE trial_links (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    label VARCHAR,
    url VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_ipd_documents (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    document_id VARCHAR,
    type VARCHAR,
    url VARCHAR,
    comment VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_results (
    nct_id VARCHAR PRIMARY KEY,
    flow_recruitment_details VARCHAR,
    flow_pre_assignment_details VARCHAR,
    flow_units_analyzed VARCHAR,
    baseline_population VARCHAR,
    baseline_units_analyzed VARCHAR,
    ae_time_frame VARCHAR,
    ae_frequency_threshold VARCHAR,
    ae_description VARCHAR,
    ae_all_cause_mortality_comment VARCHAR,
    limitations_and_caveats VARCHAR,
    pi_sponsor_employee BOOLEAN,
    restrictive_agreement BOOLEAN,
    restriction_type VARCHAR,
    agreement_other_details VARCHAR,
    contact_title VARCHAR,
    contact_organization VARCHAR,
    contact_email VARCHAR,
    contact_phone VARCHAR,
    contact_phone_ext VARCHAR
);

CREATE TABLE trial_flow_groups (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    group_id VARCHAR,
    title VARCHAR,
    description VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_flow_periods (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    title VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_flow_milestones (
    nct_id VARCHAR NOT NULL,
    period_ordinal INTEGER NOT NULL,
    milestone_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    milestone VARCHAR,
    milestone_comment VARCHAR,
    group_id VARCHAR,
    comment VARCHAR,
    num_subjects INTEGER,
    num_units INTEGER,
    PRIMARY KEY (nct_id, period_ordinal, milestone_ordinal, ordinal)
);

CREATE TABLE trial_flow_drop_withdrawals (
    nct_id VARCHAR NOT NULL,
    period_ordinal INTEGER NOT NULL,
    reason_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    reason VARCHAR,
    reason_comment VARCHAR,
    group_id VARCHAR,
    comment VARCHAR,
    num_subjects INTEGER,
    PRIMARY KEY (nct_id, period_ordinal, reason_ordinal, ordinal)
);

CREATE TABLE trial_baseline_groups (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    group_id VARCHAR,
    title VARCHAR,
    description VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_baseline_denoms (
    nct_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    measure_ordinal INTEGER NOT NULL,
    class_ordinal INTEGER NOT NULL,
    denom_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    units VARCHAR,
    group_id VARCHAR,
    value VARCHAR,
    count INTEGER,
    PRIMARY KEY (nct_id, scope, measure_ordinal, class_ordinal, denom_ordinal, ordinal)
);

CREATE TABLE trial_baseline_measures (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    title VARCHAR,
    description VARCHAR,
    population_description VARCHAR,
    param_type VARCHAR,
    dispersion_type VARCHAR,
    unit_of_measure VARCHAR,
    calculate_pct BOOLEAN,
    denom_units_selected VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_baseline_classes (
    nct_id VARCHAR NOT NULL,
    measure_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    title VARCHAR,
    PRIMARY KEY (nct_id, measure_ordinal, ordinal)
);

CREATE TABLE trial_baseline_categories (
    nct_id VARCHAR NOT NULL,
    measure_ordinal INTEGER NOT NULL,
    class_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    title VARCHAR,
    PRIMARY KEY (nct_id, measure_ordinal, class_ordinal, ordinal)
);

CREATE TABLE trial_baseline_measurements (
    nct_id VARCHAR NOT NULL,
    measure_ordinal INTEGER NOT NULL,
    class_ordinal INTEGER NOT NULL,
    category_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    group_id VARCHAR,
    value VARCHAR,
    value_num DOUBLE,
    spread VARCHAR,
    spread_num DOUBLE,
    lower_limit VARCHAR,
    lower_limit_num DOUBLE,
    upper_limit VARCHAR,
    upper_limit_num DOUBLE,
    comment VARCHAR,
    PRIMARY KEY (nct_id, measure_ordinal, class_ordinal, category_ordinal, ordinal)
);

CREATE TABLE trial_outcome_measures (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    type VARCHAR,
    title VARCHAR,
    description VARCHAR,
    population_description VARCHAR,
    reporting_status VARCHAR,
    anticipated_posting_date VARCHAR,
    param_type VARCHAR,
    dispersion_type VARCHAR,
    unit_of_measure VARCHAR,
    calculate_pct BOOLEAN,
    time_frame VARCHAR,
    type_units_analyzed VARCHAR,
    denom_units_selected VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_outcome_groups (
    nct_id VARCHAR NOT NULL,
    outcome_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    group_id VARCHAR,
    title VARCHAR,
    description VARCHAR,
    PRIMARY KEY (nct_id, outcome_ordinal, ordinal)
);

CREATE TABLE trial_outcome_denoms (
    nct_id VARCHAR NOT NULL,
    outcome_ordinal INTEGER NOT NULL,
    scope VARCHAR NOT NULL,
    class_ordinal INTEGER NOT NULL,
    denom_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    units VARCHAR,
    group_id VARCHAR,
    value VARCHAR,
    count INTEGER,
    PRIMARY KEY (nct_id, outcome_ordinal, scope, class_ordinal, denom_ordinal, ordinal)
);

CREATE TABLE trial_outcome_classes (
    nct_id VARCHAR NOT NULL,
    outcome_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    title VARCHAR,
    PRIMARY KEY (nct_id, outcome_ordinal, ordinal)
);

CREATE TABLE trial_outcome_categories (
    nct_id VARCHAR NOT NULL,
    outcome_ordinal INTEGER NOT NULL,
    class_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    title VARCHAR,
    PRIMARY KEY (nct_id, outcome_ordinal, class_ordinal, ordinal)
);

CREATE TABLE trial_outcome_measurements (
    nct_id VARCHAR NOT NULL,
    outcome_ordinal INTEGER NOT NULL,
    class_ordinal INTEGER NOT NULL,
    category_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    group_id VARCHAR,
    value VARCHAR,
    value_num DOUBLE,
    spread VARCHAR,
    spread_num DOUBLE,
    lower_limit VARCHAR,
    lower_limit_num DOUBLE,
    upper_limit VARCHAR,
    upper_limit_num DOUBLE,
    comment VARCHAR,
    PRIMARY KEY (nct_id, outcome_ordinal, class_ordinal, category_ordinal, ordinal)
);

CREATE TABLE trial_outcome_analyses (
    nct_id VARCHAR NOT NULL,
    outcome_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    group_ids VARCHAR[],
    group_description VARCHAR,
    tested_non_inferiority BOOLEAN,
    non_inferiority_type VARCHAR,
    non_inferiority_comment VARCHAR,
    p_value VARCHAR,
    p_value_modifier VARCHAR,
    p_value_num DOUBLE,
    p_value_comment VARCHAR,
    statistical_method VARCHAR,
    statistical_comment VARCHAR,
    param_type VARCHAR,
    param_value VARCHAR,
    param_value_num DOUBLE,
    dispersion_type VARCHAR,
    dispersion_value VARCHAR,
    ci_pct_value VARCHAR,
    ci_num_sides VARCHAR,
    ci_lower_limit VARCHAR,
    ci_upper_limit VARCHAR,
    ci_lower_limit_comment VARCHAR,
    ci_upper_limit_comment VARCHAR,
    estimate_comment VARCHAR,
    other_analysis_description VARCHAR,
    PRIMARY KEY (nct_id, outcome_ordinal, ordinal)
);

CREATE TABLE trial_event_groups (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    group_id VARCHAR,
    title VARCHAR,
    description VARCHAR,
    deaths_num_affected INTEGER,
    deaths_num_at_risk INTEGER,
    serious_num_affected INTEGER,
    serious_num_at_risk INTEGER,
    other_num_affected INTEGER,
    other_num_at_risk INTEGER,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_adverse_events (
    nct_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    term VARCHAR,
    organ_system VARCHAR,
    source_vocabulary VARCHAR,
    assessment_type VARCHAR,
    notes VARCHAR,
    PRIMARY KEY (nct_id, kind, ordinal)
);

CREATE TABLE trial_adverse_event_counts (
    nct_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    event_ordinal INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    group_id VARCHAR,
    num_events INTEGER,
    num_affected INTEGER,
    num_at_risk INTEGER,
    PRIMARY KEY (nct_id, kind, event_ordinal, ordinal)
);

CREATE TABLE trial_unposted_events (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    type VARCHAR,
    date DATE,
    date_unknown BOOLEAN,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_violation_events (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    type VARCHAR,
    description VARCHAR,
    creation_date DATE,
    issued_date DATE,
    release_date DATE,
    posted_date DATE,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_documents (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    type_abbrev VARCHAR,
    has_protocol BOOLEAN,
    has_sap BOOLEAN,
    has_icf BOOLEAN,
    label VARCHAR,
    date DATE,
    upload_date TIMESTAMP,
    filename VARCHAR,
    size BIGINT,
    url VARCHAR,
    PRIMARY KEY (nct_id, ordinal)
);

COMMENT ON TABLE trial_details IS 'One row per trial: the protocol facts of the API record that trials has no column for (identification, dates and their types, expanded access, oversight, design, eligibility, biospecimens, IPD sharing, annotations). From the raw JSON of the current version.';
COMMENT ON COLUMN trial_details.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_details.org_study_id_type IS 'Type of the organization''s study ID (identificationModule.orgStudyIdInfo.type), e.g. NIH for an NIH grant number.';
COMMENT ON COLUMN trial_details.org_study_id_link IS 'Link of the organization''s study ID (orgStudyIdInfo.link), e.g. to NIH RePORTER.';
COMMENT ON COLUMN trial_details.organization_name IS 'Full name of the organization that registered the trial (identificationModule.organization.fullName).';
COMMENT ON COLUMN trial_details.organization_class IS 'Agency class of that organization: NIH, FED, OTHER_GOV, INDIV, INDUSTRY, NETWORK, AMBIG, OTHER, UNKNOWN.';
COMMENT ON COLUMN trial_details.delayed_posting IS 'Posting of a device trial delayed at the sponsor''s request (statusModule.delayedPosting).';
COMMENT ON COLUMN trial_details.has_expanded_access IS 'The investigational product is available through expanded access (expandedAccessInfo.hasExpandedAccess).';
COMMENT ON COLUMN trial_details.expanded_access_nct_id IS 'NCT ID of the expanded-access record for that product (expandedAccessInfo.nctId).';
COMMENT ON COLUMN trial_details.expanded_access_status IS 'Status of that expanded-access record: AVAILABLE, NO_LONGER_AVAILABLE, TEMPORARILY_NOT_AVAILABLE, APPROVED_FOR_MARKETING.';
COMMENT ON COLUMN trial_details.expanded_access_individual IS 'Expanded-access record: individual patients (designModule.expandedAccessTypes.individual).';
COMMENT ON COLUMN trial_details.expanded_access_intermediate IS 'Expanded-access record: intermediate-size population (expandedAccessTypes.intermediate).';
COMMENT ON COLUMN trial_details.expanded_access_treatment IS 'Expanded-access record: treatment IND/protocol (expandedAccessTypes.treatment).';
COMMENT ON COLUMN trial_details.expanded_access_pointer_count IS 'Expanded-access record: how many studies point to it (designModule.nPtrsToThisExpAccNctId).';
COMMENT ON COLUMN trial_details.study_first_submitted_qc_date IS 'Date the first submission passed quality control (statusModule.studyFirstSubmitQcDate).';
COMMENT ON COLUMN trial_details.study_first_posted_date_type IS 'ACTUAL or ESTIMATED, for trials.first_posted_date.';
COMMENT ON COLUMN trial_details.results_waived IS 'Results submission waived (statusModule.resultsWaived).';
COMMENT ON COLUMN trial_details.results_first_submitted_date IS 'Date results were first submitted (statusModule.resultsFirstSubmitDate).';
COMMENT ON COLUMN trial_details.results_first_submitted_qc_date IS 'Date the first results submission passed quality control (resultsFirstSubmitQcDate).';
COMMENT ON COLUMN trial_details.results_first_posted_date_type IS 'ACTUAL or ESTIMATED, for trials.results_first_posted_date.';
COMMENT ON COLUMN trial_details.disposition_first_submitted_date IS 'Date a certification or extension request to delay results was first submitted (dispFirstSubmitDate).';
COMMENT ON COLUMN trial_details.disposition_first_submitted_qc_date IS 'Date that request passed quality control (dispFirstSubmitQcDate).';
COMMENT ON COLUMN trial_details.disposition_first_posted_date IS 'Date that request was first posted (dispFirstPostDateStruct.date).';
COMMENT ON COLUMN trial_details.disposition_first_posted_date_type IS 'ACTUAL or ESTIMATED, for disposition_first_posted_date.';
COMMENT ON COLUMN trial_details.has_dmc IS 'A data monitoring committee oversees the trial (oversightModule.oversightHasDmc).';
COMMENT ON COLUMN trial_details.is_fda_regulated_drug IS 'Studies a drug regulated by the US FDA (oversightModule.isFdaRegulatedDrug).';
COMMENT ON COLUMN trial_details.is_fda_regulated_device IS 'Studies a device regulated by the US FDA (isFdaRegulatedDevice).';
COMMENT ON COLUMN trial_details.is_unapproved_device IS 'A device not approved or cleared by the FDA (isUnapprovedDevice).';
COMMENT ON COLUMN trial_details.is_ppsd IS 'Pediatric postmarket surveillance of a device (isPpsd).';
COMMENT ON COLUMN trial_details.is_us_export IS 'A product manufactured in and exported from the US (isUsExport).';
COMMENT ON COLUMN trial_details.fdaaa801_violation IS 'FDAAA 801 violation flagged on the record (oversightModule.fdaaa801Violation).';
COMMENT ON COLUMN trial_details.detailed_description IS 'Detailed description, markdown as the API gives it (descriptionModule.detailedDescription).';
COMMENT ON COLUMN trial_details.patient_registry IS 'Observational trial that is a patient registry (designModule.patientRegistry).';
COMMENT ON COLUMN trial_details.target_duration IS 'Patient registry: follow-up period per participant as given, e.g. ''5 Years'' (designModule.targetDuration).';
COMMENT ON COLUMN trial_details.intervention_model_description IS 'Free-text detail of the intervention model (designInfo.interventionModelDescription).';
COMMENT ON COLUMN trial_details.masking_description IS 'Free-text detail of the masking (designInfo.maskingInfo.maskingDescription).';
COMMENT ON COLUMN trial_details.who_masked IS 'Who is masked: PARTICIPANT, CARE_PROVIDER, INVESTIGATOR, OUTCOMES_ASSESSOR (maskingInfo.whoMasked).';
COMMENT ON COLUMN trial_details.biospec_retention IS 'Biospecimens retained: NONE_RETAINED, SAMPLES_WITH_DNA, SAMPLES_WITHOUT_DNA (designModule.bioSpec.retention).';
COMMENT ON COLUMN trial_details.biospec_description IS 'Which biospecimens are retained (bioSpec.description).';
COMMENT ON COLUMN trial_details.gender_description IS 'Eligibility based on gender identity, described (eligibilityModule.genderDescription).';
COMMENT ON COLUMN trial_details.study_population IS 'Observational trial: the population studied (eligibilityModule.studyPopulation).';
COMMENT ON COLUMN trial_details.sampling_method IS 'Observational trial: PROBABILITY_SAMPLE or NON_PROBABILITY_SAMPLE (eligibilityModule.samplingMethod).';
COMMENT ON COLUMN trial_details.ipd_sharing IS 'Plan to share individual participant data: YES, NO, UNDECIDED (ipdSharingStatementModule.ipdSharing).';
COMMENT ON COLUMN trial_details.ipd_description IS 'What IPD will be shared (ipdSharingStatementModule.description).';
COMMENT ON COLUMN trial_details.ipd_info_types IS 'Supporting documents shared with the IPD: STUDY_PROTOCOL, SAP, ICF, CSR, ANALYTIC_CODE (infoTypes).';
COMMENT ON COLUMN trial_details.ipd_time_frame IS 'When and for how long the IPD will be available (ipdSharingStatementModule.timeFrame).';
COMMENT ON COLUMN trial_details.ipd_access_criteria IS 'Who may get the IPD, and how (ipdSharingStatementModule.accessCriteria).';
COMMENT ON COLUMN trial_details.ipd_url IS 'Where the IPD can be requested (ipdSharingStatementModule.url).';
COMMENT ON COLUMN trial_details.removed_countries IS 'Countries that once had sites and no longer do (derivedSection.miscInfoModule.removedCountries).';
COMMENT ON COLUMN trial_details.estimated_results_first_submitted_date IS 'Results submitted but not yet posted: the submission date ClinicalTrials.gov shows (submissionTracking.estimatedResultsFirstSubmitDate).';
COMMENT ON COLUMN trial_details.first_mcp_posted_date IS 'Date the first results QC comments were posted (submissionTracking.firstMcpInfo.postDateStruct.date).';
COMMENT ON COLUMN trial_details.first_mcp_posted_date_type IS 'ACTUAL or ESTIMATED, for first_mcp_posted_date.';
COMMENT ON COLUMN trial_details.unposted_responsible_party IS 'Who submitted the results not yet posted (annotationSection...unpostedAnnotation.unpostedResponsibleParty); events in trial_unposted_events.';
COMMENT ON COLUMN trial_details.no_sap IS 'The sponsor states there is no statistical analysis plan (documentSection.largeDocumentModule.noSap); documents in trial_documents.';

COMMENT ON TABLE trial_responsible_parties IS 'The party responsible for the trial''s registration and results, one row per trial that names one (sponsorCollaboratorsModule.responsibleParty). trials.responsible_party_type repeats the type.';
COMMENT ON COLUMN trial_responsible_parties.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_responsible_parties.type IS 'SPONSOR, PRINCIPAL_INVESTIGATOR or SPONSOR_INVESTIGATOR.';
COMMENT ON COLUMN trial_responsible_parties.investigator_full_name IS 'The investigator''s name, when an investigator is responsible.';
COMMENT ON COLUMN trial_responsible_parties.investigator_title IS 'The investigator''s official title.';
COMMENT ON COLUMN trial_responsible_parties.investigator_affiliation IS 'The investigator''s organization.';
COMMENT ON COLUMN trial_responsible_parties.old_name_title IS 'Name and title as given in records from before 2017 (oldNameTitle).';
COMMENT ON COLUMN trial_responsible_parties.old_organization IS 'Organization as given in records from before 2017 (oldOrganization).';

COMMENT ON TABLE trial_secondary_ids IS 'Other identifiers of a trial: grant numbers, registry IDs, sponsor codes (identificationModule.secondaryIdInfos).';
COMMENT ON COLUMN trial_secondary_ids.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_secondary_ids.ordinal IS 'Position of the identifier in the API list, from 1.';
COMMENT ON COLUMN trial_secondary_ids.secondary_id IS 'The identifier as given.';
COMMENT ON COLUMN trial_secondary_ids.type IS 'NIH, FDA, VA, CDC, AHRQ, SAMHSA, OTHER_GRANT, EUDRACT_NUMBER, CTIS, REGISTRY or OTHER; NULL for a plain sponsor code.';
COMMENT ON COLUMN trial_secondary_ids.domain IS 'Who issued it (the funder, or the registry''s name).';
COMMENT ON COLUMN trial_secondary_ids.link IS 'Link to the identifier''s record, e.g. NIH RePORTER.';

COMMENT ON TABLE trial_arms IS 'Arms (interventional) or groups/cohorts (observational) of the protocol (armsInterventionsModule.armGroups); AACT''s design_groups.';
COMMENT ON COLUMN trial_arms.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_arms.ordinal IS 'Position of the arm in the API list, from 1.';
COMMENT ON COLUMN trial_arms.label IS 'Short name of the arm, unique within the trial as registered.';
COMMENT ON COLUMN trial_arms.type IS 'EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, SHAM_COMPARATOR, NO_INTERVENTION or OTHER; NULL for observational groups.';
COMMENT ON COLUMN trial_arms.description IS 'What the arm receives, markdown as given.';
COMMENT ON COLUMN trial_arms.intervention_names IS 'The arm''s interventions as the arm lists them, ''Type: Name'' (armGroups.interventionNames).';

COMMENT ON TABLE trial_arm_interventions IS 'Which intervention is given in which arm: one row per label in an intervention''s armGroupLabels, matched to the arm of that label (AACT''s design_group_interventions).';
COMMENT ON COLUMN trial_arm_interventions.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_arm_interventions.intervention_ordinal IS 'The intervention: trial_interventions.ordinal.';
COMMENT ON COLUMN trial_arm_interventions.label_ordinal IS 'Position of the label in the intervention''s armGroupLabels, from 1.';
COMMENT ON COLUMN trial_arm_interventions.arm_label IS 'The arm label as the intervention gives it.';
COMMENT ON COLUMN trial_arm_interventions.arm_ordinal IS 'The arm: trial_arms.ordinal of the first arm with that label; NULL when no arm has it.';
COMMENT ON COLUMN trial_arm_interventions.intervention_type IS 'The intervention''s type (DRUG, DEVICE, BIOLOGICAL, ...).';
COMMENT ON COLUMN trial_arm_interventions.intervention_name IS 'The intervention''s name.';

COMMENT ON TABLE trial_central_contacts IS 'Central contacts for questions about enrolment, for the whole trial (contactsLocationsModule.centralContacts); site contacts are in trial_locations.contacts.';
COMMENT ON COLUMN trial_central_contacts.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_central_contacts.ordinal IS 'Position of the contact in the API list, from 1.';
COMMENT ON COLUMN trial_central_contacts.name IS 'Name of the person or office.';
COMMENT ON COLUMN trial_central_contacts.role IS 'CONTACT (trial_central_contacts may also say PRINCIPAL_INVESTIGATOR, ...).';
COMMENT ON COLUMN trial_central_contacts.phone IS 'Telephone number as given.';
COMMENT ON COLUMN trial_central_contacts.phone_ext IS 'Telephone extension.';
COMMENT ON COLUMN trial_central_contacts.email IS 'E-mail address.';

COMMENT ON TABLE trial_officials IS 'Overall officials: the people responsible for the scientific conduct of the trial (contactsLocationsModule.overallOfficials).';
COMMENT ON COLUMN trial_officials.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_officials.ordinal IS 'Position of the official in the API list, from 1.';
COMMENT ON COLUMN trial_officials.name IS 'Name, often with degrees.';
COMMENT ON COLUMN trial_officials.affiliation IS 'Organization of the official.';
COMMENT ON COLUMN trial_officials.role IS 'STUDY_CHAIR, STUDY_DIRECTOR, PRINCIPAL_INVESTIGATOR or SUB_INVESTIGATOR.';

COMMENT ON TABLE trial_references IS 'Publications cited by the trial or about it (referencesModule.references); retracted ones have rows in trial_retractions.';
COMMENT ON COLUMN trial_references.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_references.ordinal IS 'Position of the reference in the API list, from 1.';
COMMENT ON COLUMN trial_references.pmid IS 'PubMed ID, when the citation is in PubMed.';
COMMENT ON COLUMN trial_references.type IS 'BACKGROUND, RESULT (a publication of the trial''s results) or DERIVED (found by ClinicalTrials.gov in PubMed).';
COMMENT ON COLUMN trial_references.citation IS 'The bibliographic citation.';

COMMENT ON TABLE trial_retractions IS 'Retraction notices of cited publications, one row per notice (referencesModule.references[].retractions).';
COMMENT ON COLUMN trial_retractions.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_retractions.reference_ordinal IS 'The retracted publication: trial_references.ordinal.';
COMMENT ON COLUMN trial_retractions.ordinal IS 'Position of the retraction within its reference in the API list, from 1.';
COMMENT ON COLUMN trial_retractions.pmid IS 'PubMed ID of the retraction notice.';
COMMENT ON COLUMN trial_retractions.source IS 'Where the retraction was published (journal).';

COMMENT ON TABLE trial_links IS 'Web pages relevant to the trial (referencesModule.seeAlsoLinks); AACT''s links.';
COMMENT ON COLUMN trial_links.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_links.ordinal IS 'Position of the link in the API list, from 1.';
COMMENT ON COLUMN trial_links.label IS 'Description of the page.';
COMMENT ON COLUMN trial_links.url IS 'Address of the page.';

COMMENT ON TABLE trial_ipd_documents IS 'Individual participant data sets and documents already available (referencesModule.availIpds); AACT''s documents.';
COMMENT ON COLUMN trial_ipd_documents.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_ipd_documents.ordinal IS 'Position of the document in the API list, from 1.';
COMMENT ON COLUMN trial_ipd_documents.document_id IS 'Identifier of the data set or document, as given.';
COMMENT ON COLUMN trial_ipd_documents.type IS 'Kind, e.g. ''Individual Participant Data Set'', ''Study Protocol'', ''Statistical Analysis Plan''.';
COMMENT ON COLUMN trial_ipd_documents.url IS 'Where it can be obtained.';
COMMENT ON COLUMN trial_ipd_documents.comment IS 'Access conditions or other notes.';

COMMENT ON TABLE trial_results IS 'One row per trial with posted results: the results section''s single facts (participant flow and baseline notes, adverse-event time frame and threshold, limitations and caveats, certain agreements, results point of contact).';
COMMENT ON COLUMN trial_results.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_results.flow_recruitment_details IS 'Recruitment details: dates and settings (participantFlowModule.recruitmentDetails).';
COMMENT ON COLUMN trial_results.flow_pre_assignment_details IS 'What happened between enrolment and assignment to groups (preAssignmentDetails).';
COMMENT ON COLUMN trial_results.flow_units_analyzed IS 'Participant flow counted in units other than participants, e.g. ''eyes'' (participantFlowModule.typeUnitsAnalyzed).';
COMMENT ON COLUMN trial_results.baseline_population IS 'Who the baseline measures describe, when it is not everyone (baselineCharacteristicsModule.populationDescription).';
COMMENT ON COLUMN trial_results.baseline_units_analyzed IS 'Baseline counted in units other than participants (baselineCharacteristicsModule.typeUnitsAnalyzed).';
COMMENT ON COLUMN trial_results.ae_time_frame IS 'Period over which adverse events were collected (adverseEventsModule.timeFrame).';
COMMENT ON COLUMN trial_results.ae_frequency_threshold IS 'Other (not serious) adverse events are listed above this frequency in percent, as given, e.g. ''5'' (frequencyThreshold).';
COMMENT ON COLUMN trial_results.ae_description IS 'How adverse events were defined or collected, when it differs from the standard (adverseEventsModule.description).';
COMMENT ON COLUMN trial_results.ae_all_cause_mortality_comment IS 'Notes on all-cause mortality counts (adverseEventsModule.allCauseMortalityComment).';
COMMENT ON COLUMN trial_results.limitations_and_caveats IS 'Limitations and caveats of the results (moreInfoModule.limitationsAndCaveats.description).';
COMMENT ON COLUMN trial_results.pi_sponsor_employee IS 'Certain agreements: every principal investigator is a sponsor employee (certainAgreement.piSponsorEmployee).';
COMMENT ON COLUMN trial_results.restrictive_agreement IS 'Certain agreements: an agreement restricts the investigators'' right to publish results (restrictiveAgreement).';
COMMENT ON COLUMN trial_results.restriction_type IS 'Kind of restriction: LTE60 (embargo of 60 days or less), GT60 (more than 60 days), OTHER (certainAgreement.restrictionType).';
COMMENT ON COLUMN trial_results.agreement_other_details IS 'The restriction described (certainAgreement.otherDetails).';
COMMENT ON COLUMN trial_results.contact_title IS 'Results point of contact: name or official title (pointOfContact.title).';
COMMENT ON COLUMN trial_results.contact_organization IS 'Results point of contact: organization.';
COMMENT ON COLUMN trial_results.contact_email IS 'Results point of contact: e-mail address.';
COMMENT ON COLUMN trial_results.contact_phone IS 'Results point of contact: telephone number.';
COMMENT ON COLUMN trial_results.contact_phone_ext IS 'Results point of contact: telephone extension.';

COMMENT ON TABLE trial_flow_groups IS 'Participant flow: the arms or groups participants are counted in (participantFlowModule.groups); AACT''s result_groups of type Participant Flow.';
COMMENT ON COLUMN trial_flow_groups.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_flow_groups.ordinal IS 'Position of the group in the API list, from 1.';
COMMENT ON COLUMN trial_flow_groups.group_id IS 'The API''s group code (FG000, FG001, ...), unique within its list.';
COMMENT ON COLUMN trial_flow_groups.title IS 'Short name of the group.';
COMMENT ON COLUMN trial_flow_groups.description IS 'Who is in the group and what it received.';

COMMENT ON TABLE trial_flow_periods IS 'Participant flow: the periods of the trial, e.g. ''Overall Study'' or one per treatment period (participantFlowModule.periods).';
COMMENT ON COLUMN trial_flow_periods.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_flow_periods.ordinal IS 'Position of the period in the API list, from 1.';
COMMENT ON COLUMN trial_flow_periods.title IS 'Name of the period.';

COMMENT ON TABLE trial_flow_milestones IS 'Participant flow: how many participants (or units) reached each milestone of a period (STARTED, COMPLETED, NOT COMPLETED, ...), one row per milestone per group (periods[].milestones[].achievements); AACT''s milestones.';
COMMENT ON COLUMN trial_flow_milestones.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_flow_milestones.period_ordinal IS 'The period: trial_flow_periods.ordinal.';
COMMENT ON COLUMN trial_flow_milestones.milestone_ordinal IS 'Position of the milestone in its period, from 1.';
COMMENT ON COLUMN trial_flow_milestones.ordinal IS 'Position of the group count within its milestone in the API list, from 1.';
COMMENT ON COLUMN trial_flow_milestones.milestone IS 'The milestone as given: STARTED, COMPLETED, NOT COMPLETED or the trial''s own (milestones[].type).';
COMMENT ON COLUMN trial_flow_milestones.milestone_comment IS 'Note on the milestone as a whole (milestones[].comment).';
COMMENT ON COLUMN trial_flow_milestones.group_id IS 'The API''s group code (FG000, FG001, ...), unique within its list.';
COMMENT ON COLUMN trial_flow_milestones.comment IS 'Note on this group''s count (achievements[].comment).';
COMMENT ON COLUMN trial_flow_milestones.num_subjects IS 'Participants of the group who reached the milestone (numSubjects).';
COMMENT ON COLUMN trial_flow_milestones.num_units IS 'Units (e.g. eyes) that reached it, when flow_units_analyzed is set (numUnits).';

COMMENT ON TABLE trial_flow_drop_withdrawals IS 'Participant flow: why participants did not complete a period, one row per reason per group (periods[].dropWithdraws[].reasons); AACT''s drop_withdrawals.';
COMMENT ON COLUMN trial_flow_drop_withdrawals.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_flow_drop_withdrawals.period_ordinal IS 'The period: trial_flow_periods.ordinal.';
COMMENT ON COLUMN trial_flow_drop_withdrawals.reason_ordinal IS 'Position of the reason in its period, from 1.';
COMMENT ON COLUMN trial_flow_drop_withdrawals.ordinal IS 'Position of the group count within its reason in the API list, from 1.';
COMMENT ON COLUMN trial_flow_drop_withdrawals.reason IS 'The reason, e.g. ''Adverse Event'', ''Lost to Follow-up'' (dropWithdraws[].type).';
COMMENT ON COLUMN trial_flow_drop_withdrawals.reason_comment IS 'Note on the reason as a whole (dropWithdraws[].comment).';
COMMENT ON COLUMN trial_flow_drop_withdrawals.group_id IS 'The API''s group code (FG000, FG001, ...), unique within its list.';
COMMENT ON COLUMN trial_flow_drop_withdrawals.comment IS 'Note on this group''s count (reasons[].comment).';
COMMENT ON COLUMN trial_flow_drop_withdrawals.num_subjects IS 'Participants of the group who left for this reason (numSubjects).';

COMMENT ON TABLE trial_baseline_groups IS 'Baseline characteristics: the groups described, usually the arms and a Total (baselineCharacteristicsModule.groups).';
COMMENT ON COLUMN trial_baseline_groups.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_baseline_groups.ordinal IS 'Position of the group in the API list, from 1.';
COMMENT ON COLUMN trial_baseline_groups.group_id IS 'The API''s group code (BG000, BG001, ...), unique within its list.';
COMMENT ON COLUMN trial_baseline_groups.title IS 'Short name of the group.';
COMMENT ON COLUMN trial_baseline_groups.description IS 'Who is in the group and what it received.';

COMMENT ON TABLE trial_baseline_denoms IS 'Baseline characteristics: how many participants (or units) were analyzed per group; scope says whether for the whole baseline (baselineCharacteristicsModule.denoms, AACT''s baseline_counts), for one measure (measures[].denoms) or for one class of a measure (classes[].denoms).';
COMMENT ON COLUMN trial_baseline_denoms.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_baseline_denoms.scope IS 'module (the overall number analyzed), measure or class.';
COMMENT ON COLUMN trial_baseline_denoms.measure_ordinal IS 'The measure (trial_baseline_measures.ordinal); 0 for scope module.';
COMMENT ON COLUMN trial_baseline_denoms.class_ordinal IS 'The class (trial_baseline_classes.ordinal); 0 unless scope is class.';
COMMENT ON COLUMN trial_baseline_denoms.denom_ordinal IS 'Position of the denominator (one per unit, e.g. Participants, Eyes) in its list, from 1.';
COMMENT ON COLUMN trial_baseline_denoms.ordinal IS 'Position of the group count within its denominator in the API list, from 1.';
COMMENT ON COLUMN trial_baseline_denoms.units IS 'What is counted, e.g. ''Participants''.';
COMMENT ON COLUMN trial_baseline_denoms.group_id IS 'The API''s group code (BG000, BG001, ...), unique within its list.';
COMMENT ON COLUMN trial_baseline_denoms.value IS 'The count as given.';
COMMENT ON COLUMN trial_baseline_denoms.count IS 'The count as a number (NULL when the text is not an integer).';

COMMENT ON TABLE trial_baseline_measures IS 'Baseline characteristics: the measures reported (age, sex, race, region, ...) (baselineCharacteristicsModule.measures).';
COMMENT ON COLUMN trial_baseline_measures.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_baseline_measures.ordinal IS 'Position of the measure in the API list, from 1.';
COMMENT ON COLUMN trial_baseline_measures.title IS 'Name of the measure, e.g. ''Age, Continuous''.';
COMMENT ON COLUMN trial_baseline_measures.description IS 'Description of the measure.';
COMMENT ON COLUMN trial_baseline_measures.population_description IS 'Who was analyzed, when not every participant.';
COMMENT ON COLUMN trial_baseline_measures.param_type IS 'Kind of value: COUNT_OF_PARTICIPANTS, MEAN, MEDIAN, LEAST_SQUARES_MEAN, NUMBER, ...';
COMMENT ON COLUMN trial_baseline_measures.dispersion_type IS 'Kind of spread or limits: STANDARD_DEVIATION, FULL_RANGE, INTER_QUARTILE_RANGE, 95% Confidence Interval, ...';
COMMENT ON COLUMN trial_baseline_measures.unit_of_measure IS 'Unit of the values, e.g. ''years'', ''Participants''.';
COMMENT ON COLUMN trial_baseline_measures.calculate_pct IS 'ClinicalTrials.gov shows counts as percentages of the denominator (calculatePct).';
COMMENT ON COLUMN trial_baseline_measures.denom_units_selected IS 'Which denominator unit the values refer to (denomUnitsSelected).';

COMMENT ON TABLE trial_baseline_classes IS 'Baseline characteristics: the classes of a measure, e.g. regions; one untitled class when the measure has none (measures[].classes).';
COMMENT ON COLUMN trial_baseline_classes.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_baseline_classes.measure_ordinal IS 'The measure: trial_baseline_measures.ordinal.';
COMMENT ON COLUMN trial_baseline_classes.ordinal IS 'Position of the class within its measure in the API list, from 1.';
COMMENT ON COLUMN trial_baseline_classes.title IS 'Name of the class; NULL for the one implicit class.';

COMMENT ON TABLE trial_baseline_categories IS 'Baseline characteristics: the categories of a class, e.g. Female and Male; one untitled category when there are none (classes[].categories).';
COMMENT ON COLUMN trial_baseline_categories.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_baseline_categories.measure_ordinal IS 'The measure: trial_baseline_measures.ordinal.';
COMMENT ON COLUMN trial_baseline_categories.class_ordinal IS 'The class: trial_baseline_classes.ordinal.';
COMMENT ON COLUMN trial_baseline_categories.ordinal IS 'Position of the category within its class in the API list, from 1.';
COMMENT ON COLUMN trial_baseline_categories.title IS 'Name of the category; NULL for the one implicit category.';

COMMENT ON TABLE trial_baseline_measurements IS 'Baseline characteristics: the values, one per category per group (categories[].measurements); AACT''s baseline_measurements.';
COMMENT ON COLUMN trial_baseline_measurements.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_baseline_measurements.measure_ordinal IS 'The measure: trial_baseline_measures.ordinal.';
COMMENT ON COLUMN trial_baseline_measurements.class_ordinal IS 'The class: trial_baseline_classes.ordinal.';
COMMENT ON COLUMN trial_baseline_measurements.category_ordinal IS 'The category: trial_baseline_categories.ordinal.';
COMMENT ON COLUMN trial_baseline_measurements.ordinal IS 'Position of the value within its category in the API list, from 1.';
COMMENT ON COLUMN trial_baseline_measurements.group_id IS 'The API''s group code (BG000, BG001, ...), unique within its list.';
COMMENT ON COLUMN trial_baseline_measurements.value IS 'The value as given (a number, or NA).';
COMMENT ON COLUMN trial_baseline_measurements.value_num IS 'The value as a number; NULL when it is not one.';
COMMENT ON COLUMN trial_baseline_measurements.spread IS 'Dispersion value as given (e.g. the standard deviation).';
COMMENT ON COLUMN trial_baseline_measurements.spread_num IS 'The spread as a number.';
COMMENT ON COLUMN trial_baseline_measurements.lower_limit IS 'Lower limit of a range or interval, as given.';
COMMENT ON COLUMN trial_baseline_measurements.lower_limit_num IS 'The lower limit as a number.';
COMMENT ON COLUMN trial_baseline_measurements.upper_limit IS 'Upper limit of a range or interval, as given.';
COMMENT ON COLUMN trial_baseline_measurements.upper_limit_num IS 'The upper limit as a number.';
COMMENT ON COLUMN trial_baseline_measurements.comment IS 'Why a value is NA, or other note (measurements[].comment).';

COMMENT ON TABLE trial_outcome_measures IS 'Results: the outcome measures reported, with how they were measured (outcomeMeasuresModule.outcomeMeasures); AACT''s outcomes. The protocol''s planned outcomes are in trial_outcomes.';
COMMENT ON COLUMN trial_outcome_measures.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_outcome_measures.ordinal IS 'Position of the outcome measure in the API list, from 1.';
COMMENT ON COLUMN trial_outcome_measures.type IS 'PRIMARY, SECONDARY, OTHER_PRE_SPECIFIED or POST_HOC.';
COMMENT ON COLUMN trial_outcome_measures.title IS 'Name of the outcome measure.';
COMMENT ON COLUMN trial_outcome_measures.description IS 'Description of the measure.';
COMMENT ON COLUMN trial_outcome_measures.population_description IS 'Who was analyzed, when not every participant.';
COMMENT ON COLUMN trial_outcome_measures.reporting_status IS 'POSTED, or NOT_POSTED when the results are due later.';
COMMENT ON COLUMN trial_outcome_measures.anticipated_posting_date IS 'For NOT_POSTED: when the results are expected, as given (YYYY-MM).';
COMMENT ON COLUMN trial_outcome_measures.param_type IS 'Kind of value: COUNT_OF_PARTICIPANTS, MEAN, MEDIAN, LEAST_SQUARES_MEAN, NUMBER, ...';
COMMENT ON COLUMN trial_outcome_measures.dispersion_type IS 'Kind of spread or limits: Standard Deviation, 95% Confidence Interval, Full Range, ...';
COMMENT ON COLUMN trial_outcome_measures.unit_of_measure IS 'Unit of the values.';
COMMENT ON COLUMN trial_outcome_measures.calculate_pct IS 'ClinicalTrials.gov shows counts as percentages of the denominator (calculatePct).';
COMMENT ON COLUMN trial_outcome_measures.time_frame IS 'When the measure was assessed.';
COMMENT ON COLUMN trial_outcome_measures.type_units_analyzed IS 'Units analyzed other than participants, e.g. ''eyes'' (typeUnitsAnalyzed).';
COMMENT ON COLUMN trial_outcome_measures.denom_units_selected IS 'Which denominator unit the values refer to (denomUnitsSelected).';

COMMENT ON TABLE trial_outcome_groups IS 'Results: the groups an outcome measure compares (outcomeMeasures[].groups); AACT''s result_groups of type Outcome.';
COMMENT ON COLUMN trial_outcome_groups.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_outcome_groups.outcome_ordinal IS 'The outcome measure: trial_outcome_measures.ordinal.';
COMMENT ON COLUMN trial_outcome_groups.ordinal IS 'Position of the group in the API list, from 1.';
COMMENT ON COLUMN trial_outcome_groups.group_id IS 'The API''s group code (OG000, OG001, ...), unique within its list.';
COMMENT ON COLUMN trial_outcome_groups.title IS 'Short name of the group.';
COMMENT ON COLUMN trial_outcome_groups.description IS 'Who is in the group and what it received.';

COMMENT ON TABLE trial_outcome_denoms IS 'Results: how many participants (or units) were analyzed per group, for an outcome measure (outcomeMeasures[].denoms, AACT''s outcome_counts) or for one class of it (classes[].denoms).';
COMMENT ON COLUMN trial_outcome_denoms.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_outcome_denoms.outcome_ordinal IS 'The outcome measure: trial_outcome_measures.ordinal.';
COMMENT ON COLUMN trial_outcome_denoms.scope IS 'measure or class.';
COMMENT ON COLUMN trial_outcome_denoms.class_ordinal IS 'The class (trial_outcome_classes.ordinal); 0 for scope measure.';
COMMENT ON COLUMN trial_outcome_denoms.denom_ordinal IS 'Position of the denominator (one per unit, e.g. Participants, Eyes) in its list, from 1.';
COMMENT ON COLUMN trial_outcome_denoms.ordinal IS 'Position of the group count within its denominator in the API list, from 1.';
COMMENT ON COLUMN trial_outcome_denoms.units IS 'What is counted, e.g. ''Participants''.';
COMMENT ON COLUMN trial_outcome_denoms.group_id IS 'The API''s group code (OG000, OG001, ...), unique within its list.';
COMMENT ON COLUMN trial_outcome_denoms.value IS 'The count as given.';
COMMENT ON COLUMN trial_outcome_denoms.count IS 'The count as a number (NULL when the text is not an integer).';

COMMENT ON TABLE trial_outcome_classes IS 'Results: the classes of an outcome measure, e.g. time points; one untitled class when there are none (outcomeMeasures[].classes).';
COMMENT ON COLUMN trial_outcome_classes.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_outcome_classes.outcome_ordinal IS 'The outcome measure: trial_outcome_measures.ordinal.';
COMMENT ON COLUMN trial_outcome_classes.ordinal IS 'Position of the class within its outcome measure in the API list, from 1.';
COMMENT ON COLUMN trial_outcome_classes.title IS 'Name of the class; NULL for the one implicit class.';

COMMENT ON TABLE trial_outcome_categories IS 'Results: the categories of a class of an outcome measure; one untitled category when there are none (classes[].categories).';
COMMENT ON COLUMN trial_outcome_categories.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_outcome_categories.outcome_ordinal IS 'The outcome measure: trial_outcome_measures.ordinal.';
COMMENT ON COLUMN trial_outcome_categories.class_ordinal IS 'The class: trial_outcome_classes.ordinal.';
COMMENT ON COLUMN trial_outcome_categories.ordinal IS 'Position of the category within its class in the API list, from 1.';
COMMENT ON COLUMN trial_outcome_categories.title IS 'Name of the category; NULL for the one implicit category.';

COMMENT ON TABLE trial_outcome_measurements IS 'Results: the values of an outcome measure, one per category per group (categories[].measurements); AACT''s outcome_measurements.';
COMMENT ON COLUMN trial_outcome_measurements.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_outcome_measurements.outcome_ordinal IS 'The outcome measure: trial_outcome_measures.ordinal.';
COMMENT ON COLUMN trial_outcome_measurements.class_ordinal IS 'The class: trial_outcome_classes.ordinal.';
COMMENT ON COLUMN trial_outcome_measurements.category_ordinal IS 'The category: trial_outcome_categories.ordinal.';
COMMENT ON COLUMN trial_outcome_measurements.ordinal IS 'Position of the value within its category in the API list, from 1.';
COMMENT ON COLUMN trial_outcome_measurements.group_id IS 'The API''s group code (OG000, OG001, ...), unique within its list.';
COMMENT ON COLUMN trial_outcome_measurements.value IS 'The value as given (a number, or NA).';
COMMENT ON COLUMN trial_outcome_measurements.value_num IS 'The value as a number; NULL when it is not one.';
COMMENT ON COLUMN trial_outcome_measurements.spread IS 'Dispersion value as given (e.g. the standard deviation).';
COMMENT ON COLUMN trial_outcome_measurements.spread_num IS 'The spread as a number.';
COMMENT ON COLUMN trial_outcome_measurements.lower_limit IS 'Lower limit of a range or interval, as given.';
COMMENT ON COLUMN trial_outcome_measurements.lower_limit_num IS 'The lower limit as a number.';
COMMENT ON COLUMN trial_outcome_measurements.upper_limit IS 'Upper limit of a range or interval, as given.';
COMMENT ON COLUMN trial_outcome_measurements.upper_limit_num IS 'The upper limit as a number.';
COMMENT ON COLUMN trial_outcome_measurements.comment IS 'Why a value is NA, or other note (measurements[].comment).';

COMMENT ON TABLE trial_outcome_analyses IS 'Results: statistical analyses of an outcome measure (outcomeMeasures[].analyses); AACT''s outcome_analyses, with the compared groups as a list (AACT''s outcome_analysis_groups).';
COMMENT ON COLUMN trial_outcome_analyses.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_outcome_analyses.outcome_ordinal IS 'The outcome measure: trial_outcome_measures.ordinal.';
COMMENT ON COLUMN trial_outcome_analyses.ordinal IS 'Position of the analysis within its outcome measure in the API list, from 1.';
COMMENT ON COLUMN trial_outcome_analyses.group_ids IS 'The groups compared (trial_outcome_groups.group_id of the same outcome).';
COMMENT ON COLUMN trial_outcome_analyses.group_description IS 'Description of the comparison (groupDescription).';
COMMENT ON COLUMN trial_outcome_analyses.tested_non_inferiority IS 'A non-inferiority or equivalence test (testedNonInferiority).';
COMMENT ON COLUMN trial_outcome_analyses.non_inferiority_type IS 'SUPERIORITY, NON_INFERIORITY, EQUIVALENCE, OTHER, ... (nonInferiorityType).';
COMMENT ON COLUMN trial_outcome_analyses.non_inferiority_comment IS 'Details of the non-inferiority or equivalence test.';
COMMENT ON COLUMN trial_outcome_analyses.p_value IS 'The p-value as given, e.g. ''<0.001'', ''0.366''.';
COMMENT ON COLUMN trial_outcome_analyses.p_value_modifier IS 'The comparison sign in front of the p-value (<, <=, >, =), if any.';
COMMENT ON COLUMN trial_outcome_analyses.p_value_num IS 'The p-value as a number, without its modifier.';
COMMENT ON COLUMN trial_outcome_analyses.p_value_comment IS 'Notes on the p-value (pValueComment).';
COMMENT ON COLUMN trial_outcome_analyses.statistical_method IS 'The test, e.g. ''ANCOVA'', ''t-test, 2 sided''.';
COMMENT ON COLUMN trial_outcome_analyses.statistical_comment IS 'Notes on the method (statisticalComment).';
COMMENT ON COLUMN trial_outcome_analyses.param_type IS 'The estimated parameter, e.g. ''Mean Difference (Final Values)'', ''Odds Ratio (OR)''.';
COMMENT ON COLUMN trial_outcome_analyses.param_value IS 'The estimate as given.';
COMMENT ON COLUMN trial_outcome_analyses.param_value_num IS 'The estimate as a number.';
COMMENT ON COLUMN trial_outcome_analyses.dispersion_type IS 'STANDARD_DEVIATION or STANDARD_ERROR_OF_MEAN of the estimate.';
COMMENT ON COLUMN trial_outcome_analyses.dispersion_value IS 'That dispersion, as given.';
COMMENT ON COLUMN trial_outcome_analyses.ci_pct_value IS 'Confidence level in percent, as given, e.g. ''95''.';
COMMENT ON COLUMN trial_outcome_analyses.ci_num_sides IS 'ONE_SIDED or TWO_SIDED.';
COMMENT ON COLUMN trial_outcome_analyses.ci_lower_limit IS 'Lower confidence limit, as given.';
COMMENT ON COLUMN trial_outcome_analyses.ci_upper_limit IS 'Upper confidence limit, as given.';
COMMENT ON COLUMN trial_outcome_analyses.ci_lower_limit_comment IS 'Why the lower limit is NA, or other note.';
COMMENT ON COLUMN trial_outcome_analyses.ci_upper_limit_comment IS 'Why the upper limit is NA, or other note.';
COMMENT ON COLUMN trial_outcome_analyses.estimate_comment IS 'Notes on the estimate (estimateComment).';
COMMENT ON COLUMN trial_outcome_analyses.other_analysis_description IS 'An analysis described in words only (otherAnalysisDescription).';

COMMENT ON TABLE trial_event_groups IS 'Adverse events: the groups participants are counted in, with their deaths, serious and other adverse-event totals (adverseEventsModule.eventGroups); AACT''s result_groups of type Reported Event and reported_event_totals.';
COMMENT ON COLUMN trial_event_groups.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_event_groups.ordinal IS 'Position of the group in the API list, from 1.';
COMMENT ON COLUMN trial_event_groups.group_id IS 'The API''s group code (EG000, EG001, ...), unique within its list.';
COMMENT ON COLUMN trial_event_groups.title IS 'Short name of the group.';
COMMENT ON COLUMN trial_event_groups.description IS 'Who is in the group and what it received.';
COMMENT ON COLUMN trial_event_groups.deaths_num_affected IS 'Participants of the group who died (all-cause mortality).';
COMMENT ON COLUMN trial_event_groups.deaths_num_at_risk IS 'Participants at risk for all-cause mortality.';
COMMENT ON COLUMN trial_event_groups.serious_num_affected IS 'Participants with at least one serious adverse event.';
COMMENT ON COLUMN trial_event_groups.serious_num_at_risk IS 'Participants at risk for serious adverse events.';
COMMENT ON COLUMN trial_event_groups.other_num_affected IS 'Participants with at least one other (not serious) adverse event above the threshold.';
COMMENT ON COLUMN trial_event_groups.other_num_at_risk IS 'Participants at risk for other adverse events.';

COMMENT ON TABLE trial_adverse_events IS 'Adverse events: each serious or other event term reported (adverseEventsModule.seriousEvents and otherEvents); counts per group in trial_adverse_event_counts.';
COMMENT ON COLUMN trial_adverse_events.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_adverse_events.kind IS 'serious (seriousEvents) or other (otherEvents, not serious, above the frequency threshold).';
COMMENT ON COLUMN trial_adverse_events.ordinal IS 'Position of the event within its list in the API list, from 1.';
COMMENT ON COLUMN trial_adverse_events.term IS 'The adverse event term, e.g. ''Pneumonia''.';
COMMENT ON COLUMN trial_adverse_events.organ_system IS 'Organ system class, e.g. ''Infections and infestations''.';
COMMENT ON COLUMN trial_adverse_events.source_vocabulary IS 'Vocabulary of the term, e.g. ''MedDRA (21.0)''; NULL when the module''s default.';
COMMENT ON COLUMN trial_adverse_events.assessment_type IS 'SYSTEMATIC_ASSESSMENT or NON_SYSTEMATIC_ASSESSMENT.';
COMMENT ON COLUMN trial_adverse_events.notes IS 'Notes on the event.';

COMMENT ON TABLE trial_adverse_event_counts IS 'Adverse events: how many participants of a group had an event, and how often, one row per event per group (seriousEvents[].stats, otherEvents[].stats); AACT''s reported_events.';
COMMENT ON COLUMN trial_adverse_event_counts.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_adverse_event_counts.kind IS 'serious or other: trial_adverse_events.kind.';
COMMENT ON COLUMN trial_adverse_event_counts.event_ordinal IS 'The event: trial_adverse_events.ordinal.';
COMMENT ON COLUMN trial_adverse_event_counts.ordinal IS 'Position of the group count within its event in the API list, from 1.';
COMMENT ON COLUMN trial_adverse_event_counts.group_id IS 'The API''s group code (EG000, EG001, ...), unique within its list.';
COMMENT ON COLUMN trial_adverse_event_counts.num_events IS 'Number of events in the group (one participant may have several).';
COMMENT ON COLUMN trial_adverse_event_counts.num_affected IS 'Participants of the group affected.';
COMMENT ON COLUMN trial_adverse_event_counts.num_at_risk IS 'Participants of the group at risk.';

COMMENT ON TABLE trial_unposted_events IS 'Results submitted but not yet posted: each submission, reset or cancellation (annotationSection.annotationModule.unpostedAnnotation.unpostedEvents); AACT''s pending_results.';
COMMENT ON COLUMN trial_unposted_events.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_unposted_events.ordinal IS 'Position of the event in the API list, from 1.';
COMMENT ON COLUMN trial_unposted_events.type IS 'RESET (returned to the sponsor after QC review), RELEASE (submitted) or UNRELEASE (cancelled).';
COMMENT ON COLUMN trial_unposted_events.date IS 'When it happened.';
COMMENT ON COLUMN trial_unposted_events.date_unknown IS 'The date is not known.';

COMMENT ON TABLE trial_violation_events IS 'FDAAA 801 violations and their corrections posted on the record (annotationSection.annotationModule.violationAnnotation.violationEvents).';
COMMENT ON COLUMN trial_violation_events.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_violation_events.ordinal IS 'Position of the event in the API list, from 1.';
COMMENT ON COLUMN trial_violation_events.type IS 'VIOLATION_IDENTIFIED, CORRECTION_CONFIRMED, PENALTY_IMPOSED, ISSUES_IN_LETTER_ADDRESSED_CONFIRMED.';
COMMENT ON COLUMN trial_violation_events.description IS 'The notice as posted.';
COMMENT ON COLUMN trial_violation_events.creation_date IS 'When the event was entered.';
COMMENT ON COLUMN trial_violation_events.issued_date IS 'When the notice was issued.';
COMMENT ON COLUMN trial_violation_events.release_date IS 'Release date the notice refers to.';
COMMENT ON COLUMN trial_violation_events.posted_date IS 'When the notice was posted.';

COMMENT ON TABLE trial_documents IS 'Protocol, statistical analysis plan and informed consent documents uploaded to ClinicalTrials.gov (documentSection.largeDocumentModule.largeDocs); AACT''s provided_documents.';
COMMENT ON COLUMN trial_documents.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_documents.ordinal IS 'Position of the document in the API list, from 1.';
COMMENT ON COLUMN trial_documents.type_abbrev IS 'Prot, SAP, ICF, Prot_SAP, Prot_ICF, SAP_ICF or Prot_SAP_ICF.';
COMMENT ON COLUMN trial_documents.has_protocol IS 'The document holds the protocol.';
COMMENT ON COLUMN trial_documents.has_sap IS 'The document holds the statistical analysis plan.';
COMMENT ON COLUMN trial_documents.has_icf IS 'The document holds the informed consent form.';
COMMENT ON COLUMN trial_documents.label IS 'Label shown, e.g. ''Study Protocol''.';
COMMENT ON COLUMN trial_documents.date IS 'Date of the document (its version date).';
COMMENT ON COLUMN trial_documents.upload_date IS 'When it was uploaded (to the minute).';
COMMENT ON COLUMN trial_documents.filename IS 'File name on ClinicalTrials.gov.';
COMMENT ON COLUMN trial_documents.size IS 'Size of the file in bytes.';
COMMENT ON COLUMN trial_documents.url IS 'Address of the file: https://cdn.clinicaltrials.gov/large-docs/<last two digits of the NCT ID>/<NCT ID>/<filename>.';

-- Derived values per trial, like AACT's calculated_values. A view: always in step with the tables.
-- A month is 30.436875 days (AACT's Rails month); durations are whole months, rounded down.
CREATE VIEW trial_calculated_values AS
SELECT
    t.nct_id,
    t.location_count AS number_of_sites,
    len(coalesce(t.countries, [])) AS number_of_countries,
    list_contains(coalesce(t.countries, []), 'United States') AS has_us_site,
    t.location_count = 1 AS has_single_site,
    t.minimum_age_years,
    t.maximum_age_years,
    year(t.first_submitted_date) AS registered_in_calendar_year,
    t.has_results AS were_results_reported,
    CASE WHEN t.primary_completion_date_type = 'ACTUAL' THEN
        floor(date_diff('day', t.primary_completion_date, d.results_first_submitted_date) / 30.436875)::INTEGER
    END AS months_to_report_results,
    CASE WHEN t.primary_completion_date_type = 'ACTUAL' THEN
        floor(date_diff('day', t.start_date, t.primary_completion_date) / 30.436875)::INTEGER
    END AS actual_duration_months,
    (SELECT count(*) FROM trial_arms a WHERE a.nct_id = t.nct_id) AS number_of_arms,
    (SELECT count(*) FROM trial_outcomes o WHERE o.nct_id = t.nct_id AND o.kind = 'primary')
        AS number_of_primary_outcomes,
    (SELECT count(*) FROM trial_outcomes o WHERE o.nct_id = t.nct_id AND o.kind = 'secondary')
        AS number_of_secondary_outcomes,
    (SELECT count(*) FROM trial_outcomes o WHERE o.nct_id = t.nct_id AND o.kind = 'other')
        AS number_of_other_outcomes,
    (SELECT sum(g.serious_num_affected) FROM trial_event_groups g WHERE g.nct_id = t.nct_id)
        AS number_of_sae_subjects,
    (SELECT sum(g.serious_num_at_risk) FROM trial_event_groups g WHERE g.nct_id = t.nct_id)
        AS number_of_sae_subjects_at_risk,
    (SELECT sum(g.other_num_affected) FROM trial_event_groups g WHERE g.nct_id = t.nct_id)
        AS number_of_nsae_subjects,
    (SELECT sum(g.deaths_num_affected) FROM trial_event_groups g WHERE g.nct_id = t.nct_id)
        AS number_of_deaths
FROM trials t
LEFT JOIN trial_details d USING (nct_id);

COMMENT ON VIEW trial_calculated_values IS 'One row per trial: values derived from the current state, like AACT''s calculated_values. A view, so always in step with the tables.';
COMMENT ON COLUMN trial_calculated_values.nct_id IS 'ClinicalTrials.gov identifier; joins to trials.nct_id.';
COMMENT ON COLUMN trial_calculated_values.number_of_sites IS 'Number of sites (trial_locations rows; AACT''s number_of_facilities).';
COMMENT ON COLUMN trial_calculated_values.number_of_countries IS 'Number of distinct countries with a site.';
COMMENT ON COLUMN trial_calculated_values.has_us_site IS 'At least one site is in the United States.';
COMMENT ON COLUMN trial_calculated_values.has_single_site IS 'The trial has exactly one site.';
COMMENT ON COLUMN trial_calculated_values.minimum_age_years IS 'Minimum age in years (trials.minimum_age_years; NULL = no limit).';
COMMENT ON COLUMN trial_calculated_values.maximum_age_years IS 'Maximum age in years (trials.maximum_age_years; NULL = no limit).';
COMMENT ON COLUMN trial_calculated_values.registered_in_calendar_year IS 'Year the trial was first submitted.';
COMMENT ON COLUMN trial_calculated_values.were_results_reported IS 'Results are posted (trials.has_results).';
COMMENT ON COLUMN trial_calculated_values.months_to_report_results IS 'Whole months from the actual primary completion date to the first results submission; NULL when either is missing or the completion date is estimated.';
COMMENT ON COLUMN trial_calculated_values.actual_duration_months IS 'Whole months from the start date to the actual primary completion date; NULL when the completion date is estimated.';
COMMENT ON COLUMN trial_calculated_values.number_of_arms IS 'Number of arms or groups of the protocol (trial_arms rows).';
COMMENT ON COLUMN trial_calculated_values.number_of_primary_outcomes IS 'Number of primary outcomes planned in the protocol.';
COMMENT ON COLUMN trial_calculated_values.number_of_secondary_outcomes IS 'Number of secondary outcomes planned in the protocol.';
COMMENT ON COLUMN trial_calculated_values.number_of_other_outcomes IS 'Number of other pre-specified outcomes planned in the protocol.';
COMMENT ON COLUMN trial_calculated_values.number_of_sae_subjects IS 'Participants with at least one serious adverse event, summed over the event groups (AACT sums per-term counts instead, which counts a participant once per term); NULL without adverse-event results.';
COMMENT ON COLUMN trial_calculated_values.number_of_sae_subjects_at_risk IS 'Participants at risk for serious adverse events, summed over the event groups.';
COMMENT ON COLUMN trial_calculated_values.number_of_nsae_subjects IS 'Participants with at least one other (not serious) adverse event, summed over the event groups.';
COMMENT ON COLUMN trial_calculated_values.number_of_deaths IS 'Deaths of any cause, summed over the event groups.';
