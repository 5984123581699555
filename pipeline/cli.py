"""The ``ctsync`` command line: parse options, build Settings, call one library function, render.

Machine output (``--json``) goes to stdout and nothing else does; progress, logs and errors go to
stderr. Errors are one line that says what to do, with an exit code from pipeline.errors; a traceback
only with --debug.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, Any, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline import __version__, logs, reading, sync
from pipeline.cli_help import plain_help, route
from pipeline.errors import CtsyncError, UsageError
from pipeline.ids import validate_nct_ids
from pipeline.page import page_facts
from pipeline.page_render import render_page
from pipeline.parallel import default_workers
from pipeline.policy import SEVERITY_ORDER, Severity, at_least, load_policy
from pipeline.render import change_to_json, render_changes
from pipeline.settings import DEFAULT_API_URL, RetryPolicy, Settings
from pipeline.views import TrimmedLines, render_log, render_queue, render_rows, render_runs, render_trial

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="Export the analyst tables.", no_args_is_help=True)
app.add_typer(export_app, name="export")

stderr = Console(stderr=True)
# Piped into a file or a pager, text is not hard-wrapped at 80 columns and tables may be wide.
stdout = (
    Console()
    if sys.stdout.isatty()
    else Console(file=cast(IO[str], TrimmedLines()), width=200, soft_wrap=True)
)
_state: dict[str, Any] = {"debug": False}

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def _print_version(value: bool) -> None:
    if value:
        print(f"ctsync {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option(envvar="CTSYNC_DB", help="Working database.")] = Path(
        "data/ctsync.duckdb"
    ),
    published: Annotated[
        Path, typer.Option(envvar="CTSYNC_PUBLISHED", help="Analysts' copy, replaced after every write.")
    ] = Path("data/published/ctsync.duckdb"),
    api_url: Annotated[
        str, typer.Option(envvar="CTSYNC_API_URL", help="ClinicalTrials.gov API v2 base URL.")
    ] = (DEFAULT_API_URL),
    rate: Annotated[float, typer.Option(envvar="CTSYNC_RATE", help="Requests per second at most.")] = 1.0,
    wait: Annotated[
        float, typer.Option(envvar="CTSYNC_WAIT", help="Seconds to wait for another writer before exit 4.")
    ] = 30.0,
    retries: Annotated[
        int,
        typer.Option(min=1, envvar="CTSYNC_RETRIES", help="Attempts per request before giving up (exit 3)."),
    ] = 6,
    policy: Annotated[
        Path | None,
        typer.Option(envvar="CTSYNC_POLICY", help="TOML file of severity rules over the packaged default."),
    ] = None,
    log_file: Annotated[
        Path | None, typer.Option(envvar="CTSYNC_LOG_FILE", help="Append JSON log lines to this file.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
    ] = False,
) -> None:
    """Keep a local, versioned, reviewable DuckDB copy of ClinicalTrials.gov trials in sync.

    Examples:

      ctsync load data/sample

      ctsync show NCT05766735

      ctsync --db /srv/ctsync/ctsync.duckdb export parquet exports/
    """
    if rate < 0 or wait < 0:
        raise UsageError("--rate and --wait take a number of at least 0")
    if not api_url.startswith(("http://", "https://")):
        raise UsageError(f"--api-url must start with http:// or https://, not {api_url!r}")
    _state["debug"] = debug
    logs.configure(log_file, verbose=verbose)
    if policy is not None:
        load_policy(policy)  # a bad policy file is a usage error now, not halfway through a sync
    ctx.obj = Settings(
        db=db,
        published=published,
        api_url=api_url.rstrip("/"),
        rate=rate,
        wait=wait,
        policy=policy,
        retry=RetryPolicy(max_attempts=retries),
        crash_after_batches=_test_crash(os.environ.get("CTSYNC_TEST_CRASH")),
    )


def _test_crash(value: str | None) -> tuple[int, int] | None:
    """``N:SIGNAL`` (e.g. ``2:KILL``): the crash tests' deterministic kill after the Nth committed batch."""
    if not value:
        return None
    batches, _, name = value.partition(":")
    return int(batches), int(getattr(signal, f"SIG{name or 'KILL'}"))


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=_json_value) + "\n")


def _json_value(value: Any) -> Any:
    """Dates and times as ISO 8601 (``2026-11-25T14:30:00+00:00``, with the ``T``); anything else as text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


@app.command()
def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH", help="Folders of study JSON, page files, JSONL or the bulk zip."),
    ],
    as_json: JsonOption = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Records per transaction.")] = 500,
    workers: Annotated[
        int, typer.Option(min=0, help="Processes normalizing records; 0 means one per core.")
    ] = 0,
) -> None:
    """Ingest study records from files, no network.

    Reads a folder of NCTxxxxxxxx.json files, an API page file ({"studies": [...]}), JSON Lines, or
    ClinicalTrials.gov's bulk ctg-studies.json.zip. Exit code 1 when some records failed (they are in
    failed_records; the rest is stored).

    Examples:

      ctsync load data/sample

      ctsync load ctg-studies.json.zip
    """
    settings = replace(_settings(ctx), batch_size=batch_size, workers=workers or default_workers())
    with _progress_bar("Loading", sync.expected_records(paths)) as advance:
        summary = sync.load(settings, paths, advance)
    _report_summary(summary.as_dict(), as_json, "Loaded")
    if summary.failures:
        raise typer.Exit(1)


@app.command()
def renormalize(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Re-derive every stored canonical record from its raw JSON with this ctsync's normalizer.

    Needed after an upgrade that changes normalization (the first write after one runs it too): no new
    versions, reviews stay on their versions, stored changes are derived anew, so no trial enters the
    queue because of the upgrade. Batch by batch, recorded in the run ledger; a no-op when up to date.

    Example:

      ctsync renormalize
    """
    counts = sync.renormalize_all(_settings(ctx))
    if as_json:
        _print_json(counts)
    else:
        print(
            f"Renormalized {counts['trials']} trial(s), {counts['versions']} version(s);"
            f" {counts['rederived']} record(s) differ under the new rules; {counts['failed']} failed",
            file=sys.stderr if counts["failed"] else sys.stdout,
        )
    if counts["failed"]:
        raise typer.Exit(1)


@app.command()
def show(
    ctx: typer.Context,
    nct_id: Annotated[str, typer.Argument(metavar="NCT_ID", help="NCT ID, e.g. NCT05766735.")],
    as_json: JsonOption = False,
) -> None:
    """Show the canonical record of a trial as stored: what its page shows.

    Example:

      ctsync show NCT05766735 --json
    """
    (nct_id,) = validate_nct_ids([nct_id])
    version, trial = reading.trial(_settings(ctx), nct_id)
    if as_json:
        _print_json({"version": version, **trial.model_dump(mode="json")})
    else:
        render_trial(stdout, trial, version)


@export_app.command("parquet")
def export_parquet(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder to write <table>.parquet files into.")
    ],
) -> None:
    """Write every analyst table as a Parquet file.

    Example:

      ctsync export parquet exports/
    """
    for path in reading.export_parquet(_settings(ctx), directory):
        stderr.print(f"wrote {path}")


@app.command()
def refresh(
    ctx: typer.Context,
    nct_ids: Annotated[list[str], typer.Argument(metavar="NCT_ID", help="NCT IDs to fetch now.")],
    as_json: JsonOption = False,
) -> None:
    """Fetch these trials now, store them, and print what changed since their last review.

    One request answers up to 512 IDs. Exit code 1 when a trial was not found upstream or failed.

    Examples:

      ctsync refresh NCT05766735

      ctsync --api-url http://127.0.0.1:8765/api/v2 refresh NCT05766735 NCT01788527 --json
    """
    settings = _settings(ctx)
    with _progress_bar("Fetching", len(nct_ids)) as advance:
        summary = sync.refresh(settings, nct_ids, advance)
    pending = reading.pending(settings, sorted(summary.outcomes))
    result = summary.as_dict()
    if as_json:
        result["trials"] = [{"outcome": summary.outcomes[p.nct_id], **p.as_dict()} for p in pending]
        _print_json(result)
    else:
        _report_summary(result, False, "Refreshed")
        _report_upstream(result)
        for item in pending:
            stdout.print(f"[bold]{item.nct_id}[/bold]: {summary.outcomes[item.nct_id]}", highlight=False)
            render_changes(
                item.changes,
                nct_id=item.nct_id,
                baseline=item.baseline,
                current=item.current_version,
                title=None,
                console=stdout,
            )
    if summary.failures or result["missing"]:
        raise typer.Exit(1)


@app.command()
def changes(
    ctx: typer.Context,
    nct_id: Annotated[str, typer.Argument(metavar="NCT_ID", help="NCT ID.")],
    as_json: JsonOption = False,
    show_all: Annotated[bool, typer.Option("--all", help="The full version-to-version log.")] = False,
    min_severity: Annotated[
        str | None,
        typer.Option(
            "--min-severity",
            help="critical, major, minor or info. Default: minor on screen (bookkeeping is counted, not"
            " listed); everything with --json.",
        ),
    ] = None,
) -> None:
    """What changed since the trial was last reviewed (or, with --all, every version-to-version change).

    Examples:

      ctsync changes NCT05766735

      ctsync changes NCT05766735 --min-severity critical

      ctsync changes NCT05766735 --all --json
    """
    (nct_id,) = validate_nct_ids([nct_id])
    settings = _settings(ctx)
    floor = _severity(min_severity or ("info" if as_json else "minor"))
    if show_all:
        log = reading.change_log(settings, nct_id)
        log["changes"] = [c for c in log["changes"] if at_least(c["severity"], floor)]
        if as_json:
            _print_json(log)
        else:
            render_log(stdout, log)
        return
    pending = reading.pending(settings, [nct_id])[0]
    shown = [change for change in pending.changes if at_least(change.severity, floor)]
    if as_json:
        _print_json({**pending.as_dict(), "changes": [change_to_json(change) for change in shown]})
        return
    render_changes(
        shown,
        nct_id=nct_id,
        baseline=pending.baseline,
        current=pending.current_version,
        title=None,
        console=stdout,
        hidden=Counter(change.severity for change in pending.changes if not at_least(change.severity, floor)),
    )


def _severity(name: str) -> Severity:
    severities: dict[str, Severity] = {severity: severity for severity in SEVERITY_ORDER}
    if name.lower() not in severities:
        raise UsageError(f"--min-severity must be one of {', '.join(SEVERITY_ORDER)}, not {name!r}")
    return severities[name.lower()]


@app.command()
def queue(
    ctx: typer.Context,
    as_json: JsonOption = False,
    min_severity: Annotated[
        str,
        typer.Option(
            "--min-severity", help="critical, major, minor or info (bookkeeping-only trials are left out)."
        ),
    ] = "minor",
) -> None:
    """Trials whose changes since review are not yet reviewed, most severe first, then oldest.

    Examples:

      ctsync queue

      ctsync queue --min-severity critical --json
    """
    entries = reading.queue(_settings(ctx), _severity(min_severity))
    if as_json:
        _print_json(entries)
        return
    render_queue(stdout, entries)


@app.command()
def review(
    ctx: typer.Context,
    nct_ids: Annotated[list[str], typer.Argument(metavar="NCT_ID", help="NCT IDs, or `import FILE.csv`.")],
    by: Annotated[str | None, typer.Option("--by", help="Who reviewed.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note kept with the review.")] = None,
    version: Annotated[
        int | None,
        typer.Option(
            "--version", min=1, help="The version you looked at: nothing is recorded if a newer one arrived."
        ),
    ] = None,
) -> None:
    """Mark the current version of trials reviewed, or import reviews editors already have.

    `review import FILE.csv` reads columns nct_id, reviewed_at, reviewed_by[, note]: each review counts
    for the stored version that was current on that date.

    Examples:

      ctsync review NCT05766735 --by "A. Editor" --note "status checked"

      ctsync review NCT05766735 --by "A. Editor" --version 3

      ctsync review import reviews.csv
    """
    settings = _settings(ctx)
    if nct_ids[0] == "import":
        if len(nct_ids) != 2:
            raise UsageError("usage: ctsync review import FILE.csv")
        review_import(ctx, Path(nct_ids[1]))
        return
    if by is None:
        raise UsageError("--by NAME is required: who reviewed")
    for nct_id, reviewed in sync.review(settings, validate_nct_ids(nct_ids), by, note, version):
        print(f"{nct_id}: version {reviewed} reviewed by {by}")


@app.command("review import", hidden=True)
def review_import(
    ctx: typer.Context,
    csv_file: Annotated[
        Path, typer.Argument(metavar="FILE.csv", help="Columns nct_id, reviewed_at, reviewed_by[, note].")
    ],
) -> None:
    """Import the reviews editors already have: each counts for the version current on its date.

    reviewed_at is a date (YYYY-MM-DD) or an ISO date-time, never in the future. A review already
    recorded (same trial, version, reviewer and time) is not recorded again, so importing the same file
    twice records nothing new. The latest recorded review of a trial is its baseline.

    Example:

      ctsync review import reviews.csv
    """
    for item in sync.import_reviews(_settings(ctx), csv_file):
        when = item.reviewed_at.date()
        if item.version is None:
            print(
                f"{item.nct_id}: review of {when} predates every stored version;"
                " not recorded (its changes since then cannot be shown yet)",
                file=sys.stderr,
            )
        elif item.already_recorded:
            print(f"{item.nct_id}: review of {when} by {item.reviewed_by} already recorded", file=sys.stderr)
        else:
            print(f"{item.nct_id}: reviewed {when} by {item.reviewed_by}: version {item.version}")


track_app = typer.Typer(help="The set of trials the site covers.", no_args_is_help=True)
app.add_typer(track_app, name="track")


@track_app.command("add")
def track_add(
    ctx: typer.Context,
    nct_ids: Annotated[list[str] | None, typer.Argument(metavar="NCT_ID", help="NCT IDs to track.")] = None,
    files: Annotated[
        list[Path] | None, typer.Option("--file", metavar="FILE", help="One NCT ID per line; # comments.")
    ] = None,
) -> None:
    """Track trials: sync keeps them up to date. All or nothing: one bad ID adds none.

    Examples:

      ctsync track add NCT05766735 NCT01788527

      ctsync track add --file data/sample/tracked.txt
    """
    added, already = sync.track_add(_settings(ctx), nct_ids or [], files or [])
    print(f"now tracking {len(added)} more trial(s); {len(already)} already tracked", file=sys.stderr)


@track_app.command("remove")
def track_remove(
    ctx: typer.Context,
    nct_ids: Annotated[list[str], typer.Argument(metavar="NCT_ID", help="NCT IDs to stop tracking.")],
) -> None:
    """Stop tracking trials; their stored history stays.

    Example:

      ctsync track remove NCT05766735
    """
    asked = validate_nct_ids(nct_ids)
    removed = sync.track_remove(_settings(ctx), asked)
    print(f"stopped tracking {len(removed)} trial(s)", file=sys.stderr)
    not_tracked = [nct_id for nct_id in asked if nct_id not in removed]
    if not_tracked:
        print(f"not tracked, nothing to do: {', '.join(not_tracked)}", file=sys.stderr)


@track_app.command("list")
def track_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the tracked trials with their stored version and status.

    Example:

      ctsync track list --json
    """
    rows = reading.tracked(_settings(ctx))
    if as_json:
        _print_json(rows)
        return
    render_rows(stdout, rows, ["nct_id", "upstream_state", "version", "overall_status", "brief_title"])


@app.command("sync")
def sync_command(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch every tracked trial, not only updated ones.")
    ] = False,
    as_json: JsonOption = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Records per transaction.")] = 500,
) -> None:
    """Bring every tracked trial up to date (incremental by default). The nightly job.

    Exit codes: 0 done, 1 some trials failed (the rest is saved), 3 ClinicalTrials.gov unavailable,
    4 another writer holds the database.

    Examples:

      ctsync sync

      ctsync sync --full --json
    """
    with _progress_bar("Syncing", None) as advance:
        summary = sync.sync(replace(_settings(ctx), batch_size=batch_size), full=full, progress=advance)
    result = summary.as_dict()
    if as_json:
        _print_json(result)
    else:
        if result.get("status") == "noop":
            print(
                f"Nothing new upstream since the last sync (data {result['data_timestamp']}).",
                file=sys.stderr,
            )
        else:
            _report_summary(result, False, "Synced")
            _report_upstream(result)
            _report_changed(summary.outcomes)
    if summary.failures:
        raise typer.Exit(1)


@app.command()
def runs(
    ctx: typer.Context,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="How many recent runs.")] = 20,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the last successful sync is too old.")
    ] = False,
    max_age_days: Annotated[
        int, typer.Option(min=1, help="With --check: weekdays without a successful sync before alarm.")
    ] = 3,
) -> None:
    """The sync run ledger; with --check, a freshness alarm for monitoring.

    Examples:

      ctsync runs

      ctsync runs --check --max-age-days 3
    """
    settings = _settings(ctx)
    if check:
        message, fresh = reading.freshness(settings, max_age_days)
        print(message, file=sys.stdout if fresh else sys.stderr)
        raise typer.Exit(0 if fresh else 1)
    rows = reading.runs(settings, limit)
    if as_json:
        _print_json(rows)
        return
    render_runs(stdout, rows)


@app.command()
def page(
    ctx: typer.Context,
    nct_id: Annotated[str, typer.Argument(help="NCT ID, e.g. NCT05766735.")],
    as_json: JsonOption = False,
) -> None:
    """The trial's page facts in the editors' page's words: quick facts, conditions, criteria, sites.

    Examples:

      ctsync page NCT05766735

      ctsync page NCT05766735 --json
    """
    (nct_id,) = validate_nct_ids([nct_id])
    version, trial = reading.trial(_settings(ctx), nct_id)
    facts = page_facts(trial)
    if as_json:
        _print_json({"version": version, **facts.model_dump(mode="json")})
    else:
        render_page(stdout, facts, version)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to bind. Keep 127.0.0.1 and put a reverse proxy with login in front.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """The editors' web app: the review queue, each trial's changes beside its page facts, a review button.

    It has no login of its own and binds 127.0.0.1: publish it through the reverse proxy that already
    carries the team's login (nginx `auth_request`, Apache `mod_auth_openidc`, oauth2-proxy, ...),
    proxying to http://127.0.0.1:PORT. Pages read the published copy; a review waits for the writer lock
    like `ctsync review` (--wait), so the nightly sync is never blocked by the app.

    Examples:

      ctsync serve

      ctsync --db /srv/ctsync/ctsync.duckdb serve --port 8080
    """
    import uvicorn  # the web stack loads only for this command

    from pipeline.web.app import create_app

    settings = _settings(ctx)
    stderr.print(f"ctsync: serving the editors' pages on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command()
def report(
    ctx: typer.Context,
    html: Annotated[Path, typer.Option("--html", help="Folder to write the static pages into.")],
) -> None:
    """The queue and each queued trial's page as static HTML files (no form), for an intranet.

    Example:

      ctsync report --html /var/www/ctsync
    """
    from pipeline.web.report import write_report

    pages = write_report(_settings(ctx), html)
    stderr.print(f"wrote {len(pages)} page(s) into {html}")


def _report_changed(outcomes: dict[str, str]) -> None:
    changed = sorted(nct_id for nct_id, outcome in outcomes.items() if outcome == "changed")
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        print(f"  changed: {shown}; `ctsync queue` lists what needs review", file=sys.stderr)


def _not_found_note(summary: dict[str, Any]) -> str:
    gone = len(summary.get("not_found", [])) + len(summary.get("aliases", {}))
    return f", {gone} not found or merged upstream (see below)" if gone else ""


def _report_upstream(result: dict[str, Any]) -> None:
    for nct_id in result.get("not_found", []):
        print(f"  {nct_id}: not found on ClinicalTrials.gov", file=sys.stderr)
    for alias, real in result.get("aliases", {}).items():
        print(f"  {alias}: an alias of {real} (stored as {real})", file=sys.stderr)
    for nct_id, reason in result.get("rejected", {}).items():
        print(f"  {nct_id}: refused by ClinicalTrials.gov: {reason}", file=sys.stderr)


# --- rendering helpers --------------------------------------------------------------------------


class _progress_bar:  # used as a context manager, it reads like a function
    """A progress bar on stderr when it is a terminal; silent otherwise (cron logs stay clean)."""

    def __init__(self, label: str, total: int | None) -> None:
        self.progress = Progress(
            TextColumn(f"{label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=stderr,
            disable=not stderr.is_terminal,
        )
        self.task = self.progress.add_task(label, total=total)

    def __enter__(self) -> Any:
        self.progress.start()
        return lambda n: self.progress.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _report_summary(summary: dict[str, Any], as_json: bool, verb: str) -> None:
    if as_json:
        _print_json(summary)
        return
    print(
        f"{verb}: {summary['new']} new, {summary['changed']} changed, {summary['unchanged']} unchanged,"
        f" {summary['failed']} failed{_not_found_note(summary)} (run {summary['run_id']})",
        file=sys.stderr,
    )
    if summary.get("older"):
        print(
            f"  {summary['older']} record(s) older than the stored version were kept as they are, not stored",
            file=sys.stderr,
        )
    for failure in summary["failures"][:20]:
        print(f"  failed: {failure['source']}: {failure['error']}", file=sys.stderr)
    if len(summary["failures"]) > 20:
        print(f"  … and {len(summary['failures']) - 20} more: see the failed_records table", file=sys.stderr)


def _usage_line(exc: typer.TyperException) -> str:
    """click's usage error as one line, with the command's --help to turn to."""
    context = getattr(exc, "ctx", None)
    command = getattr(context, "command_path", None) or "ctsync"
    return f"{exc.format_message()} (see `{command} --help`)"


_INTERRUPTED = "ctsync: interrupted; whole batches are stored, run it again to finish"


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (systemd, kill) stops a run like Ctrl-C: the run is recorded as interrupted, exit 130."""
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point: run the app, turning ctsync errors into one line and an exit code."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        command = plain_help(typer.main.get_command(app))
        result = command(args=route(command, sys.argv[1:]), standalone_mode=False)
    except CtsyncError as exc:
        if _state["debug"]:
            raise
        print(f"ctsync: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print(_INTERRUPTED, file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a click usage error or a bug
        if type(exc).__name__ == "InterruptException":  # DuckDB's answer to Ctrl-C inside a query
            print(_INTERRUPTED, file=sys.stderr)
            sys.exit(130)
        if isinstance(exc, typer.TyperException):
            print(f"ctsync: error: {_usage_line(exc)}", file=sys.stderr)
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        print(
            f"ctsync: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        sys.exit(1)
    if result == 130:  # click turns a KeyboardInterrupt inside a command into this exit code
        print(_INTERRUPTED, file=sys.stderr)
    sys.exit(result if isinstance(result, int) else 0)
