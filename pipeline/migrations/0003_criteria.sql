-- Eligibility criteria as the sponsor wrote them (issue 12): one row per criterion, with its section,
-- group (cohort, part or population header), parent and depth. Filled from the canonical record's
-- eligibility.structure; the trials table keeps its flat inclusion/exclusion lists.

CREATE TABLE trial_criteria (
    nct_id VARCHAR NOT NULL,
    section VARCHAR NOT NULL,
    group_ordinal INTEGER NOT NULL,
    group_header VARCHAR,
    ordinal INTEGER NOT NULL,
    parent_ordinal INTEGER,
    depth INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    PRIMARY KEY (nct_id, section, group_ordinal, ordinal)
);

COMMENT ON TABLE trial_criteria IS 'Eligibility criteria of the current version, one row per criterion (sub-criteria too), in the groups and nesting the sponsor wrote.';
COMMENT ON COLUMN trial_criteria.nct_id IS 'Joins trials.nct_id.';
COMMENT ON COLUMN trial_criteria.section IS 'inclusion or exclusion.';
COMMENT ON COLUMN trial_criteria.group_ordinal IS 'Position of the criterion''s group in its section, from 1.';
COMMENT ON COLUMN trial_criteria.group_header IS 'The group''s header as written (a cohort, part or population: "Cohort A1", "Pregnancy Group"); NULL for the section''s own criteria.';
COMMENT ON COLUMN trial_criteria.ordinal IS 'Position in the group in reading order, from 1 (a sub-criterion right after its parent).';
COMMENT ON COLUMN trial_criteria.parent_ordinal IS 'ordinal of the criterion this one is nested under (same group); NULL at the top of the group.';
COMMENT ON COLUMN trial_criteria.depth IS '1 for a group''s own criteria, 2 for their sub-criteria, and so on.';
COMMENT ON COLUMN trial_criteria.text IS 'The criterion as written, without its list marker or number; markdown escapes resolved.';

COMMENT ON COLUMN trials.inclusion_criteria IS 'Inclusion criteria in reading order, sub-criteria too; headers, lead-ins and notes are not criteria (trial_criteria has their groups and nesting).';
COMMENT ON COLUMN trials.exclusion_criteria IS 'Exclusion criteria in reading order, sub-criteria too; headers, lead-ins and notes are not criteria (trial_criteria has their groups and nesting).';
