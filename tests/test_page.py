"""Page facts: the quick facts of real records in the editors' page's exact forms, and which page facts a
change touches."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from clirun import run_ctsync

from pipeline import page
from pipeline.diff import diff
from pipeline.models import Eligibility, Location, Organization, Trial
from pipeline.normalize import normalize
from pipeline.page import facts_of_changes, facts_touched, page_facts, quick_facts_summary

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
EDITORIAL_PAGE = FIXTURES / "editorial" / "NCT06170697-find-a-trial-page.txt"


def trial_of(path: Path) -> Trial:
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return normalize(raw)


def quick_facts_of_the_page() -> dict[str, str]:
    """The real page's "Quick facts" lines; label and value run together ("Enrollment46 (estimated)")."""
    text = EDITORIAL_PAGE.read_text(encoding="utf-8")
    block = text.split("Quick facts\n\n", 1)[1].split("\n\n", 1)[0]
    found = {}
    for line in block.splitlines():
        label = next(label for label in page.QUICK_FACTS if line.startswith(label))
        found[label] = line[len(label) :]
    return found


def test_page_module_is_pure() -> None:
    """page.py imports neither duckdb, requests nor rich: it maps models to words, nothing else."""
    tree = ast.parse((REPO / "pipeline" / "page.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name.split(".")[0] for name in imported} & {"duckdb", "requests", "rich", "httpx"}


def test_quick_facts_reproduce_the_real_editorial_page() -> None:
    """A real record given NCT06170697's facts (derived by code; that record is not in ../ctgov) shows
    them exactly as the editors' page does: "46 (estimated)", "18 Years to 70 Years", "… (other)"."""
    base = trial_of(FIXTURES / "versions" / "NCT05766735@2026-04-09.json")
    beijing = Location(
        key="beijing", facility="Cancer Hospital", city="Beijing", state="Beijing", country="China"
    )
    derived = base.model_copy(
        update={
            "nct_id": "NCT06170697",
            "phases": ("PHASE2",),
            "enrollment_count": 46,
            "enrollment_type": "ESTIMATED",
            "eligibility": Eligibility(minimum_age="18 Years", maximum_age="70 Years", sex="ALL"),
            "lead_sponsor": Organization(
                name="Cancer Institute and Hospital, Chinese Academy of Medical Sciences",
                agency_class="OTHER",
            ),
            "interventions": tuple(
                i.model_copy(update={"name": name})
                for i, name in zip(base.interventions, ("camrelizumab", "radiation"), strict=True)
            ),
            "locations": (beijing,),
        }
    )
    facts = page_facts(derived)
    assert {fact.label: fact.value for fact in facts.quick_facts} == quick_facts_of_the_page()


def test_quick_facts_of_real_records() -> None:
    """Real records' quick facts, exactly: one site, several places, a drug listed in two arms once."""
    facts = page_facts(trial_of(REPO / "data" / "sample" / "NCT03887936.json"))
    assert [(f.label, f.value) for f in facts.quick_facts] == [
        ("Phase", "PHASE4"),
        ("Study type", "Interventional"),
        ("Enrollment", "92 (actual)"),
        ("Ages", "35 Years to 70 Years"),
        ("Sex", "Male"),
        ("Sponsor", "VA Office of Research and Development (fed)"),
        ("Drugs / interventions", "Testosterone gel 1.62%, Placebo"),
        ("Locations", "1 site (Houston, Texas)"),
        ("Trial ID", "NCT03887936 on ClinicalTrials.gov"),
    ]
    assert facts.conditions == ("Type 2 Diabetes Mellitus", "Hypogonadism")
    assert [(s.heading, len(s.items)) for s in facts.criteria] == [
        ("Inclusion Criteria", 10),
        ("Exclusion Criteria", 42),
    ]
    assert facts.criteria[0].items[0] == "Male veterans only"
    dapagliflozin = page_facts(trial_of(REPO / "data" / "sample" / "NCT00663260.json"))
    assert dapagliflozin.fact("Drugs / interventions") == "Dapagliflozin, Placebo"
    assert dapagliflozin.fact("Phase") == "PHASE2, PHASE3"
    assert dapagliflozin.fact("Locations") == (
        "96 sites (Mesa, Arizona; Fresno, California; Greenbrae, California and 84 more places)"
    )
    registry = page_facts(trial_of(FIXTURES / "versions" / "NCT03549754@2025-12-09.json"))
    assert (registry.fact("Phase"), registry.fact("Study type"), registry.fact("Ages")) == (
        "N/A",
        "Observational",
        "18 Years and older",
    )


def test_age_forms() -> None:
    """Ages read as the page writes them whichever limits the record gives."""
    assert page.ages("18 Years", "70 Years") == "18 Years to 70 Years"
    assert page.ages("18 Years", None) == "18 Years and older"
    assert page.ages(None, "6 Months") == "Up to 6 Months"
    assert page.ages(None, None) == "Any age"


def test_facts_touched_by_field_paths() -> None:
    """Each canonical change path names the page facts it alters, and only those."""
    key = "research site|taichung|taichung city|taiwan"
    assert facts_touched("enrollment_count") == ("Enrollment",)
    assert facts_touched("enrollment_type") == ("Enrollment",)
    assert facts_touched(f"locations[{key}]") == ("Locations", "Where this trial is running")
    assert facts_touched(f"locations[{key}].city") == ("Locations", "Where this trial is running")
    assert facts_touched(f"locations[{key}].status") == ("Where this trial is running",)
    assert facts_touched(f"locations[{key}].contacts[a|b|c].phone") == ("Study contacts",)
    assert facts_touched("eligibility.criteria") == ("Eligibility criteria",)
    assert facts_touched("eligibility.inclusion[Age 18 or older [see note]. Adults]") == (
        "Eligibility criteria",
    )
    assert facts_touched("eligibility.minimum_age") == ("Ages",)
    assert facts_touched("lead_sponsor.agency_class") == ("Sponsor",)
    assert facts_touched("interventions[drug|placebo]") == ("Drugs / interventions",)
    assert facts_touched("interventions[drug|placebo].description") == ()
    assert facts_touched("primary_completion_date") == ()
    assert facts_touched("detailed_description") == ()


def test_real_changes_say_which_page_facts_they_touch() -> None:
    """The real version pairs: sites renamed touch Locations and the site list; dates touch no fact."""

    def changes(nct_id: str, old: str, new: str) -> list[str]:
        versions = FIXTURES / "versions"
        found = diff(trial_of(versions / f"{nct_id}@{old}.json"), trial_of(versions / f"{nct_id}@{new}.json"))
        return [change.field for change in found]

    sites = changes("NCT03549754", "2025-06-04", "2025-12-09")
    assert facts_of_changes(sites) == ["Locations", "Where this trial is running"]
    assert quick_facts_summary(sites) == "Quick facts: Locations; Where this trial is running"
    assert facts_of_changes(changes("NCT05766735", "2025-05-07", "2026-04-09")) == []
    contacts = changes("NCT06972472", "2025-06-26", "2025-11-04")
    assert facts_of_changes(contacts) == ["Locations", "Where this trial is running", "Study contacts"]


def test_ctsync_page_prints_the_quick_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ctsync page` on a loaded real record prints its quick facts in the page's forms, and as --json."""
    base = ["--db", str(tmp_path / "db.duckdb"), "--published", str(tmp_path / "p")]
    record = FIXTURES / "versions" / "NCT05766735@2026-04-09.json"
    assert run_ctsync(capsys, monkeypatch, *base, "load", str(record)).returncode == 0
    shown = run_ctsync(capsys, monkeypatch, *base, "page", "NCT05766735")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "  Enrollment              200 (estimated)" in lines
    assert "  Locations               2 sites (Aurora, Colorado; Charlottesville, Virginia)" in lines
    assert "  Sponsor                 Chiara Fabris, PhD (other)" in lines
    as_json = run_ctsync(capsys, monkeypatch, *base, "page", "NCT05766735", "--json")
    facts = json.loads(as_json.stdout)
    assert (facts["version"], facts["quick_facts"][3]) == (
        1,
        {"label": "Ages", "value": "30 Years to 80 Years"},
    )
