"""ctsync schema, version 8: the tables derived from each trial's current record lose their primary-key
indexes (issue 16).

DuckDB keeps a primary key as an ART index that must sit in memory while the table is written: with the
41 tables below (many rows per trial) it grew by about 27 KB per heavy record and ran a 100,000-record
load out of the writer's 512 MB memory limit, and maintaining it was a large part of each batch's cost.
Nothing needs it: the writer replaces a trial's rows as a whole from its canonical record, so the keys are
unique by construction (tests/test_roundtrip.py checks every key on the real records), and readers look
trials up in ``trials`` and ``trial_current_records``, which keep theirs. Each table keeps its columns,
NOT NULL constraints and comments, in the same order; its table comment now names its key.

DuckDB cannot drop a primary key in place, so each table is rebuilt and its rows copied once.
"""

from __future__ import annotations

import duckdb

TABLES = (
    "trial_conditions",
    "trial_interventions",
    "trial_locations",
    "trial_outcomes",
    "trial_sponsors",
    "trial_criteria",
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

KEY_NOTE = " Key: ({columns}), unique per trial's current record; kept by the writer, not indexed."


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every table of ``TABLES`` without its primary key (inside the migration's transaction).

    The catalog is read in three queries and the rebuild runs as one script: statement by statement it
    took 0.4 s, which every new database paid."""
    keys = dict(
        con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints()"
            " WHERE constraint_type = 'PRIMARY KEY' AND table_name IN (SELECT unnest(?))",
            [list(TABLES)],
        ).fetchall()
    )
    comments = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    columns: dict[str, list[tuple[str, str, bool, str | None, str | None]]] = {}
    for table, *column in con.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default, comment"
        " FROM duckdb_columns() WHERE table_name IN (SELECT unnest(?)) ORDER BY table_name, column_index",
        [list(TABLES)],
    ).fetchall():
        columns.setdefault(table, []).append((column[0], column[1], column[2], column[3], column[4]))
    script = [
        statement
        for table in TABLES
        if table in keys
        for statement in _rebuild_without_key(table, list(keys[table]), columns[table], comments[table] or "")
    ]
    if script:
        con.execute(";\n".join(script))


def _rebuild_without_key(
    table: str, key: list[str], columns: list[tuple[str, str, bool, str | None, str | None]], comment: str
) -> list[str]:
    definitions = ", ".join(
        f'"{name}" {data_type}'
        + ("" if nullable else " NOT NULL")
        + ("" if default is None else f" DEFAULT {default}")
        for name, data_type, nullable, default, _ in columns
    )
    staging = f"{table}__rebuilt"
    return [
        f"CREATE TABLE {staging} ({definitions})",
        f"INSERT INTO {staging} BY NAME SELECT * FROM {table}",
        f"DROP TABLE {table}",
        f"ALTER TABLE {staging} RENAME TO {table}",
        f"COMMENT ON TABLE {table} IS {_literal(comment + KEY_NOTE.format(columns=', '.join(key)))}",
        *(
            f'COMMENT ON COLUMN {table}."{name}" IS {_literal(column_comment)}'
            for name, *_, column_comment in columns
            if column_comment
        ),
    ]


def _literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"
