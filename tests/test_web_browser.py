"""The editors' round trip in a real browser: Debian's headless Chromium, driven by Playwright, against
`ctsync serve`'s app on 127.0.0.1 over a database synced from real records with a changed version.

Screenshots of the queue and a trial page at 1280 px and 390 px go to ``$CTSYNC_SCREENSHOTS`` when set
(``make screenshots`` writes docs/), else to the test's temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from webdb import editorial_db, live_server

from pipeline import reading

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)")


def test_queue_to_trial_to_review_and_back(tmp_path: Path) -> None:
    """Queue → trial page → "Mark reviewed" → queue: the review is recorded for the version shown, the
    trial leaves the queue, and the pages have no script and load their stylesheet."""
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("CTSYNC_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    settings = editorial_db(tmp_path, via_sync=True)
    with live_server(settings) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width, height in ((1280, 900), (390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{url}/")
                page.screenshot(path=str(shots / f"queue-{width}.png"))
                page.goto(f"{url}/trials/NCT03549754")
                page.screenshot(path=str(shots / f"trial-{width}.png"))
                page.close()
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.goto(f"{url}/")
            assert page.locator("table.queue a.nct").all_inner_texts() == [
                "NCT06972472",
                "NCT05766735",
                "NCT03549754",
            ]
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # style.css applied
            page.click("text=NCT05766735")
            assert page.url == f"{url}/trials/NCT05766735"
            changes = page.inner_text("section.changes-panel")
            assert "Primary completion date: 2027-04-15 → 2027-05-31" in changes
            page.fill("input[name=reviewed_by]", "B. Editor")
            page.fill("textarea[name=note]", "dates updated on the page")
            page.click("button:has-text('Mark reviewed')")
            page.wait_for_url(f"{url}/?reviewed=NCT05766735&v=2")
            assert "NCT05766735: version 2 marked reviewed." in page.inner_text("main")
            assert page.locator("table.queue a.nct").all_inner_texts() == ["NCT06972472", "NCT03549754"]
            assert page.locator("script").count() == 0
            assert errors == []
        finally:
            browser.close()
    pending = reading.pending(settings, ["NCT05766735"])[0]
    assert (pending.baseline, pending.reviewed_by, pending.changes) == (2, "B. Editor", [])
    for name in ("queue-1280", "queue-390", "trial-1280", "trial-390"):
        assert (shots / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
