"""The normalizer's mappings of the record's later modules: contacts and sites, arms, outcomes,
references, IPD sharing, oversight, sponsors and MeSH terms. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.models import identity_key
from pipeline.normalize_values import EnumCheck, rich, text, texts, trial_date

Raw = Mapping[str, Any]


def contacts_fields(module: Raw, enum: EnumCheck) -> dict[str, Any]:
    return {
        "overall_officials": [
            {
                "name": text(item.get("name")),
                "affiliation": text(item.get("affiliation")),
                "role": enum("OfficialRole", "overall_officials.role", item.get("role")),
            }
            for item in module.get("overallOfficials", ())
        ],
        "central_contacts": [_contact(item, enum) for item in module.get("centralContacts", ())],
        "locations": _locations(module.get("locations", ()), enum),
    }


def _locations(items: Any, enum: EnumCheck) -> list[dict[str, Any]]:
    locations = []
    seen: dict[str, int] = {}
    for item in items:
        site = {
            "facility": text(item.get("facility")),
            "city": text(item.get("city")),
            "state": text(item.get("state")),
            "zip": text(item.get("zip")),
            "country": text(item.get("country")),
        }
        key = identity_key(site["facility"], site["city"], site["state"], site["country"], site["zip"])
        # The same site listed twice is indistinguishable; number the repeats so keys stay unique.
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        geo = item.get("geoPoint")
        locations.append(
            {
                "key": key,
                **site,
                "status": enum("RecruitmentStatus", "locations.status", item.get("status")),
                "geo_point": None if geo is None else {"lat": geo["lat"], "lon": geo["lon"]},
                "contacts": [_contact(contact, enum) for contact in item.get("contacts", ())],
            }
        )
    return locations


def _contact(item: Raw, enum: EnumCheck) -> dict[str, Any]:
    return {
        "name": text(item.get("name")),
        "role": enum("ContactRole", "contacts.role", item.get("role")),
        "phone": text(item.get("phone")),
        "phone_ext": text(item.get("phoneExt")),
        "email": text(item.get("email")),
    }


def arms_fields(module: Raw, enum: EnumCheck) -> dict[str, Any]:
    return {
        "arm_groups": [
            {
                "label": text(item.get("label")) or "",
                "type": enum("ArmGroupType", "arm_groups.type", item.get("type")),
                "description": rich(item.get("description")),
                "intervention_names": texts(item.get("interventionNames")),
            }
            for item in module.get("armGroups", ())
        ],
        "interventions": [
            {
                "type": enum("InterventionType", "interventions.type", item.get("type")),
                "name": text(item.get("name")) or "",
                "description": rich(item.get("description")),
                "other_names": texts(item.get("otherNames")),
                "arm_group_labels": texts(item.get("armGroupLabels")),
            }
            for item in module.get("interventions", ())
        ],
    }


def outcomes(module: Raw) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "measure": text(item.get("measure")) or "",
            "description": rich(item.get("description")),
            "time_frame": text(item.get("timeFrame")),
        }
        for kind in ("primary", "secondary", "other")
        for item in module.get(f"{kind}Outcomes", ())
    ]


def references_fields(module: Raw) -> dict[str, Any]:
    return {
        "references": [
            {
                "pmid": text(item.get("pmid")),
                "type": text(item.get("type")),
                "citation": text(item.get("citation")),
                "retractions": [
                    {"pmid": text(r.get("pmid")), "source": text(r.get("source"))}
                    for r in item.get("retractions", ())
                ],
            }
            for item in module.get("references", ())
        ],
        "see_also_links": [
            {"label": rich(item.get("label")), "url": text(item.get("url"))}
            for item in module.get("seeAlsoLinks", ())
        ],
        "available_ipds": [
            {
                "id": text(item.get("id")),
                "type": text(item.get("type")),
                "url": text(item.get("url")),
                "comment": rich(item.get("comment")),
            }
            for item in module.get("availIpds", ())
        ],
    }


def ipd_sharing(module: Raw | None, enum: EnumCheck) -> dict[str, Any] | None:
    if module is None:
        return None
    return {
        "sharing": enum("IpdSharing", "ipd_sharing.sharing", module.get("ipdSharing")),
        "description": rich(module.get("description")),
        "info_types": tuple(
            enum("IpdSharingInfoType", "ipd_sharing.info_types", kind) for kind in module.get("infoTypes", ())
        ),
        "time_frame": rich(module.get("timeFrame")),
        "access_criteria": rich(module.get("accessCriteria")),
        "url": text(module.get("url")),
    }


def oversight(module: Raw) -> dict[str, Any]:
    return {
        "has_dmc": module.get("oversightHasDmc"),
        "is_fda_regulated_drug": module.get("isFdaRegulatedDrug"),
        "is_fda_regulated_device": module.get("isFdaRegulatedDevice"),
        "is_unapproved_device": module.get("isUnapprovedDevice"),
        "is_ppsd": module.get("isPpsd"),
        "is_us_export": module.get("isUsExport"),
        "fdaaa801_violation": module.get("fdaaa801Violation"),
    }


def organization(item: Raw | None, enum: EnumCheck) -> dict[str, Any] | None:
    if item is None:
        return None
    name = item.get("name", item.get("fullName"))
    return {"name": text(name) or "", "agency_class": enum("AgencyClass", "agency_class", item.get("class"))}


def responsible_party(item: Raw | None, enum: EnumCheck) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "type": enum("ResponsiblePartyType", "responsible_party.type", item.get("type")),
        "investigator_full_name": text(item.get("investigatorFullName")),
        "investigator_title": text(item.get("investigatorTitle")),
        "investigator_affiliation": text(item.get("investigatorAffiliation")),
        "old_name_title": text(item.get("oldNameTitle")),
        "old_organization": text(item.get("oldOrganization")),
    }


def mesh_terms(module: Raw) -> list[dict[str, str]]:
    # ClinicalTrials.gov does not keep derived MeSH lists in a stable order: sort them.
    terms = {(item["id"], item.get("term", "")) for item in module.get("meshes", ())}
    return [{"id": mesh_id, "term": term} for mesh_id, term in sorted(terms)]


def date_struct(status: Raw, name: str, enum: EnumCheck) -> dict[str, Any] | None:
    struct = status.get(name)
    if struct is None:
        return None
    parsed = trial_date(struct.get("date"), f"{name}.date")
    if parsed is not None:
        parsed["type"] = enum("DateType", f"{name}.type", struct.get("type"))
    return parsed
