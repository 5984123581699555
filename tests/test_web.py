"""The editors' web app: escaping of registry text, CSRF, read-only GETs, the version race, clear error
pages, and a sync that is never blocked by the app. Databases are built from the real version pairs."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest
from clirun import run_ctsync
from starlette.testclient import TestClient
from webdb import PAIRS, Study, editorial_db, file_hash, later_version, live_server, real, write_studies

from pipeline import reading, store
from pipeline.settings import Settings
from pipeline.web.app import CSRF_COOKIE, create_app
from pipeline.web.report import write_report

REPO = Path(__file__).resolve().parents[1]
MARKUP = '<script>alert("ctsync")</script><img src=x onerror=alert(1)>'


def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), base_url="http://127.0.0.1:8000")


def review_count(settings: Settings) -> int:
    con = store.connect(settings.db, read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM reviews").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def form_of(html: str) -> dict[str, str]:
    """The hidden fields of the review form on a trial page."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


def injected(nct_id: str, study: Study) -> Study:
    """The newer real record with markup appended to its title, its detailed description and a criterion."""
    if nct_id != "NCT03549754":
        return study
    revised = copy.deepcopy(study)
    protocol = revised["protocolSection"]
    protocol["identificationModule"]["briefTitle"] += f" {MARKUP}"
    protocol["descriptionModule"]["detailedDescription"] += f" {MARKUP}"
    eligibility = protocol["eligibilityModule"]
    eligibility["eligibilityCriteria"] = eligibility["eligibilityCriteria"].replace(
        "Inclusion Criteria:", f"Inclusion Criteria:\n\n* Adults {MARKUP}\n", 1
    )
    return revised


def test_registry_markup_shows_as_text(tmp_path: Path) -> None:
    """A title, description and criterion carrying <script> and <img onerror> (derived from a real record)
    are shown as text on the queue, the trial page and the static report, never as markup."""
    settings = editorial_db(tmp_path, newer=injected)
    web = client(settings)
    queue = web.get("/")
    trial = web.get("/trials/NCT03549754")
    report = write_report(settings, tmp_path / "report")
    pages = [queue.text, trial.text, *(path.read_text(encoding="utf-8") for path in report)]
    for html in pages:
        assert "<script" not in html
        assert "<img" not in html
    escaped = "&lt;script&gt;alert(&#34;ctsync&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert escaped in queue.text  # the title
    assert trial.text.count(escaped) >= 3  # title, criterion in the page facts, criterion added
    assert "<ins>" in trial.text  # the description's word diff marks the added words, escaped inside
    # In rich text (the description) tags are markup, as on the website: stored without them, their text
    # kept; plain text (the title) keeps them as typed, shown escaped.
    assert re.search(r"<ins>[^<]*alert\(&#34;ctsync&#34;\)", trial.text)
    assert escaped in (tmp_path / "report" / "trials" / "NCT03549754.html").read_text(encoding="utf-8")


def test_every_page_sends_a_policy_that_allows_no_script(tmp_path: Path) -> None:
    """Each response carries a Content-Security-Policy with no script source at all; CSS is served locally."""
    web = client(editorial_db(tmp_path))
    for path in ("/", "/trials/NCT05766735", "/trials/NCT09999999", "/healthz", "/static/style.css"):
        policy = web.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "script-src" not in policy
        assert "unsafe-inline" not in policy
    assert web.get("/static/style.css").headers["content-type"].startswith("text/css")


def test_post_without_a_valid_csrf_token_is_refused(tmp_path: Path) -> None:
    """No token, a token without its cookie, a forged pair: 403 and nothing recorded; the real pair: 303."""
    settings = editorial_db(tmp_path)
    before = review_count(settings)
    web = client(settings)
    page = web.get("/trials/NCT05766735")
    fields = form_of(page.text)
    assert fields["version"] == "2"
    review = {"reviewed_by": "B. Editor", "note": "dates", "version": "2"}
    url = "/trials/NCT05766735/review"
    assert web.post(url, data=review, follow_redirects=False).status_code == 403
    stranger = client(settings)
    assert stranger.post(url, data={**review, **fields}, follow_redirects=False).status_code == 403
    forged = "abc." + "0" * 64
    stranger.cookies.set(CSRF_COOKIE, forged)
    assert (
        stranger.post(url, data={**review, "csrf_token": forged}, follow_redirects=False).status_code == 403
    )
    cross_site = web.post(url, data={**review, **fields}, headers={"origin": "https://evil.example"})
    assert cross_site.status_code == 403
    assert review_count(settings) == before
    done = web.post(url, data={**review, **fields}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/?reviewed=NCT05766735&v=2"
    assert review_count(settings) == before + 1
    assert reading.pending(settings, ["NCT05766735"])[0].baseline == 2
    assert "NCT05766735: version 2 marked reviewed." in web.get(done.headers["location"]).text


def test_gets_change_nothing(tmp_path: Path) -> None:
    """Every page, filter, search, 404 and the health check leave both database files byte for byte."""
    settings = editorial_db(tmp_path)
    assert settings.published is not None
    before = (file_hash(settings.db), file_hash(settings.published))
    web = client(settings)
    paths = [
        "/",
        "/?severity=critical",
        "/?category=locations",
        "/?q=icareme",
        "/?q=NCT0576",
        "/healthz",
        "/trials/NCT09999999",
        "/trials/not-an-id",
        "/trials/NCT05766735/review",
        *(f"/trials/{nct_id}" for nct_id in PAIRS),
    ]
    statuses = [web.get(path).status_code for path in paths]
    assert statuses == [200, 200, 200, 200, 200, 200, 404, 404, 405, 200, 200, 200]
    assert (file_hash(settings.db), file_hash(settings.published)) == before


def test_queue_filters_and_search(tmp_path: Path) -> None:
    """The queue lists real changes with the page facts they touch; severity, category and search filter."""
    web = client(editorial_db(tmp_path))

    def listed(query: str) -> list[str]:
        return re.findall(r'class="nct" href="/trials/(NCT\d{8})"', web.get(f"/{query}").text)

    assert listed("") == ["NCT06972472", "NCT05766735", "NCT03549754"]
    assert listed("?severity=major") == ["NCT06972472", "NCT05766735"]
    assert listed("?category=dates") == ["NCT05766735"]
    assert listed("?q=icareme") == ["NCT03549754"]
    assert listed("?q=nct0576") == ["NCT05766735"]
    assert "Quick facts: Locations; Where this trial is running" in web.get("/?q=icareme").text


def test_trial_page_marks_changed_facts_and_shows_old_and_new(tmp_path: Path) -> None:
    """The trial page marks Locations as changed and shows a renamed city old → new, with record links."""
    html = client(editorial_db(tmp_path)).get("/trials/NCT03549754").text
    assert re.search(r'<div class="changed"><dt>Locations <span class="flag">changed</span>', html)
    assert '<div class=""><dt>Enrollment</dt><dd>35000 (estimated)</dd>' in html
    assert '<span class="old">Taichung City</span> → <span class="new">Taichung</span>' in html
    assert "<del>world.</del> <ins>world</ins>" in html
    assert 'href="https://clinicaltrials.gov/study/NCT03549754"' in html
    assert 'href="https://clinicaltrials.gov/study/NCT03549754?tab=history"' in html
    assert "Last reviewed" in html and "by A. Editor." in html


def test_a_review_that_lost_the_race_records_nothing_and_shows_the_new_changes(tmp_path: Path) -> None:
    """The page showed version 2; a load stored a third (enrollment changed, derived from the real record)
    before the editor submitted: 409, nothing recorded, the new Enrollment change is on the page."""
    settings = editorial_db(tmp_path)
    web = client(settings)
    fields = form_of(web.get("/trials/NCT05766735").text)
    third = later_version(real(PAIRS["NCT05766735"][1]), 250, "2026-11-20")
    from pipeline import sync

    sync.load(settings, [write_studies(tmp_path / "third", [third])])
    before = review_count(settings)
    lost = web.post(
        "/trials/NCT05766735/review",
        data={"reviewed_by": "B. Editor", "note": "", **fields},
        follow_redirects=False,
    )
    assert lost.status_code == 409
    assert "A sync stored version 3 while you were looking at version 2" in lost.text
    assert "Enrollment: 200 → 250" in re.sub(r"<[^>]+>", "", lost.text)
    assert form_of(lost.text)["version"] == "3"
    assert review_count(settings) == before


def test_unknown_trial_and_missing_name_are_clear_pages(tmp_path: Path) -> None:
    """An unknown trial is a 404 page that says how to bring it in; a review without a name is refused."""
    settings = editorial_db(tmp_path)
    web = client(settings)
    missing = web.get("/trials/NCT09999999")
    assert missing.status_code == 404
    assert "NCT09999999 is not in the database" in missing.text
    fields = form_of(web.get("/trials/NCT05766735").text)
    nameless = web.post("/trials/NCT05766735/review", data={"reviewed_by": " ", **fields})
    assert nameless.status_code == 400
    assert "Enter your name" in nameless.text
    assert review_count(settings) == 3


def test_database_busy_is_a_clear_page_and_records_nothing(tmp_path: Path) -> None:
    """While another process holds the working database, a review answers 503 "Database busy"."""
    settings = editorial_db(tmp_path)
    settings = Settings(**{**settings.__dict__, "wait": 0.0})
    web = client(settings)
    fields = form_of(web.get("/trials/NCT05766735").text)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
            " print('open', flush=True); sys.stdin.read()",
            str(settings.db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"  # the holder has the database open now
        busy = web.post("/trials/NCT05766735/review", data={"reviewed_by": "B. Editor", **fields})
    finally:
        holder.communicate("")
    assert holder.returncode == 0
    assert busy.status_code == 503
    assert "Database busy, review not recorded" in busy.text
    assert review_count(settings) == 3


def test_a_load_runs_while_the_server_is_up(tmp_path: Path) -> None:
    """With the app serving pages on 127.0.0.1, `ctsync load --wait 0` stores a new version at once (the app
    holds no connection to the working database), and the next page shows it."""
    settings = editorial_db(tmp_path)
    third = later_version(real(PAIRS["NCT05766735"][1]), 250, "2026-11-20")
    folder = write_studies(tmp_path / "third", [third])
    with live_server(settings) as url:
        assert httpx2.get(f"{url}/trials/NCT05766735").status_code == 200
        assert httpx2.get(f"{url}/").status_code == 200
        loaded = _ctsync(settings, "--wait", "0", "load", str(folder))
        assert loaded.returncode == 0, loaded.stderr
        assert "1 changed" in loaded.stderr
        page = httpx2.get(f"{url}/trials/NCT05766735").text
    assert "version 3" in page


def _ctsync(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env: dict[str, Any] = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "--db",
            str(settings.db),
            "--published",
            str(settings.published),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_stale_sync_banner_and_healthz(tmp_path: Path) -> None:
    """A database with no successful sync shows the stale banner; one synced just now does not."""
    loaded = client(editorial_db(tmp_path / "loaded"))
    assert "Data may be out of date." in loaded.get("/").text
    assert loaded.get("/healthz").json()["fresh"] is False
    synced = client(editorial_db(tmp_path / "synced", via_sync=True))
    assert "Data may be out of date." not in synced.get("/").text
    health = synced.get("/healthz").json()
    assert (health["status"], health["fresh"]) == ("ok", True)
    assert health["sync"].startswith("fresh: last successful sync (run 2)")


def test_static_report_has_every_queued_trial_and_no_form(tmp_path: Path) -> None:
    """`report --html` writes the queue and each queued trial's page with relative links and no form."""
    written = write_report(editorial_db(tmp_path), tmp_path / "out")
    names = sorted(str(path.relative_to(tmp_path / "out")) for path in written)
    assert names == ["index.html", *sorted(f"trials/{nct_id}.html" for nct_id in PAIRS)]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="trials/NCT05766735.html"' in index
    assert 'href="static/style.css"' in index
    assert (tmp_path / "out" / "static" / "style.css").is_file()
    for path in written:
        assert "<form" not in path.read_text(encoding="utf-8")


def test_help_explains_the_reverse_proxy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ctsync serve --help` says it binds 127.0.0.1 and belongs behind the team's login proxy."""
    common = ["--db", str(tmp_path / "db.duckdb"), "--published", str(tmp_path / "p.duckdb")]
    result = run_ctsync(capsys, monkeypatch, *common, "serve", "--help")
    assert result.returncode == 0
    assert "127.0.0.1" in result.stdout
    assert "reverse proxy" in result.stdout
