"""A trial's page facts, in the words and forms of the editors' "Find a Trial" page. Pure: no I/O.

The page (a real one is in ``tests/fixtures/editorial/``) shows quick facts such as "Enrollment 46
(estimated)", "Ages 18 Years to 70 Years", "Sponsor Cancer Institute and Hospital, Chinese Academy of
Medical Sciences (other)" and "Locations 1 site (Beijing, Beijing)", then the eligibility criteria, where
the trial runs, contacts and conditions. ``page_facts`` builds exactly those from a canonical ``Trial``;
``facts_touched`` says which of them a change at a canonical field path alters, so the queue can say
"Quick facts: Enrollment, Locations".
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from pipeline.models import Location, Trial

# The quick facts, in the page's order and with the page's labels.
PHASE = "Phase"
STUDY_TYPE = "Study type"
ENROLLMENT = "Enrollment"
AGES = "Ages"
SEX = "Sex"
SPONSOR = "Sponsor"
INTERVENTIONS = "Drugs / interventions"
LOCATIONS = "Locations"
TRIAL_ID = "Trial ID"
QUICK_FACTS = (PHASE, STUDY_TYPE, ENROLLMENT, AGES, SEX, SPONSOR, INTERVENTIONS, LOCATIONS, TRIAL_ID)

# The page's other parts that come from the record.
TITLE = "Title"
OFFICIAL_TITLE = "Official title"
CRITERIA = "Eligibility criteria"
SITES = "Where this trial is running"
CONTACTS = "Study contacts"
CONDITIONS = "Conditions"
SECTIONS = (TITLE, OFFICIAL_TITLE, CRITERIA, SITES, CONTACTS, CONDITIONS)

_PLACES_SHOWN = 3
"""How many places "Locations" names before "and N more"."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QuickFact(_Model):
    label: str
    value: str


class CriteriaSection(_Model):
    heading: str
    items: tuple[str, ...]


class Site(_Model):
    key: str
    facility: str | None
    place: str
    status: str | None


class PageFacts(_Model):
    """Everything of a trial page that comes from ClinicalTrials.gov, as the page words it."""

    nct_id: str
    title: str | None
    official_title: str | None
    quick_facts: tuple[QuickFact, ...]
    criteria: tuple[CriteriaSection, ...]
    sites: tuple[Site, ...]
    conditions: tuple[str, ...]

    def fact(self, label: str) -> str:
        """The value of one quick fact by its label."""
        return next(fact.value for fact in self.quick_facts if fact.label == label)


def page_facts(trial: Trial) -> PageFacts:
    """The page facts of a trial, in the page's terms and forms."""
    return PageFacts(
        nct_id=trial.nct_id,
        title=trial.brief_title,
        official_title=trial.official_title,
        quick_facts=(
            QuickFact(label=PHASE, value=", ".join(trial.phases) or "N/A"),
            QuickFact(label=STUDY_TYPE, value=_words(trial.study_type) or "Not given"),
            QuickFact(label=ENROLLMENT, value=enrollment(trial)),
            QuickFact(label=AGES, value=ages(trial.eligibility.minimum_age, trial.eligibility.maximum_age)),
            QuickFact(label=SEX, value=_words(trial.eligibility.sex) or "Not given"),
            QuickFact(label=SPONSOR, value=sponsor(trial)),
            QuickFact(label=INTERVENTIONS, value=interventions(trial)),
            QuickFact(label=LOCATIONS, value=locations(trial.locations)),
            QuickFact(label=TRIAL_ID, value=f"{trial.nct_id} on ClinicalTrials.gov"),
        ),
        criteria=criteria_sections(trial),
        sites=tuple(
            Site(key=loc.key, facility=loc.facility, place=place(loc), status=loc.status)
            for loc in trial.locations
        ),
        conditions=trial.conditions,
    )


def enrollment(trial: Trial) -> str:
    """``46 (estimated)``, ``120 (actual)``, or the count alone when the record does not say which."""
    if trial.enrollment_count is None:
        return "Not given"
    kind = f" ({trial.enrollment_type.lower()})" if trial.enrollment_type else ""
    return f"{trial.enrollment_count}{kind}"


def interventions(trial: Trial) -> str:
    """``camrelizumab, radiation``: each name once (a drug given in two arms is listed twice)."""
    names = {" ".join(i.name.casefold().split()): i.name for i in reversed(trial.interventions)}
    return ", ".join(reversed(names.values())) or "None listed"


def ages(minimum: str | None, maximum: str | None) -> str:
    """``18 Years to 70 Years``, ``18 Years and older``, ``Up to 70 Years`` or ``Any age``."""
    if minimum and maximum:
        return f"{minimum} to {maximum}"
    if minimum:
        return f"{minimum} and older"
    if maximum:
        return f"Up to {maximum}"
    return "Any age"


def sponsor(trial: Trial) -> str:
    """``Cancer Institute and Hospital, Chinese Academy of Medical Sciences (other)``."""
    lead = trial.lead_sponsor
    if lead is None:
        return "Not given"
    return f"{lead.name} ({lead.agency_class.lower()})" if lead.agency_class else lead.name


def place(loc: Location) -> str:
    """``Beijing, Beijing``: the city and its state, or its country where the record gives no state."""
    parts = [loc.city, loc.state or loc.country]
    return ", ".join(part for part in parts if part) or "Place not given"


def locations(sites: tuple[Location, ...]) -> str:
    """``1 site (Beijing, Beijing)``, ``3 sites (Aurora, Colorado; Boston, Massachusetts)``."""
    if not sites:
        return "No sites listed"
    places = list(dict.fromkeys(place(loc) for loc in sites))
    shown = "; ".join(places[:_PLACES_SHOWN])
    if len(places) > _PLACES_SHOWN:
        shown += f" and {len(places) - _PLACES_SHOWN} more places"
    noun = "site" if len(sites) == 1 else "sites"
    return f"{len(sites)} {noun} ({shown})"


def criteria_sections(trial: Trial) -> tuple[CriteriaSection, ...]:
    """The criteria as the page lists them.

    The one place that reads the eligibility structure: today flat inclusion/exclusion tuples; when the
    record gains sections, groups and sub-items, only this function changes.
    """
    sections = (
        ("Inclusion Criteria", trial.eligibility.inclusion),
        ("Exclusion Criteria", trial.eligibility.exclusion),
    )
    return tuple(CriteriaSection(heading=heading, items=items) for heading, items in sections if items)


def _words(value: str | None) -> str | None:
    """``INTERVENTIONAL`` → ``Interventional``, ``EXPANDED_ACCESS`` → ``Expanded access``."""
    if not value:
        return None
    words = value.replace("_", " ").lower()
    return words[0].upper() + words[1:]


# --- which page facts a change touches ----------------------------------------------------------

_TOP_LEVEL: dict[str, tuple[str, ...]] = {
    "nct_id": (TRIAL_ID,),
    "brief_title": (TITLE,),
    "official_title": (OFFICIAL_TITLE,),
    "phases": (PHASE,),
    "study_type": (STUDY_TYPE,),
    "enrollment_count": (ENROLLMENT,),
    "enrollment_type": (ENROLLMENT,),
    "lead_sponsor": (SPONSOR,),
    "conditions": (CONDITIONS,),
    "central_contacts": (CONTACTS,),
}
_ELIGIBILITY: dict[str, tuple[str, ...]] = {
    "minimum_age": (AGES,),
    "maximum_age": (AGES,),
    "sex": (SEX,),
    "criteria": (CRITERIA,),
    "inclusion": (CRITERIA,),
    "exclusion": (CRITERIA,),
}
_SITE_PLACE = frozenset({"", "city", "state", "country"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def facts_touched(field: str) -> tuple[str, ...]:
    """The page facts a change at canonical path ``field`` alters (none for what the page leaves out).

    ``enrollment_count`` → Enrollment; ``locations[<key>]`` (a site added or removed) → Locations and the
    site list; ``locations[<key>].status`` → the site list; ``eligibility.inclusion[<item>]`` → criteria.
    """
    top = _NAME.match(field)
    if top is None:
        return ()
    name = top.group()
    if name == "eligibility":
        sub = _NAME.match(field, top.end() + 1)
        return _ELIGIBILITY.get(sub.group(), ()) if sub else ()
    if name == "locations":
        rest = _after_key(field, top.end())
        if rest.startswith("contacts"):
            return (CONTACTS,)
        return (LOCATIONS, SITES) if rest in _SITE_PLACE else (SITES,)
    if name == "interventions":
        return (INTERVENTIONS,) if _after_key(field, top.end()) in ("", "name") else ()
    return _TOP_LEVEL.get(name, ())


def _after_key(field: str, start: int) -> str:
    """What follows the bracketed key at ``start``: ``status`` of ``locations[k].status``, "" for none.

    Keys are free text (a site's name and address), so the key ends at the first ``]`` followed by the
    end, a ``[`` or a ``.name``.
    """
    if start >= len(field) or field[start] != "[":
        return field[start:].lstrip(".")
    for index in range(start + 1, len(field)):
        if field[index] != "]":
            continue
        rest = field[index + 1 :]
        if not rest or rest.startswith("[") or re.match(r"\.[A-Za-z_]", rest):
            return rest.lstrip(".")
    return ""


def facts_of_changes(fields: list[str]) -> list[str]:
    """The page facts a set of changes touches, each once, in page order."""
    touched = {fact for field in fields for fact in facts_touched(field)}
    return [fact for fact in (*QUICK_FACTS, *SECTIONS) if fact in touched]


def quick_facts_summary(fields: list[str]) -> str:
    """``Quick facts: Enrollment, Locations; Eligibility criteria``: what the queue says changed."""
    facts = facts_of_changes(fields)
    quick = [fact for fact in facts if fact in QUICK_FACTS]
    others = [fact for fact in facts if fact not in QUICK_FACTS]
    parts = ([f"Quick facts: {', '.join(quick)}"] if quick else []) + others
    return "; ".join(parts)
