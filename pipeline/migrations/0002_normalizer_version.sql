-- Which normalizer rules derived each stored canonical record. The raw JSON of every version is the
-- source of truth; when ctsync's normalizer changes, `ctsync renormalize` (also run by the first write
-- after an upgrade) re-derives the records of older versions from their raw JSON, in place.
ALTER TABLE trial_versions ADD COLUMN normalizer_version INTEGER;
-- Every database before this migration was written by normalizer 1.
UPDATE trial_versions SET normalizer_version = 1;
COMMENT ON COLUMN trial_versions.normalizer_version IS 'Version of the normalizer rules that derived record from raw (pipeline.normalize.NORMALIZER_VERSION); renormalize brings older ones up to date in place.';
