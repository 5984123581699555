"""Local storage faults on the working database and the published copy: one line, exit 5, nothing lost."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from clirun import CliResult, run_ctsync
from conftest import REPO, SAMPLE

CTSYNC = [sys.executable, "-m", "pipeline"]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CTSYNC, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """``run_cli(cwd, ARGS…)``: ``ctsync`` in this process (tests/clirun.py); ``run`` keeps a process."""

    def run_in_process(cwd: Path, *args: str) -> CliResult:
        return run_ctsync(capsys, monkeypatch, *args, cwd=cwd)

    return run_in_process


def one_line(result: subprocess.CompletedProcess[str] | CliResult) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def test_db_that_is_a_folder_is_exit_5_and_the_folder_is_untouched(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """`--db` naming a folder: one line saying it is a folder, exit 5, nothing written into it."""
    folder = tmp_path / "db"
    folder.mkdir()
    result = run_cli(tmp_path, "--db", str(folder), "track", "add", "NCT05766735")
    assert result.returncode == 5
    assert (
        one_line(result)
        == f"ctsync: error: {folder} is a folder: --db names the database file, e.g. data/ctsync.duckdb"
    )
    assert list(folder.iterdir()) == []


def test_corrupt_database_file_is_exit_5_and_left_byte_identical(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """A database file that is not DuckDB (here a real record's JSON under the name) is refused as is."""
    db = tmp_path / "ctsync.duckdb"
    shutil.copy(SAMPLE / "NCT05766735.json", db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for args in (["track", "add", "NCT05766735"], ["queue"]):
        result = run_cli(tmp_path, "--db", str(db), *args)
        assert result.returncode == 5
        assert "is not a DuckDB database" in one_line(result) or "is not a ctsync database" in one_line(
            result
        )
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_published_copy_that_cannot_be_replaced_is_exit_5_and_turns_runs_check_red(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The data is stored, the published copy cannot be written (its folder is a file): exit 5 with
    one line that says the data is stored, and the run is 'unpublished' in the ledger (not a success, so
    `runs --check`, which counts succeeded and no-op syncs only, does not stay green on it)."""
    blocker = tmp_path / "published"
    blocker.write_text("a file where the published folder should be", encoding="utf-8")
    db = tmp_path / "ctsync.duckdb"
    common = ["--db", str(db), "--published", str(blocker / "ctsync.duckdb")]
    result = run_cli(tmp_path, *common, "load", str(SAMPLE))
    assert result.returncode == 5
    assert one_line(result).startswith(f"ctsync: error: stored in {db}, but the analysts' copy")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM trials").fetchone() == (38,)
        assert con.execute("SELECT command, status FROM sync_runs").fetchall() == [("load", "unpublished")]
    finally:
        con.close()


def _tmpfs_available() -> bool:
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    shutil.which("unshare") is None or not _tmpfs_available(),
    reason="needs `unshare -rm` and a tmpfs mount (user namespaces) to fill a small disk for real",
)
def test_disk_full_is_exit_5_and_keeps_whole_batches(tmp_path: Path) -> None:
    """A load onto a 3 MB tmpfs runs out of space: one line, exit 5, the committed batches are whole and
    the failed one left nothing behind (checked inside the same mount namespace)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f"mount -t tmpfs -o size=3m tmpfs {disk} && cd {disk} &&"
        f" {sys.executable} -m pipeline --db {disk}/x.duckdb --published {disk}/p.duckdb"
        f" load {SAMPLE} --workers 1 --batch-size 5; echo rc=$? >&2;"
        f" {sys.executable} -c \"import duckdb; c = duckdb.connect('{disk}/x.duckdb', read_only=True);"
        " print(c.execute('SELECT count(*) FROM trials').fetchone()[0],"
        " c.execute('SELECT count(*) FROM trials t ANTI JOIN trial_versions v USING (nct_id, version)')"
        ".fetchone()[0], c.execute('SELECT status, new_trials FROM sync_runs').fetchall())\""
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    errors = result.stderr.strip().splitlines()
    assert errors[-1] == "rc=5", result.stderr
    assert errors[0].startswith(f"ctsync: error: {disk}/x.duckdb: could not write beside it (No space left")
    stored, orphans, ledger = result.stdout.strip().split(" ", 2)
    assert int(stored) % 5 == 0 and 0 < int(stored) < 38  # whole batches of 5 only
    assert orphans == "0"
    assert ledger == f"[('failed', {stored})]"


def test_an_oversized_record_is_a_dead_letter_and_the_rest_of_its_batch_lands(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """A real record given a 20 MB title by code (the registry's largest record is 3.6 MB) becomes a dead
    letter naming its size; the other 37 records of the same batch are stored."""
    folder = tmp_path / "records"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("*.txt", "*.md"))
    huge = json.loads((folder / "NCT05766735.json").read_text(encoding="utf-8"))
    huge["protocolSection"]["identificationModule"]["briefTitle"] = "A" * 20_000_000
    (folder / "NCT05766735.json").write_text(json.dumps(huge), encoding="utf-8")
    db = tmp_path / "ctsync.duckdb"
    result = run_cli(
        tmp_path, "--db", str(db), "--published", str(tmp_path / "p.duckdb"), "load", str(folder)
    )
    assert result.returncode == 1, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM trials").fetchone() == (37,)
        letters = con.execute("SELECT nct_id, stage, error, length(raw) FROM failed_records").fetchall()
    finally:
        con.close()
    assert len(letters) == 1
    nct_id, stage, error, kept = letters[0]
    assert (nct_id, stage) == ("NCT05766735", "normalize")
    assert error.startswith("NCT05766735: record: 40.0 MB with its canonical form, over the 16.8 MB")
    assert kept == 1_000_000  # the dead letter keeps the first megabyte of the raw record


def test_duckdb_out_of_memory_is_one_line_exit_5_naming_the_limit(tmp_path: Path) -> None:
    """A writer that hits DuckDB's memory limit (forced tiny here with CTSYNC_MEMORY_LIMIT) says so in
    one line with what to do, exit 5, instead of DuckDB's multi-line advice and an internal error."""
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--db", str(tmp_path / "x.duckdb"), "load", str(SAMPLE)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "CTSYNC_MEMORY_LIMIT": "2MB"},
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 5, result.stderr
    assert result.stderr.splitlines() == [
        f"ctsync: error: {tmp_path / 'x.duckdb'}: DuckDB ran out of its 2MB memory limit; committed batches"
        " are kept: run again with a larger CTSYNC_MEMORY_LIMIT (e.g. 2GB) or a smaller --batch-size"
    ]
