-- ClinicalTrials.gov's own record history (issue 13). A review dated before a trial's first stored version
-- takes its baseline from the upstream version that was current on that date: the trial's upstream
-- version list is kept here, and the fetched version is stored in trial_versions like any other, marked
-- with source 'history' and its upstream version number. It never becomes the current state.
ALTER TABLE trial_versions ADD COLUMN upstream_version INTEGER;
COMMENT ON COLUMN trial_versions.upstream_version IS 'ClinicalTrials.gov''s own version number (0-based, as its history tab counts) of a version fetched from the record history (source ''history''); NULL for versions fetched from API v2 or loaded.';
COMMENT ON COLUMN trial_versions.source IS 'Where it came from: api, load:<path>, or history (an older version from ClinicalTrials.gov''s record history, kept as a review''s baseline, never the current state).';

CREATE TABLE upstream_versions (
    nct_id VARCHAR NOT NULL,
    upstream_version INTEGER NOT NULL,
    submitted_date DATE NOT NULL,
    overall_status VARCHAR,
    module_labels VARCHAR[] NOT NULL,
    fetched_at TIMESTAMP WITH TIME ZONE NOT NULL,
    version INTEGER,
    PRIMARY KEY (nct_id, upstream_version)
);
COMMENT ON TABLE upstream_versions IS 'Each trial''s version list on ClinicalTrials.gov (its record history), as last fetched: one row per upstream version. Fetched only for trials whose review predates every stored version.';
COMMENT ON COLUMN upstream_versions.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN upstream_versions.upstream_version IS 'ClinicalTrials.gov''s version number, 0-based as its history tab counts ("version 12").';
COMMENT ON COLUMN upstream_versions.submitted_date IS 'The day the version was submitted (QC date); ClinicalTrials.gov posts it a day or more later.';
COMMENT ON COLUMN upstream_versions.overall_status IS 'The recruitment status of that version (RECRUITING, COMPLETED, ...).';
COMMENT ON COLUMN upstream_versions.module_labels IS 'The record modules that version changed, in the website''s words ("Study Status", "Eligibility", ...); empty for version 0.';
COMMENT ON COLUMN upstream_versions.fetched_at IS 'When ctsync fetched this version list.';
COMMENT ON COLUMN upstream_versions.version IS 'The ctsync version (trial_versions.version) holding this upstream version''s content, once fetched; NULL while only listed.';
