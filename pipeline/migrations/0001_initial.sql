-- ctsync schema, version 1. Append-only: later changes go in new numbered files.
-- No foreign keys on upserted tables: DuckDB's update path trips them. Joins are by nct_id.

CREATE TABLE trials (
    nct_id VARCHAR PRIMARY KEY,
    version INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    brief_title VARCHAR,
    official_title VARCHAR,
    acronym VARCHAR,
    org_study_id VARCHAR,
    nct_id_aliases VARCHAR[],
    overall_status VARCHAR,
    last_known_status VARCHAR,
    why_stopped VARCHAR,
    status_verified_date DATE,
    start_date DATE,
    start_date_precision VARCHAR,
    start_date_type VARCHAR,
    primary_completion_date DATE,
    primary_completion_date_precision VARCHAR,
    primary_completion_date_type VARCHAR,
    completion_date DATE,
    completion_date_precision VARCHAR,
    completion_date_type VARCHAR,
    first_submitted_date DATE,
    first_posted_date DATE,
    results_first_posted_date DATE,
    last_update_submitted_date DATE,
    last_update_posted_date DATE,
    last_update_posted_type VARCHAR,
    study_type VARCHAR,
    phases VARCHAR[],
    allocation VARCHAR,
    intervention_model VARCHAR,
    primary_purpose VARCHAR,
    masking VARCHAR,
    observational_model VARCHAR,
    time_perspective VARCHAR,
    enrollment_count INTEGER,
    enrollment_type VARCHAR,
    sex VARCHAR,
    gender_based BOOLEAN,
    minimum_age VARCHAR,
    minimum_age_years DOUBLE,
    maximum_age VARCHAR,
    maximum_age_years DOUBLE,
    healthy_volunteers BOOLEAN,
    std_ages VARCHAR[],
    eligibility_criteria VARCHAR,
    inclusion_criteria VARCHAR[],
    exclusion_criteria VARCHAR[],
    lead_sponsor VARCHAR,
    lead_sponsor_class VARCHAR,
    responsible_party_type VARCHAR,
    keywords VARCHAR[],
    condition_mesh_terms STRUCT(id VARCHAR, term VARCHAR)[],
    intervention_mesh_terms STRUCT(id VARCHAR, term VARCHAR)[],
    countries VARCHAR[],
    location_count INTEGER,
    brief_summary VARCHAR,
    has_results BOOLEAN,
    version_holder DATE,
    unknown_values VARCHAR[],
    raw_fingerprint VARCHAR,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE trial_conditions (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    condition VARCHAR NOT NULL,
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_interventions (
    nct_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    type VARCHAR,
    name VARCHAR NOT NULL,
    description VARCHAR,
    other_names VARCHAR[],
    arm_group_labels VARCHAR[],
    PRIMARY KEY (nct_id, ordinal)
);

CREATE TABLE trial_locations (
    nct_id VARCHAR NOT NULL,
    location_key VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    facility VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip VARCHAR,
    country VARCHAR,
    status VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    contacts STRUCT(name VARCHAR, role VARCHAR, phone VARCHAR, phone_ext VARCHAR, email VARCHAR)[],
    PRIMARY KEY (nct_id, location_key)
);

CREATE TABLE trial_outcomes (
    nct_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    measure VARCHAR NOT NULL,
    description VARCHAR,
    time_frame VARCHAR,
    PRIMARY KEY (nct_id, kind, ordinal)
);

CREATE TABLE trial_sponsors (
    nct_id VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    agency_class VARCHAR,
    PRIMARY KEY (nct_id, role, ordinal)
);

CREATE TABLE trial_versions (
    nct_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    fetched_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_update_post_date DATE,
    version_holder DATE,
    source VARCHAR NOT NULL,
    run_id BIGINT,
    record JSON NOT NULL,
    raw JSON NOT NULL,
    PRIMARY KEY (nct_id, version)
);

-- ctsync's own lookup of the current canonical record (zlib-compressed JSON): the differ fetches the
-- previous version of a changed trial by key here; scanning trial_versions.record (compressed by
-- DuckDB) for a few rows decompresses the whole column, which took minutes per 100,000-trial load.
CREATE TABLE trial_current_records (
    nct_id VARCHAR PRIMARY KEY,
    version INTEGER NOT NULL,
    record_zlib BLOB USING COMPRESSION uncompressed NOT NULL
);

CREATE TABLE trial_changes (
    nct_id VARCHAR NOT NULL,
    from_version INTEGER,
    to_version INTEGER NOT NULL,
    field VARCHAR NOT NULL,
    change VARCHAR NOT NULL,
    old_value JSON,
    new_value JSON,
    category VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    detail VARCHAR,
    labels VARCHAR[],
    detected_at TIMESTAMP WITH TIME ZONE NOT NULL,
    run_id BIGINT
);

CREATE TABLE trial_seen (
    nct_id VARCHAR PRIMARY KEY,
    last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_run_id BIGINT
);

CREATE TABLE reviews (
    nct_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    reviewed_by VARCHAR NOT NULL,
    reviewed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    note VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE tracked_trials (
    nct_id VARCHAR PRIMARY KEY,
    added_at TIMESTAMP WITH TIME ZONE NOT NULL,
    upstream_state VARCHAR NOT NULL,
    merged_into VARCHAR,
    checked_at TIMESTAMP WITH TIME ZONE,
    synced_at TIMESTAMP WITH TIME ZONE
);

CREATE SEQUENCE sync_run_ids START 1;

CREATE TABLE sync_runs (
    run_id BIGINT PRIMARY KEY DEFAULT nextval('sync_run_ids'),
    command VARCHAR NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE,
    status VARCHAR NOT NULL,
    watermark DATE,
    data_timestamp VARCHAR,
    requested INTEGER NOT NULL DEFAULT 0,
    fetched INTEGER NOT NULL DEFAULT 0,
    new_trials INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    retries INTEGER NOT NULL DEFAULT 0,
    error VARCHAR,
    pid INTEGER
);

CREATE SEQUENCE failed_record_ids START 1;

CREATE TABLE failed_records (
    failure_id BIGINT PRIMARY KEY DEFAULT nextval('failed_record_ids'),
    run_id BIGINT,
    nct_id VARCHAR,
    source VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    error VARCHAR NOT NULL,
    raw VARCHAR,
    failed_at TIMESTAMP WITH TIME ZONE NOT NULL
);

COMMENT ON TABLE trials IS 'One row per trial: its current canonical record, flattened for queries. Child tables join on nct_id.';
COMMENT ON COLUMN trials.nct_id IS 'ClinicalTrials.gov identifier, NCT followed by 8 digits.';
COMMENT ON COLUMN trials.version IS 'Current version number in trial_versions (1, 2, 3... per trial).';
COMMENT ON COLUMN trials.content_hash IS 'SHA-256 of the canonical record without fields that change daily (version holder).';
COMMENT ON COLUMN trials.brief_title IS 'Short public title.';
COMMENT ON COLUMN trials.official_title IS 'Full scientific title.';
COMMENT ON COLUMN trials.acronym IS 'Study acronym, if any.';
COMMENT ON COLUMN trials.org_study_id IS 'The sponsor''s own study identifier.';
COMMENT ON COLUMN trials.nct_id_aliases IS 'Older NCT IDs merged into this record; the API finds the trial by them too.';
COMMENT ON COLUMN trials.overall_status IS 'Recruitment status: RECRUITING, NOT_YET_RECRUITING, ACTIVE_NOT_RECRUITING, COMPLETED, WITHDRAWN, ...';
COMMENT ON COLUMN trials.last_known_status IS 'Status before it became UNKNOWN (not verified for 2+ years).';
COMMENT ON COLUMN trials.why_stopped IS 'Reason given for a suspended, terminated or withdrawn trial.';
COMMENT ON COLUMN trials.status_verified_date IS 'When the sponsor last verified the record (first day of the month given).';
COMMENT ON COLUMN trials.start_date IS 'Study start; first day of the period when only a month or year is given (see start_date_precision).';
COMMENT ON COLUMN trials.start_date_precision IS 'day, month or year: how much of start_date ClinicalTrials.gov gave.';
COMMENT ON COLUMN trials.start_date_type IS 'ACTUAL or ESTIMATED.';
COMMENT ON COLUMN trials.primary_completion_date IS 'When the last participant is examined for the primary outcome.';
COMMENT ON COLUMN trials.primary_completion_date_precision IS 'day, month or year.';
COMMENT ON COLUMN trials.primary_completion_date_type IS 'ACTUAL or ESTIMATED.';
COMMENT ON COLUMN trials.completion_date IS 'Study completion (last participant''s last visit).';
COMMENT ON COLUMN trials.completion_date_precision IS 'day, month or year.';
COMMENT ON COLUMN trials.completion_date_type IS 'ACTUAL or ESTIMATED.';
COMMENT ON COLUMN trials.first_submitted_date IS 'When the sponsor first submitted the record.';
COMMENT ON COLUMN trials.first_posted_date IS 'When ClinicalTrials.gov first posted the record.';
COMMENT ON COLUMN trials.results_first_posted_date IS 'When results were first posted, if any.';
COMMENT ON COLUMN trials.last_update_submitted_date IS 'When the sponsor last submitted a change.';
COMMENT ON COLUMN trials.last_update_posted_date IS 'When ClinicalTrials.gov last posted a change; what incremental sync filters on.';
COMMENT ON COLUMN trials.last_update_posted_type IS 'ACTUAL or ESTIMATED.';
COMMENT ON COLUMN trials.study_type IS 'INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS.';
COMMENT ON COLUMN trials.phases IS 'Phases, e.g. [PHASE1, PHASE2]; NA for trials without phases.';
COMMENT ON COLUMN trials.allocation IS 'RANDOMIZED, NON_RANDOMIZED or NA.';
COMMENT ON COLUMN trials.intervention_model IS 'SINGLE_GROUP, PARALLEL, CROSSOVER, FACTORIAL, SEQUENTIAL.';
COMMENT ON COLUMN trials.primary_purpose IS 'TREATMENT, PREVENTION, DIAGNOSTIC, ...';
COMMENT ON COLUMN trials.masking IS 'NONE, SINGLE, DOUBLE, TRIPLE, QUADRUPLE.';
COMMENT ON COLUMN trials.observational_model IS 'For observational studies: COHORT, CASE_CONTROL, ...';
COMMENT ON COLUMN trials.time_perspective IS 'For observational studies: PROSPECTIVE, RETROSPECTIVE, ...';
COMMENT ON COLUMN trials.enrollment_count IS 'Target (ESTIMATED) or actual (ACTUAL) number of participants.';
COMMENT ON COLUMN trials.enrollment_type IS 'ESTIMATED or ACTUAL.';
COMMENT ON COLUMN trials.sex IS 'ALL, FEMALE or MALE.';
COMMENT ON COLUMN trials.gender_based IS 'Whether eligibility is based on gender identity.';
COMMENT ON COLUMN trials.minimum_age IS 'Minimum age as given, e.g. 18 Years, 6 Months; NULL means no limit (N/A).';
COMMENT ON COLUMN trials.minimum_age_years IS 'Minimum age in years (months/12, days/365.25).';
COMMENT ON COLUMN trials.maximum_age IS 'Maximum age as given; NULL means no limit (N/A).';
COMMENT ON COLUMN trials.maximum_age_years IS 'Maximum age in years.';
COMMENT ON COLUMN trials.healthy_volunteers IS 'Whether healthy volunteers are accepted.';
COMMENT ON COLUMN trials.std_ages IS 'Standard age groups: CHILD, ADULT, OLDER_ADULT.';
COMMENT ON COLUMN trials.eligibility_criteria IS 'Eligibility criteria text as written (markdown).';
COMMENT ON COLUMN trials.inclusion_criteria IS 'Inclusion criteria, one item per bullet or line.';
COMMENT ON COLUMN trials.exclusion_criteria IS 'Exclusion criteria, one item per bullet or line.';
COMMENT ON COLUMN trials.lead_sponsor IS 'Lead sponsor name; collaborators are in trial_sponsors.';
COMMENT ON COLUMN trials.lead_sponsor_class IS 'NIH, FED, OTHER_GOV, INDIV, INDUSTRY, NETWORK, AMBIG, OTHER, UNKNOWN.';
COMMENT ON COLUMN trials.responsible_party_type IS 'SPONSOR, PRINCIPAL_INVESTIGATOR or SPONSOR_INVESTIGATOR.';
COMMENT ON COLUMN trials.keywords IS 'Sponsor keywords.';
COMMENT ON COLUMN trials.condition_mesh_terms IS 'MeSH terms ClinicalTrials.gov derived from the conditions, sorted by id.';
COMMENT ON COLUMN trials.intervention_mesh_terms IS 'MeSH terms derived from the interventions, sorted by id.';
COMMENT ON COLUMN trials.countries IS 'Distinct countries of the sites, sorted.';
COMMENT ON COLUMN trials.location_count IS 'Number of sites (rows in trial_locations).';
COMMENT ON COLUMN trials.brief_summary IS 'Plain-language summary as written.';
COMMENT ON COLUMN trials.has_results IS 'Whether results are posted on ClinicalTrials.gov.';
COMMENT ON COLUMN trials.version_holder IS 'ClinicalTrials.gov data snapshot date of the stored record.';
COMMENT ON COLUMN trials.unknown_values IS 'field=VALUE for enum values unknown to the official specs (upstream added them).';
COMMENT ON COLUMN trials.raw_fingerprint IS 'SHA-256 of the last raw JSON seen for this trial without its version holder (and of the ctsync version): an identical record skips normalization.';
COMMENT ON COLUMN trials.updated_at IS 'When ctsync stored the current version.';

COMMENT ON TABLE trial_conditions IS 'Conditions studied, as the sponsor listed them, one row each.';
COMMENT ON COLUMN trial_conditions.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_conditions.ordinal IS 'Position in the sponsor''s list, from 1.';
COMMENT ON COLUMN trial_conditions.condition IS 'Condition or disease.';

COMMENT ON TABLE trial_interventions IS 'Interventions (drugs, devices, procedures, ...) one row each.';
COMMENT ON COLUMN trial_interventions.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_interventions.ordinal IS 'Position in the sponsor''s list, from 1.';
COMMENT ON COLUMN trial_interventions.type IS 'DRUG, DEVICE, BIOLOGICAL, PROCEDURE, BEHAVIORAL, ...';
COMMENT ON COLUMN trial_interventions.name IS 'Intervention name.';
COMMENT ON COLUMN trial_interventions.description IS 'Intervention description.';
COMMENT ON COLUMN trial_interventions.other_names IS 'Other names (brand names, codes).';
COMMENT ON COLUMN trial_interventions.arm_group_labels IS 'Arms that receive it.';

COMMENT ON TABLE trial_locations IS 'Study sites, one row each, with their recruitment status and contacts.';
COMMENT ON COLUMN trial_locations.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_locations.location_key IS 'Stable site identity: normalized facility|city|state|country|zip (same key across versions).';
COMMENT ON COLUMN trial_locations.ordinal IS 'Position in ClinicalTrials.gov''s list, from 1 (not stable across versions).';
COMMENT ON COLUMN trial_locations.facility IS 'Site name.';
COMMENT ON COLUMN trial_locations.city IS 'City.';
COMMENT ON COLUMN trial_locations.state IS 'State or region.';
COMMENT ON COLUMN trial_locations.zip IS 'Postal code.';
COMMENT ON COLUMN trial_locations.country IS 'Country.';
COMMENT ON COLUMN trial_locations.status IS 'Site recruitment status: RECRUITING, NOT_YET_RECRUITING, COMPLETED, ...';
COMMENT ON COLUMN trial_locations.latitude IS 'Latitude of the city (ClinicalTrials.gov geocoding).';
COMMENT ON COLUMN trial_locations.longitude IS 'Longitude of the city.';
COMMENT ON COLUMN trial_locations.contacts IS 'Site contacts: name, role, phone, phone_ext, email.';

COMMENT ON TABLE trial_outcomes IS 'Outcome measures: primary, secondary and other.';
COMMENT ON COLUMN trial_outcomes.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_outcomes.kind IS 'primary, secondary or other.';
COMMENT ON COLUMN trial_outcomes.ordinal IS 'Position within its kind, from 1.';
COMMENT ON COLUMN trial_outcomes.measure IS 'What is measured.';
COMMENT ON COLUMN trial_outcomes.description IS 'How it is measured.';
COMMENT ON COLUMN trial_outcomes.time_frame IS 'When it is measured.';

COMMENT ON TABLE trial_sponsors IS 'The lead sponsor and collaborators, one row each.';
COMMENT ON COLUMN trial_sponsors.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_sponsors.role IS 'lead or collaborator.';
COMMENT ON COLUMN trial_sponsors.ordinal IS 'Position within its role, from 1.';
COMMENT ON COLUMN trial_sponsors.name IS 'Organization name.';
COMMENT ON COLUMN trial_sponsors.agency_class IS 'NIH, FED, OTHER_GOV, INDIV, INDUSTRY, NETWORK, AMBIG, OTHER, UNKNOWN.';

COMMENT ON TABLE trial_versions IS 'Every stored version of every trial: canonical record and raw API JSON. A new version only when the content hash changes.';
COMMENT ON COLUMN trial_versions.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_versions.version IS 'Version number, 1, 2, 3... per trial.';
COMMENT ON COLUMN trial_versions.content_hash IS 'SHA-256 of the canonical record without daily-changing fields.';
COMMENT ON COLUMN trial_versions.fetched_at IS 'When ctsync stored this version.';
COMMENT ON COLUMN trial_versions.last_update_post_date IS 'ClinicalTrials.gov last update posted date of this version.';
COMMENT ON COLUMN trial_versions.version_holder IS 'ClinicalTrials.gov data snapshot the raw JSON came from.';
COMMENT ON COLUMN trial_versions.source IS 'Where it came from: api, or load:<path>.';
COMMENT ON COLUMN trial_versions.run_id IS 'Joins sync_runs.run_id.';
COMMENT ON COLUMN trial_versions.record IS 'The canonical record (JSON of pipeline.models.Trial, schemas/trial.schema.json), without version_holder, which is its own column.';
COMMENT ON COLUMN trial_versions.raw IS 'The study JSON exactly as ClinicalTrials.gov sent it.';

COMMENT ON TABLE trial_current_records IS 'Internal: the current canonical record of each trial, zlib-compressed, for the differ. Analysts: use trial_versions.record.';
COMMENT ON COLUMN trial_current_records.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_current_records.version IS 'The current version (trials.version).';
COMMENT ON COLUMN trial_current_records.record_zlib IS 'zlib-compressed JSON of the canonical record, as in trial_versions.record.';

COMMENT ON TABLE trial_changes IS 'What changed from one version to the next, one row per change, with category and severity.';
COMMENT ON COLUMN trial_changes.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_changes.from_version IS 'Version before the change (NULL for a trial-level event without a previous version).';
COMMENT ON COLUMN trial_changes.to_version IS 'Version after the change.';
COMMENT ON COLUMN trial_changes.field IS 'Canonical path, e.g. overall_status, eligibility.minimum_age, locations[<key>].status.';
COMMENT ON COLUMN trial_changes.change IS 'added, removed or modified.';
COMMENT ON COLUMN trial_changes.old_value IS 'Value before (JSON).';
COMMENT ON COLUMN trial_changes.new_value IS 'Value after (JSON).';
COMMENT ON COLUMN trial_changes.category IS 'status, eligibility, locations, contacts, design, interventions, outcomes, dates, descriptions, sponsor, administrative.';
COMMENT ON COLUMN trial_changes.severity IS 'critical, major, minor or info (policy of pipeline/default_policy.toml).';
COMMENT ON COLUMN trial_changes.detail IS 'Word-level diff of long text, for display.';
COMMENT ON COLUMN trial_changes.labels IS 'Human names of the entities the bracketed keys of field stand for, outermost first.';
COMMENT ON COLUMN trial_changes.detected_at IS 'When ctsync stored the new version.';
COMMENT ON COLUMN trial_changes.run_id IS 'Joins sync_runs.run_id.';

COMMENT ON TABLE trial_seen IS 'When each trial was last seen upstream or in a load, changed or not.';
COMMENT ON COLUMN trial_seen.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_seen.last_seen_at IS 'Last time a fetch or load returned this trial.';
COMMENT ON COLUMN trial_seen.last_seen_run_id IS 'Joins sync_runs.run_id.';

COMMENT ON TABLE reviews IS 'Editorial reviews: who marked which version of a trial reviewed, when.';
COMMENT ON COLUMN reviews.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN reviews.version IS 'The version the editor reviewed (the baseline for changes since review).';
COMMENT ON COLUMN reviews.reviewed_by IS 'Editor name.';
COMMENT ON COLUMN reviews.reviewed_at IS 'When the review happened.';
COMMENT ON COLUMN reviews.note IS 'Editor''s note.';
COMMENT ON COLUMN reviews.source IS 'cli or import:<file>.';

COMMENT ON TABLE tracked_trials IS 'The trials the site covers; sync keeps these up to date.';
COMMENT ON COLUMN tracked_trials.nct_id IS 'Tracked NCT ID.';
COMMENT ON COLUMN tracked_trials.added_at IS 'When it was added.';
COMMENT ON COLUMN tracked_trials.upstream_state IS 'present, not_found (gone from ClinicalTrials.gov) or merged (an alias of merged_into).';
COMMENT ON COLUMN tracked_trials.merged_into IS 'The NCT ID this one was merged into, when upstream_state = merged.';
COMMENT ON COLUMN tracked_trials.checked_at IS 'When upstream_state was last checked.';
COMMENT ON COLUMN tracked_trials.synced_at IS 'When a sync or refresh last got this trial from the API; NULL: sync fetches it in full.';

COMMENT ON TABLE sync_runs IS 'The run ledger: one row per sync, refresh or load, with counts and outcome.';
COMMENT ON COLUMN sync_runs.run_id IS 'Run number.';
COMMENT ON COLUMN sync_runs.command IS 'sync, sync --full, refresh or load.';
COMMENT ON COLUMN sync_runs.started_at IS 'Start time.';
COMMENT ON COLUMN sync_runs.finished_at IS 'End time; NULL while running or when the process died.';
COMMENT ON COLUMN sync_runs.status IS 'running, succeeded, partial (some trials failed), failed, noop (nothing new upstream).';
COMMENT ON COLUMN sync_runs.watermark IS 'Last-update-posted date up to which this run is complete; the next sync starts a day before.';
COMMENT ON COLUMN sync_runs.data_timestamp IS 'ClinicalTrials.gov dataTimestamp seen at the start of the run.';
COMMENT ON COLUMN sync_runs.requested IS 'Trials asked for.';
COMMENT ON COLUMN sync_runs.fetched IS 'Records received (fetched or read).';
COMMENT ON COLUMN sync_runs.new_trials IS 'Trials stored for the first time.';
COMMENT ON COLUMN sync_runs.changed IS 'Trials that got a new version.';
COMMENT ON COLUMN sync_runs.unchanged IS 'Records identical to the stored version.';
COMMENT ON COLUMN sync_runs.failed IS 'Records or trials that failed (see failed_records).';
COMMENT ON COLUMN sync_runs.requests IS 'HTTP requests made.';
COMMENT ON COLUMN sync_runs.retries IS 'HTTP requests retried.';
COMMENT ON COLUMN sync_runs.error IS 'Why the run failed, if it did.';
COMMENT ON COLUMN sync_runs.pid IS 'Process id of the run.';

COMMENT ON TABLE failed_records IS 'Dead letters: records that could not be read, normalized or stored, with the raw payload and the error.';
COMMENT ON COLUMN failed_records.failure_id IS 'Failure number.';
COMMENT ON COLUMN failed_records.run_id IS 'Joins sync_runs.run_id.';
COMMENT ON COLUMN failed_records.nct_id IS 'NCT ID when known.';
COMMENT ON COLUMN failed_records.source IS 'File path (and member) or api.';
COMMENT ON COLUMN failed_records.stage IS 'read, normalize, fetch or store.';
COMMENT ON COLUMN failed_records.error IS 'The error, one line.';
COMMENT ON COLUMN failed_records.raw IS 'The payload as received (truncated to 1 MB).';
COMMENT ON COLUMN failed_records.failed_at IS 'When it failed.';
