"""The part of a raw API record the AACT-parity tables read, as one DuckDB JSON structure, and the
statement that parses each staged record into it once (``aact_raw``). Pure text, no DuckDB import."""

from __future__ import annotations

import json
from typing import Any

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
