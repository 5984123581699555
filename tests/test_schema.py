"""The generated files of schemas/ match the code, and the generator reports drift with exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO

from pipeline import schema_gen
from pipeline.models import SCHEMA_VERSION, Trial


def test_committed_trial_schema_matches_the_model() -> None:
    """schemas/trial.schema.json is, character for character, what the Trial model generates now."""
    committed = (REPO / "schemas" / "trial.schema.json").read_text(encoding="utf-8")
    assert committed == schema_gen.trial_schema_text(), "run `python -m pipeline.schema_gen` and commit"


def test_every_generated_file_is_committed_and_current() -> None:
    """No file that GENERATORS names is missing from schemas/ or stale (covers files added later)."""
    assert schema_gen.stale_files(REPO / "schemas") == []


def test_trial_schema_text_is_sorted_json_with_one_trailing_newline() -> None:
    """The schema text is the model's JSON Schema with sorted keys, ending in exactly one newline."""
    text = schema_gen.trial_schema_text()
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    parsed = json.loads(text)
    assert parsed == Trial.model_json_schema()
    assert text == json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert parsed["title"] == "Trial"
    assert parsed["properties"]["schema_version"]["default"] == SCHEMA_VERSION


def test_check_exits_1_on_drift_and_0_once_regenerated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check fails naming a missing or edited file, and passes after the generator rewrites it."""
    assert schema_gen.main(["--check", "--dir", str(tmp_path)]) == 1
    assert schema_gen.main(["--dir", str(tmp_path)]) == 0
    assert schema_gen.main(["--check", "--dir", str(tmp_path)]) == 0
    schema = tmp_path / "trial.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"Trial"', '"Study"'), encoding="utf-8")
    capsys.readouterr()
    assert schema_gen.main(["--check", "--dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (f"{schema} is out of date: run `python -m pipeline.schema_gen`\n")
