"""The statements that fill the results tables (participant flow, baseline, outcomes, adverse events)
and the annotation and document tables from ``aact_raw``. Pure text, no DuckDB import."""

from __future__ import annotations

from pipeline.aact_sql import (
    AE,
    ANNOTATION,
    BASE,
    DENOM_COLUMNS,
    DOCS,
    FLOW,
    MORE,
    P_VALUE_SIGN,
    denom_rows,
    each,
    groups,
    insert,
    items,
    measure_columns,
    measure_tables,
    num,
)

RESULTS_FROM_RAW = (
    f"""
INSERT INTO trial_results BY NAME
SELECT nct_id,
    {FLOW}.recruitmentDetails AS flow_recruitment_details,
    {FLOW}.preAssignmentDetails AS flow_pre_assignment_details,
    {FLOW}.typeUnitsAnalyzed AS flow_units_analyzed,
    {BASE}.populationDescription AS baseline_population,
    {BASE}.typeUnitsAnalyzed AS baseline_units_analyzed,
    {AE}.timeFrame AS ae_time_frame,
    {AE}.frequencyThreshold AS ae_frequency_threshold,
    {AE}.description AS ae_description,
    {AE}.allCauseMortalityComment AS ae_all_cause_mortality_comment,
    {MORE}.limitationsAndCaveats.description AS limitations_and_caveats,
    {MORE}.certainAgreement.piSponsorEmployee AS pi_sponsor_employee,
    {MORE}.certainAgreement.restrictiveAgreement AS restrictive_agreement,
    {MORE}.certainAgreement.restrictionType AS restriction_type,
    {MORE}.certainAgreement.otherDetails AS agreement_other_details,
    {MORE}.pointOfContact.title AS contact_title,
    {MORE}.pointOfContact.organization AS contact_organization,
    {MORE}.pointOfContact.email AS contact_email,
    {MORE}.pointOfContact.phone AS contact_phone,
    {MORE}.pointOfContact.phoneExt AS contact_phone_ext
FROM aact_raw WHERE j.resultsSection IS NOT NULL
""",
    # participant flow
    groups("trial_flow_groups", f"{FLOW}.groups"),
    insert(
        "trial_flow_periods",
        {"p": each("p", f"{FLOW}.periods")},
        "SELECT nct_id, p.i AS ordinal, p.x.title AS title FROM p",
    ),
    insert(
        "trial_flow_milestones",
        {
            "p": each("p", f"{FLOW}.periods"),
            "m": f"SELECT nct_id, p.i AS period_ordinal, {items('p.x.milestones')} AS m FROM p",
            "a": "SELECT nct_id, period_ordinal, m.i AS milestone_ordinal, m.x.type AS milestone,"
            f" m.x.comment AS milestone_comment, {items('m.x.achievements')} AS a FROM m",
        },
        "SELECT nct_id, period_ordinal, milestone_ordinal, a.i AS ordinal, milestone, milestone_comment,"
        " a.x.groupId AS group_id, a.x.comment AS comment,"
        " TRY_CAST(a.x.numSubjects AS INTEGER) AS num_subjects,"
        " TRY_CAST(a.x.numUnits AS INTEGER) AS num_units FROM a",
    ),
    insert(
        "trial_flow_drop_withdrawals",
        {
            "p": each("p", f"{FLOW}.periods"),
            "w": f"SELECT nct_id, p.i AS period_ordinal, {items('p.x.dropWithdraws')} AS w FROM p",
            "r": "SELECT nct_id, period_ordinal, w.i AS reason_ordinal, w.x.type AS reason,"
            f" w.x.comment AS reason_comment, {items('w.x.reasons')} AS r FROM w",
        },
        "SELECT nct_id, period_ordinal, reason_ordinal, r.i AS ordinal, reason, reason_comment,"
        " r.x.groupId AS group_id, r.x.comment AS comment,"
        " TRY_CAST(r.x.numSubjects AS INTEGER) AS num_subjects FROM r",
    ),
    # baseline characteristics
    groups("trial_baseline_groups", f"{BASE}.groups"),
    insert(
        "trial_baseline_denoms",
        denom_rows(f"{BASE}.denoms", "nct_id", "aact_raw"),
        f"SELECT nct_id, 'module' AS scope, 0 AS measure_ordinal, 0 AS class_ordinal, {DENOM_COLUMNS} FROM c",
    ),
    insert(
        "trial_baseline_measures",
        {"m": each("m", f"{BASE}.measures")},
        f"SELECT nct_id, m.i AS ordinal, {measure_columns('m')} FROM m",
    ),
    insert(
        "trial_baseline_denoms",
        {
            "m": each("m", f"{BASE}.measures"),
            "mm": "SELECT nct_id, m.i AS measure_ordinal, m.x.denoms AS denoms FROM m",
            **denom_rows("denoms", "nct_id, measure_ordinal", "mm"),
        },
        f"SELECT nct_id, measure_ordinal, 'measure' AS scope, 0 AS class_ordinal, {DENOM_COLUMNS} FROM c",
    ),
    *measure_tables("baseline", f"{BASE}.measures", "measure_ordinal"),
    # outcome measures
    insert(
        "trial_outcome_measures",
        {"m": each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures")},
        f"SELECT nct_id, m.i AS ordinal, m.x.type AS type, {measure_columns('m')},"
        " m.x.reportingStatus AS reporting_status, m.x.anticipatedPostingDate AS anticipated_posting_date,"
        " m.x.timeFrame AS time_frame, m.x.typeUnitsAnalyzed AS type_units_analyzed FROM m",
    ),
    insert(
        "trial_outcome_groups",
        {
            "m": each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures"),
            "g": f"SELECT nct_id, m.i AS outcome_ordinal, {items('m.x.groups')} AS g FROM m",
        },
        "SELECT nct_id, outcome_ordinal, g.i AS ordinal, g.x.id AS group_id, g.x.title AS title,"
        " g.x.description AS description FROM g",
    ),
    insert(
        "trial_outcome_denoms",
        {
            "m": each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures"),
            "mm": "SELECT nct_id, m.i AS outcome_ordinal, m.x.denoms AS denoms FROM m",
            **denom_rows("denoms", "nct_id, outcome_ordinal", "mm"),
        },
        f"SELECT nct_id, outcome_ordinal, 'measure' AS scope, 0 AS class_ordinal, {DENOM_COLUMNS} FROM c",
    ),
    *measure_tables("outcome", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures", "outcome_ordinal"),
    insert(
        "trial_outcome_analyses",
        {
            "m": each("m", "j.resultsSection.outcomeMeasuresModule.outcomeMeasures"),
            "a": f"SELECT nct_id, m.i AS outcome_ordinal, {items('m.x.analyses')} AS a FROM m",
        },
        "SELECT nct_id, outcome_ordinal, a.i AS ordinal, a.x.groupIds AS group_ids,"
        " a.x.groupDescription AS group_description, a.x.testedNonInferiority AS tested_non_inferiority,"
        " a.x.nonInferiorityType AS non_inferiority_type,"
        " a.x.nonInferiorityComment AS non_inferiority_comment,"
        " a.x.pValue AS p_value,"
        f" nullif(regexp_extract(a.x.pValue, '{P_VALUE_SIGN}', 1), '') AS p_value_modifier,"
        f" TRY_CAST(regexp_replace(a.x.pValue, '{P_VALUE_SIGN}', '') AS DOUBLE) AS p_value_num,"
        " a.x.pValueComment AS p_value_comment, a.x.statisticalMethod AS statistical_method,"
        " a.x.statisticalComment AS statistical_comment, a.x.paramType AS param_type,"
        f" a.x.paramValue AS param_value, {num('a.x.paramValue')} AS param_value_num,"
        " a.x.dispersionType AS dispersion_type, a.x.dispersionValue AS dispersion_value,"
        " a.x.ciPctValue AS ci_pct_value, a.x.ciNumSides AS ci_num_sides,"
        " a.x.ciLowerLimit AS ci_lower_limit, a.x.ciUpperLimit AS ci_upper_limit,"
        " a.x.ciLowerLimitComment AS ci_lower_limit_comment,"
        " a.x.ciUpperLimitComment AS ci_upper_limit_comment,"
        " a.x.estimateComment AS estimate_comment, a.x.otherAnalysisDescription AS other_analysis_description"
        " FROM a",
    ),
    # adverse events
    groups(
        "trial_event_groups",
        f"{AE}.eventGroups",
        ", g.x.deathsNumAffected AS deaths_num_affected, g.x.deathsNumAtRisk AS deaths_num_at_risk,"
        " g.x.seriousNumAffected AS serious_num_affected, g.x.seriousNumAtRisk AS serious_num_at_risk,"
        " g.x.otherNumAffected AS other_num_affected, g.x.otherNumAtRisk AS other_num_at_risk",
    ),
    *(
        statement
        for kind, events in (("serious", f"{AE}.seriousEvents"), ("other", f"{AE}.otherEvents"))
        for statement in (
            insert(
                "trial_adverse_events",
                {"e": each("e", events)},
                f"SELECT nct_id, '{kind}' AS kind, e.i AS ordinal, e.x.term AS term,"
                " e.x.organSystem AS organ_system, e.x.sourceVocabulary AS source_vocabulary,"
                " e.x.assessmentType AS assessment_type, e.x.notes AS notes FROM e",
            ),
            insert(
                "trial_adverse_event_counts",
                {
                    "e": each("e", events),
                    "s": f"SELECT nct_id, e.i AS event_ordinal, {items('e.x.stats')} AS s FROM e",
                },
                f"SELECT nct_id, '{kind}' AS kind, event_ordinal, s.i AS ordinal, s.x.groupId AS group_id,"
                " s.x.numEvents AS num_events, s.x.numAffected AS num_affected,"
                " s.x.numAtRisk AS num_at_risk FROM s",
            ),
        )
    ),
)

ANNOTATIONS_AND_DOCUMENTS_FROM_RAW = (
    insert(
        "trial_unposted_events",
        {"e": each("e", f"{ANNOTATION}.unpostedAnnotation.unpostedEvents")},
        "SELECT nct_id, e.i AS ordinal, e.x.type AS type, e.x.date AS date, e.x.dateUnknown AS date_unknown"
        " FROM e",
    ),
    insert(
        "trial_violation_events",
        {"e": each("e", f"{ANNOTATION}.violationAnnotation.violationEvents")},
        "SELECT nct_id, e.i AS ordinal, e.x.type AS type, e.x.description AS description,"
        " e.x.creationDate AS creation_date, e.x.issuedDate AS issued_date,"
        " e.x.releaseDate AS release_date, e.x.postedDate AS posted_date FROM e",
    ),
    insert(
        "trial_documents",
        {"d": each("d", f"{DOCS}.largeDocs")},
        "SELECT nct_id, d.i AS ordinal, d.x.typeAbbrev AS type_abbrev, d.x.hasProtocol AS has_protocol,"
        " d.x.hasSap AS has_sap, d.x.hasIcf AS has_icf, d.x.label AS label, d.x.date AS date,"
        " d.x.uploadDate AS upload_date, d.x.filename AS filename, d.x.size AS size,"
        " 'https://cdn.clinicaltrials.gov/large-docs/' || right(nct_id, 2) || '/' || nct_id || '/'"
        " || d.x.filename AS url FROM d",
    ),
)
