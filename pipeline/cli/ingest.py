"""Commands that write trials: load files, refresh and sync from ClinicalTrials.gov, renormalize; and the
run ledger they leave (``runs``)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.cli.app import JsonOption, app, print_json, progress_bar, settings_of, stdout_console


@app.command()
def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH", help="Folders of study JSON, page files, JSONL or the bulk zip."),
    ],
    as_json: JsonOption = False,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Records per transaction (fewer when they reach 24 MB of JSON).")
    ] = 500,
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
    from pipeline import sync
    from pipeline.parallel import default_workers

    settings = replace(settings_of(ctx), batch_size=batch_size, workers=workers or default_workers())
    with progress_bar("Loading", sync.expected_records(paths)) as advance:
        summary = sync.load(settings, paths, advance)
    report_summary(summary.as_dict(), as_json, "Loaded")
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
    from pipeline import sync

    counts = sync.renormalize_all(settings_of(ctx))
    if as_json:
        print_json(counts)
    else:
        print(
            f"Renormalized {counts['trials']} trial(s), {counts['versions']} version(s);"
            f" {counts['rederived']} record(s) differ under the new rules; {counts['failed']} failed",
            file=sys.stderr if counts["failed"] else sys.stdout,
        )
    if counts["failed"]:
        raise typer.Exit(1)


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
    from pipeline import reading, sync
    from pipeline.render import render_changes

    settings = settings_of(ctx)
    with progress_bar("Fetching", len(nct_ids)) as advance:
        summary = sync.refresh(settings, nct_ids, advance)
    pending = reading.pending(settings, sorted(summary.outcomes))
    result = summary.as_dict()
    if as_json:
        result["trials"] = [{"outcome": summary.outcomes[p.nct_id], **p.as_dict()} for p in pending]
        print_json(result)
    else:
        report_summary(result, False, "Refreshed")
        _report_upstream(result)
        for item in pending:
            stdout_console().print(
                f"[bold]{item.nct_id}[/bold]: {summary.outcomes[item.nct_id]}", highlight=False
            )
            render_changes(
                item.changes,
                nct_id=item.nct_id,
                baseline=item.baseline,
                current=item.current_version,
                title=None,
                console=stdout_console(),
            )
    if summary.failures or result["missing"]:
        raise typer.Exit(1)


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
    from pipeline import sync

    with progress_bar("Syncing", None) as advance:
        summary = sync.sync(replace(settings_of(ctx), batch_size=batch_size), full=full, progress=advance)
    result = summary.as_dict()
    if as_json:
        print_json(result)
    else:
        if result.get("status") == "noop":
            print(
                f"Nothing new upstream since the last sync (data {result['data_timestamp']}).",
                file=sys.stderr,
            )
        else:
            report_summary(result, False, "Synced")
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
    from pipeline import reading
    from pipeline.views import render_runs

    settings = settings_of(ctx)
    if check:
        message, fresh = reading.freshness(settings, max_age_days)
        print(message, file=sys.stdout if fresh else sys.stderr)
        raise typer.Exit(0 if fresh else 1)
    rows = reading.runs(settings, limit)
    if as_json:
        print_json(rows)
        return
    render_runs(stdout_console(), rows)


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


def report_summary(summary: dict[str, Any], as_json: bool, verb: str) -> None:
    if as_json:
        print_json(summary)
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
