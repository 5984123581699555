"""``ctsync report --html DIR``: the queue and each queued trial's page as static files (no form).

A nightly job can publish DIR on an intranet; the pages are the served ones, minus the review form,
filters and search, with relative links (``index.html``, ``trials/NCT….html``, ``static/style.css``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.settings import Settings
from pipeline.web import views
from pipeline.web.app import HERE, Urls, templates


def write_report(settings: Settings, directory: Path) -> list[Path]:
    """Write ``index.html``, ``trials/<NCT>.html`` per queued trial and the stylesheet; return the pages."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file: name a folder to write the pages into")
    env = templates()
    banner, fresh = views.freshness(settings)
    stale = None if fresh else banner
    rows = views.queue_rows(settings)
    (directory / "trials").mkdir(parents=True, exist_ok=True)
    (directory / "static").mkdir(exist_ok=True)
    shutil.copyfile(HERE / "static" / "style.css", directory / "static" / "style.css")
    index = directory / "index.html"
    index.write_text(
        env.get_template("queue.html").render(
            urls=Urls(static=True), static=True, rows=rows, stale=stale, search="", category="", reviewed=""
        ),
        encoding="utf-8",
    )
    written = [index]
    for row in rows:
        page = views.trial_page(settings, row.nct_id)
        if page is None:
            continue
        path = directory / "trials" / f"{row.nct_id}.html"
        path.write_text(
            env.get_template("trial.html").render(
                urls=Urls(static=True, depth=1), static=True, page=page, stale=stale
            ),
            encoding="utf-8",
        )
        written.append(path)
    return written
