"""Schema drift is reported at run time: fields a record carries that this ctsync neither maps nor
leaves out on purpose are counted per run in the ledger, printed once, and shown by ``runs``.

The drifted records are real ones from ``data/sample`` with fields added by code (a new status flag, a
new site attribute), as ClinicalTrials.gov adds fields to API v2 over time.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE, load_raw

from pipeline.cli import main
from pipeline.store.connection import migration_files


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(stopped.value.code or 0), out, err


def _drifted(folder: Path) -> Path:
    """Two real records, one with two fields ClinicalTrials.gov might add, one untouched."""
    folder.mkdir()
    raw = load_raw("NCT05766735")
    raw["protocolSection"]["statusModule"]["pausedForReview"] = True
    for site in raw["protocolSection"]["contactsLocationsModule"]["locations"]:
        site["wheelchairAccess"] = "YES"
    (folder / "NCT05766735.json").write_text(json.dumps(raw), encoding="utf-8")
    (folder / "NCT01788527.json").write_text((SAMPLE / "NCT01788527.json").read_text(encoding="utf-8"))
    return folder


def test_a_run_records_prints_once_and_shows_the_fields_it_did_not_know(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "load", str(_drifted(tmp_path / "in")), "--workers", "1")
    assert code == 0
    drift_lines = [line for line in err.splitlines() if "schema drift" in line]
    assert drift_lines == [
        "ctsync: run 1 read 2 field path(s) this ctsync does not know (schema drift):"
        " protocolSection.contactsLocationsModule.locations.wheelchairAccess (1),"
        " protocolSection.statusModule.pausedForReview (1);"
        " they are kept in each version's raw JSON; `ctsync runs` lists them"
    ]
    code, out, _ = _run(capsys, "runs", "--json")
    assert code == 0
    assert json.loads(out)[0]["unaccounted_fields"] == {
        "protocolSection.contactsLocationsModule.locations.wheelchairAccess": 1,
        "protocolSection.statusModule.pausedForReview": 1,
    }
    code, out, _ = _run(capsys, "runs")
    assert (
        "run 1 read fields this ctsync does not know:"
        " protocolSection.contactsLocationsModule.locations.wheelchairAccess (1),"
        " protocolSection.statusModule.pausedForReview (1)"
    ) in out
    con = duckdb.connect("data/ctsync.duckdb", read_only=True)
    assert con.execute("SELECT count(*) FROM trials").fetchone() == (2,)
    kept = con.execute(
        "SELECT raw->>'$.protocolSection.statusModule.pausedForReview' FROM trial_versions"
        " WHERE nct_id = 'NCT05766735'"
    ).fetchone()
    con.close()
    assert kept == ("true",)


def test_a_run_without_drift_records_none_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "load", str(SAMPLE), "--workers", "1")
    assert code == 0
    assert "schema drift" not in err
    code, out, _ = _run(capsys, "runs", "--json")
    assert json.loads(out)[0]["unaccounted_fields"] is None


def test_migration_numbers_are_unique() -> None:
    """migrate() keys applied migrations by number: two files with one number would skip the second."""
    numbers = [int(path.name.split("_", 1)[0]) for path in migration_files()]
    assert len(numbers) == len(set(numbers))
