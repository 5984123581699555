"""The website's HTML and API v2's Markdown of the same content are the same canonical record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, SAMPLE, SHARED, load_raw
from sitehtml import rendered_count, website_html, website_record

from pipeline import richtext
from pipeline.diff import diff
from pipeline.normalize import normalize

HISTORY_ANSWER = FIXTURES / "history" / "NCT03690141.int-history-true.json"
VERSIONS = FIXTURES / "versions"


def _real_records() -> list[Path]:
    """data/sample always; every record of ../shared/ctgov/studies too when it is beside the checkout."""
    shared = sorted((SHARED / "studies").glob("NCT*.json")) if (SHARED / "studies").is_dir() else []
    return sorted(SAMPLE.glob("NCT*.json")) + shared


RECORDS = _real_records()


def test_the_records_at_hand_are_many_and_real() -> None:
    """The equivalence below runs over every real record at hand: 38 in data/sample, 474 more beside."""
    assert len(list(SAMPLE.glob("NCT*.json"))) == 38
    if (SHARED / "studies").is_dir():
        assert len(RECORDS) == 38 + 474


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_a_real_record_and_its_website_html_give_equal_canonical_records(path: Path) -> None:
    """Every markup field rendered to HTML as the website does (tests/sitehtml.py says how) normalizes to
    exactly the record the API v2 Markdown gives: same hash, so no false change is ever reported."""
    raw = load_raw(path)
    html = website_record(raw)
    assert rendered_count(raw) > 0
    assert normalize(html) == normalize(raw)


def test_the_html_rendering_really_differs_from_the_markdown() -> None:
    """The rendering is not a no-op: criteria become <p>/<ul><li> with &#x2F;, a one-line text stays bare."""
    raw = load_raw("NCT00841061")
    criteria = website_record(raw)["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert criteria == (
        "<p>Inclusion Criteria:</p><ul><li>exclusively breastfed</li><li>birth weight between 2500 and"
        " 4200g</li><li>gestational age &gt;36 weeks</li></ul><p>Exclusion Criteria:</p><ul><li>"
        "supplementing formula</li><li>no iron drops</li></ul>"
    )
    assert website_html("ng/mL, the patient's") == "ng&#x2F;mL, the patient&#x27;s"


def test_the_real_history_answer_reads_to_canonical_markdown() -> None:
    """The saved website answer's HTML (``<p>``, ``<ul><li>``, ``&#x2F;``) is stored as plain canonical
    Markdown: paragraphs apart, "* " items, entities resolved."""
    study = json.loads(HISTORY_ANSWER.read_text(encoding="utf-8"))["study"]
    trial = normalize(study)
    assert trial.brief_summary == (
        "This Phase 2 Open-label Study examines the efficacy, safety, tolerability, and pharmacokinetics"
        " (PK) of tomivosertib (eFT508) in Patients with advanced CRPC.\n\nAn Open-label Study Examining"
        " the Effect of tomivosertib (eFT508) in Patients with Advanced Castrate-resistant Prostate Cancer"
        " (CRPC)"
    )
    assert "apalutamide and/or abiraterone and/or enzalutamide" in (trial.detailed_description or "")
    criteria = trial.eligibility.criteria or ""
    assert criteria.startswith("Inclusion Criteria:\n\n* Men ≥18 years.\n* Eastern Cooperative")
    assert "* Serum testosterone ≤1.73 nmol/L (50 ng/dL) at screening.\n" in criteria
    assert "<" not in criteria and "&#x" not in criteria


def test_a_real_text_change_still_shows_through_html() -> None:
    """The older real version of NCT03549754 given as HTML against the newer as Markdown: exactly the
    changes Markdown against Markdown gives, the detailed description's real edit among them."""
    old = load_raw(VERSIONS / "NCT03549754@2025-06-04.json")
    new = normalize(load_raw(VERSIONS / "NCT03549754@2025-12-09.json"))
    through_html = diff(normalize(website_record(old)), new)
    assert through_html == diff(normalize(old), new)
    described = [change for change in through_html if change.field == "detailed_description"]
    assert len(described) == 1 and "[-world.-]{+world+}" in (described[0].detail or "")


def _rich_values(raw: dict[str, Any]) -> list[str]:
    found: list[str] = []
    protocol = raw.get("protocolSection", {})
    for value in _walk(protocol):
        found.append(value)
    return found


def _walk(node: Any) -> list[str]:
    keys = {"briefSummary", "detailedDescription", "eligibilityCriteria", "description", "studyPopulation"}
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and isinstance(value, str):
                out.append(value)
            else:
                out += _walk(value)
    elif isinstance(node, list):
        for item in node:
            out += _walk(item)
    return out


def test_canonical_markdown_reads_back_to_the_tree_it_was_written_from() -> None:
    """For every real rich-text value at hand, reading the stored canonical Markdown again gives the
    block tree of the original (so the criteria structure and the differ see the same text)."""
    values = [value for path in RECORDS for value in _rich_values(load_raw(path))]
    in_sample = sum(len(_rich_values(load_raw(path))) for path in SAMPLE.glob("NCT*.json"))
    assert in_sample == 704  # the 38 sample records' rich-text values; ../shared adds 7,316 more
    assert len(values) >= in_sample
    for value in values:
        stored = richtext.markdown(value)
        assert richtext.parse(stored) == richtext.parse(value.strip())
        assert richtext.markdown(stored) == stored


def test_canonical_markdown_escapes_only_what_would_be_markup() -> None:
    """Text that would read as a list, a heading, emphasis, a link or a tag is escaped; nothing else."""
    text = "<p>1. not a list</p><p># not a heading, *not emphasis*, [not](a link), &lt;b&gt; a_b</p>"
    stored = richtext.markdown(text)
    assert stored == "1\\. not a list\n\n\\# not a heading, \\*not emphasis\\*, \\[not\\](a link), &lt;b> a_b"
    assert richtext.parse(stored) == richtext.parse(text)
    assert richtext.markdown("Age < 18, ng/mL") == "Age < 18, ng/mL"
