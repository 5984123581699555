"""The canonical trial record: the contract between normalize, store, diff and the CLI.

Every fact an editor's trial page shows, and every fact an analyst asks about, lives here, typed and
normalized. Models are frozen. Enum-valued fields are plain strings so that a value ClinicalTrials.gov
adds tomorrow never crashes a night's sync: the normalizer keeps the raw value and lists it in
``Trial.unknown_values``. Lists are tuples in a stable order (ClinicalTrials.gov's own order where it
means something, sorted where it does not, e.g. MeSH terms).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline.criteria_model import Criteria

SCHEMA_VERSION = 1

DatePrecision = Literal["day", "month", "year"]


class Model(BaseModel):
    """Frozen and strict about its own fields: ctsync writes these, so a typo is a bug."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TrialDate(Model):
    """A ClinicalTrials.gov date: ``2024-03`` is a month, not the first of March."""

    date: dt.date
    """The first day of the period the precision names."""
    precision: DatePrecision
    type: str | None = None
    """ACTUAL or ESTIMATED where ClinicalTrials.gov says which."""

    @property
    def text(self) -> str:
        """The date as ClinicalTrials.gov wrote it: 2024, 2024-03 or 2024-03-15."""
        iso = self.date.isoformat()
        return {"year": iso[:4], "month": iso[:7], "day": iso}[self.precision]


class SecondaryId(Model):
    id: str
    type: str | None = None
    domain: str | None = None
    link: str | None = None


class Organization(Model):
    """A sponsor, collaborator or the registering organization, with its agency class."""

    name: str
    agency_class: str | None = None


class ResponsibleParty(Model):
    type: str | None = None
    investigator_full_name: str | None = None
    investigator_title: str | None = None
    investigator_affiliation: str | None = None
    old_name_title: str | None = None
    old_organization: str | None = None


class Official(Model):
    name: str | None = None
    affiliation: str | None = None
    role: str | None = None


class Contact(Model):
    """A central or site contact; identified by name, email and phone together."""

    name: str | None = None
    role: str | None = None
    phone: str | None = None
    phone_ext: str | None = None
    email: str | None = None

    @property
    def key(self) -> str:
        return identity_key(self.name, self.email, self.phone)


class GeoPoint(Model):
    lat: float
    lon: float


class Location(Model):
    """A study site; ``key`` names it independently of where it stands in the list."""

    key: str
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None
    geo_point: GeoPoint | None = None
    contacts: tuple[Contact, ...] = ()


class MeshTerm(Model):
    id: str
    term: str


class ArmGroup(Model):
    label: str
    type: str | None = None
    description: str | None = None
    intervention_names: tuple[str, ...] = ()


class Intervention(Model):
    type: str | None = None
    name: str
    description: str | None = None
    other_names: tuple[str, ...] = ()
    arm_group_labels: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return identity_key(self.type, self.name)


class Outcome(Model):
    """A primary, secondary or other outcome measure; identified by its measure text."""

    kind: Literal["primary", "secondary", "other"]
    measure: str
    description: str | None = None
    time_frame: str | None = None


class Design(Model):
    allocation: str | None = None
    intervention_model: str | None = None
    intervention_model_description: str | None = None
    primary_purpose: str | None = None
    observational_model: str | None = None
    time_perspective: str | None = None
    masking: str | None = None
    masking_description: str | None = None
    who_masked: tuple[str, ...] = ()
    patient_registry: bool | None = None
    target_duration: str | None = None
    bio_spec_retention: str | None = None
    bio_spec_description: str | None = None
    expanded_access_types: tuple[str, ...] = ()
    """Which of individual, intermediate, treatment are flagged, for expanded access records."""
    n_ptrs_to_this_exp_acc_nct_id: int | None = None


class Eligibility(Model):
    """Who may join: the criteria as written, as a structure, as flat lists, and the structured limits."""

    criteria: str | None = None
    """The eligibility criteria text as ClinicalTrials.gov gives it (API v2 Markdown)."""
    structure: Criteria = Criteria()
    """The criteria as the sponsor wrote them: sections, groups with headers, nested items, notes."""
    inclusion: tuple[str, ...] = ()
    """Every inclusion criterion's text (sub-items too) in reading order: ``structure``, flattened."""
    exclusion: tuple[str, ...] = ()
    sex: str | None = None
    gender_based: bool | None = None
    gender_description: str | None = None
    minimum_age: str | None = None
    """As given: "18 Years", "6 Months"; None where ClinicalTrials.gov gives none (shown as N/A)."""
    minimum_age_years: float | None = None
    maximum_age: str | None = None
    maximum_age_years: float | None = None
    healthy_volunteers: bool | None = None
    std_ages: tuple[str, ...] = ()
    sampling_method: str | None = None
    study_population: str | None = None


class Retraction(Model):
    pmid: str | None = None
    source: str | None = None


class Reference(Model):
    pmid: str | None = None
    type: str | None = None
    citation: str | None = None
    retractions: tuple[Retraction, ...] = ()


class Link(Model):
    label: str | None = None
    url: str | None = None


class AvailableIpd(Model):
    id: str | None = None
    type: str | None = None
    url: str | None = None
    comment: str | None = None


class IpdSharing(Model):
    sharing: str | None = None
    description: str | None = None
    info_types: tuple[str, ...] = ()
    time_frame: str | None = None
    access_criteria: str | None = None
    url: str | None = None


class Oversight(Model):
    has_dmc: bool | None = None
    is_fda_regulated_drug: bool | None = None
    is_fda_regulated_device: bool | None = None
    is_unapproved_device: bool | None = None
    is_ppsd: bool | None = None
    is_us_export: bool | None = None
    fdaaa801_violation: bool | None = None


class ExpandedAccess(Model):
    has_expanded_access: bool | None = None
    nct_id: str | None = None
    status_for_nct_id: str | None = None


class Trial(Model):
    """One ClinicalTrials.gov study, as ctsync stores, shows and diffs it."""

    schema_version: int = SCHEMA_VERSION

    # identification
    nct_id: str
    nct_id_aliases: tuple[str, ...] = ()
    org_study_id: str | None = None
    org_study_id_type: str | None = None
    org_study_id_link: str | None = None
    secondary_ids: tuple[SecondaryId, ...] = ()
    organization: Organization | None = None
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None

    # status and dates
    overall_status: str | None = None
    last_known_status: str | None = None
    why_stopped: str | None = None
    delayed_posting: bool | None = None
    expanded_access: ExpandedAccess | None = None
    status_verified_date: TrialDate | None = None
    start_date: TrialDate | None = None
    primary_completion_date: TrialDate | None = None
    completion_date: TrialDate | None = None
    first_submitted_date: TrialDate | None = None
    first_submitted_qc_date: TrialDate | None = None
    first_posted_date: TrialDate | None = None
    results_waived: bool | None = None
    results_first_submitted_date: TrialDate | None = None
    results_first_submitted_qc_date: TrialDate | None = None
    results_first_posted_date: TrialDate | None = None
    disposition_first_submitted_date: TrialDate | None = None
    disposition_first_submitted_qc_date: TrialDate | None = None
    disposition_first_posted_date: TrialDate | None = None
    last_update_submitted_date: TrialDate | None = None
    last_update_posted_date: TrialDate | None = None

    # design
    study_type: str | None = None
    phases: tuple[str, ...] = ()
    design: Design = Design()
    enrollment_count: int | None = None
    enrollment_type: str | None = None

    # who may join
    eligibility: Eligibility = Eligibility()

    # who runs it
    lead_sponsor: Organization | None = None
    collaborators: tuple[Organization, ...] = ()
    responsible_party: ResponsibleParty | None = None
    overall_officials: tuple[Official, ...] = ()
    central_contacts: tuple[Contact, ...] = ()
    oversight: Oversight = Oversight()

    # what it studies
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    condition_mesh_terms: tuple[MeshTerm, ...] = ()
    intervention_mesh_terms: tuple[MeshTerm, ...] = ()
    arm_groups: tuple[ArmGroup, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    outcomes: tuple[Outcome, ...] = ()

    # where
    locations: tuple[Location, ...] = ()
    removed_countries: tuple[str, ...] = ()

    # descriptions and documents
    brief_summary: str | None = None
    detailed_description: str | None = None
    has_results: bool = False
    references: tuple[Reference, ...] = ()
    see_also_links: tuple[Link, ...] = ()
    available_ipds: tuple[AvailableIpd, ...] = ()
    ipd_sharing: IpdSharing | None = None

    # provenance
    version_holder: dt.date | None = None
    """The ClinicalTrials.gov data snapshot this record came from; changes daily, never a change."""
    unknown_values: tuple[str, ...] = ()
    """``field=VALUE`` for every enum value the known ClinicalTrials.gov specs do not list."""

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted({loc.country for loc in self.locations if loc.country}))


def identity_key(*parts: str | None) -> str:
    """A case- and whitespace-insensitive key from the parts that name an entity."""
    return "|".join(" ".join((part or "").casefold().split()) for part in parts)
