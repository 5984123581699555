"""The analyst tables at AACT parity: SQL that derives them from the raw API JSON of staged versions.

The store stages a batch of new versions in the TEMP TABLE ``stage`` (column ``raw``: the API's JSON,
verbatim) and runs ``FROM_STAGE`` in the transaction that replaces the trials' current state. The first
statement parses each raw record once into ``aact_raw`` (one DuckDB structure per record, only the
fields these tables need: per-column JSON paths would re-parse the whole document for every column);
every other statement is one set-based ``INSERT … BY NAME`` out of it; the last drops it.

Every table is current state keyed by ``nct_id``: a trial's rows are deleted and re-inserted when it gets
a new version (``TABLES`` go into the store's CURRENT_TABLES). Lists become rows with their 1-based
position in the API list as ``ordinal``; a row of a nested list carries its parents' ordinals, so e.g.
``trial_baseline_measurements`` joins ``trial_baseline_categories`` on (nct_id, measure_ordinal,
class_ordinal, category_ordinal = ordinal). Group codes (FG000, BG000, OG000, EG000) are the API's.
The tables are in ``migrations/0004_aact_tables.sql``, documented there with COMMENT ON.
No DuckDB import here: these are statements, the store runs them.
"""

from __future__ import annotations

from pipeline.aact_protocol import PROTOCOL_FROM_RAW
from pipeline.aact_results import ANNOTATIONS_AND_DOCUMENTS_FROM_RAW, RESULTS_FROM_RAW
from pipeline.aact_shape import PARSE_RAW

TABLES = (
    "trial_details",
    "trial_responsible_parties",
    "trial_secondary_ids",
    "trial_arms",
    "trial_arm_interventions",
    "trial_central_contacts",
    "trial_officials",
    "trial_references",
    "trial_retractions",
    "trial_links",
    "trial_ipd_documents",
    "trial_results",
    "trial_flow_groups",
    "trial_flow_periods",
    "trial_flow_milestones",
    "trial_flow_drop_withdrawals",
    "trial_baseline_groups",
    "trial_baseline_denoms",
    "trial_baseline_measures",
    "trial_baseline_classes",
    "trial_baseline_categories",
    "trial_baseline_measurements",
    "trial_outcome_measures",
    "trial_outcome_groups",
    "trial_outcome_denoms",
    "trial_outcome_classes",
    "trial_outcome_categories",
    "trial_outcome_measurements",
    "trial_outcome_analyses",
    "trial_event_groups",
    "trial_adverse_events",
    "trial_adverse_event_counts",
    "trial_unposted_events",
    "trial_violation_events",
    "trial_documents",
)
"""Current-state tables, in the order FROM_STAGE fills them."""

VIEWS = ("trial_calculated_values",)
"""Derived values per trial (like AACT's calculated_values), a view over trials and the tables above."""

FROM_STAGE = (
    PARSE_RAW,
    *PROTOCOL_FROM_RAW,
    *RESULTS_FROM_RAW,
    *ANNOTATIONS_AND_DOCUMENTS_FROM_RAW,
    "DROP TABLE aact_raw",
)
"""Run in order after the store's CHILDREN_FROM_STAGE, in the same transaction, while ``stage`` exists."""
