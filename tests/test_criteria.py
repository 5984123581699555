"""Eligibility criteria as a structure: a golden set of real records, properties over every real record.

The golden set (``tests/fixtures/criteria/``, one file per record with the criteria text copied in) is 50
real API v2 records from ``../shared/ctgov/studies`` plus the one real HTML answer of the website's record
history (``../shared/ctgov/history``). They were chosen for variety, not at random: every record's text
was reduced to features (group headers, nesting depth, notes, lead-ins, no headings, prose without any
list, each kind of typed marker: roman, letters, bracketed and full-width numbers, circled numbers, bare
numbers, typed bullets) and the records were picked so that each feature is covered by the smallest
records showing it (three where there were three), then the records the issue's failure classes come
from were added by hand: cohort and part groups (NCT06388018, NCT01788527, NCT05022342, NCT04998461),
headers kept as items (NCT03369821, NCT00276835, NCT04213547), lead-ins (NCT04790240, NCT05980455),
junk items (NCT02276950), markers left in text (NCT07032116, NCT06187129), wrong merges and runs
(NCT03983954, NCT06208150), trailing notes (NCT06140836), nesting (NCT05501886), and the most tangled
record (NCT04573062). Each record's expected structure was written out and then read against its source
text; ``chosen_for`` in each file says what it exercises.

The properties run over every real record there is: ``data/sample`` and the golden set always, and
``../shared/ctgov/studies`` when it is beside the checkout.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, SAMPLE, SHARED
from markdown_it import MarkdownIt

from pipeline import richtext
from pipeline.criteria import (
    SECTIONS,
    Criteria,
    FlatCriterion,
    parse_criteria,
    read_marker,
    section_heading,
)

GOLDEN = sorted((FIXTURES / "criteria").glob("*.json"))


def _golden(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _criteria_texts() -> dict[str, str]:
    """Every real criteria text at hand, by a name saying where it comes from (duplicates once)."""
    texts: dict[str, str] = {}
    folders = [SAMPLE, *([SHARED / "studies"] if (SHARED / "studies").is_dir() else [])]
    for folder in folders:
        for path in sorted(folder.glob("NCT*.json")):
            module = json.loads(path.read_text(encoding="utf-8"))["protocolSection"].get(
                "eligibilityModule", {}
            )
            text = module.get("eligibilityCriteria")
            if isinstance(text, str) and text not in texts.values():
                texts[f"{folder.name}/{path.name}"] = text
    for path in GOLDEN:
        text = _golden(path)["criteria"]
        if text not in texts.values():
            texts[f"golden/{path.name}"] = text
    return texts


TEXTS = _criteria_texts()
MARKDOWN = {name: text for name, text in TEXTS.items() if not richtext.is_html(text)}


def test_the_golden_set_has_at_least_40_real_records_with_their_source() -> None:
    """The golden set is at least 40 records, each with its criteria text, source and reason."""
    assert len(GOLDEN) >= 40
    for path in GOLDEN:
        golden = _golden(path)
        assert golden["criteria"] and golden["chosen_for"] and golden["source"].startswith("../shared/ctgov/")
        assert path.name.startswith(golden["nct_id"])


@pytest.mark.parametrize("path", GOLDEN, ids=[path.stem for path in GOLDEN])
def test_golden_record_parses_to_its_written_structure(path: Path) -> None:
    """Each golden record's criteria parse to exactly the structure written out for it."""
    golden = _golden(path)
    assert parse_criteria(golden["criteria"]) == Criteria.model_validate(golden["expected"])


@pytest.mark.skipif(not (SHARED / "studies").is_dir(), reason="../shared/ctgov is not beside the checkout")
@pytest.mark.parametrize("path", GOLDEN, ids=[path.stem for path in GOLDEN])
def test_golden_copy_is_the_text_of_its_source(path: Path) -> None:
    """The criteria copied into a golden file are, byte for byte, those of the record it names."""
    golden = _golden(path)
    source = json.loads(
        (SHARED.parent / golden["source"].removeprefix("../shared/")).read_text(encoding="utf-8")
    )
    for key in golden["field"].split("."):
        source = source[key]
    assert source == golden["criteria"]


# --- the failure classes, on golden records ----------------------------------------------


def _parsed(nct: str) -> Criteria:
    return parse_criteria(_golden(FIXTURES / "criteria" / f"{nct}.json")["criteria"])


def test_cohort_groups_keep_their_headers_in_both_sections() -> None:
    """ "Pre-pregnancy Group:" / "Pregnancy Group:" head groups of their section; the lead-in is a note."""
    criteria = _parsed("NCT01788527")
    assert [(g.header, len(g.items)) for g in criteria.inclusion] == [
        (None, 5),
        ("Pre-pregnancy Group", 1),
        ("Pregnancy Group", 3),
    ]
    assert [(g.header, len(g.items)) for g in criteria.exclusion] == [
        (None, 8),
        ("Pre-pregnancy Group", 1),
        ("Pregnancy Group", 3),
    ]
    assert criteria.exclusion[1].items[0].text == "HbA1c <7.0% or >10.0%"
    assert criteria.inclusion[0].notes == (
        "In addition, specific eligibility criteria apply to the respective groups:",
    )


def test_long_headings_without_colon_are_group_headers() -> None:
    """A heading of any length names its group ("Inclusion Criteria - For the non-obese group …")."""
    headers = [group.header for group in _parsed("NCT04998461").inclusion]
    assert (
        headers[-1]
        == "Inclusion Criteria - For the non-obese group with normal renal function (control group)"
    )
    assert len(headers) == 5


def test_nested_items_stay_under_their_parent() -> None:
    """ "Acceptable … function:" style parents keep their sub-items: three levels in NCT05501886."""
    rows = _parsed("NCT05501886").flat()
    qt = next(row for row in rows if row.text.startswith("Long QT syndrome"))
    children = [row for row in rows if row.parent_ordinal == qt.ordinal and row.section == qt.section]
    assert (qt.depth, [row.depth for row in children]) == (2, [3, 3])
    assert children[0].text.startswith("Risk factors for Torsades de Pointes")


def test_numbered_items_run_together_are_split() -> None:
    """ "2.On multiple injection … 3.Patients are free …" is two items, markers removed."""
    criteria = _parsed("NCT06187129")
    assert criteria.texts("inclusion")[1:] == (
        "On multiple injection or insulin pump for at least 5 years or more.",
        "Patients are free from acute complication like diabetes ketoacidosis (DKA), symptomatic "
        "hypoglycemia, or infection for at least one month before enrollment in the study.",
    )
    assert len(criteria.texts("exclusion")) == 4


def test_junk_items_are_dropped_and_notes_are_not_criteria() -> None:
    """An exclusion section holding only "\\-" has no item; a closing "Note: …" is a note of its group."""
    assert _parsed("NCT02276950").exclusion == ()
    closing = _parsed("NCT06140836").exclusion[-1]
    assert closing.notes == ("Note: Other protocol-defined inclusion/exclusion criteria apply",)
    assert all("protocol-defined" not in row.text for row in _parsed("NCT06140836").flat())


def test_lead_in_without_heading_opens_the_exclusion_section() -> None:
    """ "A participant who meets any of the following criteria will be excluded …:" starts exclusion."""
    criteria = _parsed("NCT05980455")
    assert (len(criteria.texts("inclusion")), len(criteria.texts("exclusion"))) == (10, 12)
    assert (
        criteria.exclusion[0].lead_ins[0].startswith("A participant who meets any of the following criteria")
    )


def test_html_from_the_record_history_gives_items_with_sub_items() -> None:
    """The website's HTML (<p>, <ul><li><p>, &#x2F;) gives the same kind of structure as Markdown."""
    criteria = _parsed("NCT03690141.html")
    marrow = next(
        item for item in criteria.inclusion[0].items if item.text == "Adequate bone marrow function:"
    )
    assert [item.text for item in marrow.items] == [
        "Absolute neutrophil count (ANC) ≥1.0 x 109/L",
        "Platelet count ≥75 x 109/L",
        "Hemoglobin ≥80 g/L (8.0 g/dL or 4.9 mmol/L)",
    ]
    assert criteria.headings == ("Inclusion Criteria", "Exclusion Criteria")


# --- the flat view ---------------------------------------------------------------------------------


def test_flat_view_numbers_items_in_reading_order_with_parent_and_depth() -> None:
    """flat(): section, group ordinal and header, ordinal in the group, parent ordinal, depth, text."""
    rows = _parsed("NCT06388018").flat()
    cohort = next(row for row in rows if row.text == "Cohort A1:")
    first = next(row for row in rows if row.parent_ordinal == cohort.ordinal)
    assert cohort == FlatCriterion(
        section="inclusion",
        group_ordinal=1,
        group_header=None,
        ordinal=11,
        parent_ordinal=10,
        depth=2,
        text="Cohort A1:",
    )
    assert (first.ordinal, first.depth) == (12, 3)
    assert first.text.startswith("Stage IA (not confined to polyp), grade 3, pN0")
    assert [row.ordinal for row in rows if row.section == "inclusion"] == list(range(1, 35))


def test_flat_texts_are_the_eligibility_lists() -> None:
    """texts(section) is every criterion of the section, sub-items included, in reading order."""
    criteria = _parsed("NCT03369821")
    assert criteria.texts("inclusion")[:2] == (
        "Aged 0 to 70 years",
        "Clinical diagnosis of diabetes <24 months (+ evidence of WHO diabetes criteria)",
    )
    assert len(criteria.texts("inclusion")) == sum(1 for row in criteria.flat() if row.section == "inclusion")


def test_no_text_is_an_empty_structure() -> None:
    """No criteria (None, blank) parse to an empty structure with an empty flat view."""
    assert parse_criteria(None) == Criteria() == parse_criteria("  \n")
    assert Criteria().flat() == ()


# --- properties over every real record -------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_MARKER_TOKEN = re.compile(
    r"(?:^|(?<=[\s:;,.]))[(（]?([①-⑳]|[0-9]{1,3}|[A-Za-z]|[ivxIVX]{1,5})(?:[.)）、:]|(?=\s+[A-Z]))"
)


def _all_kept(criteria: Criteria) -> list[str]:
    """Every text the structure keeps: headings, notes, headers, lead-ins and items."""
    kept = [*criteria.headings, *criteria.notes]
    for section in SECTIONS:
        for group in criteria.groups(section):
            kept += [group.header or "", *group.lead_ins, *group.notes]
    return kept + [row.text for row in criteria.flat()]


def _marker_tokens(text: str) -> Counter[str]:
    """Tokens that may be list markers in a text: the only words the parser is allowed to drop."""
    tokens: Counter[str] = Counter()
    for line in richtext.canonical(text).split("\n"):
        tokens.update(match.group(1).casefold() for match in _MARKER_TOKEN.finditer(line))
        bare = re.match(r"^\s*(?:[*-]\s*)?(\d{1,2})\s", line)
        if bare:
            tokens[bare.group(1)] += 1
    return tokens


def _lost_words(text: str) -> Counter[str]:
    criteria = parse_criteria(text)
    kept = Counter(word.casefold() for kept in _all_kept(criteria) for word in _WORD.findall(kept))
    source = Counter(word.casefold() for word in _WORD.findall(richtext.canonical(text)))
    lost = source - kept - _marker_tokens(text)
    for word in list(lost):  # "5glycosylated": a number typed against its first word is a marker
        glued = re.fullmatch(r"\d{1,3}(\D\w*)", word)
        if glued and kept[glued.group(1)]:
            del lost[word]
    return lost


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_no_word_of_the_source_is_lost(name: str) -> None:
    """Every word of the criteria text is in a heading, header, lead-in, note or item (markers aside)."""
    assert _lost_words(TEXTS[name]) == Counter()


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_items_are_criteria_not_junk_markers_or_headers(name: str) -> None:
    """No item is empty or punctuation only, starts with a list marker, or is a section heading."""
    for row in parse_criteria(TEXTS[name]).flat():
        assert _WORD.search(row.text), row
        assert read_marker(row.text)[0] is None, row
        assert section_heading(row.text) is None, row
        assert row.text == row.text.strip() and "\n" not in row.text


def test_the_properties_ran_over_every_record_at_hand() -> None:
    """The property tests cover data/sample and the golden set (and ../shared when present)."""
    sample = sum(1 for name in TEXTS if name.startswith("sample/"))
    assert sample >= 35
    if (SHARED / "studies").is_dir():
        assert len(TEXTS) >= 450


# --- the same criteria from HTML -------------------------------------------------------------------

_MARKDOWN_TO_HTML = MarkdownIt("commonmark")


@pytest.mark.parametrize("name", sorted(MARKDOWN))
def test_markdown_rendered_to_html_gives_identical_criteria(name: str) -> None:
    """The record's Markdown rendered to HTML (as the website does) parses to the same criteria, and the
    rich text to the same canonical text."""
    markdown = MARKDOWN[name]
    html = _MARKDOWN_TO_HTML.render(markdown)
    assert richtext.is_html(html) and not richtext.is_html(markdown)
    assert richtext.canonical(html) == richtext.canonical(markdown)
    assert parse_criteria(html) == parse_criteria(markdown)


def test_changes_name_the_group_of_a_criterion() -> None:
    """On screen, a criterion of a group says which group, and a moved one where it went."""
    from io import StringIO

    from rich.console import Console

    from pipeline.diff import diff
    from pipeline.normalize import normalize
    from pipeline.render import render_changes

    raw = json.loads((SAMPLE / "NCT01788527.json").read_text(encoding="utf-8"))
    old = normalize(raw)
    module = raw["protocolSection"]["eligibilityModule"]
    item = "* Live singleton fetus\n"
    anchor = "* Patients who are planning pregnancy and wish to optimise glycemic control before conception\n"
    module["eligibilityCriteria"] = (
        module["eligibilityCriteria"].replace(item, "").replace(anchor, anchor + item)
    )
    out = StringIO()
    console = Console(file=out, width=160, color_system=None)
    render_changes(
        diff(old, normalize(raw)), nct_id="NCT01788527", baseline=1, current=2, title=None, console=console
    )
    assert out.getvalue().splitlines()[1:] == [
        'CRITICAL  Eligibility    Inclusion criterion of "Pre-pregnancy Group" added: '
        'Live singleton fetus (moved from "Pregnancy Group")',
        'CRITICAL  Eligibility    Inclusion criterion of "Pregnancy Group" removed: '
        'Live singleton fetus (moved to "Pre-pregnancy Group")',
    ]


def test_show_prints_groups_and_nesting_as_written() -> None:
    """`ctsync show` prints each group under its header and sub-items indented under their parent."""
    from io import StringIO

    from rich.console import Console

    from pipeline.trial_view import render_criteria

    out = StringIO()
    render_criteria(Console(file=out, width=100, color_system=None), _parsed("NCT06932263"))
    lines = out.getvalue().splitlines()
    assert lines[1:3] == [
        "Inclusion criteria",
        "  • Provision of signed and dated written informed consent prior to any study-specific procedures.",
    ]
    start = lines.index(
        "  • Documented exacerbation history in the last 12 months and biomarker requirements of:"
    )
    assert lines[start + 1 : start + 4] == [
        "    ◦ 2 severe exacerbations OR",
        "    ◦ 1 severe exacerbation and:",
        "      ▪ Eosinophils ≥ 150 cells/µl or",
    ]
    out = StringIO()
    render_criteria(Console(file=out, width=100, color_system=None), _parsed("NCT01788527"))
    lines = out.getvalue().splitlines()
    assert lines[lines.index("  Pregnancy Group") + 2] == "    • Live singleton fetus"
    assert "  In addition, specific eligibility criteria apply to the respective groups:" in lines
