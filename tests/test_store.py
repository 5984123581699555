"""The store: versioned, atomic, set-based writes of real records, and the load command around them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from clirun import CliResult, run_ctsync

from pipeline import ingest, records, store, sync
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
VERSIONS = REPO / "tests" / "fixtures" / "versions"
SHARED_STUDIES = REPO.parent / "shared" / "ctgov" / "studies"
CTSYNC = [sys.executable, "-m", "pipeline"]
# Every analyst table but the bookkeeping that a run necessarily changes (ledger, seen marks, migrations).
CONTENT_TABLES = tuple(
    t
    for t in store.ANALYST_TABLES
    if t not in ("sync_runs", "trial_seen", "schema_migrations", "reviews", "tracked_trials")
)
VOLATILE_COLUMNS = {"updated_at", "fetched_at", "detected_at", "failed_at", "run_id", "failure_id"}


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "db": tmp_path / "ctsync.duckdb",
        "published": tmp_path / "published" / "ctsync.duckdb",
        "wait": 0.5,
        **overrides,
    }
    return Settings(**values)


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The content of every data table, sorted, without columns that record when or in which run."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = {}
        for table in CONTENT_TABLES:
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                    " ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if row[0] not in VOLATILE_COLUMNS
            ]
            select = ", ".join(f'"{c}"::VARCHAR' for c in columns)
            result[table] = sorted(con.execute(f"SELECT {select} FROM {table}").fetchall(), key=repr)
        return result
    finally:
        con.close()


def count(db: Path, sql: str) -> Any:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(sql).fetchone()
        assert row is not None
        return row[0]
    finally:
        con.close()


def copy_versions(tmp_path: Path, suffix: str) -> Path:
    """A folder holding one real version of each two-version study (``@<tag>`` files sorted by tag)."""
    folder = tmp_path / f"versions-{suffix}"
    folder.mkdir()
    for path in sorted(VERSIONS.glob("*.json")):
        nct_id = path.name.split("@")[0]
        versions = sorted(VERSIONS.glob(f"{nct_id}@*.json"))
        chosen = versions[0] if suffix == "old" else versions[-1]
        if path == chosen:
            shutil.copy(path, folder / f"{nct_id}.json")
    return folder


def test_load_sample_stores_every_record_once(tmp_path: Path) -> None:
    """Loading the 38 real sample records stores 38 trials at version 1 with their child rows."""
    settings = settings_for(tmp_path)
    summary = sync.load(settings, [SAMPLE])
    assert (summary.count("new"), summary.count("changed"), summary.count("unchanged")) == (38, 0, 0)
    assert count(settings.db, "SELECT count(*) FROM trials") == 38
    assert count(settings.db, "SELECT count(*) FROM trial_versions") == 38
    assert count(settings.db, "SELECT max(version) FROM trials") == 1
    assert count(settings.db, "SELECT count(*) FROM trial_locations WHERE nct_id = 'NCT04267848'") == 1148
    assert count(settings.db, "SELECT location_count FROM trials WHERE nct_id = 'NCT04267848'") == 1148
    assert count(settings.db, "SELECT count(*) FROM trial_conditions WHERE nct_id = 'NCT05766735'") == 1
    assert count(settings.db, "SELECT condition FROM trial_conditions WHERE nct_id = 'NCT05766735'") == (
        "Type 2 Diabetes"
    )
    assert count(settings.db, "SELECT nct_id_aliases FROM trials WHERE nct_id = 'NCT01788527'") == [
        "NCT01734031"
    ]


def test_a_batch_is_also_cut_by_the_bytes_it_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """38 real records fit one 500-record batch; with a byte budget smaller than any record each is its own
    transaction, and the database holds exactly what the one-batch load stored."""
    batches: list[int] = []
    whole = settings_for(tmp_path / "whole")
    sync.load(whole, [SAMPLE], progress=batches.append)
    assert batches == [38]
    batches.clear()
    monkeypatch.setattr(ingest, "BATCH_BYTES", 1)
    cut = settings_for(tmp_path / "cut")
    summary = sync.load(cut, [SAMPLE], progress=batches.append)
    assert batches == [1] * 38
    assert summary.count("new") == 38
    assert snapshot(cut.db) == snapshot(whole.db)


def test_trials_columns_hold_typed_values(tmp_path: Path) -> None:
    """The trials row of NCT05766735 carries typed dates, lists and numbers from the real record."""
    settings = settings_for(tmp_path)
    sync.load(settings, [SAMPLE])
    con = duckdb.connect(str(settings.db), read_only=True)
    row = con.execute(
        "SELECT overall_status, phases, enrollment_count, enrollment_type, minimum_age_years,"
        " maximum_age_years, primary_completion_date::VARCHAR, primary_completion_date_type,"
        " start_date_precision, lead_sponsor_class, countries, healthy_volunteers"
        " FROM trials WHERE nct_id = 'NCT05766735'"
    ).fetchone()
    con.close()
    assert row == (
        "RECRUITING",
        ["NA"],
        200,
        "ESTIMATED",
        30.0,
        80.0,
        "2027-05-31",
        "ESTIMATED",
        "day",
        "OTHER",
        ["United States"],
        False,
    )


def test_reload_writes_nothing_new(tmp_path: Path) -> None:
    """Loading the same input twice adds no version and leaves every data table identical in content."""
    settings = settings_for(tmp_path)
    sync.load(settings, [SAMPLE])
    before = snapshot(settings.db)
    summary = sync.load(settings, [SAMPLE])
    assert summary.count("unchanged") == 38
    assert summary.count("new") + summary.count("changed") == 0
    assert snapshot(settings.db) == before


def test_changed_record_adds_exactly_one_version(tmp_path: Path) -> None:
    """Loading the later real version of NCT05766735 adds version 2 and nothing for unchanged trials."""
    settings = settings_for(tmp_path)
    sync.load(settings, [copy_versions(tmp_path, "old")])
    summary = sync.load(settings, [copy_versions(tmp_path, "new")])
    # NCT02552212's two versions differ only in derived data: the same canonical content.
    assert summary.outcomes == {
        "NCT02552212": "unchanged",
        "NCT03549754": "changed",
        "NCT05766735": "changed",
        "NCT06972472": "changed",
    }
    assert count(settings.db, "SELECT count(*) FROM trial_versions") == 7
    assert count(settings.db, "SELECT version FROM trials WHERE nct_id = 'NCT05766735'") == 2
    assert (
        count(settings.db, "SELECT completion_date::VARCHAR FROM trials WHERE nct_id = 'NCT05766735'")
        == "2027-05-31"
    )


def test_two_versions_in_one_batch_become_two_versions(tmp_path: Path) -> None:
    """A JSONL holding both real versions of NCT05766735 stores them as versions 1 and 2, in order."""
    lines = tmp_path / "both.jsonl"
    texts = [json.dumps(json.loads(p.read_text())) for p in sorted(VERSIONS.glob("NCT05766735@*.json"))]
    lines.write_text("\n".join(texts) + "\n")
    settings = settings_for(tmp_path)
    sync.load(settings, [lines])
    con = duckdb.connect(str(settings.db), read_only=True)
    rows = con.execute(
        "SELECT version, last_update_post_date::VARCHAR FROM trial_versions ORDER BY version"
    ).fetchall()
    con.close()
    assert rows == [(1, "2025-05-07"), (2, "2026-04-09")]


def test_exception_mid_batch_leaves_database_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error between the statements of a batch rolls the whole batch back; a re-run completes it."""
    settings = settings_for(tmp_path)
    sync.load(settings, [copy_versions(tmp_path, "old")])
    before = snapshot(settings.db)
    broken = (*store.CHILDREN_FROM_STAGE[:2], "SELECT * FROM no_such_table", *store.CHILDREN_FROM_STAGE[2:])
    monkeypatch.setattr(store.current, "CHILDREN_FROM_STAGE", broken)
    with pytest.raises(duckdb.CatalogException):
        sync.load(settings, [copy_versions(tmp_path, "new")])
    assert snapshot(settings.db) == before
    assert count(settings.db, "SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1") == "failed"
    monkeypatch.undo()
    sync.load(settings, [tmp_path / "versions-new"])
    assert count(settings.db, "SELECT count(*) FROM trial_versions") == 7


def test_malformed_files_are_dead_letters_and_the_rest_lands(run_cli: RunCli, tmp_path: Path) -> None:
    """Broken JSON, a non-study JSON and an empty file are failed records; real records still land; exit 1."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SAMPLE / "NCT05766735.json", folder)
    shutil.copy(SAMPLE / "NCT01788527.json", folder)
    (folder / "broken.json").write_text((SAMPLE / "NCT00841061.json").read_text()[:500])
    (folder / "metadata.json").write_text(json.dumps({"apiVersion": "2.0.5"}))
    (folder / "empty.json").write_text("")
    db = tmp_path / "cli.duckdb"
    result = run_cli(tmp_path, "--db", str(db), "load", str(folder))
    assert result.returncode == 1
    assert "Loaded: 2 new, 0 changed, 0 unchanged, 3 failed" in result.stderr
    con = duckdb.connect(str(db), read_only=True)
    failures = con.execute("SELECT source, stage, error FROM failed_records ORDER BY source").fetchall()
    con.close()
    assert [(Path(source).name, stage) for source, stage, _ in failures] == [
        ("broken.json", "read"),
        ("empty.json", "read"),
        ("metadata.json", "read"),
    ]
    assert failures[1][2] == "empty file"
    assert failures[0][2].startswith("not valid JSON")
    assert count(db, "SELECT count(*) FROM trials") == 2


def test_load_reads_pages_jsonl_and_zip(tmp_path: Path) -> None:
    """A real API page file, a JSONL of real records and a bulk-style zip in sub-folders all load."""
    import zipfile

    page = REPO / "tests" / "fixtures" / "pages" / "sample_response.json"
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps(json.loads((SAMPLE / f"{i}.json").read_text())) for i in ("NCT00184067", "NCT00276835")
        )
    )
    archive = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("NCT02725658", "NCT02777060"):
            zipped.write(SAMPLE / f"{name}.json", f"ctg-studies/{name}.json")
    settings = settings_for(tmp_path)
    summary = sync.load(settings, [page, jsonl, archive])
    # NCT02777060 is both in the page and in the zip: stored once (new), then seen unchanged.
    assert summary.count("new") == 13
    assert summary.outcomes["NCT02777060"] == "new"
    assert count(settings.db, "SELECT count(*) FROM trial_versions") == 13
    assert count(settings.db, "SELECT [fetched, new_trials, unchanged] FROM sync_runs") == [14, 13, 1]


def test_published_copy_is_replaced_while_a_reader_holds_it(tmp_path: Path) -> None:
    """An analyst holding the published copy open does not block a load and keeps seeing the old copy."""
    settings = settings_for(tmp_path)
    assert settings.published is not None
    sync.load(settings, [copy_versions(tmp_path, "old")])
    analyst = duckdb.connect(str(settings.published), read_only=True)
    try:
        sync.load(settings, [SAMPLE])
        assert analyst.execute("SELECT count(*) FROM trials").fetchone() == (4,)
    finally:
        analyst.close()
    assert count(settings.published, "SELECT count(*) FROM trials") == 38
    assert settings.published.stat().st_mode & 0o777 == 0o644  # other accounts (analysts) can read it


def test_second_writer_waits_then_exits_4(run_cli: RunCli, tmp_path: Path) -> None:
    """While one process holds the write lock, a second load waits --wait seconds and exits 4 naming it."""
    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = run_cli(tmp_path, "--db", str(db), "--wait", "1", "load", str(SAMPLE))
        waited = time.monotonic() - started
    finally:
        holder.terminate()
        holder.wait()
    assert result.returncode == 4
    assert waited >= 1.0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ctsync: error: database {db} is busy: pid {holder.pid} (ctsync test-holder")


HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipeline.lock import writer_lock
with writer_lock(Path(sys.argv[1]), 0, "ctsync test-holder"):
    print("locked", flush=True)
    time.sleep(60)
"""


def many_records(tmp_path: Path, copies: int) -> Path:
    """A JSONL of real sample records under derived NCT IDs (the ID is the only field changed)."""
    out = tmp_path / "many.jsonl"
    with out.open("w") as lines:
        for copy in range(copies):
            for index, path in enumerate(sorted(SAMPLE.glob("*.json"))):
                record = json.loads(path.read_text())
                record["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{copy:04d}{index:03d}"
                lines.write(json.dumps(record) + "\n")
    return out


def consistent(db: Path) -> None:
    """Every stored trial is whole: its current version exists and its child rows match its record."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        orphans = con.execute(
            "SELECT count(*) FROM trials t ANTI JOIN trial_versions v USING (nct_id, version)"
        ).fetchone()
        mismatched = con.execute(
            "SELECT count(*) FROM trials t WHERE location_count <>"
            " (SELECT count(*) FROM trial_locations l WHERE l.nct_id = t.nct_id)"
        ).fetchone()
        dangling = con.execute(
            "SELECT count(*) FROM trial_locations ANTI JOIN trials USING (nct_id)"
        ).fetchone()
    finally:
        con.close()
    assert (orphans, mismatched, dangling) == ((0,), (0,), (0,))


@pytest.fixture(scope="module")
def sample_copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 x 38 real records (``many_records``), written once for the module; tests only read it."""
    return many_records(tmp_path_factory.mktemp("records"), 4)


def _killed_load(tmp_path: Path, crash: str, records: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A load of 4 x 38 real records in batches of 10 (16 batches, the last of 2), crashed by the hook."""
    db = tmp_path / "killed.duckdb"
    victim = subprocess.run(
        [*CTSYNC, "--db", str(db), "load", str(records), "--batch-size", "10", "--workers", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "CTSYNC_TEST_CRASH": crash},
        check=False,
    )
    return db, victim


def _ledger(db: Path) -> tuple[Any, ...]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT command, status, fetched, new_trials FROM sync_runs ORDER BY run_id"
        ).fetchone()
        assert row is not None
        return tuple(row)
    finally:
        con.close()


@pytest.fixture(scope="module")
def uninterrupted_load(
    tmp_path_factory: pytest.TempPathFactory, sample_copies: Path
) -> dict[str, list[tuple[Any, ...]]]:
    """The content of an uninterrupted load of ``_killed_load``'s records: built once for the module
    (the records file is the same one, so even ``trial_versions.source`` compares equal)."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    records = sample_copies
    reference = folder / "reference.duckdb"
    result = run_process(folder, "--db", str(reference), "load", str(records), "--batch-size", "10")
    assert result.returncode == 0, result.stderr
    return snapshot(reference)


@pytest.mark.parametrize("batches", [1, 8, 15])
def test_sigkill_after_k_batches_then_rerun_completes(
    tmp_path: Path, batches: int, sample_copies: Path, uninterrupted_load: dict[str, list[tuple[Any, ...]]]
) -> None:
    """SIGKILL right after the k-th of 16 committed batches: exactly k whole batches are stored and the
    run is still 'running' in the ledger; the rerun ends with the uninterrupted run's content."""
    db, victim = _killed_load(tmp_path, f"{batches}:KILL", sample_copies)
    assert victim.returncode == -signal.SIGKILL  # killed mid-run, not finished
    assert _ledger(db) == ("load", "running", 10 * batches, 10 * batches)
    assert count(db, "SELECT count(*) FROM trials") == 10 * batches
    consistent(db)
    records = sample_copies
    assert run_process(tmp_path, "--db", str(db), "load", str(records), "--batch-size", "10").returncode == 0
    assert snapshot(db) == uninterrupted_load
    assert count(db, "SELECT status FROM sync_runs ORDER BY run_id LIMIT 1") == "failed"  # closed on rerun


@pytest.mark.parametrize("name", ["INT", "TERM"])
def test_sigint_and_sigterm_are_one_line_exit_130_and_an_interrupted_run(
    tmp_path: Path, name: str, sample_copies: Path
) -> None:
    """Ctrl-C or SIGTERM after the 3rd batch: "interrupted" in one line, exit 130, the run recorded as
    interrupted with its 3 whole batches."""
    db, victim = _killed_load(tmp_path, f"3:{name}", sample_copies)
    assert victim.returncode == 130
    assert victim.stderr.strip().splitlines()[-1] == (
        "ctsync: interrupted; whole batches are stored, run it again to finish"
    )
    assert "internal error" not in victim.stderr and "Traceback" not in victim.stderr
    assert _ledger(db) == ("load", "interrupted", 30, 30)
    assert count(db, "SELECT count(*) FROM trials") == 30
    consistent(db)


@pytest.mark.skipif(not SHARED_STUDIES.is_dir(), reason="../shared/ctgov is not beside this clone")
def test_load_every_shared_record(tmp_path: Path) -> None:
    """All 474 real study files of ../shared/ctgov/studies load without a failure."""
    settings = settings_for(tmp_path)
    summary = sync.load(settings, [SHARED_STUDIES])
    assert summary.failures == []
    assert len(summary.outcomes) == 470  # 474 files, four studies present in two versions


def test_export_parquet_writes_every_table(run_cli: RunCli, tmp_path: Path) -> None:
    """`ctsync export parquet` writes one Parquet file per analyst table, readable with the same rows."""
    db = tmp_path / "x.duckdb"
    assert run_cli(tmp_path, "--db", str(db), "load", str(SAMPLE)).returncode == 0
    result = run_cli(tmp_path, "--db", str(db), "export", "parquet", str(tmp_path / "out"))
    assert result.returncode == 0
    names = sorted(p.name for p in (tmp_path / "out").glob("*.parquet"))
    assert names == sorted(f"{t}.parquet" for t in (*store.ANALYST_TABLES, "trial_calculated_values"))
    con = duckdb.connect()
    rows = con.execute(
        "SELECT count(*) FROM read_parquet(?)", [str(tmp_path / "out" / "trial_locations.parquet")]
    )
    assert rows.fetchone() == (count(db, "SELECT count(*) FROM trial_locations"),)


def run_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``ctsync`` in a process of its own: for the tests whose point is processes (workers, kills)."""
    return subprocess.run(
        [*CTSYNC, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """``run_cli(cwd, ARGS…)``: ``ctsync`` in this process (tests/clirun.py)."""

    def run(cwd: Path, *args: str) -> CliResult:
        return run_ctsync(capsys, monkeypatch, *args, cwd=cwd)

    return run


def test_reload_of_identical_text_skips_normalizing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record whose text equals the stored one but for versionHolder is unchanged without being parsed."""
    settings = settings_for(tmp_path)
    sync.load(settings, [copy_versions(tmp_path, "old")])
    calls: list[str] = []
    real_prepare = ingest.prepare

    def counting(record: Any) -> Any:
        calls.append(record.source)
        return real_prepare(record)

    monkeypatch.setattr(ingest, "prepare", counting)
    # NCT02552212's second real version differs from its first only in derived data and versionHolder;
    # its text differs, so it is parsed (and found unchanged); the three others are byte-identical.
    again = tmp_path / "again"
    again.mkdir()
    for path in (tmp_path / "versions-old").glob("*.json"):
        shutil.copy(path, again / path.name)
    summary = sync.load(settings, [again])
    assert calls == []
    assert summary.count("unchanged") == 4
    newer = copy_versions(tmp_path, "new")
    summary = sync.load(settings, [newer])
    assert sorted(Path(source).name for source in calls) == [
        "NCT02552212.json",
        "NCT03549754.json",
        "NCT05766735.json",
        "NCT06972472.json",
    ]
    calls.clear()
    # The stored fingerprint follows the text last seen, even when the content did not change.
    sync.load(settings, [newer])
    assert calls == []
    assert summary.outcomes["NCT02552212"] == "unchanged"


def test_version_holder_alone_is_not_a_new_text(tmp_path: Path) -> None:
    """Two texts that differ only in versionHolder share a fingerprint; any other edit changes it."""
    text = (SAMPLE / "NCT05766735.json").read_text()
    moved = text.replace('"versionHolder": "2026-05-22"', '"versionHolder": "2026-11-24"')
    assert moved != text
    assert records.raw_fingerprint(moved) == records.raw_fingerprint(text)
    assert records.raw_fingerprint(text.replace("RECRUITING", "COMPLETED", 1)) != records.raw_fingerprint(
        text
    )
    assert records.nct_id_in_text(text) == "NCT05766735"


def test_oddly_shaped_record_is_a_dead_letter_not_a_crash(tmp_path: Path) -> None:
    """A record whose identificationModule is a list (derived from a real one) fails alone; the rest lands."""
    real_record = json.loads((SAMPLE / "NCT05766735.json").read_text())
    odd = json.loads(json.dumps(real_record))
    odd["protocolSection"]["identificationModule"] = [odd["protocolSection"]["identificationModule"]]
    odd_sites = json.loads(json.dumps(json.loads((SAMPLE / "NCT01788527.json").read_text())))
    odd_sites["protocolSection"]["contactsLocationsModule"]["locations"] = "Toronto"
    lines = tmp_path / "odd.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in (odd, real_record, odd_sites)) + "\n")
    summary = sync.load(settings_for(tmp_path), [lines])
    assert summary.outcomes == {"NCT05766735": "new"}
    assert [(f.stage, f.nct_id) for f in summary.failures] == [
        ("normalize", None),
        ("normalize", "NCT01788527"),
    ]


def test_reader_holding_the_working_database_makes_a_writer_exit_4(run_cli: RunCli, tmp_path: Path) -> None:
    """A process holding the working file open blocks DuckDB writers: wait --wait seconds, then exit 4."""
    db = tmp_path / "held.duckdb"
    assert run_cli(tmp_path, "--db", str(db), "load", str(SAMPLE / "NCT05766735.json")).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}, read_only=True);"
            " print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        result = run_cli(tmp_path, "--db", str(db), "--wait", "0.5", "load", str(SAMPLE / "NCT01788527.json"))
    finally:
        holder.terminate()
        holder.wait()
    assert result.returncode == 4
    assert result.stderr.startswith(f"ctsync: error: database {db} is open in another process")
    assert len(result.stderr.strip().splitlines()) == 1


def test_load_with_two_workers_stores_what_one_worker_stores(tmp_path: Path) -> None:
    """Normalizing in two worker processes gives the same database content as in one process."""
    records = many_records(tmp_path, 6)
    contents = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.duckdb"
        result = run_process(tmp_path, "--db", str(db), "load", str(records), "--workers", str(workers))
        assert result.returncode == 0, result.stderr
        contents.append(snapshot(db))
    assert contents[0] == contents[1]
    assert len(contents[0]["trials"]) == 228


def test_a_writer_waits_for_lock_and_open_file_against_one_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--wait is one budget: time spent waiting for another writer's lock is not granted again for a
    process that holds the file open. A fake clock makes it exact: the lock takes 7 of the 10 seconds,
    so the writer retries the open file for the 3 left (15 naps of 0.2 s), then exits 4."""
    from contextlib import contextmanager

    from pipeline import writer
    from pipeline.errors import DatabaseBusy

    now = [1000.0]
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        now[0] += seconds

    @contextmanager
    def slow_lock(db: Path, wait: float, command: str) -> Any:
        now[0] += 7.0  # another writer held the lock for 7 s
        yield

    def open_elsewhere(db: Path) -> Any:
        raise duckdb.IOException(f'Could not set lock on file "{db}": Conflicting lock is held')

    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", nap)
    monkeypatch.setattr(writer, "writer_lock", slow_lock)
    monkeypatch.setattr(store, "connect", open_elsewhere)
    with (
        pytest.raises(DatabaseBusy, match="is open in another process"),
        writer.writer(settings_for(tmp_path, wait=10.0), "load"),
    ):
        pass
    assert len(naps) == 15
    assert now[0] - 1000.0 == pytest.approx(10.0)
