"""SQL building blocks of the AACT-parity statements: paths into ``aact_raw`` and the CTEs that turn
nested lists into rows. Pure text, no DuckDB import."""

from __future__ import annotations

import re

# --- SQL building blocks -------------------------------------------------------------------------

P = "j.protocolSection"
STATUS = f"{P}.statusModule"
DESIGN = f"{P}.designModule"
ARMS = f"{P}.armsInterventionsModule"
REFS = f"{P}.referencesModule"
IPD = f"{P}.ipdSharingStatementModule"
FLOW = "j.resultsSection.participantFlowModule"
BASE = "j.resultsSection.baselineCharacteristicsModule"
AE = "j.resultsSection.adverseEventsModule"
MORE = "j.resultsSection.moreInfoModule"
ANNOTATION = "j.annotationSection.annotationModule"
DOCS = "j.documentSection.largeDocumentModule"


def items(list_expr: str) -> str:
    """One row per element of a list: a struct ``{i: 1-based position, x: element}``."""
    return f"unnest(list_transform({list_expr}, lambda x, i: {{'i': i, 'x': x}}))"


def each(alias: str, list_expr: str, keys: str = "nct_id", source: str = "aact_raw") -> str:
    """A CTE body: the rows of ``list_expr`` per row of ``source``, as ``alias`` beside ``keys``."""
    return f"SELECT {keys}, {items(list_expr)} AS {alias} FROM {source}"


def insert(table: str, ctes: dict[str, str], select: str) -> str:
    """``INSERT INTO table BY NAME WITH ctes SELECT …``: columns match by name, the rest stay NULL.

    A CTE ``m`` holds its list elements in a column ``m``; it is renamed ``m_rows`` (and ``FROM m`` with
    it) so that ``m.i`` can only mean the element's field: DuckDB reads ``m.i`` as column ``i`` of a
    table ``m`` first.
    """

    def renamed(sql: str) -> str:
        for name in ctes:
            sql = re.sub(rf"\b(FROM|JOIN) {name}\b", rf"\1 {name}_rows", sql)
        return sql

    with_clause = ",\n".join(f"{name}_rows AS ({renamed(body)})" for name, body in ctes.items())
    return f"INSERT INTO {table} BY NAME\n{'WITH ' + with_clause if ctes else ''}\n{renamed(select)}"


def num(expr: str) -> str:
    return f"TRY_CAST({expr} AS DOUBLE)"


def measurement(alias: str) -> str:
    """The columns of one measurement struct (baseline or outcome), text as given plus numbers."""
    return (
        f"{alias}.x.groupId AS group_id, {alias}.x.value AS value, {num(f'{alias}.x.value')} AS value_num,"
        f" {alias}.x.spread AS spread, {num(f'{alias}.x.spread')} AS spread_num,"
        f" {alias}.x.lowerLimit AS lower_limit, {num(f'{alias}.x.lowerLimit')} AS lower_limit_num,"
        f" {alias}.x.upperLimit AS upper_limit, {num(f'{alias}.x.upperLimit')} AS upper_limit_num,"
        f" {alias}.x.comment AS comment"
    )


def denom_rows(denoms_expr: str, keys: str, source: str) -> dict[str, str]:
    """CTEs ``d`` (denominators) and ``c`` (their counts per group) of a denoms list."""
    return {
        "d": each("d", denoms_expr, keys, source),
        "c": f"SELECT {keys}, d.i AS denom_ordinal, d.x.units AS units, {items('d.x.counts')} AS c FROM d",
    }


DENOM_COLUMNS = (
    "denom_ordinal, c.i AS ordinal, units, c.x.groupId AS group_id, c.x.value AS value,"
    " TRY_CAST(c.x.value AS INTEGER) AS count"
)


def groups(table: str, list_expr: str, extra: str = "") -> str:
    return insert(
        table,
        {"g": each("g", list_expr)},
        f"SELECT nct_id, g.i AS ordinal, g.x.id AS group_id, g.x.title AS title,"
        f" g.x.description AS description{extra} FROM g",
    )


def measure_tables(prefix: str, measures_expr: str, parent: str) -> tuple[str, ...]:
    """Classes, categories, measurements and class-level denominators of baseline or outcome measures.

    ``parent`` is the name of the measure's ordinal column (measure_ordinal or outcome_ordinal).
    """
    ctes = {
        "m": each("m", measures_expr),
        "k": f"SELECT nct_id, m.i AS {parent}, {items('m.x.classes')} AS k FROM m",
    }
    categories = {
        **ctes,
        "g": f"SELECT nct_id, {parent}, k.i AS class_ordinal, {items('k.x.categories')} AS g FROM k",
    }
    measurements = {
        **categories,
        "v": f"SELECT nct_id, {parent}, class_ordinal, g.i AS category_ordinal,"
        f" {items('g.x.measurements')} AS v FROM g",
    }
    keys = f"nct_id, {parent}, class_ordinal"
    class_denoms = {
        **ctes,
        "kk": f"SELECT nct_id, {parent}, k.i AS class_ordinal, k.x.denoms AS denoms FROM k",
        **denom_rows("denoms", keys, "kk"),
    }
    return (
        insert(
            f"trial_{prefix}_classes",
            ctes,
            f"SELECT nct_id, {parent}, k.i AS ordinal, k.x.title AS title FROM k",
        ),
        insert(
            f"trial_{prefix}_categories",
            categories,
            f"SELECT nct_id, {parent}, class_ordinal, g.i AS ordinal, g.x.title AS title FROM g",
        ),
        insert(
            f"trial_{prefix}_measurements",
            measurements,
            f"SELECT nct_id, {parent}, class_ordinal, category_ordinal, v.i AS ordinal, {measurement('v')}"
            " FROM v",
        ),
        insert(
            f"trial_{prefix}_denoms",
            class_denoms,
            f"SELECT {keys}, 'class' AS scope, {DENOM_COLUMNS} FROM c",
        ),
    )


def measure_columns(alias: str) -> str:
    x = f"{alias}.x"
    return (
        f"{x}.title AS title, {x}.description AS description,"
        f" {x}.populationDescription AS population_description, {x}.paramType AS param_type,"
        f" {x}.dispersionType AS dispersion_type, {x}.unitOfMeasure AS unit_of_measure,"
        f" {x}.calculatePct AS calculate_pct, {x}.denomUnitsSelected AS denom_units_selected"
    )


P_VALUE_SIGN = r"^\s*([<>=≤≥]+)\s*"
