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

import json
import re
from typing import Any

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

# --- the part of the raw API record these tables read, as one DuckDB JSON structure -----------------

_T = "VARCHAR"
_B = "BOOLEAN"
_I = "INTEGER"
_D = "DATE"
_TEXTS = [_T]
_DATE_STRUCT = {"date": _D, "type": _T}
_CONTACT = {"name": _T, "role": _T, "phone": _T, "phoneExt": _T, "email": _T}
_GROUP = {"id": _T, "title": _T, "description": _T}
_DENOMS = [{"units": _T, "counts": [{"groupId": _T, "value": _T}]}]
_MEASUREMENT = {"groupId": _T, "value": _T, "spread": _T, "lowerLimit": _T, "upperLimit": _T, "comment": _T}
_CLASSES = [{"title": _T, "denoms": _DENOMS, "categories": [{"title": _T, "measurements": [_MEASUREMENT]}]}]
_MEASURE = {
    "title": _T,
    "description": _T,
    "populationDescription": _T,
    "paramType": _T,
    "dispersionType": _T,
    "unitOfMeasure": _T,
    "calculatePct": _B,
    "denomUnitsSelected": _T,
    "denoms": _DENOMS,
    "classes": _CLASSES,
}
_ANALYSIS = {
    **dict.fromkeys(
        (
            "paramType",
            "paramValue",
            "dispersionType",
            "dispersionValue",
            "statisticalMethod",
            "statisticalComment",
            "pValue",
            "pValueComment",
            "ciNumSides",
            "ciPctValue",
            "ciLowerLimit",
            "ciUpperLimit",
            "ciLowerLimitComment",
            "ciUpperLimitComment",
            "estimateComment",
            "nonInferiorityType",
            "nonInferiorityComment",
            "otherAnalysisDescription",
            "groupDescription",
        ),
        _T,
    ),
    "testedNonInferiority": _B,
    "groupIds": _TEXTS,
}
_EVENTS = [
    {
        "term": _T,
        "organSystem": _T,
        "sourceVocabulary": _T,
        "assessmentType": _T,
        "notes": _T,
        "stats": [{"groupId": _T, "numEvents": _I, "numAffected": _I, "numAtRisk": _I}],
    }
]
_FLOW_STATS = {"groupId": _T, "comment": _T, "numSubjects": _T, "numUnits": _T}

RAW_SHAPE: dict[str, Any] = {
    "protocolSection": {
        "identificationModule": {
            "orgStudyIdInfo": {"type": _T, "link": _T},
            "secondaryIdInfos": [{"id": _T, "type": _T, "domain": _T, "link": _T}],
            "organization": {"fullName": _T, "class": _T},
        },
        "statusModule": {
            "delayedPosting": _B,
            "expandedAccessInfo": {"hasExpandedAccess": _B, "nctId": _T, "statusForNctId": _T},
            "studyFirstSubmitQcDate": _D,
            "studyFirstPostDateStruct": _DATE_STRUCT,
            "resultsWaived": _B,
            "resultsFirstSubmitDate": _D,
            "resultsFirstSubmitQcDate": _D,
            "resultsFirstPostDateStruct": _DATE_STRUCT,
            "dispFirstSubmitDate": _D,
            "dispFirstSubmitQcDate": _D,
            "dispFirstPostDateStruct": _DATE_STRUCT,
        },
        "sponsorCollaboratorsModule": {
            "responsibleParty": dict.fromkeys(
                (
                    "type",
                    "investigatorFullName",
                    "investigatorTitle",
                    "investigatorAffiliation",
                    "oldNameTitle",
                    "oldOrganization",
                ),
                _T,
            )
        },
        "oversightModule": dict.fromkeys(
            (
                "oversightHasDmc",
                "isFdaRegulatedDrug",
                "isFdaRegulatedDevice",
                "isUnapprovedDevice",
                "isPpsd",
                "isUsExport",
                "fdaaa801Violation",
            ),
            _B,
        ),
        "descriptionModule": {"detailedDescription": _T},
        "designModule": {
            "nPtrsToThisExpAccNctId": _I,
            "expandedAccessTypes": {"individual": _B, "intermediate": _B, "treatment": _B},
            "patientRegistry": _B,
            "targetDuration": _T,
            "designInfo": {
                "interventionModelDescription": _T,
                "maskingInfo": {"maskingDescription": _T, "whoMasked": _TEXTS},
            },
            "bioSpec": {"retention": _T, "description": _T},
        },
        "armsInterventionsModule": {
            "armGroups": [{"label": _T, "type": _T, "description": _T, "interventionNames": _TEXTS}],
            "interventions": [{"type": _T, "name": _T, "armGroupLabels": _TEXTS}],
        },
        "eligibilityModule": {"genderDescription": _T, "studyPopulation": _T, "samplingMethod": _T},
        "contactsLocationsModule": {
            "centralContacts": [_CONTACT],
            "overallOfficials": [{"name": _T, "affiliation": _T, "role": _T}],
        },
        "referencesModule": {
            "references": [
                {"pmid": _T, "type": _T, "citation": _T, "retractions": [{"pmid": _T, "source": _T}]}
            ],
            "seeAlsoLinks": [{"label": _T, "url": _T}],
            "availIpds": [{"id": _T, "type": _T, "url": _T, "comment": _T}],
        },
        "ipdSharingStatementModule": {
            "ipdSharing": _T,
            "description": _T,
            "infoTypes": _TEXTS,
            "timeFrame": _T,
            "accessCriteria": _T,
            "url": _T,
        },
    },
    "resultsSection": {
        "participantFlowModule": {
            "preAssignmentDetails": _T,
            "recruitmentDetails": _T,
            "typeUnitsAnalyzed": _T,
            "groups": [_GROUP],
            "periods": [
                {
                    "title": _T,
                    "milestones": [{"type": _T, "comment": _T, "achievements": [_FLOW_STATS]}],
                    "dropWithdraws": [{"type": _T, "comment": _T, "reasons": [_FLOW_STATS]}],
                }
            ],
        },
        "baselineCharacteristicsModule": {
            "populationDescription": _T,
            "typeUnitsAnalyzed": _T,
            "groups": [_GROUP],
            "denoms": _DENOMS,
            "measures": [_MEASURE],
        },
        "outcomeMeasuresModule": {
            "outcomeMeasures": [
                {
                    **_MEASURE,
                    "type": _T,
                    "reportingStatus": _T,
                    "anticipatedPostingDate": _T,
                    "timeFrame": _T,
                    "typeUnitsAnalyzed": _T,
                    "groups": [_GROUP],
                    "analyses": [_ANALYSIS],
                }
            ]
        },
        "adverseEventsModule": {
            "frequencyThreshold": _T,
            "timeFrame": _T,
            "description": _T,
            "allCauseMortalityComment": _T,
            "eventGroups": [
                {
                    **_GROUP,
                    **dict.fromkeys(
                        (
                            "deathsNumAffected",
                            "deathsNumAtRisk",
                            "seriousNumAffected",
                            "seriousNumAtRisk",
                            "otherNumAffected",
                            "otherNumAtRisk",
                        ),
                        _I,
                    ),
                }
            ],
            "seriousEvents": _EVENTS,
            "otherEvents": _EVENTS,
        },
        "moreInfoModule": {
            "limitationsAndCaveats": {"description": _T},
            "certainAgreement": {
                "piSponsorEmployee": _B,
                "restrictionType": _T,
                "restrictiveAgreement": _B,
                "otherDetails": _T,
            },
            "pointOfContact": {"title": _T, "organization": _T, "email": _T, "phone": _T, "phoneExt": _T},
        },
    },
    "annotationSection": {
        "annotationModule": {
            "unpostedAnnotation": {
                "unpostedResponsibleParty": _T,
                "unpostedEvents": [{"type": _T, "date": _D, "dateUnknown": _B}],
            },
            "violationAnnotation": {
                "violationEvents": [
                    {
                        "type": _T,
                        "description": _T,
                        "creationDate": _D,
                        "issuedDate": _D,
                        "releaseDate": _D,
                        "postedDate": _D,
                    }
                ]
            },
        }
    },
    "documentSection": {
        "largeDocumentModule": {
            "noSap": _B,
            "largeDocs": [
                {
                    "typeAbbrev": _T,
                    "hasProtocol": _B,
                    "hasSap": _B,
                    "hasIcf": _B,
                    "label": _T,
                    "date": _D,
                    "uploadDate": "TIMESTAMP",
                    "filename": _T,
                    "size": "BIGINT",
                }
            ],
        }
    },
    "derivedSection": {
        "miscInfoModule": {
            "removedCountries": _TEXTS,
            "submissionTracking": {
                "estimatedResultsFirstSubmitDate": _D,
                "firstMcpInfo": {"postDateStruct": _DATE_STRUCT},
            },
        }
    },
}

PARSE_RAW = (
    "CREATE OR REPLACE TEMP TABLE aact_raw AS"
    f" SELECT nct_id, from_json(raw, '{json.dumps(RAW_SHAPE)}') AS j FROM stage"
)

# --- SQL building blocks -------------------------------------------------------------------------

_P = "j.protocolSection"
_STATUS = f"{_P}.statusModule"
_DESIGN = f"{_P}.designModule"
_ARMS = f"{_P}.armsInterventionsModule"
_REFS = f"{_P}.referencesModule"
_IPD = f"{_P}.ipdSharingStatementModule"
_FLOW = "j.resultsSection.participantFlowModule"
_BASE = "j.resultsSection.baselineCharacteristicsModule"
_AE = "j.resultsSection.adverseEventsModule"
_MORE = "j.resultsSection.moreInfoModule"
_ANNOTATION = "j.annotationSection.annotationModule"
_DOCS = "j.documentSection.largeDocumentModule"


def _items(list_expr: str) -> str:
    """One row per element of a list: a struct ``{i: 1-based position, x: element}``."""
    return f"unnest(list_transform({list_expr}, lambda x, i: {{'i': i, 'x': x}}))"


def _each(alias: str, list_expr: str, keys: str = "nct_id", source: str = "aact_raw") -> str:
    """A CTE body: the rows of ``list_expr`` per row of ``source``, as ``alias`` beside ``keys``."""
    return f"SELECT {keys}, {_items(list_expr)} AS {alias} FROM {source}"


def _insert(table: str, ctes: dict[str, str], select: str) -> str:
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


def _num(expr: str) -> str:
    return f"TRY_CAST({expr} AS DOUBLE)"


def _measurement(alias: str) -> str:
    """The columns of one measurement struct (baseline or outcome), text as given plus numbers."""
    return (
        f"{alias}.x.groupId AS group_id, {alias}.x.value AS value, {_num(f'{alias}.x.value')} AS value_num,"
        f" {alias}.x.spread AS spread, {_num(f'{alias}.x.spread')} AS spread_num,"
        f" {alias}.x.lowerLimit AS lower_limit, {_num(f'{alias}.x.lowerLimit')} AS lower_limit_num,"
        f" {alias}.x.upperLimit AS upper_limit, {_num(f'{alias}.x.upperLimit')} AS upper_limit_num,"
        f" {alias}.x.comment AS comment"
    )


def _denom_rows(denoms_expr: str, keys: str, source: str) -> dict[str, str]:
    """CTEs ``d`` (denominators) and ``c`` (their counts per group) of a denoms list."""
    return {
        "d": _each("d", denoms_expr, keys, source),
        "c": f"SELECT {keys}, d.i AS denom_ordinal, d.x.units AS units, {_items('d.x.counts')} AS c FROM d",
    }


_DENOM_COLUMNS = (
    "denom_ordinal, c.i AS ordinal, units, c.x.groupId AS group_id, c.x.value AS value,"
    " TRY_CAST(c.x.value AS INTEGER) AS count"
)


def _groups(table: str, list_expr: str, extra: str = "") -> str:
    return _insert(
        table,
        {"g": _each("g", list_expr)},
        f"SELECT nct_id, g.i AS ordinal, g.x.id AS group_id, g.x.title AS title,"
        f" g.x.description AS description{extra} FROM g",
    )


def _measure_tables(prefix: str, measures_expr: str, parent: str) -> tuple[str, ...]:
    """Classes, categories, measurements and class-level denominators of baseline or outcome measures.

    ``parent`` is the name of the measure's ordinal column (measure_ordinal or outcome_ordinal).
    """
    ctes = {
        "m": _each("m", measures_expr),
        "k": f"SELECT nct_id, m.i AS {parent}, {_items('m.x.classes')} AS k FROM m",
    }
    categories = {
        **ctes,
        "g": f"SELECT nct_id, {parent}, k.i AS class_ordinal, {_items('k.x.categories')} AS g FROM k",
    }
    measurements = {
        **categories,
        "v": f"SELECT nct_id, {parent}, class_ordinal, g.i AS category_ordinal,"
        f" {_items('g.x.measurements')} AS v FROM g",
    }
    keys = f"nct_id, {parent}, class_ordinal"
    class_denoms = {
        **ctes,
        "kk": f"SELECT nct_id, {parent}, k.i AS class_ordinal, k.x.denoms AS denoms FROM k",
        **_denom_rows("denoms", keys, "kk"),
    }
    return (
        _insert(
            f"trial_{prefix}_classes",
            ctes,
            f"SELECT nct_id, {parent}, k.i AS ordinal, k.x.title AS title FROM k",
        ),
        _insert(
            f"trial_{prefix}_categories",
            categories,
            f"SELECT nct_id, {parent}, class_ordinal, g.i AS ordinal, g.x.title AS title FROM g",
        ),
        _insert(
            f"trial_{prefix}_measurements",
            measurements,
            f"SELECT nct_id, {parent}, class_ordinal, category_ordinal, v.i AS ordinal, {_measurement('v')}"
            " FROM v",
        ),
        _insert(
            f"trial_{prefix}_denoms",
            class_denoms,
            f"SELECT {keys}, 'class' AS scope, {_DENOM_COLUMNS} FROM c",
        ),
    )


def _measure_columns(alias: str) -> str:
    x = f"{alias}.x"
    return (
        f"{x}.title AS title, {x}.description AS description,"
        f" {x}.populationDescription AS population_description, {x}.paramType AS param_type,"
        f" {x}.dispersionType AS dispersion_type, {x}.unitOfMeasure AS unit_of_measure,"
        f" {x}.calculatePct AS calculate_pct, {x}.denomUnitsSelected AS denom_units_selected"
    )


_P_VALUE_SIGN = r"^\s*([<>=≤≥]+)\s*"

# --- the statements ------------------------------------------------------------------------------

PROTOCOL_FROM_RAW = (
    f"""
INSERT INTO trial_details BY NAME
SELECT nct_id,
    {_P}.identificationModule.orgStudyIdInfo.type AS org_study_id_type,
    {_P}.identificationModule.orgStudyIdInfo.link AS org_study_id_link,
    {_P}.identificationModule.organization.fullName AS organization_name,
    {_P}.identificationModule.organization.class AS organization_class,
    {_STATUS}.delayedPosting AS delayed_posting,
    {_STATUS}.expandedAccessInfo.hasExpandedAccess AS has_expanded_access,
    {_STATUS}.expandedAccessInfo.nctId AS expanded_access_nct_id,
    {_STATUS}.expandedAccessInfo.statusForNctId AS expanded_access_status,
    {_DESIGN}.expandedAccessTypes.individual AS expanded_access_individual,
    {_DESIGN}.expandedAccessTypes.intermediate AS expanded_access_intermediate,
    {_DESIGN}.expandedAccessTypes.treatment AS expanded_access_treatment,
    {_DESIGN}.nPtrsToThisExpAccNctId AS expanded_access_pointer_count,
    {_STATUS}.studyFirstSubmitQcDate AS study_first_submitted_qc_date,
    {_STATUS}.studyFirstPostDateStruct.type AS study_first_posted_date_type,
    {_STATUS}.resultsWaived AS results_waived,
    {_STATUS}.resultsFirstSubmitDate AS results_first_submitted_date,
    {_STATUS}.resultsFirstSubmitQcDate AS results_first_submitted_qc_date,
    {_STATUS}.resultsFirstPostDateStruct.type AS results_first_posted_date_type,
    {_STATUS}.dispFirstSubmitDate AS disposition_first_submitted_date,
    {_STATUS}.dispFirstSubmitQcDate AS disposition_first_submitted_qc_date,
    {_STATUS}.dispFirstPostDateStruct.date AS disposition_first_posted_date,
    {_STATUS}.dispFirstPostDateStruct.type AS disposition_first_posted_date_type,
    {_P}.oversightModule.oversightHasDmc AS has_dmc,
    {_P}.oversightModule.isFdaRegulatedDrug AS is_fda_regulated_drug,
    {_P}.oversightModule.isFdaRegulatedDevice AS is_fda_regulated_device,
    {_P}.oversightModule.isUnapprovedDevice AS is_unapproved_device,
    {_P}.oversightModule.isPpsd AS is_ppsd,
    {_P}.oversightModule.isUsExport AS is_us_export,
    {_P}.oversightModule.fdaaa801Violation AS fdaaa801_violation,
    {_P}.descriptionModule.detailedDescription AS detailed_description,
    {_DESIGN}.patientRegistry AS patient_registry,
    {_DESIGN}.targetDuration AS target_duration,
    {_DESIGN}.designInfo.interventionModelDescription AS intervention_model_description,
    {_DESIGN}.designInfo.maskingInfo.maskingDescription AS masking_description,
    {_DESIGN}.designInfo.maskingInfo.whoMasked AS who_masked,
    {_DESIGN}.bioSpec.retention AS biospec_retention,
    {_DESIGN}.bioSpec.description AS biospec_description,
    {_P}.eligibilityModule.genderDescription AS gender_description,
    {_P}.eligibilityModule.studyPopulation AS study_population,
    {_P}.eligibilityModule.samplingMethod AS sampling_method,
    {_IPD}.ipdSharing AS ipd_sharing,
    {_IPD}.description AS ipd_description,
    {_IPD}.infoTypes AS ipd_info_types,
    {_IPD}.timeFrame AS ipd_time_frame,
    {_IPD}.accessCriteria AS ipd_access_criteria,
    {_IPD}.url AS ipd_url,
    j.derivedSection.miscInfoModule.removedCountries AS removed_countries,
    j.derivedSection.miscInfoModule.submissionTracking.estimatedResultsFirstSubmitDate
        AS estimated_results_first_submitted_date,
    j.derivedSection.miscInfoModule.submissionTracking.firstMcpInfo.postDateStruct.date
        AS first_mcp_posted_date,
    j.derivedSection.miscInfoModule.submissionTracking.firstMcpInfo.postDateStruct.type
        AS first_mcp_posted_date_type,
    {_ANNOTATION}.unpostedAnnotation.unpostedResponsibleParty AS unposted_responsible_party,
    {_DOCS}.noSap AS no_sap
FROM aact_raw
""",
    f"""
INSERT INTO trial_responsible_parties BY NAME
SELECT nct_id, p.type, p.investigatorFullName AS investigator_full_name,
    p.investigatorTitle AS investigator_title, p.investigatorAffiliation AS investigator_affiliation,
    p.oldNameTitle AS old_name_title, p.oldOrganization AS old_organization
FROM (SELECT nct_id, {_P}.sponsorCollaboratorsModule.responsibleParty AS p FROM aact_raw)
WHERE p IS NOT NULL
""",
    _insert(
        "trial_secondary_ids",
        {"s": _each("s", f"{_P}.identificationModule.secondaryIdInfos")},
        "SELECT nct_id, s.i AS ordinal, s.x.id AS secondary_id, s.x.type AS type, s.x.domain AS domain,"
        " s.x.link AS link FROM s",
    ),
    _insert(
        "trial_arms",
        {"a": _each("a", f"{_ARMS}.armGroups")},
        "SELECT nct_id, a.i AS ordinal, a.x.label AS label, a.x.type AS type,"
        " a.x.description AS description, a.x.interventionNames AS intervention_names FROM a",
    ),
    _insert(
        "trial_arm_interventions",
        {
            "a": _each("a", f"{_ARMS}.armGroups"),
            "arm": "SELECT nct_id, a.x.label AS label, min(a.i) AS arm_ordinal FROM a GROUP BY ALL",
            "v": _each("v", f"{_ARMS}.interventions"),
            "l": "SELECT nct_id, v.i AS intervention_ordinal, v.x.type AS intervention_type,"
            f" v.x.name AS intervention_name, {_items('v.x.armGroupLabels')} AS l FROM v",
        },
        "SELECT l_rows.nct_id, intervention_ordinal, l.i AS label_ordinal, l.x AS arm_label,"
        " arm_rows.arm_ordinal, intervention_type, intervention_name"
        " FROM l LEFT JOIN arm ON arm_rows.nct_id = l_rows.nct_id AND arm_rows.label = l.x",
    ),
    _insert(
        "trial_central_contacts",
        {"c": _each("c", f"{_P}.contactsLocationsModule.centralContacts")},
        "SELECT nct_id, c.i AS ordinal, c.x.name AS name, c.x.role AS role, c.x.phone AS phone,"
        " c.x.phoneExt AS phone_ext, c.x.email AS email FROM c",
    ),
    _insert(
        "trial_officials",
        {"o": _each("o", f"{_P}.contactsLocationsModule.overallOfficials")},
        "SELECT nct_id, o.i AS ordinal, o.x.name AS name, o.x.affiliation AS affiliation,"
        " o.x.role AS role FROM o",
    ),
    _insert(
        "trial_references",
        {"r": _each("r", f"{_REFS}.references")},
        "SELECT nct_id, r.i AS ordinal, r.x.pmid AS pmid, r.x.type AS type, r.x.citation AS citation FROM r",
    ),
    _insert(
        "trial_retractions",
        {
            "r": _each("r", f"{_REFS}.references"),
            "t": f"SELECT nct_id, r.i AS reference_ordinal, {_items('r.x.retractions')} AS t FROM r",
        },
        "SELECT nct_id, reference_ordinal, t.i AS ordinal, t.x.pmid AS pmid, t.x.source AS source FROM t",
    ),
    _insert(
        "trial_links",
        {"s": _each("s", f"{_REFS}.seeAlsoLinks")},
        "SELECT nct_id, s.i AS ordinal, s.x.label AS label, s.x.url AS url FROM s",
    ),
    _insert(
        "trial_ipd_documents",
        {"d": _each("d", f"{_REFS}.availIpds")},
        "SELECT nct_id, d.i AS ordinal, d.x.id AS document_id, d.x.type AS type, d.x.url AS url,"
        " d.x.comment AS comment FROM d",
    ),
)

RESULTS_FROM_RAW = (
    f"""
INSERT INTO trial_results BY NAME
SELECT nct_id,
    {_FLOW}.recruitmentDetails AS flow_recruitment_details,
    {_FLOW}.preAssignmentDetails AS flow_pre_assignment_details,
    {_FLOW}.typeUnitsAnalyzed AS flow_units_analyzed,
    {_BASE}.populationDescription AS baseline_population,
    {_BASE}.typeUnitsAnalyzed AS baseline_units_analyzed,
    {_AE}.timeFrame AS ae_time_frame,
    {_AE}.frequencyThreshold AS ae_frequency_threshold,
    {_AE}.description AS ae_description,
    {_AE}.allCauseMortalityComment AS ae_all_cause_mortality_comment,
    {_MORE}.limitationsAndCaveats.description AS limitations_and_caveats,
    {_MORE}.certainAgreement.piSponsorEmployee AS pi_sponsor_employee,
    {_MORE}.certainAgreement.restrictiveAgreement AS restrictive_agreement,
    {_MORE}.certainAgreement.restrictionType AS restriction_type,
    {_MORE}.certainAgreement.otherDetails AS agreement_other_details,
    {_MORE}.pointOfContact.title AS contact_title,
    {_MORE}.pointOfContact.organization AS contact_organization,
    {_MORE}.pointOfContact.email AS contact_email,
    {_MORE}.pointOfContact.phone AS contact_phone,
    {_MORE}.pointOfContact.phoneExt AS contact_phone_ext
FROM aact_raw WHERE j.resultsSection IS NOT NULL
""",
    # participant flow
    _groups("trial_flow_groups", f"{_FLOW}.groups"),
    _insert(
        "trial_flow_periods",
        {"p": _each("p", f"{_FLOW}.periods")},
        "SELECT nct_id, p.i AS ordinal, p.x.title AS title FROM p",
    ),
    _insert(
        "trial_flow_milestones",
        {
            "p": _each("p", f"{_FLOW}.periods"),
            "m": f"SELECT nct_id, p.i AS period_ordinal, {_items('p.x.milestones')} AS m FROM p",
            "a": "SELECT nct_id, period_ordinal, m.i AS milestone_ordinal, m.x.type AS milestone,"
            f" m.x.comment AS milestone_comment, {_items('m.x.achievements')} AS a FROM m",
        },
        "SELECT nct_id, period_ordinal, milestone_ordinal, a.i AS ordinal, milestone, milestone_comment,"
        " a.x.groupId AS group_id, a.x.comment AS comment,"
        " TRY_CAST(a.x.numSubjects AS INTEGER) AS num_subjects,"
        " TRY_CAST(a.x.numUnits AS INTEGER) AS num_units FROM a",
    ),
    _insert(
        "trial_flow_drop_withdrawals",
        {
            "p": _each("p", f"{_FLOW}.periods"),
            "w": f"SELECT nct_id, p.i AS period_ordinal, {_items('p.x.dropWithdraws')} AS w FROM p",
            "r": "SELECT nct_id, period_ordinal, w.i AS reason_ordinal, w.x.type AS reason,"
            f" w.x.comment AS reason_comment, {_items('w.x.reasons')} AS r FROM w",
        },
        "SELECT nct_id, period_ordinal, reason_ordinal, r.i AS ordinal, reason, reason_comment,"
        " r.x.groupId AS group_id, r.x.comment AS comment,"
        " TRY_CAST(r.x.numSubjects AS INTEGER) AS num_subjects FROM r",
    ),
    # baseline characteristics
    _groups("trial_baseline_groups", f"{_BASE}.groups"),
    _insert(
        "trial_baseline_denoms",
        _denom_rows(f"{_BASE}.denoms", "nct_id", "aact_raw"),
        f"SELECT nct_id, 'module' AS scope, 0 AS measure_ordinal, 0 AS class_ordinal, {_DENOM_COLUMNS}"
        " FROM c",
    ),
    _insert(
        "trial_baseline_measures",
        {"m": _each("m", f"{_BASE}.measures")},
        f"SELECT nct_id, m.i AS ordinal, {_measure_columns('m')} FROM m",
    ),
    _insert(
        "trial_baseline_denoms",
        {
            "m": _each("m", f"{_BASE}.measures"),
            "mm": "SELECT nct_id, m.i AS measure_ordinal, m.x.denoms AS denoms FROM m",
            **_denom_rows("denoms", "nct_id, measure_ordinal", "mm"),
        },
        f"SELECT nct_id, measure_ordinal, 'measure' AS scope, 0 AS class_ordinal, {_DENOM_COLUMNS} FROM c",
    ),
    *_measure_tables("baseline", f"{_BASE}.measures", "measure_ordinal"),
    # outcome measures
    _insert(
        "trial_outcome_measures",
        {"m": _each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures")},
        f"SELECT nct_id, m.i AS ordinal, m.x.type AS type, {_measure_columns('m')},"
        " m.x.reportingStatus AS reporting_status, m.x.anticipatedPostingDate AS anticipated_posting_date,"
        " m.x.timeFrame AS time_frame, m.x.typeUnitsAnalyzed AS type_units_analyzed FROM m",
    ),
    _insert(
        "trial_outcome_groups",
        {
            "m": _each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures"),
            "g": f"SELECT nct_id, m.i AS outcome_ordinal, {_items('m.x.groups')} AS g FROM m",
        },
        "SELECT nct_id, outcome_ordinal, g.i AS ordinal, g.x.id AS group_id, g.x.title AS title,"
        " g.x.description AS description FROM g",
    ),
    _insert(
        "trial_outcome_denoms",
        {
            "m": _each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures"),
            "mm": "SELECT nct_id, m.i AS outcome_ordinal, m.x.denoms AS denoms FROM m",
            **_denom_rows("denoms", "nct_id, outcome_ordinal", "mm"),
        },
        f"SELECT nct_id, outcome_ordinal, 'measure' AS scope, 0 AS class_ordinal, {_DENOM_COLUMNS} FROM c",
    ),
    *_measure_tables("outcome", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures", "outcome_ordinal"),
    _insert(
        "trial_outcome_analyses",
        {
            "m": _each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures"),
            "a": f"SELECT nct_id, m.i AS outcome_ordinal, {_items('m.x.analyses')} AS a FROM m",
        },
        "SELECT nct_id, outcome_ordinal, a.i AS ordinal, a.x.groupIds AS group_ids,"
        " a.x.groupDescription AS group_description, a.x.testedNonInferiority AS tested_non_inferiority,"
        " a.x.nonInferiorityType AS non_inferiority_type,"
        " a.x.nonInferiorityComment AS non_inferiority_comment,"
        " a.x.pValue AS p_value,"
        f" nullif(regexp_extract(a.x.pValue, '{_P_VALUE_SIGN}', 1), '') AS p_value_modifier,"
        f" TRY_CAST(regexp_replace(a.x.pValue, '{_P_VALUE_SIGN}', '') AS DOUBLE) AS p_value_num,"
        " a.x.pValueComment AS p_value_comment, a.x.statisticalMethod AS statistical_method,"
        " a.x.statisticalComment AS statistical_comment, a.x.paramType AS param_type,"
        f" a.x.paramValue AS param_value, {_num('a.x.paramValue')} AS param_value_num,"
        " a.x.dispersionType AS dispersion_type, a.x.dispersionValue AS dispersion_value,"
        " a.x.ciPctValue AS ci_pct_value, a.x.ciNumSides AS ci_num_sides,"
        " a.x.ciLowerLimit AS ci_lower_limit, a.x.ciUpperLimit AS ci_upper_limit,"
        " a.x.ciLowerLimitComment AS ci_lower_limit_comment,"
        " a.x.ciUpperLimitComment AS ci_upper_limit_comment,"
        " a.x.estimateComment AS estimate_comment, a.x.otherAnalysisDescription AS other_analysis_description"
        " FROM a",
    ),
    # adverse events
    _groups(
        "trial_event_groups",
        f"{_AE}.eventGroups",
        ", g.x.deathsNumAffected AS deaths_num_affected, g.x.deathsNumAtRisk AS deaths_num_at_risk,"
        " g.x.seriousNumAffected AS serious_num_affected, g.x.seriousNumAtRisk AS serious_num_at_risk,"
        " g.x.otherNumAffected AS other_num_affected, g.x.otherNumAtRisk AS other_num_at_risk",
    ),
    *(
        statement
        for kind, events in (("serious", f"{_AE}.seriousEvents"), ("other", f"{_AE}.otherEvents"))
        for statement in (
            _insert(
                "trial_adverse_events",
                {"e": _each("e", events)},
                f"SELECT nct_id, '{kind}' AS kind, e.i AS ordinal, e.x.term AS term,"
                " e.x.organSystem AS organ_system, e.x.sourceVocabulary AS source_vocabulary,"
                " e.x.assessmentType AS assessment_type, e.x.notes AS notes FROM e",
            ),
            _insert(
                "trial_adverse_event_counts",
                {
                    "e": _each("e", events),
                    "s": f"SELECT nct_id, e.i AS event_ordinal, {_items('e.x.stats')} AS s FROM e",
                },
                f"SELECT nct_id, '{kind}' AS kind, event_ordinal, s.i AS ordinal, s.x.groupId AS group_id,"
                " s.x.numEvents AS num_events, s.x.numAffected AS num_affected,"
                " s.x.numAtRisk AS num_at_risk FROM s",
            ),
        )
    ),
)

ANNOTATIONS_AND_DOCUMENTS_FROM_RAW = (
    _insert(
        "trial_unposted_events",
        {"e": _each("e", f"{_ANNOTATION}.unpostedAnnotation.unpostedEvents")},
        "SELECT nct_id, e.i AS ordinal, e.x.type AS type, e.x.date AS date, e.x.dateUnknown AS date_unknown"
        " FROM e",
    ),
    _insert(
        "trial_violation_events",
        {"e": _each("e", f"{_ANNOTATION}.violationAnnotation.violationEvents")},
        "SELECT nct_id, e.i AS ordinal, e.x.type AS type, e.x.description AS description,"
        " e.x.creationDate AS creation_date, e.x.issuedDate AS issued_date,"
        " e.x.releaseDate AS release_date, e.x.postedDate AS posted_date FROM e",
    ),
    _insert(
        "trial_documents",
        {"d": _each("d", f"{_DOCS}.largeDocs")},
        "SELECT nct_id, d.i AS ordinal, d.x.typeAbbrev AS type_abbrev, d.x.hasProtocol AS has_protocol,"
        " d.x.hasSap AS has_sap, d.x.hasIcf AS has_icf, d.x.label AS label, d.x.date AS date,"
        " d.x.uploadDate AS upload_date, d.x.filename AS filename, d.x.size AS size,"
        " 'https://cdn.clinicaltrials.gov/large-docs/' || right(nct_id, 2) || '/' || nct_id || '/'"
        " || d.x.filename AS url FROM d",
    ),
)

FROM_STAGE = (
    PARSE_RAW,
    *PROTOCOL_FROM_RAW,
    *RESULTS_FROM_RAW,
    *ANNOTATIONS_AND_DOCUMENTS_FROM_RAW,
    "DROP TABLE aact_raw",
)
"""Run in order after the store's CHILDREN_FROM_STAGE, in the same transaction, while ``stage`` exists."""
