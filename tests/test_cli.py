"""The command line as users meet it: JSON contracts, exit codes, one-line errors, help for every command."""

from __future__ import annotations

import json
import os
import re
import signal
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clirun import Ctsync

from pipeline import reading
from pipeline.settings import Settings
from pipeline.standin import StandIn, with_last_update_post_date

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
VERSIONS = REPO / "tests" / "fixtures" / "versions"
DESIGN_COMMANDS = [
    "track",
    "sync",
    "refresh",
    "load",
    "show",
    "renormalize",
    "changes",
    "queue",
    "review",
    "history",
    "runs",
    "export",
    "page",
    "serve",
    "report",
]


@pytest.fixture
def ctsync(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Ctsync:
    """``ctsync`` in this process (tests/clirun.py): nothing here needs a process of its own."""
    return Ctsync(capsys, monkeypatch)


def real(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_help_lists_every_command_of_the_design(ctsync: Ctsync, tmp_path: Path) -> None:
    """`ctsync --help` names every command of DESIGN.md's command-line contract."""
    result = ctsync(tmp_path, "--help")
    assert result.returncode == 0
    commands = result.stdout.split("Commands:")[1]
    assert sorted(line.split()[0] for line in commands.strip().splitlines()) == sorted(DESIGN_COMMANDS)


@pytest.mark.parametrize("command", DESIGN_COMMANDS)
def test_every_command_has_help_with_an_example(ctsync: Ctsync, tmp_path: Path, command: str) -> None:
    """Each command's --help says what it does and, for commands that act, shows an example."""
    result = ctsync(tmp_path, command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    if command not in ("track", "export"):
        assert "Example" in result.stdout


def test_malformed_id_is_a_one_line_usage_error(ctsync: Ctsync, tmp_path: Path) -> None:
    """A malformed NCT ID exits 2 with one line naming it, before any request or database work."""
    result = ctsync(tmp_path, "refresh", "NCT123", "NCT05766735")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "ctsync: error: malformed NCT ID(s): 'NCT123'; an NCT ID is NCT followed by 8 digits,"
        " e.g. NCT01788527"
    ]
    assert not (tmp_path / "db.duckdb").exists()


def test_upstream_unavailable_exits_3(ctsync: Ctsync, tmp_path: Path) -> None:
    """With nothing listening at --api-url the refresh gives up after its retries and exits 3 in one line."""
    env = {"CTSYNC_API_URL": "http://127.0.0.1:9/api/v2"}
    result = ctsync(tmp_path, "--retries", "2", "refresh", "NCT05766735", env=env)
    assert result.returncode == 3, result.stderr
    # One warning per retry (a person at a terminal sees why it waits), then the one error line.
    warning, error = result.stderr.splitlines()
    assert re.fullmatch(
        r"ctsync: GET /studies failed \(connection error \(Connection refused\)\); retrying in \d\.\ds",
        warning,
    )
    assert re.fullmatch(
        r"ctsync: error: ClinicalTrials.gov still failing after 2 attempt\(s\) in \ds"
        r" \(GET /studies: connection error \(Connection refused\)\); try again later,"
        r" or lower --rate if it keeps answering 429",
        error,
    )


def test_changes_and_queue_json_contract(ctsync: Ctsync, tmp_path: Path) -> None:
    """refresh → review → new version → `changes --json` and `queue --json` carry DESIGN.md's fields."""
    old = real(VERSIONS / "NCT05766735@2025-05-07.json")
    with StandIn([old]) as server:
        env = {"CTSYNC_API_URL": server.url}
        assert ctsync(tmp_path, "refresh", "NCT05766735", env=env).returncode == 0
        never = json.loads(ctsync(tmp_path, "changes", "NCT05766735", "--json").stdout)
        assert (never["baseline"], never["current_version"], never["changes"]) == (None, 1, [])
        assert ctsync(tmp_path, "review", "NCT05766735", "--by", "A. Editor").returncode == 0
        server.set_record(real(VERSIONS / "NCT05766735@2026-04-09.json"))
        refreshed = ctsync(tmp_path, "refresh", "NCT05766735", "--json", env=env)
    assert refreshed.returncode == 0
    assert json.loads(refreshed.stdout)["trials"][0]["outcome"] == "changed"
    changes = json.loads(ctsync(tmp_path, "changes", "NCT05766735", "--json").stdout)
    assert {k: changes[k] for k in ("nct_id", "baseline", "current_version")} == {
        "nct_id": "NCT05766735",
        "baseline": 1,
        "current_version": 2,
    }
    assert changes["changes"] == [
        {
            "field": "primary_completion_date",
            "change": "modified",
            "old": "2027-04-15",
            "new": "2027-05-31",
            "category": "dates",
            "severity": "major",
            "detail": None,
            "labels": [],
        },
        {
            "field": "completion_date",
            "change": "modified",
            "old": "2027-04-15",
            "new": "2027-05-31",
            "category": "dates",
            "severity": "minor",
            "detail": None,
            "labels": [],
        },
    ]
    queue = json.loads(ctsync(tmp_path, "queue", "--json").stdout)
    assert [{k: e[k] for k in ("nct_id", "severity", "change_count", "current_version")} for e in queue] == [
        {"nct_id": "NCT05766735", "severity": "major", "change_count": 2, "current_version": 2}
    ]
    assert json.loads(ctsync(tmp_path, "queue", "--json", "--min-severity", "critical").stdout) == []
    log = json.loads(ctsync(tmp_path, "changes", "NCT05766735", "--all", "--json").stdout)
    assert (log["nct_id"], log["current_version"]) == ("NCT05766735", 2)
    assert [
        {k: c[k] for k in ("from_version", "to_version", "field", "old", "new", "severity")}
        for c in log["changes"]
    ] == [
        {
            "from_version": 1,
            "to_version": 2,
            "field": "primary_completion_date",
            "old": "2027-04-15",
            "new": "2027-05-31",
            "severity": "major",
        },
        {
            "from_version": 1,
            "to_version": 2,
            "field": "completion_date",
            "old": "2027-04-15",
            "new": "2027-05-31",
            "severity": "minor",
        },
    ]
    assert datetime.fromisoformat(log["changes"][0]["detected_at"]).tzinfo is not None
    # One shape of a change: the log's entries are the same objects plus where and when they were stored.
    for since_review, stored in zip(changes["changes"], log["changes"], strict=True):
        assert set(stored) - set(since_review) == {"from_version", "to_version", "detected_at"}
        assert {k: stored[k] for k in since_review} == since_review
    text = ctsync(tmp_path, "changes", "NCT05766735").stdout
    assert "NCT05766735: 2 changes since review of version 1 (current version 2)" in text
    assert "Primary completion date: 2027-04-15 → 2027-05-31" in text


def test_review_import_uses_the_version_current_on_the_review_date(ctsync: Ctsync, tmp_path: Path) -> None:
    """An imported review counts for the version posted on or before its date; an older one is reported
    (with --no-history: not looked up in ClinicalTrials.gov's record history)."""
    (tmp_path / "v").mkdir()
    for name in ("NCT05766735@2025-05-07.json", "NCT05766735@2026-04-09.json"):
        (tmp_path / "v" / name.replace("@", "-")).write_text((VERSIONS / name).read_text())
    assert ctsync(tmp_path, "load", str(tmp_path / "v")).returncode == 0
    csv = tmp_path / "reviews.csv"
    csv.write_text(
        "nct_id,reviewed_at,reviewed_by,note\n"
        "NCT05766735,2025-06-01,A. Editor,page written\n"
        "NCT05766735,2024-01-10,B. Editor,\n"
    )
    result = ctsync(tmp_path, "review", "import", str(csv), "--no-history")  # today's behaviour
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["NCT05766735: reviewed 2025-06-01 by A. Editor: version 1"]
    assert result.stderr.splitlines() == [
        "NCT05766735: review of 2024-01-10 predates every stored version; not recorded"
        " (its changes since then cannot be shown yet)"
    ]
    changes = json.loads(ctsync(tmp_path, "changes", "NCT05766735", "--json").stdout)
    assert (changes["baseline"], len(changes["changes"])) == (1, 2)


def test_review_import_names_the_bad_line(ctsync: Ctsync, tmp_path: Path) -> None:
    """A malformed row of a review CSV is a usage error naming the file and line; nothing is recorded."""
    assert ctsync(tmp_path, "load", str(SAMPLE / "NCT05766735.json")).returncode == 0
    csv = tmp_path / "reviews.csv"
    csv.write_text("nct_id,reviewed_at,reviewed_by\nNCT05766735,2026-05-01,A\nNCT5766735,2026-05-01,B\n")
    result = ctsync(tmp_path, "review", "import", str(csv))
    assert result.returncode == 2
    assert result.stderr.startswith(f"ctsync: error: {csv}:3: malformed NCT ID(s): 'NCT5766735'")


def test_track_add_file_rejects_bad_lines_and_adds_nothing(ctsync: Ctsync, tmp_path: Path) -> None:
    """`track add --file` names every malformed line with its number and adds none of the file."""
    ids = tmp_path / "ids.txt"
    ids.write_text("# site trials\nNCT05766735\nNCT0000001  # typo\n\nnct01788527\nNCTX\n")
    result = ctsync(tmp_path, "track", "add", "--file", str(ids))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"ctsync: error: {ids}: malformed NCT ID(s), nothing added: line 3: 'NCT0000001'; line 6: 'NCTX'"
    )
    ids.write_text("# site trials\nNCT05766735\n\nnct01788527  # lower case is fine\n")
    assert ctsync(tmp_path, "track", "add", "--file", str(ids)).returncode == 0
    listed = json.loads(ctsync(tmp_path, "track", "list", "--json").stdout)
    assert [row["nct_id"] for row in listed] == ["NCT01788527", "NCT05766735"]
    assert ctsync(tmp_path, "track", "remove", "NCT01788527").returncode == 0
    listed = json.loads(ctsync(tmp_path, "track", "list", "--json").stdout)
    assert [row["nct_id"] for row in listed] == ["NCT05766735"]


def test_runs_check_is_weekend_aware(ctsync: Ctsync, tmp_path: Path) -> None:
    """A Friday sync is still fresh on Monday (one weekday) but stale on Thursday (four weekdays)."""
    assert reading.weekdays_between(date(2026, 11, 20), date(2026, 11, 23)) == 1
    assert reading.weekdays_between(date(2026, 11, 20), date(2026, 11, 26)) == 4
    study = real(SAMPLE / "NCT05766735.json")
    with StandIn(
        [with_last_update_post_date(study, "2026-11-19")], data_timestamp="2026-11-20T09:00:00"
    ) as s:
        settings = Settings(db=tmp_path / "db.duckdb", published=None, api_url=s.url, rate=0)
        assert ctsync(tmp_path, "track", "add", "NCT05766735").returncode == 0
        assert ctsync(tmp_path, "sync", env={"CTSYNC_API_URL": s.url}).returncode == 0
    finished = reading.runs(settings, 1)[0]["finished_at"]
    message, fresh = reading.freshness(settings, 3, now=finished)
    assert fresh, message
    # Six days later at least four weekdays have passed, whatever weekday the sync ran on.
    stale, ok = reading.freshness(settings, 3, now=finished + timedelta(days=6))
    assert not ok
    assert stale.startswith("ctsync: stale: the last successful sync (run 1) finished")
    assert ctsync(tmp_path, "runs", "--check").returncode == 0
    (tmp_path / "empty").mkdir()
    no_db = ctsync(tmp_path / "empty", "runs", "--check")
    assert no_db.returncode == 2
    assert "no database at" in no_db.stderr


def test_changes_on_screen_count_bookkeeping_instead_of_listing_it(ctsync: Ctsync, tmp_path: Path) -> None:
    """For NCT03549754's real versions the screen lists the 23 minor changes and counts the 22 info ones."""
    for tag in ("2025-06-04", "2025-12-09"):
        folder = tmp_path / tag
        folder.mkdir()
        (folder / "NCT03549754.json").write_text((VERSIONS / f"NCT03549754@{tag}.json").read_text())
        assert ctsync(tmp_path, "load", str(folder)).returncode == 0
        if tag == "2025-06-04":
            assert ctsync(tmp_path, "review", "NCT03549754", "--by", "A. Editor").returncode == 0
    everything = json.loads(ctsync(tmp_path, "changes", "NCT03549754", "--json").stdout)["changes"]
    severities = [c["severity"] for c in everything]
    assert (len(everything), severities.count("minor"), severities.count("info")) == (45, 18, 27)
    screen = ctsync(tmp_path, "changes", "NCT03549754").stdout
    assert "NCT03549754: 18 changes since review of version 1 (current version 2)" in screen
    assert "(and 27 bookkeeping change(s): --min-severity info shows them)" in screen
    assert "INFO" not in screen


def test_in_process_runner_is_isolated(ctsync: Ctsync, tmp_path: Path) -> None:
    """The in-process ``ctsync`` of these tests leaves no trace: cwd, environment and the SIGTERM handler
    are put back after each command, and a refused command's exit code and one line come through."""
    before = (Path.cwd(), os.environ.get("CTSYNC_API_URL"), signal.getsignal(signal.SIGTERM))
    result = ctsync(tmp_path, "refresh", "NCT123", env={"CTSYNC_API_URL": "http://127.0.0.1:9/api/v2"})
    assert (result.returncode, len(result.stderr.splitlines())) == (2, 1)
    assert (Path.cwd(), os.environ.get("CTSYNC_API_URL"), signal.getsignal(signal.SIGTERM)) == before
