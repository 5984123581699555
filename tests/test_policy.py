"""The change policy: the default table, the status rules, user overrides and bad policy files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.diff import diff
from pipeline.errors import UsageError
from pipeline.normalize import normalize
from pipeline.policy import (
    SEVERITY_ORDER,
    ChangeKind,
    Severity,
    at_least,
    default_policy,
    load_policy,
    most_severe,
    pattern_regex,
    severity_rank,
)

VERSIONS = Path(__file__).resolve().parent / "fixtures" / "versions"

DEFAULT_TABLE: list[tuple[str, ChangeKind, str, str]] = [
    # template, change, category, severity
    ("upstream", "removed", "status", "critical"),
    ("eligibility.inclusion[*]", "added", "eligibility", "critical"),
    ("eligibility.exclusion[*]", "modified", "eligibility", "critical"),
    ("eligibility.minimum_age", "modified", "eligibility", "critical"),
    ("eligibility.maximum_age", "removed", "eligibility", "critical"),
    ("eligibility.sex", "modified", "eligibility", "critical"),
    ("eligibility.healthy_volunteers", "modified", "eligibility", "critical"),
    ("eligibility.study_population", "modified", "eligibility", "major"),
    ("eligibility.std_ages", "modified", "eligibility", "info"),
    ("locations[*]", "removed", "locations", "critical"),
    ("locations[*]", "added", "locations", "major"),
    ("locations[*].city", "modified", "locations", "minor"),
    ("locations[*].geo_point", "modified", "locations", "info"),
    ("locations[*].contacts[*]", "added", "contacts", "major"),
    ("locations[*].contacts[*].phone", "modified", "contacts", "major"),
    ("central_contacts[*]", "removed", "contacts", "major"),
    ("central_contacts[*].email", "modified", "contacts", "major"),
    ("overall_officials[*].name", "modified", "contacts", "minor"),
    ("interventions[*]", "added", "interventions", "major"),
    ("interventions[*].description", "modified", "interventions", "major"),
    ("arm_groups[*].type", "modified", "interventions", "major"),
    ("intervention_mesh_terms[*]", "added", "interventions", "info"),
    ("phases", "modified", "design", "major"),
    ("enrollment_count", "modified", "design", "major"),
    ("enrollment_type", "modified", "design", "minor"),
    ("design.allocation", "modified", "design", "minor"),
    ("conditions[*]", "added", "descriptions", "major"),
    ("keywords[*]", "removed", "descriptions", "minor"),
    ("condition_mesh_terms[*]", "removed", "descriptions", "info"),
    ("primary_completion_date", "modified", "dates", "major"),
    ("completion_date", "modified", "dates", "minor"),
    ("start_date", "modified", "dates", "minor"),
    ("primary_completion_date.type", "modified", "dates", "info"),
    ("outcomes[*]", "added", "outcomes", "minor"),
    ("outcomes[*].time_frame", "modified", "outcomes", "minor"),
    ("brief_summary", "modified", "descriptions", "minor"),
    ("detailed_description", "modified", "descriptions", "minor"),
    ("brief_title", "modified", "descriptions", "minor"),
    ("lead_sponsor.name", "modified", "sponsor", "minor"),
    ("collaborators[*]", "added", "sponsor", "minor"),
    ("references[*]", "added", "administrative", "minor"),
    ("secondary_ids[*]", "added", "administrative", "info"),
    ("oversight.has_dmc", "modified", "administrative", "info"),
    ("removed_countries[*]", "added", "locations", "info"),
    ("why_stopped", "added", "status", "major"),
]


@pytest.mark.parametrize(("template", "change", "category", "severity"), DEFAULT_TABLE)
def test_default_policy_table(template: str, change: ChangeKind, category: str, severity: str) -> None:
    """The default policy gives each kind of change the category and severity a patient site needs."""
    assert default_policy().classify(template, change, None, None) == (category, severity)


STATUS_MOVES = [
    ("RECRUITING", "ACTIVE_NOT_RECRUITING", "critical"),  # leaves recruitment
    ("NOT_YET_RECRUITING", "WITHDRAWN", "critical"),  # stops
    ("ACTIVE_NOT_RECRUITING", "SUSPENDED", "critical"),  # stops
    ("COMPLETED", "TERMINATED", "critical"),  # stops
    ("ACTIVE_NOT_RECRUITING", "RECRUITING", "critical"),  # enters recruitment
    ("NOT_YET_RECRUITING", "RECRUITING", "major"),  # stays open to patients
    ("RECRUITING", "ENROLLING_BY_INVITATION", "major"),
    ("ACTIVE_NOT_RECRUITING", "COMPLETED", "major"),  # closed either way
    ("RECRUITING", "UNKNOWN", "critical"),
]


@pytest.mark.parametrize(("old", "new", "severity"), STATUS_MOVES)
def test_overall_status_rule(old: str, new: str, severity: str) -> None:
    """Overall status entering or leaving recruitment, or stopping, is critical; other moves major."""
    assert default_policy().classify("overall_status", "modified", old, new) == ("status", severity)


@pytest.mark.parametrize(
    ("old", "new", "severity"),
    [
        ("RECRUITING", "COMPLETED", "critical"),
        ("NOT_YET_RECRUITING", "WITHDRAWN", "critical"),
        ("RECRUITING", "ACTIVE_NOT_RECRUITING", "critical"),
        ("NOT_YET_RECRUITING", "RECRUITING", "major"),
        ("COMPLETED", "RECRUITING", "major"),
        (None, "RECRUITING", "major"),
    ],
)
def test_site_status_rule(old: str | None, new: str, severity: str) -> None:
    """A site no longer recruiting is critical; a site opening or other moves are major."""
    kind: ChangeKind = "added" if old is None else "modified"
    assert default_policy().classify("locations[*].status", kind, old, new) == ("locations", severity)


@pytest.mark.parametrize(
    "template",
    [
        "version_holder",
        "last_update_posted_date",
        "last_update_posted_date.type",
        "last_update_submitted_date",
        "status_verified_date",
        "unknown_values",
        "schema_version",
        "eligibility.minimum_age_years",
    ],
)
def test_bookkeeping_fields_are_ignored(template: str) -> None:
    """Fields that change without the trial changing are on the default ignore list."""
    assert default_policy().is_ignored(template)


def test_real_fields_are_not_ignored() -> None:
    """The ignore list does not swallow facts: status, dates, sites and ages stay reported."""
    policy = default_policy()
    for template in ("overall_status", "completion_date", "locations[*].status", "eligibility.minimum_age"):
        assert not policy.is_ignored(template)


def test_bracketed_pattern_matches_the_entity_not_its_fields() -> None:
    """`locations[*]` matches a whole site only; `interventions[*]*` matches it and its fields."""
    assert pattern_regex("locations[*]").fullmatch("locations[*]")
    assert not pattern_regex("locations[*]").fullmatch("locations[*].status")
    assert pattern_regex("interventions[*]*").fullmatch("interventions[*]")
    assert pattern_regex("interventions[*]*").fullmatch("interventions[*].description")
    assert pattern_regex("eligibility.*").fullmatch("eligibility.exclusion[*]")
    assert not pattern_regex("eligibility.*").fullmatch("eligibility")


def test_no_path_means_the_default_policy() -> None:
    """load_policy(None) is the packaged default."""
    assert load_policy(None) == default_policy()


def test_user_rule_overrides_severity_and_keeps_default_category(tmp_path: Path) -> None:
    """A user rule giving only a severity wins over the default and keeps the default category."""
    path = tmp_path / "policy.toml"
    path.write_text('[[rules]]\nfield = "locations[*]"\nchange = "added"\nseverity = "critical"\n')
    policy = load_policy(path)
    assert policy.classify("locations[*]", "added") == ("locations", "critical")
    assert policy.classify("locations[*]", "removed") == ("locations", "critical")
    assert policy.classify("outcomes[*]", "added") == ("outcomes", "minor")


def test_user_ignore_is_added_to_the_default(tmp_path: Path) -> None:
    """A user ignore list adds to the bookkeeping fields; the differ then drops those changes."""
    path = tmp_path / "policy.toml"
    path.write_text('ignore = ["locations[*].geo_point", "removed_countries"]\n')
    policy = load_policy(path)
    assert policy.is_ignored("version_holder")
    old = normalize(json.loads((VERSIONS / "NCT03549754@2025-06-04.json").read_text(encoding="utf-8")))
    new = normalize(json.loads((VERSIONS / "NCT03549754@2025-12-09.json").read_text(encoding="utf-8")))
    fields = [change.field for change in diff(old, new, policy)]
    assert len(fields) == 19
    assert not [field for field in fields if field.endswith(".geo_point") or field.startswith("removed_")]


def test_value_conditions_in_a_user_rule(tmp_path: Path) -> None:
    """old_in/new_in conditions let a user make one status move critical and leave the others."""
    path = tmp_path / "policy.toml"
    path.write_text(
        '[[rules]]\nfield = "overall_status"\nold_in = ["ACTIVE_NOT_RECRUITING"]\nnew_in = ["COMPLETED"]\n'
        'severity = "info"\n'
    )
    policy = load_policy(path)
    assert policy.classify("overall_status", "modified", "ACTIVE_NOT_RECRUITING", "COMPLETED") == (
        "status",
        "info",
    )
    assert policy.classify("overall_status", "modified", "RECRUITING", "COMPLETED") == ("status", "critical")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rules]]\nfield = "x"\nseverity = \n', "not valid TOML: Invalid value (at line 3, column 12)"),
        (
            '[[rules]]\nfield = "acronym"\nseverity = "minor"\n\n'
            '[[rules]]\nfield = "phases"\nseverity = "huge"\n',
            "rules[1] (line 5) field 'phases': severity 'huge' is not one of critical, major, minor, info",
        ),
        (
            '[[rules]]\nfield = "a"\ncategory = "money"\n',
            "rules[0] (line 1) field 'a': category 'money' is not one of status, eligibility,",
        ),
        ('[[rules]]\nfield = "a"\nseverty = "minor"\n', "rules[0] (line 1): unknown key 'severty'"),
        ('[[rules]]\nfield = "a"\n', "rules[0] (line 1) field 'a': give a 'category', a 'severity' or both"),
        ('[[rules]]\nseverity = "minor"\n', "rules[0] (line 1): 'field' must be a non-empty path pattern"),
        ('[[rules]]\nfield = "a"\nnew_in = "RECRUITING"\nseverity = "minor"\n', "'new_in' must be a list"),
        ('ignore = "version_holder"\n', "'ignore' must be a list of field patterns"),
        ('[[rule]]\nfield = "a"\n', "unknown key 'rule'; use only 'ignore' and [[rules]]"),
    ],
)
def test_bad_policy_file_is_a_usage_error_naming_the_place(tmp_path: Path, text: str, message: str) -> None:
    """A malformed policy is a UsageError (exit 2) naming the file and the line or rule at fault."""
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(UsageError) as caught:
        load_policy(path)
    assert str(caught.value).startswith(f"policy file {path}: ")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_missing_policy_file_is_a_usage_error(tmp_path: Path) -> None:
    """A policy path that does not exist is a UsageError that says to check the path."""
    with pytest.raises(UsageError, match=r"nope.toml: no such file; check the path"):
        load_policy(tmp_path / "nope.toml")


def test_severity_order_helpers() -> None:
    """critical > major > minor > info, for sorting, thresholds and a trial's highest severity."""
    assert SEVERITY_ORDER == ("critical", "major", "minor", "info")
    shuffled: list[Severity] = ["info", "critical", "minor", "major"]
    assert sorted(shuffled, key=severity_rank) == list(SEVERITY_ORDER)
    assert at_least("critical", "major") and at_least("major", "major") and not at_least("minor", "major")
    assert most_severe(["minor", "info", "major"]) == "major"
    assert most_severe([]) is None
