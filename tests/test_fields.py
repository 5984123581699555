"""The field account: every field of the metadata tree and of every real record is mapped or left out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, SAMPLE, SHARED, load_raw

from pipeline.fields import MAPPED, NOT_MAPPED, is_accounted, iter_leaf_paths, unaccounted_paths

RawFactory = Callable[[str], dict[str, Any]]

# The same real records test_normalize runs over: always-present folders, then ../shared/ctgov when there.
RECORD_FOLDERS = [SAMPLE, *(FIXTURES / name for name in ("versions", "pages", "partial"))]
RECORD_FOLDERS += [SHARED / name for name in ("studies", "pages", "partial")]
RECORD_FILES = [path for folder in RECORD_FOLDERS for path in sorted(folder.glob("*.json"))]

CONTACTS = "protocolSection.contactsLocationsModule."


def metadata_leaves(nodes: list[dict[str, Any]], prefix: str = "") -> Iterator[str]:
    """Dotted paths of the leaves of a /studies/metadata tree (nodes with a name and optional children)."""
    for node in nodes:
        path = f"{prefix}{node['name']}"
        if node.get("children"):
            yield from metadata_leaves(node["children"], f"{path}.")
        else:
            yield path


METADATA_LEAVES = set(
    metadata_leaves(json.loads((FIXTURES / "studies_metadata.json").read_text(encoding="utf-8")))
)


def test_metadata_tree_has_342_leaves() -> None:
    """The official metadata tree the account is checked against has its 342 leaf fields."""
    assert len(METADATA_LEAVES) == 342


def test_every_metadata_leaf_is_accounted_for() -> None:
    """Every leaf field of the official metadata tree is either mapped or deliberately left out."""
    assert sorted(path for path in METADATA_LEAVES if not is_accounted(path)) == []


def test_every_mapped_path_is_a_metadata_field() -> None:
    """MAPPED names only real fields: metadata leaves, plus the lat/lon inside the GEO_POINT leaf."""
    assert set(MAPPED) - METADATA_LEAVES == {
        f"{CONTACTS}locations.geoPoint.lat",
        f"{CONTACTS}locations.geoPoint.lon",
    }


def test_not_mapped_prefixes_outside_the_metadata_are_the_documented_extras() -> None:
    """Every NOT_MAPPED prefix covers metadata fields, except the three non-spec fields real records carry."""
    outside = {
        prefix for prefix in NOT_MAPPED if not any(leaf.startswith(prefix) for leaf in METADATA_LEAVES)
    }
    assert outside == {
        f"{CONTACTS}locations_nested.",
        "protocolSection.armsInterventionsModule.interventions.interventionMappedName",
        "derivedSection.miscInfoModule.modelPredictions.",
    }


def case_id(path: Path) -> str:
    """A test ID naming the file relative to the repository (``../shared/...`` for the shared records)."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else f"../{path.relative_to(REPO.parent)}"


@pytest.mark.parametrize("path", RECORD_FILES, ids=case_id)
def test_real_records_carry_no_unaccounted_field(path: Path) -> None:
    """No real record (each file, each study of each list page) carries a field in neither list."""
    raw = load_raw(path)
    studies = raw.get("studies", [raw])
    assert [sorted(unaccounted_paths(study)) for study in studies] == [[] for _ in studies]


def test_made_up_fields_are_reported(sample_raw: RawFactory) -> None:
    """Fields ClinicalTrials.gov might add (a module field, a site field, a section) are named as drift."""
    raw = sample_raw("NCT00841061")
    raw["protocolSection"]["statusModule"]["pauseReason"] = "funding review"
    raw["protocolSection"]["contactsLocationsModule"]["locations"][0]["floor"] = {"number": 3}
    raw["aiSummarySection"] = {"summary": "Iron in cereals"}
    assert unaccounted_paths(raw) == {
        "protocolSection.statusModule.pauseReason",
        f"{CONTACTS}locations.floor.number",
        "aiSummarySection.summary",
    }


def test_a_value_in_a_list_of_objects_is_drift_in_any_list_at_a_path(sample_raw: RawFactory) -> None:
    """NCT01793168's two sites have 2 and 1 contacts: a bare value added to the second site's contacts is
    drift at ``locations.contacts`` (the 2 objects already seen at that path must not hide it)."""
    raw = sample_raw("NCT01793168")
    raw["protocolSection"]["contactsLocationsModule"]["locations"][1]["contacts"].append("call the site")
    assert unaccounted_paths(raw) == {f"{CONTACTS}locations.contacts"}


def test_leaf_paths_drop_list_positions(sample_raw: RawFactory) -> None:
    """Leaf paths of a list of objects name the field once, without positions; scalar lists are leaves."""
    paths = list(iter_leaf_paths(sample_raw("NCT02725658")))
    assert paths.count(f"{CONTACTS}locations.city") == 4
    assert "protocolSection.conditionsModule.keywords" in paths
    assert not any("[" in path or ".0." in path for path in paths)
