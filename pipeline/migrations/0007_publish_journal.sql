-- ctsync schema, version 7: publishing in proportion to the change (issue 16).
-- Every write notes the trials it touched; the next publish applies only those trials to a copy of the
-- published file that no reader holds, then swaps it in (pipeline/store/published.py).
CREATE SEQUENCE publish_journal_seq START 1;
CREATE TABLE publish_journal (
    seq BIGINT NOT NULL DEFAULT nextval('publish_journal_seq'),
    nct_id VARCHAR
);
CREATE TABLE publish_state (
    database_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    last_published BIGINT NOT NULL,
    forgotten_through BIGINT NOT NULL
);
INSERT INTO publish_state VALUES (uuid()::VARCHAR, 0, 0, 0);
-- Copies published before this migration cannot say what they hold: the first publish rebuilds them whole.
INSERT INTO publish_journal (nct_id) VALUES (NULL);
COMMENT ON TABLE publish_journal IS 'Internal: the trials each write touched since the published copies were last brought up to date (NULL: everything, e.g. a renormalize); publishing applies them and forgets what both copies hold.';
COMMENT ON COLUMN publish_journal.seq IS 'Order of the entry; a published copy holds every entry up to its publish_state.position.';
COMMENT ON COLUMN publish_journal.nct_id IS 'A trial a write touched; NULL when the write touched everything.';
COMMENT ON TABLE publish_state IS 'Internal: which database a published copy was made from and how far it is up to date.';
COMMENT ON COLUMN publish_state.database_id IS 'Random ID of the working database, so a copy of another database is never patched.';
COMMENT ON COLUMN publish_state.position IS 'In a published copy: the last publish_journal entry it holds (0 in the working database).';
COMMENT ON COLUMN publish_state.last_published IS 'In the working database: the position of the latest publish.';
COMMENT ON COLUMN publish_state.forgotten_through IS 'In the working database: journal entries up to here were deleted; a copy older than that is rebuilt whole.';
