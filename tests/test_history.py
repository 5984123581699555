"""Review baselines from ClinicalTrials.gov's record history, end to end against the stand-in.

The upstream versions are derived by code from the two real versions of NCT03549754
(``tests/fixtures/versions``): version 0 is the older real record as if first posted (status
NOT_YET_RECRUITING, dated its first QC submission), versions 1 and 2 are the two real records; every one
has its rich text rendered to HTML as the website serves it (``tests/sitehtml.py``). The API v2 stand-in
serves the newer real record in Markdown, as the real API does.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from clirun import DbCli as Cli
from conftest import FIXTURES, FakeClock, load_raw
from sitehtml import three_versions, website_record

from pipeline import store
from pipeline.diff import diff
from pipeline.history import HistoryFailure, fetch_version, fetch_versions, history_base_url
from pipeline.http import ApiClient
from pipeline.normalize import normalize
from pipeline.records import Incoming
from pipeline.settings import RetryPolicy, Settings
from pipeline.standin import StandIn, with_last_update_post_date

NCT = "NCT03549754"
OLD = FIXTURES / "versions" / "NCT03549754@2025-06-04.json"
NEW = FIXTURES / "versions" / "NCT03549754@2025-12-09.json"
OTHER = "NCT05766735"  # a second real trial (data/sample), served without any history
HISTORY_ANSWER = FIXTURES / "history" / "NCT03690141.int-history-true.json"


@pytest.fixture
def upstream(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The stand-in serving NCT03549754's newer real record (with its three upstream versions) and
    NCT05766735 (no history); both fetched into a fresh database by ``refresh``, then the log cleared."""
    with StandIn([load_raw(NEW), load_raw(OTHER)]) as standin:
        standin.set_history(NCT, three_versions())
        monkeypatch.setenv("CTSYNC_API_URL", standin.url)
        run = Cli(tmp_path, capsys, monkeypatch)
        run.ok("refresh", NCT, OTHER)
        standin.clear_log()
        yield standin, run


def reviews_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "reviews.csv"
    path.write_text("nct_id,reviewed_at,reviewed_by,note\n" + "".join(f"{row}\n" for row in rows))
    return path


def history_requests(standin: StandIn) -> list[str]:
    return [path for path, _ in standin.requests]


def test_a_review_between_versions_1_and_2_shows_exactly_the_changes_since_version_1(
    upstream: Any, tmp_path: Path
) -> None:
    """A page dated between upstream versions 1 and 2: two requests fetch version 1, stored as version 2
    of ctsync (source history, never current); `changes` is exactly version 1 -> current, and nothing
    for HTML against Markdown."""
    standin, run = upstream
    csv = reviews_csv(tmp_path, f"{NCT},2025-09-01,A. Editor,page written")
    imported = run.ok("review", "import", csv)
    assert imported.out.splitlines() == [
        f"{NCT}: reviewed 2025-09-01 by A. Editor: version 2 (ClinicalTrials.gov version 1 of 2025-06-02,"
        " from its record history)"
    ]
    assert history_requests(standin) == [
        f"/api/int/studies/{NCT}/history",
        f"/api/int/studies/{NCT}/history/1",
    ]
    changes = json.loads(run.ok("changes", NCT, "--json").out)
    assert (changes["baseline"], changes["current_version"]) == (2, 1)
    assert (changes["baseline_upstream_version"], changes["baseline_date"]) == (1, "2025-06-02")
    current = normalize(load_raw(NEW))
    markdown_to_markdown = [c.model_dump() for c in diff(normalize(load_raw(OLD)), current)]
    assert changes["changes"] == json.loads(json.dumps(markdown_to_markdown, default=str))
    fields = {change["field"] for change in changes["changes"]}
    assert "detailed_description" in fields  # the real edit ("world." -> "world") shows through HTML
    assert len(changes["changes"]) == len(markdown_to_markdown) > 20
    shown = json.loads(run.ok("show", NCT, "--json").out)
    assert shown["version"] == 1  # the current state stays on the newest version
    queue = {entry["nct_id"]: entry for entry in json.loads(run.ok("queue", "--json").out)}
    assert (queue[NCT]["baseline"], queue[NCT]["current_version"]) == (2, 1)
    assert queue[NCT]["pending_since"] is not None
    screen = run.ok("changes", NCT).out
    assert screen.startswith(f"{NCT}: reviewed version 2 is ClinicalTrials.gov version 1 of 2025-06-02\n")


def test_stored_versions_covering_the_date_cost_no_request(upstream: Any, tmp_path: Path) -> None:
    """Once version 1 is stored, a second import and a review dated after the stored version ask nothing."""
    standin, run = upstream
    run.ok("review", "import", reviews_csv(tmp_path, f"{NCT},2025-09-01,A. Editor,"))
    standin.clear_log()
    again = run.ok("review", "import", reviews_csv(tmp_path, f"{NCT},2025-09-01,A. Editor,"))
    assert again.err.splitlines() == [f"{NCT}: review of 2025-09-01 by A. Editor already recorded"]
    later = run.ok("review", "import", reviews_csv(tmp_path, f"{NCT},2025-07-15,B. Editor,"))
    assert later.out.splitlines() == [f"{NCT}: reviewed 2025-07-15 by B. Editor: version 2"]
    current = run.ok("review", NCT, "--by", "C. Editor", "--at", "2025-12-20")
    assert current.out.splitlines() == [f"{NCT}: reviewed 2025-12-20 by C. Editor: version 1"]
    assert standin.requests == []


def test_review_at_a_date_on_the_command_line_takes_the_same_baseline(upstream: Any) -> None:
    """`review NCT --at DATE` before every stored version takes upstream version 1, two requests."""
    standin, run = upstream
    done = run.ok("review", NCT, "--by", "A. Editor", "--at", "2025-09-01")
    assert done.out.splitlines() == [
        f"{NCT}: reviewed 2025-09-01 by A. Editor: version 2 (ClinicalTrials.gov version 1 of 2025-06-02,"
        " from its record history)"
    ]
    assert len(standin.requests) == 2
    assert json.loads(run.ok("changes", NCT, "--json").out)["baseline"] == 2


def test_a_later_sync_numbers_after_the_history_version_and_diffs_from_the_current(upstream: Any) -> None:
    """The next real change upstream becomes version 3 and current; changes since review compare the
    history baseline with it; the version-to-version log goes 1 -> 3."""
    standin, run = upstream
    run.ok("review", NCT, "--by", "A. Editor", "--at", "2025-09-01")
    changed = with_last_update_post_date(load_raw(NEW), "2026-01-05")
    changed["protocolSection"]["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"  # derived
    standin.set_record(changed)
    run.ok("refresh", NCT)
    changes = json.loads(run.ok("changes", NCT, "--json").out)
    assert (changes["baseline"], changes["current_version"]) == (2, 3)
    status = [c for c in changes["changes"] if c["field"] == "overall_status"]
    assert [(c["old"], c["new"]) for c in status] == [("RECRUITING", "ACTIVE_NOT_RECRUITING")]
    log = json.loads(run.ok("changes", NCT, "--all", "--json").out)["changes"]
    assert {(c["from_version"], c["to_version"]) for c in log} == {(1, 3)}


def test_history_lists_upstream_versions_and_the_reviews_on_them(upstream: Any) -> None:
    """`ctsync history` (one request) lists versions 0-2 with date, status and modules changed, and
    which version each review counts for."""
    standin, run = upstream
    run.ok("review", NCT, "--by", "A. Editor", "--at", "2025-09-01")
    run.ok("review", NCT, "--by", "B. Editor")
    standin.clear_log()
    listing = json.loads(run.ok("history", NCT, "--json").out)
    assert len(standin.requests) == 1
    rows = [
        (v["upstream_version"], v["date"], v["status"], v["version"]) for v in listing["upstream_versions"]
    ]
    assert rows == [
        (0, "2018-05-29", "NOT_YET_RECRUITING", None),
        (1, "2025-06-02", "RECRUITING", 2),
        (2, "2025-12-08", "RECRUITING", 1),
    ]
    assert listing["upstream_versions"][0]["modules"] == []
    assert "Study Status" in listing["upstream_versions"][1]["modules"]
    by_version = {
        v["upstream_version"]: [r["reviewed_by"] for r in v["reviews"]] for v in listing["upstream_versions"]
    }
    assert by_version == {0: [], 1: ["A. Editor"], 2: ["B. Editor"]}
    screen = run.ok("history", NCT, "--no-history").out.splitlines()
    assert screen[0] == f"{NCT}: 3 version(s) on ClinicalTrials.gov (its record history)"
    assert screen[2].startswith("0        2018-05-29  NOT_YET_RECRUITING")


def test_no_history_keeps_todays_behaviour(upstream: Any, tmp_path: Path) -> None:
    """--no-history: the review is not recorded, nothing is asked upstream, exit 0 as before."""
    standin, run = upstream
    result = run.ok("review", "import", reviews_csv(tmp_path, f"{NCT},2025-09-01,A. Editor,"), "--no-history")
    assert result.err.splitlines() == [
        f"{NCT}: review of 2025-09-01 predates every stored version; not recorded (its changes since then"
        " cannot be shown yet)"
    ]
    assert standin.requests == []


def test_a_trial_without_history_is_named_and_the_rest_is_recorded(upstream: Any, tmp_path: Path) -> None:
    """'No study … history summary' (404): that trial's review stays unrecorded, named with the reason
    and what to do; the other trial's review is recorded; exit 1."""
    _standin, run = upstream
    csv = reviews_csv(tmp_path, f"{NCT},2025-09-01,A. Editor,", f"{OTHER},2024-01-10,A. Editor,")
    result = run("review", "import", csv)
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{NCT}: reviewed 2025-09-01 by A. Editor: version 2 (ClinicalTrials.gov version 1 of 2025-06-02,"
        " from its record history)"
    ]
    assert result.err.splitlines()[-2:] == [
        f"{OTHER}: review of 2024-01-10 not recorded: ClinicalTrials.gov keeps no record history for it"
        f" (No study {OTHER} history summary); review it now with `ctsync review {OTHER} --by NAME`"
        " (its changes since 2024-01-10 cannot be shown)",
        "record history: 3 request(s) to ClinicalTrials.gov",
    ]


def test_an_answer_without_changes_is_no_history(upstream: Any, tmp_path: Path) -> None:
    """A 200 answer whose body has no `changes` (the error message instead) is the same failure."""
    standin, run = upstream
    standin.set_history_answer(NCT, 200, {"message": f"No study {NCT} history summary"})
    result = run("review", "import", reviews_csv(tmp_path, f"{NCT},2025-09-01,A. Editor,"))
    assert result.code == 1
    assert f"keeps no record history for it (No study {NCT} history summary)" in result.err
    assert len(standin.requests) == 1


def test_refused_for_every_trial_is_exit_3_and_nothing_recorded(upstream: Any, tmp_path: Path) -> None:
    """403 (never retried: one request a trial) for both trials: exit 3, both named, no review stored."""
    standin, run = upstream
    standin.inject("403", count=2)
    csv = reviews_csv(tmp_path, f"{NCT},2025-09-01,A. Editor,", f"{OTHER},2024-01-10,A. Editor,")
    result = run("review", "import", csv)
    assert result.code == 3
    refused = [line for line in result.err.splitlines() if "refused ctsync (403)" in line]
    assert [line.split(":")[0] for line in refused] == [NCT, OTHER]
    assert len(standin.requests) == 2
    assert json.loads(run.ok("changes", NCT, "--json").out)["baseline"] is None


def test_a_listed_version_that_answers_404_is_named(upstream: Any, tmp_path: Path) -> None:
    """The list names version 2 but fetching it answers 404: that trial fails with the reason, exit 1."""
    standin, run = upstream
    versions = three_versions()
    standin.set_history(NCT, versions[:1])
    standin.set_history_answer(NCT, 200, _summary(versions))
    result = run("review", "import", reviews_csv(tmp_path, f"{NCT},2025-12-20,A. Editor,"))
    assert result.code == 0  # covered by the stored version: no history asked
    result = run("review", "import", reviews_csv(tmp_path, f"{NCT},2025-09-01,B. Editor,"))
    assert result.code == 1
    assert f"the record history answered 404 (No version 1 of study {NCT})" in result.err


def _summary(versions: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    from pipeline.standin_history import history_summary

    return history_summary(versions)


# --- the client, on the wire ------------------------------------------------------------------------


def _client(standin: StandIn, attempts: int = 3) -> tuple[ApiClient, str]:
    settings = Settings(api_url=standin.url, rate=0, retry=RetryPolicy(max_attempts=attempts))
    return ApiClient(settings, clock=FakeClock()), history_base_url(settings)


def test_the_history_url_is_the_api_url_with_int_for_v2() -> None:
    """--api-url …/api/v2 gives …/api/int; --history-url wins; an API URL without /v2 needs the option."""
    assert history_base_url(Settings(api_url="https://clinicaltrials.gov/api/v2")) == (
        "https://clinicaltrials.gov/api/int"
    )
    given = Settings(api_url="http://x/api/v2", history_url="http://mirror/int/")
    assert history_base_url(given) == "http://mirror/int"
    with pytest.raises(Exception, match="give --history-url"):
        history_base_url(Settings(api_url="http://proxy/ctgov"))


def test_the_real_saved_history_answer_reads_to_its_ten_versions() -> None:
    """The real `?history=true` answer's history object, served as the list: 10 versions, exact values."""
    history = json.loads(HISTORY_ANSWER.read_text(encoding="utf-8"))["history"]
    with StandIn([]) as standin:
        standin.set_history_answer("NCT03690141", 200, history)
        client, base = _client(standin)
        versions = fetch_versions(client, base, "NCT03690141")
    assert len(versions) == 10
    assert (versions[0].version, versions[0].submitted, versions[0].status) == (
        0,
        date(2018, 9, 27),
        "NOT_YET_RECRUITING",
    )
    assert versions[1].module_labels == ("Study Status", "Contacts/Locations")
    assert client.stats.requests == 1


def test_a_truncated_answer_is_retried_and_then_read() -> None:
    """A body cut short is retried (two requests); cut short every time, the trial fails as unreachable."""
    with StandIn([]) as standin:
        standin.set_history(NCT, three_versions())
        standin.inject("truncate")
        client, base = _client(standin)
        assert len(fetch_versions(client, base, NCT)) == 3
        assert (client.stats.requests, dict(client.stats.retry_reasons)) == (2, {"truncated": 1})
        standin.inject("truncate", count=3)
        with pytest.raises(HistoryFailure) as failed:
            fetch_version(client, base, NCT, 1)
    assert failed.value.unreachable
    assert failed.value.reason.startswith(
        "the record history is unavailable: ClinicalTrials.gov still failing"
    )


def test_an_incomplete_version_list_is_a_failure() -> None:
    """A list whose numbers skip (versions 0, 1, 3 of 3: an answer cut at a record boundary) is refused."""
    summary = _summary(three_versions())
    summary["changes"][2]["version"] = 3
    with StandIn([]) as standin:
        standin.set_history_answer(NCT, 200, summary)
        client, base = _client(standin)
        with pytest.raises(HistoryFailure, match=r"incomplete: 3 version\(s\) listed, numbered 0, 1, 3"):
            fetch_versions(client, base, NCT)


def test_a_list_of_1651_versions_is_read_whole_and_costs_two_requests(tmp_path: Path) -> None:
    """The longest history seen (1,651 versions, derived by code: the real record re-dated day by day):
    the whole list is stored, the version of the date is fetched, two requests in all."""
    from pipeline import editorial
    from pipeline.baselines import HistoryBaselines

    record = website_record(load_raw(OLD))
    days = [date.fromordinal(date(2019, 1, 1).toordinal() + n).isoformat() for n in range(1651)]
    with StandIn([load_raw(NEW)]) as standin:
        standin.set_history(NCT, [(day, record) for day in days])
        client, _ = _client(standin)
        settings = Settings(db=tmp_path / "db.duckdb", api_url=standin.url, rate=0)
        con = store.connect(settings.db)
        batch = Incoming.of(normalize(load_raw(NEW)), json.dumps(load_raw(NEW)), "api")
        store.save_batch(con, [batch], [], store.start_run(con, "load"))
        csv = reviews_csv(tmp_path, f"{NCT},{days[1200]},A. Editor,")
        [review] = editorial.import_reviews(con, csv, HistoryBaselines(settings, client))
        count = con.execute("SELECT count(*), max(upstream_version) FROM upstream_versions").fetchone()
        stored = con.execute(
            "SELECT version, source, upstream_version FROM trial_versions ORDER BY 1"
        ).fetchall()
        con.close()
    assert (review.version, review.baseline and review.baseline.upstream_version) == (2, 1200)
    assert count == (1651, 1650)
    assert stored == [(1, "api", None), (2, "history", 1200)]
    assert client.stats.requests == 2


# --- the README's adoption example ------------------------------------------------------------------


def _readme_blocks(after: str) -> tuple[list[str], list[str]]:
    """The shell block after ``after`` in the README, and the output block that follows it."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = text.index(after)
    blocks = text[start:].split("```")
    return blocks[1].split("\n", 1)[1].splitlines(), blocks[3].split("\n", 1)[1].splitlines()


def test_readme_adoption_example_is_reproducible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's adoption commands, run against the stand-in serving the same derived versions,
    print every line the README shows (dates in the queue are today's)."""
    commands, shown = _readme_blocks("Real output against the stand-in")
    assert (
        commands[0]
        == ".venv/bin/python tests/sitehtml.py data/history-demo.json       # the derived upstream versions"
    )
    with StandIn(Path(__file__).resolve().parents[1] / "data" / "sample") as standin:
        standin.set_history(NCT, three_versions())
        monkeypatch.setenv("CTSYNC_API_URL", standin.url)
        run = Cli(tmp_path, capsys, monkeypatch)
        outputs: dict[str, list[str]] = {}
        for line in commands[3:]:
            for part in line.split(" && "):
                if part.startswith("printf "):
                    text = part.removeprefix("printf '").split("' > ")[0]
                    (tmp_path / "data").mkdir(exist_ok=True)
                    (tmp_path / "data" / "pages.csv").write_text(text.replace("\\n", "\n"))
                    continue
                args = part.split()
                assert args[0] == ".venv/bin/ctsync"
                result = run(*args[1:])
                outputs[" ".join(args[1:])] = (result.out + result.err).splitlines()
        command = ""
        today = date.today().isoformat()
        for line in shown:
            if line.startswith("$ ctsync "):
                command = line.removeprefix("$ ctsync ").split("  #")[0].strip()
                if command not in outputs:
                    result = run(*command.split())
                    outputs[command] = (result.out + result.err).splitlines()
                continue
            if not line.strip() or line == "…":
                continue
            expected = line.replace("2026-12-03", today) if command == "queue" else line
            assert expected in outputs[command], (command, line)


def test_history_of_a_trial_without_history_names_it_and_exits_1(upstream: Any) -> None:
    """`ctsync history` of a trial ClinicalTrials.gov keeps no history for: an empty list, the reason
    on stderr, exit 1."""
    _, run = upstream
    result = run("history", OTHER)
    assert result.code == 1
    assert result.out.splitlines() == [f"{OTHER}: 0 version(s) on ClinicalTrials.gov (its record history)"]
    assert result.err.splitlines() == [
        f"ctsync: error: {OTHER}: ClinicalTrials.gov keeps no record history for it"
        f" (No study {OTHER} history summary)"
    ]


def test_an_import_stops_asking_after_five_trials_out_of_reach(tmp_path: Path) -> None:
    """Six trials reviewed before their first version, the history refusing (403) every request: five
    requests, then the sixth is not asked; all six are named, and the exit code is 3."""
    from pipeline import editorial
    from pipeline.baselines import HistoryBaselines, exit_code

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    records = [load_raw(path) for path in sorted(sample.glob("NCT*.json"))[:6]]
    with StandIn(records) as standin:
        client, _ = _client(standin)
        settings = Settings(db=tmp_path / "db.duckdb", api_url=standin.url, rate=0)
        con = store.connect(settings.db)
        batch = [Incoming.of(normalize(r), json.dumps(r), "api") for r in records]
        store.save_batch(con, batch, [], store.start_run(con, "load"))
        standin.inject("403", count=10)
        ids = [item.nct_id for item in batch]
        csv = reviews_csv(tmp_path, *(f"{nct_id},2000-01-01,A. Editor," for nct_id in ids))
        reviews = editorial.import_reviews(con, csv, HistoryBaselines(settings, client))
        con.close()
    baselines = [review.baseline for review in reviews if review.baseline is not None]
    assert len(baselines) == 6 and all(b.unreachable and b.version is None for b in baselines)
    assert baselines[-1].failure == "not asked: the record history was out of reach for 5 trials in a row"
    assert client.stats.requests == 5
    assert exit_code(baselines) == 3


def test_renormalize_keeps_the_current_state_on_the_newest_version(upstream: Any, tmp_path: Path) -> None:
    """Re-deriving every version (as after a normalizer upgrade) leaves the history baseline outside the
    version chain: the current state stays version 1 and the changes since review are the same."""
    _, run = upstream
    run.ok("review", NCT, "--by", "A. Editor", "--at", "2025-09-01")
    before = json.loads(run.ok("changes", NCT, "--json").out)
    con = store.connect(run.db)
    con.execute("UPDATE trial_versions SET normalizer_version = 1")
    con.close()
    assert json.loads(run.ok("renormalize", "--json").out)["versions"] == 3
    assert json.loads(run.ok("show", NCT, "--json").out)["version"] == 1
    after = json.loads(run.ok("changes", NCT, "--json").out)
    assert (after["baseline"], after["current_version"], after["changes"]) == (2, 1, before["changes"])
    log = json.loads(run.ok("changes", NCT, "--all", "--json").out)["changes"]
    assert log == []
