"""Publishing in proportion to the change: the idle copy is patched with the touched trials and linked
into place; the whole file is copied when a reader holds that copy or a write touched everything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline import store, sync
from pipeline.settings import Settings
from pipeline.store import published as copies

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
VERSIONS = REPO / "tests" / "fixtures" / "versions"
TABLES = (*store.ANALYST_TABLES, "trial_current_records")
HOLD_AND_COUNT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
count = lambda: print(con.execute("SELECT count(*) FROM trials").fetchone()[0], flush=True)
count()
sys.stdin.readline()
count()
"""


def later_versions(tmp_path: Path) -> Path:
    """The later real version of each two-version study of tests/fixtures/versions."""
    folder = tmp_path / "later"
    folder.mkdir()
    for path in sorted(VERSIONS.glob("*.json")):
        nct_id = path.name.split("@")[0]
        if path == sorted(VERSIONS.glob(f"{nct_id}@*.json"))[-1]:
            shutil.copy(path, folder / f"{nct_id}.json")
    return folder


def content(db: Path) -> dict[str, list[str]]:
    """Every row of every analyst table (and the current records), sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(str(row) for row in con.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}
    finally:
        con.close()


def review(con: duckdb.DuckDBPyConnection, nct_id: str) -> None:
    version = con.execute("SELECT version FROM trials WHERE nct_id = ?", [nct_id]).fetchone()
    assert version is not None
    store.add_reviews(con, [(nct_id, version[0], "ed", datetime(2026, 12, 3, tzinfo=UTC), None, "test")])


def test_publishes_alternate_copies_and_patch_equals_the_working_database(tmp_path: Path) -> None:
    """Two loads copy the whole file into each copy; then a load of 4 later versions and a review are
    patched in, and the published file holds exactly what the working database holds."""
    settings = Settings(db=tmp_path / "w.duckdb", published=tmp_path / "pub" / "p.duckdb", wait=0.5)
    published = settings.published
    assert published is not None
    first, second = copies.copies(published)
    sync.load(settings, [SAMPLE])
    assert os.path.samestat(published.stat(), first.stat())
    sync.load(settings, [VERSIONS / "NCT03549754@2025-06-04.json"])
    assert os.path.samestat(published.stat(), second.stat())
    sync.load(settings, [later_versions(tmp_path)])
    con = store.connect(settings.db)
    try:
        assert store.publish(con, settings.db, published) == "patch"
        review(con, "NCT03549754")
        assert store.publish(con, settings.db, published) == "patch"
    finally:
        con.close()
    assert content(published) == content(settings.db)
    assert published.stat().st_mode & 0o777 == 0o644
    reviewed = duckdb.connect(str(published), read_only=True)
    assert reviewed.execute("SELECT nct_id, reviewed_by FROM reviews").fetchall() == [("NCT03549754", "ed")]
    reviewed.close()


def test_reader_holding_the_idle_copy_gets_a_whole_copy_and_keeps_its_view(tmp_path: Path) -> None:
    """An analyst who opened the published file two publishes ago still holds the copy a patch would
    write: the writer is not blocked, the analyst's view does not move, the new file is complete."""
    db, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    con = store.connect(db)
    assert store.publish(con, db, published) == "copy"
    con.close()
    # Another process: within one process POSIX file locks do not conflict, as between analysts they do.
    analyst = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_COUNT, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert analyst.stdout is not None and analyst.stdin is not None
    try:
        assert analyst.stdout.readline() == "0\n"
        sync.load(Settings(db=db, published=published, wait=0.5), [SAMPLE])  # into the second copy
        con = store.connect(db)
        review(con, "NCT02777060")
        assert store.publish(con, db, published) == "copy"  # a patch would write the analyst's file
        analyst.stdin.write("again\n")
        analyst.stdin.flush()
        assert analyst.stdout.readline() == "0\n"
    finally:
        analyst.kill()
        analyst.wait()
    try:
        review(con, "NCT03549754")
        assert store.publish(con, db, published) == "patch"
    finally:
        con.close()
    assert content(published) == content(db)


def test_a_write_that_touched_everything_copies_the_whole_file(tmp_path: Path) -> None:
    """A journal entry for every trial (a renormalize, a migration) makes the next publishes whole
    copies; the journal keeps only what a copy may still need."""
    db, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    con = store.connect(db)
    try:
        for _ in range(2):
            store.publish(con, db, published)
        assert store.publish(con, db, published) == "patch"
        copies.note_everything(con)
        assert [store.publish(con, db, published) for _ in range(3)] == ["copy", "copy", "patch"]
        assert con.execute("SELECT count(*) FROM publish_journal").fetchone() == (1,)
    finally:
        con.close()


def test_a_copy_of_another_database_is_never_patched(tmp_path: Path) -> None:
    """The same --published path written from two working databases: each publish copies whole."""
    published = tmp_path / "p.duckdb"
    for name in ("one", "two", "two"):
        con = store.connect(tmp_path / f"{name}.duckdb")
        try:
            assert store.publish(con, tmp_path / f"{name}.duckdb", published) == "copy"
        finally:
            con.close()


def test_a_copy_open_in_this_process_is_not_patched(tmp_path: Path) -> None:
    """The web app reads pages and writes reviews in one process, where file locks do not conflict:
    a copy one of its connections still holds is copied whole, not patched under it."""
    db, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    con = store.connect(db)
    try:
        store.publish(con, db, published)
        page = duckdb.connect(str(published), read_only=True)
        store.publish(con, db, published)
        assert store.publish(con, db, published) == "copy"
        page.close()
        assert store.publish(con, db, published) == "patch"
    finally:
        con.close()
