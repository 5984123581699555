-- Schema drift seen by each run: field paths of the records it read that this ctsync neither maps nor
-- deliberately leaves out (pipeline/fields.py), with how many records carried each.
ALTER TABLE sync_runs ADD COLUMN unaccounted_fields MAP(VARCHAR, INTEGER);

COMMENT ON COLUMN sync_runs.unaccounted_fields IS 'Schema drift: field paths of the records this run read that this ctsync version neither maps nor deliberately leaves out, each with the number of records that carried it (NULL when none). The values are kept in the raw JSON of each version.';
