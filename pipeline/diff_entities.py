"""How the differ matches the items of entity lists (sites, contacts, officials, interventions, ...) by
identity, never by position, and which lists and fields it treats as one fact or not at all. Pure."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.diff_text import fold
from pipeline.models import Contact, GeoPoint, Location, identity_key

Signature = Callable[[Any], str | None]
Accept = Callable[[Any, Any], bool]


def _always(_old: Any, _new: Any) -> bool:
    return True


@dataclass(frozen=True)
class EntitySpec:
    """How to match the items of one list: identity, display name, and looser pairings."""

    key: Callable[[Any], str]
    """Identity; duplicates are matched by content, then in order."""
    label: Callable[[Any], str]
    path_key: Callable[[Any], str] | None = None
    """The key written in the path, when the model carries one (Location.key); else ``key``."""
    pairings: tuple[tuple[Signature, Accept], ...] = ()
    """Tried in order on unmatched items: a signature unique on both sides pairs them if accepted."""
    skip: frozenset[str] = frozenset()


def _location_label(loc: Location) -> str:
    return ", ".join(part for part in (loc.facility, loc.city, loc.state, loc.country) if part)


def _location_base_key(loc: Location) -> str:
    # The normalizer numbers repeated sites (#2); match on the unnumbered identity, then by content.
    return identity_key(loc.facility, loc.city, loc.state, loc.country, loc.zip)


def _near(old: Location, new: Location) -> bool:
    """Both sites geocoded within 25 km of each other (same place, renamed city)."""
    if old.geo_point is None or new.geo_point is None:
        return False
    return _km(old.geo_point, new.geo_point) <= 25.0


def _km(a: GeoPoint, b: GeoPoint) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _with_zip(*fields: str) -> Signature:
    def signature(loc: Location) -> str | None:
        return fold(*(getattr(loc, name) for name in fields)) if loc.zip else None

    return signature


_LOCATION = EntitySpec(
    key=_location_base_key,
    label=_location_label,
    path_key=lambda loc: loc.key,
    pairings=(
        # ClinicalTrials.gov re-geocodes addresses (Taichung City -> Taichung, states dropped): the same
        # facility at the same postcode, or in the same city, or a few km away, is the same site.
        (_with_zip("facility", "country", "zip"), _always),
        (lambda loc: fold(loc.facility, loc.country, loc.city), _always),
        (_with_zip("country", "zip", "city"), _always),
        (lambda loc: fold(loc.facility, loc.country), _near),
    ),
    skip=frozenset({"key"}),
)


def _contact_label(contact: Contact) -> str:
    return contact.name or contact.email or contact.phone or "(unnamed)"


_CONTACT = EntitySpec(
    key=lambda c: c.key,
    label=_contact_label,
    # the same person with a new phone or email is an edit, not a removal and an addition
    pairings=((lambda c: fold(c.name) if c.name else None, _always),),
)

ENTITIES: dict[str, EntitySpec] = {
    "locations": _LOCATION,
    "locations[*].contacts": _CONTACT,
    "central_contacts": _CONTACT,
    "overall_officials": EntitySpec(
        key=lambda o: identity_key(o.name, o.affiliation),
        label=lambda o: o.name or o.affiliation or "(unnamed)",
        pairings=(
            (lambda o: fold(o.name) if o.name else None, _always),
            (lambda o: fold(o.role, o.affiliation) if o.role else None, _always),
        ),
    ),
    "interventions": EntitySpec(
        key=lambda i: i.key,
        label=lambda i: i.name,
        pairings=((lambda i: fold(i.name), _always),),
    ),
    "arm_groups": EntitySpec(key=lambda a: identity_key(a.label), label=lambda a: a.label),
    "outcomes": EntitySpec(key=lambda o: identity_key(o.measure), label=lambda o: o.measure),
    "collaborators": EntitySpec(key=lambda o: identity_key(o.name), label=lambda o: o.name),
    "secondary_ids": EntitySpec(key=lambda s: identity_key(s.id), label=lambda s: s.id),
    "references": EntitySpec(
        key=lambda r: identity_key(r.pmid) if r.pmid else identity_key(r.citation),
        label=lambda r: r.citation or f"PMID {r.pmid}",
    ),
    "see_also_links": EntitySpec(
        key=lambda link: identity_key(link.url, link.label), label=lambda link: link.label or link.url or ""
    ),
    "available_ipds": EntitySpec(
        key=lambda ipd: identity_key(ipd.id, ipd.type, ipd.url), label=lambda ipd: ipd.type or ipd.id or ""
    ),
    "condition_mesh_terms": EntitySpec(key=lambda m: m.id, label=lambda m: m.term),
    "intervention_mesh_terms": EntitySpec(key=lambda m: m.id, label=lambda m: m.term),
}

# Lists whose whole value is one fact ("Phase 1, Phase 2"): one change with both lists, order ignored.
VALUE_LISTS = frozenset(
    {
        "phases",
        "eligibility.std_ages",
        "design.who_masked",
        "design.expanded_access_types",
        "ipd_sharing.info_types",
    }
)
# Not facts of their own: the criteria (text, structure, flat lists) are compared apart, through their
# structure (``criteria_changes``); a site's key is its identity.
NOT_COMPARED = frozenset(
    {
        "eligibility.criteria",
        "eligibility.structure",
        "eligibility.inclusion",
        "eligibility.exclusion",
        "locations[*].key",
    }
)
# Values ClinicalTrials.gov computes and whose sub-fields mean nothing apart.
ATOMIC = (GeoPoint,)
