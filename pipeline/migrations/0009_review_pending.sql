-- ctsync schema, version 9: the review queue's cache (issue 16).
-- The writer keeps, for every trial waiting for review since a recorded review, the changes from the
-- reviewed version to the current one, so that `queue` reads them instead of diffing every waiting trial
-- (6 to 20 s at 100,000 trials). A row is used only while its versions and fingerprint still match.
CREATE TABLE review_pending (
    nct_id VARCHAR NOT NULL,
    baseline INTEGER NOT NULL,
    current_version INTEGER NOT NULL,
    fingerprint VARCHAR NOT NULL,
    changes JSON NOT NULL
);
CREATE TABLE review_pending_state (
    fingerprint VARCHAR NOT NULL
);
INSERT INTO review_pending_state VALUES ('');
COMMENT ON TABLE review_pending IS 'Internal: the changes since review of each trial waiting for review since a recorded review, kept by the writer for the queue; a row counts only while baseline and current_version are the trial''s and its fingerprint is the policy''s.';
COMMENT ON COLUMN review_pending.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN review_pending.baseline IS 'The version the editor last reviewed.';
COMMENT ON COLUMN review_pending.current_version IS 'The current version the changes lead to.';
COMMENT ON COLUMN review_pending.fingerprint IS 'The severity policy, normalizer and ctsync version the changes were computed under.';
COMMENT ON COLUMN review_pending.changes IS 'The changes, as `changes --json` lists them.';
COMMENT ON TABLE review_pending_state IS 'Internal: the fingerprint under which review_pending holds every waiting trial ('''' until a writer has filled it).';
COMMENT ON COLUMN review_pending_state.fingerprint IS 'As review_pending.fingerprint.';
