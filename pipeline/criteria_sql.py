"""The SQL that fills ``trial_criteria`` from the staged canonical records. Pure text, no DuckDB import.

The store runs ``CRITERIA_FROM_STAGE`` with its other current-state statements, over the temporary table
``parsed`` (one row per staged record: ``nct_id`` and ``r``, the record parsed with ``RECORD_SHAPE``, where
``r.eligibility.structure`` is the criteria structure as JSON). The structure nests items to any depth,
so the statement walks it with a recursive CTE; an item's place is its path of positions ([2, 1] is the
first sub-item of the group's second item), and sorting paths orders items as they are read, which gives
the same ordinals and parents as ``Criteria.flat()`` (a test compares the two on real records).
"""

from __future__ import annotations

CRITERIA_SHAPE = "JSON"
"""How ``RECORD_SHAPE`` reads ``eligibility.structure``: kept as JSON for the recursive walk."""

CRITERIA_FROM_STAGE = """
INSERT INTO trial_criteria BY NAME
WITH RECURSIVE
sections AS (
    SELECT nct_id, 'inclusion' AS section,
           CAST(json_extract(r.eligibility.structure, '$.inclusion') AS JSON[]) AS groups
    FROM parsed
    UNION ALL
    SELECT nct_id, 'exclusion', CAST(json_extract(r.eligibility.structure, '$.exclusion') AS JSON[])
    FROM parsed
),
grouped AS (
    SELECT nct_id, section, unnest(groups) AS body, generate_subscripts(groups, 1) AS group_ordinal
    FROM sections WHERE groups IS NOT NULL
),
tops AS (
    SELECT nct_id, section, group_ordinal, json_extract_string(body, '$.header') AS group_header,
           CAST(json_extract(body, '$.items') AS JSON[]) AS items
    FROM grouped
),
nodes AS (
    SELECT nct_id, section, group_ordinal, group_header, [position] AS path,
           json_extract_string(item, '$.text') AS text,
           CAST(json_extract(item, '$.items') AS JSON[]) AS children
    FROM (
        SELECT *, unnest(items) AS item, generate_subscripts(items, 1) AS position
        FROM tops WHERE items IS NOT NULL
    )
    UNION ALL
    SELECT nct_id, section, group_ordinal, group_header, list_append(path, position),
           json_extract_string(item, '$.text'),
           CAST(json_extract(item, '$.items') AS JSON[])
    FROM (
        SELECT *, unnest(children) AS item, generate_subscripts(children, 1) AS position
        FROM nodes WHERE children IS NOT NULL AND len(children) > 0
    )
),
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY nct_id, section, group_ordinal ORDER BY path) AS ordinal
    FROM nodes
)
SELECT item.nct_id, item.section, item.group_ordinal, item.group_header, item.ordinal,
       parent.ordinal AS parent_ordinal, len(item.path) AS depth, item.text
FROM numbered item
LEFT JOIN numbered parent
  ON parent.nct_id = item.nct_id AND parent.section = item.section
 AND parent.group_ordinal = item.group_ordinal AND parent.path = item.path[1:len(item.path) - 1]
"""
