"""Every bad input and local fault of issue 11: one line, a documented exit code, stored data unchanged.

The command line runs in process (``pipeline.cli.main`` with ``sys.argv`` set), so each test sees the exit
code and the exact stderr a user sees; a subprocess only where it is the point (a FIFO that would hang a
reader, a read-only mount in a private mount namespace). Records are real ones from ``data/sample`` and
``tests/fixtures/versions``; the malformed ones are derived from them by code.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from clirun import DbCli as Cli
from clirun import Result

from pipeline.fetch import NCT_ID, validate_nct_ids
from pipeline.ids import is_nct_id
from pipeline.standin import StandIn

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
VERSIONS = REPO / "tests" / "fixtures" / "versions"
V1 = VERSIONS / "NCT05766735@2025-05-07.json"
V2 = VERSIONS / "NCT05766735@2026-04-09.json"

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def ctsync(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path, capsys, monkeypatch)


@pytest.fixture
def stored(ctsync: Cli, tmp_path: Path) -> Cli:
    """A database holding NCT05766735's two real versions (version 1 reviewed) and NCT01788527."""
    first, second = tmp_path / "v1.json", tmp_path / "v2.json"
    shutil.copy(V1, first)
    shutil.copy(V2, second)
    ctsync.ok("load", "--workers", "1", first, SAMPLE / "NCT01788527.json")
    ctsync.ok("review", "NCT05766735", "--by", "A. Editor")
    ctsync.ok("load", "--workers", "1", second)
    return ctsync


def fingerprint(db: Path) -> dict[str, tuple[int, str]]:
    """(row count, hash of every row's content) of every table: what "stored data unchanged" compares."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        result = {}
        for table in sorted(tables):
            row = con.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::VARCHAR, '\n' ORDER BY t::VARCHAR)), '')"
                f" FROM {table} t"
            ).fetchone()
            assert row is not None
            result[table] = (int(row[0]), str(row[1]))
        return result
    finally:
        con.close()


def one_error(result: Result, code: int) -> str:
    """The single stderr line of a refused command; never an internal error or a traceback."""
    assert result.code == code, result.err
    assert len(result.error_lines) == 1, result.err
    (line,) = result.error_lines
    assert line.startswith("ctsync: error: ")
    assert "internal error" not in line and "Traceback" not in result.err
    return line.removeprefix("ctsync: error: ")


def study_with(path: Path, **identification: Any) -> dict[str, Any]:
    """A real record with identificationModule fields replaced (the way malformed variants are derived)."""
    study = json.loads(path.read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"].update(identification)
    assert isinstance(study, dict)
    return study


# --- 1. review state ------------------------------------------------------------------------------


def test_latest_recorded_review_is_the_baseline_not_the_latest_date(stored: Cli, tmp_path: Path) -> None:
    """A date-only import recorded after a same-day CLI review of version 1 counts for version 2, as said."""
    baseline = json.loads(stored.ok("changes", "NCT05766735", "--json").out)
    assert (baseline["baseline"], len(baseline["changes"])) == (1, 2)
    today = datetime.now(UTC).date().isoformat()
    csv = tmp_path / "reviews.csv"
    csv.write_text(f"nct_id,reviewed_at,reviewed_by\nNCT05766735,{today},B. Editor\n", encoding="utf-8")
    imported = stored.ok("review", "import", csv)
    assert imported.out.splitlines() == [f"NCT05766735: reviewed {today} by B. Editor: version 2"]
    after = json.loads(stored.ok("changes", "NCT05766735", "--json").out)
    assert (after["baseline"], after["reviewed_by"], after["changes"]) == (2, "B. Editor", [])
    assert [e["nct_id"] for e in json.loads(stored.ok("queue", "--json").out)] == ["NCT01788527"]


def test_a_review_dated_in_the_future_is_refused(stored: Cli, tmp_path: Path) -> None:
    """An import dated tomorrow is exit 2 naming the file and line; nothing is recorded."""
    before = fingerprint(stored.db)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    csv = tmp_path / "reviews.csv"
    csv.write_text(
        f"nct_id,reviewed_at,reviewed_by\nNCT01788527,2026-01-05,A\nNCT05766735,{tomorrow},B\n",
        encoding="utf-8",
    )
    assert one_error(stored("review", "import", csv), 2) == (
        f"{csv}:3: reviewed_at '{tomorrow}' is in the future; nothing imported (fix the date)"
    )
    assert fingerprint(stored.db) == before


def test_importing_the_same_csv_twice_records_nothing_new(stored: Cli, tmp_path: Path) -> None:
    """The second import of one CSV says every review is already recorded and changes no stored row."""
    csv = tmp_path / "reviews.csv"
    csv.write_text(
        "nct_id,reviewed_at,reviewed_by,note\n"
        "NCT05766735,2026-04-10,B. Editor,dates checked\n"
        "NCT05766735,2025-06-01T10:00:00Z,A. Editor,\n",
        encoding="utf-8",
    )
    first = stored.ok("review", "import", csv)
    assert first.out.splitlines() == [
        "NCT05766735: reviewed 2026-04-10 by B. Editor: version 2",
        "NCT05766735: reviewed 2025-06-01 by A. Editor: version 1",
    ]
    # Recorded oldest first: the row dated 2026-04-10 is the latest recorded, so version 2 is the baseline.
    assert json.loads(stored.ok("changes", "NCT05766735", "--json").out)["baseline"] == 2
    before = fingerprint(stored.db)
    second = stored.ok("review", "import", csv)
    assert second.out == ""
    assert second.error_lines == [
        "NCT05766735: review of 2026-04-10 by B. Editor already recorded",
        "NCT05766735: review of 2025-06-01 by A. Editor already recorded",
    ]
    assert fingerprint(stored.db) == before
    assert before["reviews"][0] == 3


# --- 3. NCT IDs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULLWIDTH], ids=["arabic-indic", "fullwidth"])
def test_non_ascii_digits_are_a_malformed_id_everywhere(
    stored: Cli, tmp_path: Path, digits: dict[int, str]
) -> None:
    """NCT + 8 Arabic-Indic or fullwidth digits is named as malformed (exit 2) by every command and file."""
    fake = "NCT" + "05766735".translate(digits)
    named = f"malformed NCT ID(s): {fake!r} (non-ASCII digits); an NCT ID is NCT followed by 8 digits"
    before = fingerprint(stored.db)
    for args in (("show", fake), ("changes", fake), ("track", "add", fake), ("refresh", fake)):
        assert one_error(stored(*args), 2).startswith(named), args
    ids = tmp_path / "ids.txt"
    ids.write_text(f"NCT01788527\n{fake}\n", encoding="utf-8")
    assert one_error(stored("track", "add", "--file", ids), 2) == (
        f"{ids}: malformed NCT ID(s), nothing added: line 2: {fake!r} (non-ASCII digits)"
    )
    csv = tmp_path / "reviews.csv"
    csv.write_text(f"nct_id,reviewed_at,reviewed_by\n{fake},2026-01-05,A\n", encoding="utf-8")
    assert one_error(stored("review", "import", csv), 2).startswith(f"{csv}:2: {named}")
    assert fingerprint(stored.db) == before
    assert not is_nct_id(fake) and NCT_ID.fullmatch(fake) is None
    with pytest.raises(Exception, match="non-ASCII digits"):
        validate_nct_ids([fake])


def test_an_id_is_exactly_nct_and_eight_ascii_digits() -> None:
    """No trailing newline, no ninth digit, no other script: the pattern is anchored and ASCII."""
    assert is_nct_id("NCT05766735")
    assert not any(
        map(is_nct_id, ["NCT05766735\n", "NCT057667351", "NCT0576673", "nct05766735", "NCT０5766735"])
    )
    assert validate_nct_ids([" nct05766735 "]) == ["NCT05766735"]


# --- 4. a record whose own nctId is malformed -----------------------------------------------------


def test_load_of_a_record_with_a_malformed_nct_id_is_a_dead_letter(ctsync: Cli, tmp_path: Path) -> None:
    """NCT05766735 renamed NCT123 or given Arabic-Indic digits: two dead letters; the real one is stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, nct_id in (("a.json", "NCT123"), ("b.json", "NCT" + "05766735".translate(ARABIC_INDIC))):
        study = study_with(V1, nctId=nct_id)
        (folder / name).write_text(json.dumps(study, ensure_ascii=False), encoding="utf-8")
    shutil.copy(SAMPLE / "NCT01788527.json", folder / "c.json")
    result = ctsync("load", "--workers", "1", folder)
    assert result.code == 1
    reason = "protocolSection.identificationModule.nctId: malformed"
    assert result.error_lines == [
        "Loaded: 1 new, 0 changed, 0 unchanged, 2 failed (run 1)",
        f"  failed: {folder / 'a.json'}: record without NCT ID: {reason}: 'NCT123';"
        " an NCT ID is NCT followed by 8 digits",
        f"  failed: {folder / 'b.json'}: record without NCT ID: {reason}: 'NCT٠٥٧٦٦٧٣٥' (non-ASCII digits);"
        " an NCT ID is NCT followed by 8 digits",
    ]
    prints = fingerprint(ctsync.db)
    assert (prints["trials"][0], prints["failed_records"][0]) == (1, 2)
    con = duckdb.connect(str(ctsync.db), read_only=True)
    try:
        assert con.execute("SELECT nct_id FROM trials").fetchall() == [("NCT01788527",)]
        assert con.execute("SELECT stage, nct_id FROM failed_records").fetchall() == [("normalize", None)] * 2
    finally:
        con.close()


# --- 6. environment faults that are not the database's -------------------------------------------


def test_a_zip_that_is_not_a_zip_is_named(stored: Cli, tmp_path: Path) -> None:
    """A .zip holding a real record's JSON, not a zip archive, is exit 2 before anything is written."""
    fake = tmp_path / "ctg-studies.json.zip"
    shutil.copy(SAMPLE / "NCT01788527.json", fake)
    before = fingerprint(stored.db)
    assert one_error(stored("load", fake), 2) == (
        f"{fake} is not a zip file: give the bulk ctg-studies.json.zip as downloaded"
    )
    assert fingerprint(stored.db) == before


def test_an_analysts_copy_that_is_the_database_itself_is_refused(stored: Cli, tmp_path: Path) -> None:
    """--published naming --db (another spelling, or a hard link) would swap a copy into the working
    database's place on publish: exit 2 before the write, nothing stored, no copy made beside it."""
    before = fingerprint(stored.db)
    os.link(stored.db, tmp_path / "same.duckdb")
    for published in (stored.db, tmp_path / "sub" / ".." / stored.db.name, tmp_path / "same.duckdb"):
        message = one_error(stored("--published", published, "review", "NCT01788527", "--by", "B"), 2)
        assert (
            message
            == f"--published must be another file than --db ({str(stored.db)!r}): it is the analysts' copy"
        )
    assert fingerprint(stored.db) == before
    assert sorted(p.name for p in tmp_path.glob(".ctsync.duckdb*")) == []


def test_an_analysts_copy_that_is_a_folder_is_refused_before_the_write(stored: Cli, tmp_path: Path) -> None:
    """--published naming a folder (or empty: the current folder) is exit 5 as a folder --db is, before
    the write: the review is not stored only to fail at publishing."""
    before = fingerprint(stored.db)
    for value, shown in (("", "."), (str(tmp_path), str(tmp_path))):
        for command in (("show", "NCT01788527"), ("review", "NCT01788527", "--by", "B")):
            message = one_error(stored("--published", value, *command), 5)
            assert message == (
                f"{shown} is a folder: --published names the analysts' copy file,"
                " e.g. data/published/ctsync.duckdb"
            )
    assert fingerprint(stored.db) == before


def test_an_unwritable_log_file_is_a_storage_error(stored: Cli, tmp_path: Path) -> None:
    """--log-file under a regular file cannot be created: exit 5 naming it, before any command runs."""
    log = tmp_path / "v2.json" / "ctsync.log"
    before = fingerprint(stored.db)
    message = one_error(stored("--log-file", log, "track", "add", "NCT01788527"), 5)
    assert message == (
        f"cannot append to the log file {log} (File exists): name a writable file with --log-file"
        " (CTSYNC_LOG_FILE) or fix its folder's permissions"
    )
    assert fingerprint(stored.db) == before


def test_export_where_no_folder_can_be_made_is_a_storage_error(stored: Cli, tmp_path: Path) -> None:
    """export parquet into a path below a regular file: exit 5 naming the folder."""
    target = tmp_path / "v2.json" / "exports"
    before = fingerprint(stored.db)
    assert one_error(stored("export", "parquet", target), 5) == (
        f"cannot write Parquet files into {target} (Not a directory): name a writable folder with free space"
    )
    assert fingerprint(stored.db) == before


def _read_only_runner(folder: Path) -> list[str] | None:
    """A command prefix under which ``folder`` is read-only: a read-only tmpfs in a private mount
    namespace (root ignores permission bits), or None when this machine allows no such thing."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o ro tmpfs {shlex.quote(str(folder))}"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return None
    mount = f'mount -t tmpfs -o ro tmpfs {shlex.quote(str(folder))} && exec "$@"'
    return ["unshare", "-rm", "sh", "-c", mount, "sh"]


def _read_only_bind(folder: Path) -> list[str] | None:
    """A command prefix under which ``folder`` keeps its files but is mounted read-only (a read-only
    bind mount in a private mount namespace), or None when this machine allows no such thing."""
    if shutil.which("unshare") is None:
        return None
    quoted = shlex.quote(str(folder))
    mount = f"mount --bind {quoted} {quoted} && mount -o remount,ro,bind {quoted}"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", mount], capture_output=True, check=False)
    if probe.returncode != 0:
        return None
    return ["unshare", "-rm", "sh", "-c", f'{mount} && exec "$@"', "sh"]


def _ctsync_under(prefix: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "CTSYNC_RATE": "0"},
        check=False,
    )


def test_a_database_in_a_read_only_folder_is_a_storage_error(stored: Cli, tmp_path: Path) -> None:
    """A writer whose database folder is read-only (mounted so, as after a disk error or a wrong
    volume): exit 5, one line naming the database, the database byte-identical."""
    folder = stored.db.parent
    prefix = _read_only_bind(folder)
    if prefix is None:
        pytest.skip("no way to make a read-only folder here: no private mount namespace")
    before = stored.db.read_bytes()
    result = _ctsync_under(
        prefix,
        "--db",
        str(stored.db),
        "--published",
        str(stored.published),
        "review",
        "NCT01788527",
        "--by",
        "B",
    )
    assert result.returncode == 5, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"ctsync: error: {stored.db}"), result.stderr
    assert "Read-only file system" in result.stderr
    assert "internal error" not in result.stderr
    assert stored.db.read_bytes() == before


def test_a_new_database_in_a_read_only_folder_is_a_storage_error(tmp_path: Path) -> None:
    """A first load into a read-only folder: exit 5, one line naming the database, nothing created."""
    folder = tmp_path / "ro"
    folder.mkdir()
    prefix = _read_only_bind(folder)
    if prefix is None:
        pytest.skip("no way to make a read-only folder here: no private mount namespace")
    db = folder / "ctsync.duckdb"
    result = _ctsync_under(prefix, "--db", str(db), "load", str(V1))
    assert result.returncode == 5, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert str(db) in result.stderr
    assert "internal error" not in result.stderr
    assert list(folder.iterdir()) == []


def test_export_into_a_read_only_folder_is_a_storage_error(stored: Cli, tmp_path: Path) -> None:
    """export parquet into a read-only folder: exit 5, one line naming the folder, no Parquet file."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    prefix = _read_only_runner(folder)
    if prefix is None:
        pytest.skip("no way to make a read-only folder here: not root-less and no mount namespace")
    before = fingerprint(stored.db)
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "pipeline", "--db", str(stored.db), "export", "parquet", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert result.returncode == 5, result.stderr
    assert result.stderr.splitlines() == [
        f"ctsync: error: cannot write Parquet files into {folder} (Read-only file system):"
        " name a writable folder with free space"
        if os.geteuid() == 0
        else f"ctsync: error: cannot write Parquet files into {folder} (Permission denied):"
        " name a writable folder with free space"
    ]
    folder.chmod(0o755)
    assert list(folder.iterdir()) == []
    assert fingerprint(stored.db) == before


@pytest.mark.parametrize("kind", ["ID file", "policy file", "review CSV"])
def test_files_that_are_not_utf8_are_named_and_a_bom_is_fine(stored: Cli, tmp_path: Path, kind: str) -> None:
    """A Latin-1 byte is exit 2 naming the file and line; the same file as UTF-8 with a BOM is read."""
    texts = {
        "ID file": "# sites in Montréal\nNCT01788527\n",
        "policy file": '# règles\n[[rules]]\nfield = "acronym"\nseverity = "major"\n',
        "review CSV": "nct_id,reviewed_at,reviewed_by\nNCT01788527,2026-01-05,Hélène\n",
    }
    path = tmp_path / "input.txt"
    command = {
        "ID file": ("track", "add", "--file", path),
        "policy file": ("--policy", path, "queue"),
        "review CSV": ("review", "import", path),
    }[kind]
    path.write_bytes(texts[kind].encode("latin-1"))
    before = fingerprint(stored.db)
    first = next(index for index, char in enumerate(texts[kind]) if not char.isascii())
    line = texts[kind][:first].count("\n") + 1
    byte = texts[kind][first].encode("latin-1")[0]
    assert one_error(stored(*command), 2) == (
        f"{kind} {path}: not UTF-8 text (line {line} has byte 0x{byte:02x}); save it as UTF-8"
    )
    assert fingerprint(stored.db) == before
    path.write_bytes(b"\xef\xbb\xbf" + texts[kind].encode("utf-8"))
    stored.ok(*command)


# --- 10. load of a FIFO ---------------------------------------------------------------------------


def test_load_skips_a_fifo_instead_of_hanging(stored: Cli, tmp_path: Path) -> None:
    """A FIFO given to load is skipped with a warning (alone, exit 2); a reader would wait on it forever.

    A subprocess, so a regression fails on its timeout instead of hanging the suite.
    """
    fifo = tmp_path / "records.json"
    os.mkfifo(fifo)
    before = fingerprint(stored.db)

    def load(*paths: Path) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "pipeline",
            "--db",
            str(stored.db),
            "--published",
            str(stored.published),
        ]
        return subprocess.run(
            [*command, "load", "--workers", "1", *map(str, paths)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=120,
            check=False,
        )

    alone = load(fifo)
    assert (alone.returncode, alone.stderr.splitlines()) == (
        2,
        [
            f"ctsync: error: nothing to load: {fifo} is not a regular file or folder;"
            " copy the records to a file first"
        ],
    )
    assert fingerprint(stored.db) == before
    mixed = load(fifo, SAMPLE / "NCT01788527.json")
    assert mixed.returncode == 0, mixed.stderr
    assert (
        mixed.stderr.splitlines()[0]
        == f"ctsync: skipped {fifo}: not a regular file or folder (a pipe or a device)"
    )
    assert fingerprint(stored.db)["trials"] == before["trials"]


# --- 11. a policy rule naming no field ------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "where", "field", "closest"),
    [
        (
            '[[rules]]\nfield = "overal_status"\nseverity = "critical"\n',
            "rules[0] (line 1)",
            "overal_status",
            "overall_status",
        ),
        ('ignore = ["locations[*].contact"]\n', "ignore", "locations[*].contact", "locations[*].contacts"),
    ],
)
def test_a_policy_naming_a_field_that_does_not_exist_is_refused(
    stored: Cli, tmp_path: Path, policy: str, where: str, field: str, closest: str
) -> None:
    """A misspelt field would never match: exit 2 naming it and the closest known field."""
    path = tmp_path / "policy.toml"
    path.write_text(policy, encoding="utf-8")
    before = fingerprint(stored.db)
    assert one_error(stored("--policy", path, "queue"), 2) == (
        f"policy file {path}: {where}: no field {field!r} in the canonical record; did you mean {closest!r}?"
    )
    assert fingerprint(stored.db) == before


# --- 12. the smaller ones -------------------------------------------------------------------------


def test_a_tracked_trial_never_found_upstream_is_a_critical_change_in_the_queue(ctsync: Cli) -> None:
    """NCT00000001 tracked beside a real trial, unknown upstream: the queue lists it first, as critical."""
    study = json.loads((SAMPLE / "NCT01788527.json").read_text(encoding="utf-8"))
    with StandIn([study]) as server:
        ctsync.ok("track", "add", "NCT01788527", "NCT00000001")
        synced = ctsync.ok("--api-url", server.url, "sync", "--json")
    assert json.loads(synced.out)["not_found"] == ["NCT00000001"]
    entries = json.loads(ctsync.ok("queue", "--json").out)
    assert [(e["nct_id"], e["severity"], e["change_count"], e["top_changes"]) for e in entries] == [
        ("NCT00000001", "critical", 1, ["upstream"]),
        ("NCT01788527", "major", 0, []),
    ]
    assert entries[0]["current_version"] is None
    screen = ctsync.ok("queue").out.splitlines()
    assert screen[1].split()[:6] == [
        "CRITICAL",
        "NCT00000001",
        "1",
        "never",
        "—",
        entries[0]["pending_since"][:10],
    ]


def test_track_add_file_says_what_is_wrong_with_it(stored: Cli, tmp_path: Path) -> None:
    """An ID file with only comments and a folder given as --file are each named for what they are."""
    empty = tmp_path / "ids.txt"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    before = fingerprint(stored.db)
    assert one_error(stored("track", "add", "--file", empty), 2) == (
        f"ID file {empty} names no NCT ID: write one per line (# starts a comment)"
    )
    assert (
        one_error(stored("track", "add", "--file", tmp_path), 2)
        == f"ID file {tmp_path} is a folder: name a file"
    )
    assert fingerprint(stored.db) == before


def test_min_severity_names_what_it_hides(stored: Cli) -> None:
    """--min-severity critical counts the hidden major and minor changes as such, not as bookkeeping."""
    shown = stored.ok("changes", "NCT05766735", "--min-severity", "critical").out.splitlines()
    assert shown == [
        "NCT05766735: 0 changes since review of version 1 (current version 2)",
        "(and 1 major and 1 minor change(s): --min-severity minor shows them)",
    ]


def test_help_has_no_type_labels_and_review_import_has_its_own(ctsync: Cli) -> None:
    """No `<list[str]>`-style labels or `{nct_ids}` anywhere in help; `review import --help` is import's."""
    commands = [[], ["load"], ["show"], ["changes"], ["queue"], ["review"], ["review", "import"], ["runs"],
                ["refresh"], ["sync"], ["track", "add"], ["track", "remove"], ["track", "list"],
                ["export", "parquet"]]  # fmt: skip
    for command in commands:
        text = ctsync.ok(*command, "--help").out
        assert re.search(r"<(list|str|int|float|path|bool)\b|\{[a-z_]+\}", text) is None, (command, text)
    review = ctsync.ok("review", "--help").out
    assert review.startswith("Usage: ctsync review [OPTIONS] NCT_ID...")
    imported = ctsync.ok("review", "import", "--help").out
    assert imported.startswith("Usage: ctsync review import [OPTIONS] FILE.csv\n")
    assert "Import the reviews editors already have" in imported
    assert "track add [OPTIONS] [NCT_ID]..." in ctsync.ok("track", "add", "--help").out
    assert "--db PATH" in ctsync.ok("--help").out


def test_piped_screen_output_has_no_trailing_spaces(stored: Cli) -> None:
    """show, queue and changes, piped, end no line with a space (rich pads table cells otherwise)."""
    for args in (
        ("show", "NCT05766735"),
        ("queue",),
        ("changes", "NCT05766735"),
        ("runs",),
        ("track", "list"),
    ):
        out = stored.ok(*args).out
        assert out.strip(), args
        assert [line for line in out.splitlines() if line != line.rstrip()] == [], args


def _timestamps(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _timestamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _timestamps(item)
    elif isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", value):
        yield value


def test_json_timestamps_are_iso_8601_with_t(stored: Cli) -> None:
    """Every date-time in every --json output is ISO 8601 with the T (there were two formats)."""
    stored.ok("track", "add", "NCT05766735")
    found = []
    commands = [["runs"], ["track", "list"], ["queue"], ["changes", "NCT05766735"],
                ["changes", "NCT05766735", "--all"]]  # fmt: skip
    for args in ([*command, "--json"] for command in commands):
        found += list(_timestamps(json.loads(stored.ok(*args).out)))
    assert len(found) >= 8
    assert [
        stamp for stamp in found if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+[+-]\d{2}:\d{2}", stamp)
    ] == []


def _readme_block(after: str) -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(after) + len(after)
    block = text[text.index("```", start) :]
    return block.split("\n", 1)[1].split("```", 1)[0].splitlines()


def test_readme_editors_example_is_reproducible(ctsync: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's commands for its editors' example print exactly the lines the README shows."""
    monkeypatch.chdir(REPO)
    commands = _readme_block("To reproduce it from a clone")
    exports = dict(item.split("=", 1) for item in shlex.split(commands[0].removeprefix("export ")))
    db, published = ctsync.db, ctsync.published
    assert exports["CTSYNC_DB"] == "data/editors.duckdb"  # the test writes its own files instead
    outputs: dict[str, list[str]] = {}
    for line in commands[1:]:
        args = shlex.split(line.replace("$V", exports["V"]))
        assert args[0] == ".venv/bin/ctsync"
        if args[1] == "load":
            args[2:2] = ["--workers", "1"]
        result = ctsync.ok(*args[1:])
        outputs[" ".join(shlex.split(line)[1:])] = result.out.splitlines()
    assert (db.exists(), published.exists()) == (True, True)
    shown = _readme_block(".venv/bin/ctsync queue\n```")
    today = datetime.now(UTC).date().isoformat()
    command = ""
    for line in shown:
        if line.startswith("$ ctsync "):
            command = line.removeprefix("$ ctsync ")
            continue
        if not line.strip() or line == "…":
            continue
        expected = re.sub(r"\d{4}-\d{2}-\d{2}(?=  )", today, line)
        assert expected in outputs[command], (command, line)
