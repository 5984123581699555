"""Rendering changes for editors (words, colours, grouping) and for ``--json``."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pytest
from rich.console import Console

from pipeline.diff import Change, diff
from pipeline.models import Trial
from pipeline.normalize import normalize
from pipeline.policy import CATEGORIES, SEVERITY_ORDER
from pipeline.render import (
    ADDED_STYLE,
    REMOVED_STYLE,
    detail_text,
    humanise_enum,
    parse_field,
    render_changes,
)

VERSIONS = Path(__file__).resolve().parent / "fixtures" / "versions"


@cache
def version(name: str) -> Trial:
    return normalize(json.loads((VERSIONS / f"{name}.json").read_text(encoding="utf-8")))


def plain(changes: list[Change], *, baseline: int | None = 1, title: str | None = None) -> str:
    """What an editor sees on a terminal without colour (a pipe, NO_COLOR)."""
    console = Console(file=io.StringIO(), width=400)
    render_changes(changes, nct_id="NCT05766735", baseline=baseline, current=2, title=title, console=console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def coloured(changes: list[Change]) -> str:
    console = Console(file=io.StringIO(), width=400, force_terminal=True, color_system="standard")
    render_changes(changes, nct_id="NCT05766735", baseline=1, current=2, title=None, console=console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def completion_pair() -> list[Change]:
    return diff(version("NCT05766735@2025-05-07"), version("NCT05766735@2026-04-09"))


def orforglipron_pair() -> list[Change]:
    return diff(version("NCT06972472@2025-06-26"), version("NCT06972472@2025-11-04"))


def test_real_pair_renders_header_title_and_one_line_per_change() -> None:
    """NCT05766735: a header with counts and versions, the title, then severity, category, words."""
    assert plain(completion_pair(), title="Treating Early Type 2 Diabetes").splitlines() == [
        "NCT05766735: 2 changes since review of version 1 (current version 2)",
        "Treating Early Type 2 Diabetes",
        "MAJOR     Dates          Primary completion date: 2027-04-15 → 2027-05-31",
        "",
        "MINOR     Dates          Completion date: 2027-04-15 → 2027-05-31",
    ]


def test_never_reviewed_header() -> None:
    """A trial never reviewed says so instead of naming a baseline version."""
    assert plain(completion_pair(), baseline=None).splitlines()[0] == (
        "NCT05766735: never reviewed: showing as new (current version 2)"
    )


def test_no_changes_says_so() -> None:
    """An empty change list prints the header and "No changes since review."."""
    assert plain([]).splitlines() == [
        "NCT05766735: 0 changes since review of version 1 (current version 2)",
        "No changes since review.",
    ]


def test_status_change_reads_in_words() -> None:
    """An overall status change reads `Overall status: Recruiting → Active, not recruiting`, critical."""
    old = version("NCT05766735@2026-04-09")
    new = old.model_copy(update={"overall_status": "ACTIVE_NOT_RECRUITING"})
    assert plain(diff(old, new)).splitlines()[1] == (
        "CRITICAL  Status         Overall status: Recruiting → Active, not recruiting"
    )


def test_sites_are_named_as_on_the_page() -> None:
    """Sites read `Site "Facility, City, State, Country"`, with the status of a site added or removed."""
    lines = plain(orforglipron_pair()).splitlines()
    assert (
        'CRITICAL  Locations      Site "Sir Ganga Ram Hospital, New Delhi, Delhi, India" removed'
        " (Not yet recruiting)"
    ) in lines
    assert (
        'MAJOR     Locations      Site "AmBeNet GmbH, Leipzig, Germany": status:'
        " Not yet recruiting → Recruiting"
    ) in lines
    assert (
        'MAJOR     Locations      Site "Indago Research & Health Center, Inc, Hialeah, Florida,'
        ' United States" added (Not yet recruiting)'
    ) in lines
    assert 'MINOR     Locations      Site "AmBeNet GmbH, Leipzig, Germany": state: Sachsen → (none)' in lines
    assert (
        'MAJOR     Contacts       Site "Xuanwu Hospital Capital Medical University, Beijing, China":'
        ' contact "Yu Sun" added'
    ) in lines
    assert (
        "INFO      Locations      Country India now listed among countries whose sites were all removed"
        in lines
    )


def test_lines_are_grouped_by_severity_then_category() -> None:
    """Critical lines come first, then major, minor, info; within each, categories in page order."""
    lines = [
        line for line in plain(orforglipron_pair()).splitlines()[1:] if line and not line.startswith(" ")
    ]
    order = [
        (SEVERITY_ORDER.index(line.split()[0].lower()), CATEGORIES.index(line.split()[1].lower()))
        for line in lines
    ]
    assert order == sorted(order)
    assert len(lines) == 150


def test_edited_criterion_shows_the_word_diff() -> None:
    """An edited criterion is a line and an indented word diff: markers in plain text, colour on a tty."""
    old = version("NCT05766735@2026-04-09")
    item = old.eligibility.exclusion[2]
    edited = item.replace("in the study", "in this study")
    assert edited != item
    criteria = old.eligibility.criteria or ""
    assert criteria.count(item) == 1  # the differ reads the criteria from their text
    edited_criteria = criteria.replace(item, edited)
    new = old.model_copy(
        update={"eligibility": old.eligibility.model_copy(update={"criteria": edited_criteria})}
    )
    lines = plain(diff(old, new)).splitlines()
    assert lines[1] == "CRITICAL  Eligibility    Exclusion criterion edited:"
    assert lines[2].startswith(" " * 25 + "Conditions that preclude participating in [-the-]{+this+} study")
    ansi = coloured(diff(old, new))
    assert "\x1b[9;31mthe\x1b[0m \x1b[1;32mthis\x1b[0m" in ansi
    assert "[-" not in ansi


def test_detail_text_styles_removed_and_added_words() -> None:
    """Removed words are red and struck through, added words green, the rest plain."""
    text = detail_text("age [-18-]{+21+} or older")
    assert text.plain == "age 18 21 or older"
    assert [(text.plain[span.start : span.end], span.style) for span in text.spans] == [
        ("18", REMOVED_STYLE),
        ("21", ADDED_STYLE),
    ]
    assert REMOVED_STYLE == "red strike" and ADDED_STYLE.endswith("green")


def test_trial_text_with_brackets_prints_as_written() -> None:
    """Text such as `[bold]` or `[/]` from a trial is printed literally, never read as markup."""
    change = Change(
        field="eligibility.inclusion[HbA1c [7-10%] per [bold]local[/] lab]",
        change="added",
        new="HbA1c [7-10%] per [bold]local[/] lab",
        category="eligibility",
        severity="critical",
    )
    assert plain([change]).splitlines()[1] == (
        "CRITICAL  Eligibility    Inclusion criterion added: HbA1c [7-10%] per [bold]local[/] lab"
    )


def test_upstream_gone_line() -> None:
    """A trial no longer found upstream reads as such, with the reason."""
    change = Change(
        field="upstream",
        change="removed",
        old="NCT01734031",
        category="status",
        severity="critical",
        detail="merged into NCT01788527",
    )
    assert plain([change]).splitlines()[1] == (
        "CRITICAL  Status         Trial no longer found on ClinicalTrials.gov (merged into NCT01788527)"
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("ACTIVE_NOT_RECRUITING", "Active, not recruiting"),
        ("NOT_YET_RECRUITING", "Not yet recruiting"),
        ("ENROLLING_BY_INVITATION", "Enrolling by invitation"),
        ("PHASE2", "Phase 2"),
        ("EARLY_PHASE1", "Early phase 1"),
        ("NA", "Not applicable"),
        ("NIH", "NIH"),
        ("OTHER_GOV", "Other government"),
        ("18 Years", "18 Years"),
        ("Taichung City", "Taichung City"),
    ],
)
def test_enum_values_read_as_words(value: str, words: str) -> None:
    """Enum values of the ClinicalTrials.gov specs read as words; other text is left as written."""
    assert humanise_enum(value) == words


def test_field_paths_parse_even_when_keys_hold_dots_and_brackets() -> None:
    """A criteria key runs to the end of the path; a site key ends before `.contacts[`."""
    assert [(s.name, s.key) for s in parse_field("eligibility.exclusion[HbA1c [7-10%]. Or.x]")] == [
        ("eligibility", None),
        ("exclusion", "HbA1c [7-10%]. Or.x"),
    ]
    assert [(s.name, s.key) for s in parse_field("locations[univ. of x|a||b|1].contacts[jo||].phone")] == [
        ("locations", "univ. of x|a||b|1"),
        ("contacts", "jo||"),
        ("phone", None),
    ]


def test_a_change_dumps_as_the_cli_contract() -> None:
    """`changes --json` objects are the Change model's dump: field, change, old, new, category, severity,
    detail (the DESIGN.md contract) and labels."""
    first = completion_pair()[0].model_dump(mode="json")
    assert first == {
        "field": "primary_completion_date",
        "change": "modified",
        "old": "2027-04-15",
        "new": "2027-05-31",
        "category": "dates",
        "severity": "major",
        "detail": None,
        "labels": [],
    }
    for change in orforglipron_pair():
        dumped = change.model_dump(mode="json")
        assert json.loads(json.dumps(dumped)) == dumped
