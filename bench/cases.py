"""The ctsync measurements, each one run of the real CLI (`.venv/bin/ctsync`) in a child process.

Every case uses its own ``--db`` and ``--published`` in a scratch folder and the command-line contract of
DESIGN.md only. When the CLI (or the loopback stand-in of the API, for the sync cases) is not there yet, or a
command fails, the row says "not available: <reason>" instead of stopping the run.

- loads (per corpus size): full load of ``day1.zip``; no-op reload of the same zip; every trial marked
  reviewed (``review import FILE.csv``); load of ``day2.zip`` (the next day, 1% changed); then ``queue
  --json``, ``changes NCT --json`` and the start-up of ``--version`` and ``show NCT`` (``bench.startup``)
  on that database; and, on a fresh database, a full load of the
  ``day1/`` folder (the like-for-like comparison with the raw-JSON floor).
- sync (5,000 tracked trials): the stand-in runs in this process (``pipeline.standin.StandIn``) and serves
  the day-1 records; ``track add --file``, a first ``sync``; then the day-2 records (a new snapshot, 1%
  changed) are swapped in and ``sync`` runs again, counting its requests from the stand-in's log; finally
  ``refresh`` of one changed trial (wall time including process start).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import measure, startup
from bench.corpus import DAY1, DAY2
from bench.report import Row, measured_row, summarize_json, unavailable

REPO = Path(__file__).resolve().parents[1]
CTSYNC = Path(sys.executable).parent / "ctsync"
TIMEOUT = 3600.0
LOAD_KINDS = {
    "ctsync.load_zip": "ctsync load day1.zip (full load)",
    "ctsync.reload_zip": "ctsync load day1.zip again (no-op reload)",
    "ctsync.review_import": "ctsync review import CSV (every trial reviewed after day 1)",
    "ctsync.review_one": "ctsync review NCT (one trial, then publish)",
    "ctsync.refresh_one": "ctsync refresh NCT (one trial changed, stand-in, then publish)",
    "ctsync.review_again": "ctsync review NCT again (the next editor's click, then publish)",
    "ctsync.load_day2": "ctsync load day2.zip (next day, 1% changed)",
    "ctsync.queue": "ctsync queue --json (after day 2)",
    "ctsync.changes": "ctsync changes NCT --json (after day 2)",
    "ctsync.load_folder": "ctsync load day1/ folder (full load, fresh db)",
}
SYNC_KINDS = {
    "ctsync.track_add": "ctsync track add --file (tracked trials)",
    "ctsync.sync_day1": "ctsync sync, first (stand-in, day 1)",
    "ctsync.sync_day2": "ctsync sync, next day (stand-in, 1% changed)",
    "ctsync.refresh": "ctsync refresh NCT (one trial, stand-in)",
}


@dataclass(frozen=True)
class Corpus:
    """A generated corpus on disk (see bench.corpus) and the facts the rows need."""

    root: Path
    studies: int
    day1_bytes: int
    day2_bytes: int

    @property
    def changed_ids(self) -> list[str]:
        """The studies that changed for real on day 2."""
        return (self.root / "changed_ids.txt").read_text().split()


@dataclass(frozen=True)
class Workspace:
    """One ctsync database (and its published copy) in a scratch folder."""

    root: Path

    def ctsync(self, *args: str | Path, api_url: str | None = None) -> list[str | Path]:
        """A ctsync command line on this workspace's database."""
        options: list[str | Path] = [
            "--db",
            self.root / "ctsync.duckdb",
            "--published",
            self.root / "published.duckdb",
        ]
        if api_url:
            options += ["--api-url", api_url]
        return [CTSYNC, *options, *args]

    def run(self, *args: str | Path, api_url: str | None = None) -> measure.Result:
        """Run and measure one ctsync command here."""
        self.root.mkdir(parents=True, exist_ok=True)
        return measure.run(self.ctsync(*args, api_url=api_url), cwd=self.root, timeout=TIMEOUT)


def ctsync_unavailable() -> str | None:
    """Why the ctsync CLI cannot run (None when `ctsync --help` works)."""
    if not CTSYNC.exists():
        return f"{CTSYNC} does not exist (run `make install`)"
    result = measure.run([CTSYNC, "--help"], cwd=REPO, timeout=60)
    return None if result.ok else f"`ctsync --help` failed ({result.failure()})"


def _all_unavailable(kinds: dict[str, str], corpus: int, reason: str) -> list[Row]:
    return [unavailable(kind, label, corpus, reason) for kind, label in kinds.items()]


# ---------------------------------------------------------------- loads, queue, changes


def measure_loads(corpus: Corpus, work: Path) -> list[Row]:
    """Full load, no-op reload, next-day load, queue and changes, and a folder load on a fresh database."""
    reason = ctsync_unavailable()
    if reason:
        return _all_unavailable(LOAD_KINDS, corpus.studies, reason)
    ws = Workspace(work / "zip")
    rows = [
        _load(ws, "ctsync.load_zip", corpus.root / "day1.zip", corpus, corpus.day1_bytes),
        _load(ws, "ctsync.reload_zip", corpus.root / "day1.zip", corpus, corpus.day1_bytes),
        _review_all(ws, corpus),
        *_one_trial_writes(ws, corpus),
        _load(ws, "ctsync.load_day2", corpus.root / "day2.zip", corpus, corpus.day2_bytes),
    ]
    rows.append(_query(ws, "ctsync.queue", corpus, "queue", "--json"))
    changed = corpus.changed_ids
    if changed:
        rows.append(_query(ws, "ctsync.changes", corpus, "changes", changed[0], "--json"))
        rows += startup.measure_startup(ws, corpus.studies, changed[0])
    else:
        rows.append(
            unavailable("ctsync.changes", LOAD_KINDS["ctsync.changes"], corpus.studies, "no changed study")
        )
    rows.append(
        _load(
            Workspace(work / "folder"), "ctsync.load_folder", corpus.root / "day1", corpus, corpus.day1_bytes
        )
    )
    return rows


def measure_folder_load(corpus: Corpus, work: Path) -> Row:
    """A full load of the day-1 folder on a fresh database (the comparison with the floor and dlt)."""
    reason = ctsync_unavailable()
    if reason:
        return unavailable("ctsync.load_folder", LOAD_KINDS["ctsync.load_folder"], corpus.studies, reason)
    return _load(Workspace(work), "ctsync.load_folder", corpus.root / "day1", corpus, corpus.day1_bytes)


def _load(ws: Workspace, kind: str, source: Path, corpus: Corpus, json_bytes: int) -> Row:
    """One `ctsync load SOURCE --json`; exit 1 (finished, some trials failed) is still a measurement."""
    result = ws.run("load", source, "--json")
    row = measured_row(
        kind,
        LOAD_KINDS[kind],
        corpus.studies,
        result,
        records=corpus.studies,
        json_bytes=json_bytes,
        partial_ok=True,
    )
    return row.with_note(summarize_json(result.stdout)) if row.measured else row


def _review_all(ws: Workspace, corpus: Corpus) -> Row:
    """Mark every trial reviewed at its day-1 version, so that the queue after day 2 holds what changed.

    Uses `review import FILE.csv` (nct_id, reviewed_at, reviewed_by), the one way to review many trials at
    once; when that fails the row says so and queue/changes run on a never-reviewed database.
    """
    reviews = ws.root / "reviews.csv"
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    ids = sorted(path.stem for path in (corpus.root / "day1").rglob("*.json"))
    reviews.write_text("nct_id,reviewed_at,reviewed_by\n" + "".join(f"{i},{when},bench\n" for i in ids))
    kind = "ctsync.review_import"
    result = ws.run("review", "import", reviews)
    return measured_row(kind, LOAD_KINDS[kind], corpus.studies, result, records=corpus.studies)


def _one_trial_writes(ws: Workspace, corpus: Corpus) -> list[Row]:
    """What one editor's click costs on this database, publish included (issue 16): a review of one
    trial, and a refresh of another that the stand-in serves at its day-2 version (a real change), then
    one more review. The first review's publish also carries the bulk review import into the copy it
    patches (each copy is brought up to date by the next write but one); the second is the steady state
    of editors clicking one after another."""
    changed = corpus.changed_ids
    if len(changed) < 2:
        return [
            unavailable(kind, LOAD_KINDS[kind], corpus.studies, "fewer than 2 changed studies")
            for kind in ("ctsync.review_one", "ctsync.refresh_one", "ctsync.review_again")
        ]
    kind = "ctsync.review_one"
    rows = [measured_row(kind, LOAD_KINDS[kind], corpus.studies, ws.run("review", changed[1], "--by", "b"))]
    kind = "ctsync.refresh_one"
    standin_cls = _standin_class()
    if isinstance(standin_cls, str):
        return [
            *rows,
            unavailable(kind, LOAD_KINDS[kind], corpus.studies, standin_cls),
        ]  # and no second review
    empty = ws.root / "standin-one"
    empty.mkdir(parents=True, exist_ok=True)
    standin = standin_cls(empty).start()
    try:
        day2 = corpus.root / "day2" / changed[0][-2:] / f"{changed[0]}.json"
        standin.set_record(json.loads(day2.read_bytes()))
        result = ws.run("refresh", changed[0], "--json", api_url=standin.url)
    finally:
        standin.stop()
    row = measured_row(kind, LOAD_KINDS[kind], corpus.studies, result, partial_ok=True)
    rows.append(row.with_note(summarize_json(result.stdout)) if row.measured else row)
    kind = "ctsync.review_again"
    again = ws.run("review", changed[2 % len(changed)], "--by", "c")
    return [*rows, measured_row(kind, LOAD_KINDS[kind], corpus.studies, again)]


def _query(ws: Workspace, kind: str, corpus: Corpus, *args: str) -> Row:
    """A read-only command on the loaded database; its output is summarised in the note."""
    result = ws.run(*args)
    row = measured_row(kind, LOAD_KINDS[kind], corpus.studies, result)
    return row.with_note(summarize_json(result.stdout)) if row.measured else row


# ---------------------------------------------------------------- sync and refresh over the stand-in


def iter_studies(folder: Path) -> Iterator[dict[str, Any]]:
    """Every study record under `folder`, in file-name order."""
    for path in sorted(folder.rglob("*.json")):
        study: dict[str, Any] = json.loads(path.read_bytes())
        yield study


def _standin_class() -> Any:
    """pipeline.standin.StandIn, or a string saying why it cannot be used."""
    try:
        return importlib.import_module("pipeline.standin").StandIn
    except (ImportError, AttributeError) as exc:
        return f"pipeline.standin.StandIn not importable ({exc})"


def _serve(standin: Any, folder: Path, day: str) -> None:
    """Make the stand-in serve the snapshot in `folder`, published on `day`."""
    for study in iter_studies(folder):
        standin.set_record(study)
    if hasattr(standin, "set_data_timestamp"):
        standin.set_data_timestamp(f"{day}T09:00:00")


def _api_requests(standin: Any, since: int) -> tuple[int, int]:
    """(requests other than /version, /version requests) in the stand-in's log since entry `since`."""
    entries = [str(entry[0] if isinstance(entry, tuple) else entry) for entry in standin.requests[since:]]
    version = sum(1 for path in entries if path.rstrip("/").endswith("/version"))
    return len(entries) - version, version


def measure_sync(corpus: Corpus, work: Path) -> list[Row]:
    """Track every study of the corpus, sync day 1, swap in day 2, sync again, refresh one trial."""
    reason = ctsync_unavailable()
    standin_cls = _standin_class()
    if isinstance(standin_cls, str):
        reason = reason or standin_cls
    if reason:
        return _all_unavailable(SYNC_KINDS, corpus.studies, reason)
    empty = work / "standin-empty"
    empty.mkdir(parents=True, exist_ok=True)
    standin = standin_cls(empty).start()
    try:
        return _sync_rows(standin, corpus, Workspace(work / "sync"))
    finally:
        standin.stop()


def _sync_rows(standin: Any, corpus: Corpus, ws: Workspace) -> list[Row]:
    """The sync measurements against a running stand-in."""
    _serve(standin, corpus.root / "day1", DAY1.isoformat())
    tracked = ws.root / "tracked.txt"
    ws.root.mkdir(parents=True, exist_ok=True)
    tracked.write_text("".join(f"{study_id(s)}\n" for s in iter_studies(corpus.root / "day1")))
    n = corpus.studies
    rows = [
        measured_row(
            "ctsync.track_add", SYNC_KINDS["ctsync.track_add"], n, ws.run("track", "add", "--file", tracked)
        )
    ]
    rows.append(_sync(standin, ws, "ctsync.sync_day1", n))
    _serve(standin, corpus.root / "day2", DAY2.isoformat())
    rows.append(_sync(standin, ws, "ctsync.sync_day2", n))
    changed = corpus.changed_ids
    result = ws.run("refresh", changed[0], "--json", api_url=standin.url) if changed else None
    if result is None:
        rows.append(unavailable("ctsync.refresh", SYNC_KINDS["ctsync.refresh"], n, "no changed study"))
    else:
        rows.append(measured_row("ctsync.refresh", SYNC_KINDS["ctsync.refresh"], n, result, partial_ok=True))
    return rows


def _sync(standin: Any, ws: Workspace, kind: str, corpus: int) -> Row:
    """One `ctsync sync --json`, with the API requests it made."""
    before = len(standin.requests)
    result = ws.run("sync", "--json", api_url=standin.url)
    row = measured_row(kind, SYNC_KINDS[kind], corpus, result, partial_ok=True)
    if not row.measured:
        return row
    api, version = _api_requests(standin, before)
    row = dataclasses.replace(row, requests=api)
    return row.with_note(f"+{version} /version; " + summarize_json(result.stdout))


def study_id(study: dict[str, Any]) -> str:
    """The NCT ID of a study record."""
    nct_id: str = study["protocolSection"]["identificationModule"]["nctId"]
    return nct_id


def corpus_of(root: Path, manifest: dict[str, Any]) -> Corpus:
    """The Corpus of a generated folder, from its manifest."""
    return Corpus(root, int(manifest["studies"]), int(manifest["day1_bytes"]), int(manifest["day2_bytes"]))
