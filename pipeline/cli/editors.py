"""The editors' commands: what changed since review, the queue, reviews, the tracked set, the web app and
the static report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.app import (
    JsonOption,
    app,
    print_json,
    settings_of,
    stderr_console,
    stdout_console,
    track_app,
)
from pipeline.cli.history import NoHistoryOption, with_history
from pipeline.cli.history import notice as _notice
from pipeline.errors import UsageError

if TYPE_CHECKING:
    from pipeline.policy import Severity


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
    from collections import Counter

    from pipeline import reading
    from pipeline.adoption import baseline_fields
    from pipeline.ids import validate_nct_ids
    from pipeline.policy import at_least
    from pipeline.render import render_changes
    from pipeline.views import render_log

    (nct_id,) = validate_nct_ids([nct_id])
    settings = settings_of(ctx)
    floor = _severity(min_severity or ("info" if as_json else "minor"))
    if show_all:
        log = reading.change_log(settings, nct_id)
        log = log.model_copy(update={"changes": [c for c in log.changes if at_least(c.severity, floor)]})
        if as_json:
            print_json(log.model_dump())
        else:
            render_log(stdout_console(), log)
        return
    pending = reading.pending(settings, [nct_id])[0]
    shown = [change for change in pending.changes if at_least(change.severity, floor)]
    baseline = baseline_fields(settings, nct_id, pending.baseline)
    if as_json:
        print_json({**pending.as_dict(), **baseline, "changes": [change.model_dump() for change in shown]})
        return
    if baseline["baseline_upstream_version"] is not None:
        print(
            f"{nct_id}: reviewed version {pending.baseline} is ClinicalTrials.gov version"
            f" {baseline['baseline_upstream_version']} of {baseline['baseline_date']}"
        )
    render_changes(
        shown,
        nct_id=nct_id,
        baseline=pending.baseline,
        current=pending.current_version,
        title=None,
        console=stdout_console(),
        hidden=Counter(change.severity for change in pending.changes if not at_least(change.severity, floor)),
    )


def _severity(name: str) -> Severity:
    from pipeline.policy import SEVERITY_ORDER

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
    from pipeline import reading
    from pipeline.views import render_queue

    entries = reading.queue(settings_of(ctx), _severity(min_severity))
    if as_json:
        print_json([entry.model_dump() for entry in entries])
        return
    render_queue(stdout_console(), entries)


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
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="YYYY-MM-DD",
            help="Reviewed on this day (the date on the page): counts for the version current then, from"
            " ClinicalTrials.gov's record history when it predates every stored version.",
        ),
    ] = None,
    no_history: NoHistoryOption = False,
) -> None:
    """Mark the current version of trials reviewed, or import reviews editors already have.

    `review import FILE.csv` reads columns nct_id, reviewed_at, reviewed_by[, note]: each review counts
    for the stored version that was current on that date, or, for a date before every stored version,
    for the version ClinicalTrials.gov's record history shows current then (at most 2 requests a trial).

    Examples:

      ctsync review NCT05766735 --by "A. Editor" --note "status checked"

      ctsync review NCT05766735 --by "A. Editor" --version 3

      ctsync review NCT03549754 --by "A. Editor" --at 2025-09-01

      ctsync review import reviews.csv
    """
    from pipeline import sync
    from pipeline.ids import validate_nct_ids

    settings = settings_of(ctx)
    if nct_ids[0] == "import":
        if len(nct_ids) != 2:
            raise UsageError("usage: ctsync review import FILE.csv")
        review_import(ctx, Path(nct_ids[1]), no_history)
        return
    if by is None:
        raise UsageError("--by NAME is required: who reviewed")
    if at is not None:
        from pipeline import adoption
        from pipeline.cli.history import day_of, report_dated

        result = adoption.review_at(
            with_history(settings, no_history), nct_ids, by, note, day_of(at), notice=_notice
        )
        raise typer.Exit(report_dated(result))
    for nct_id, reviewed in sync.review(settings, validate_nct_ids(nct_ids), by, note, version):
        print(f"{nct_id}: version {reviewed} reviewed by {by}")


@app.command("review import", hidden=True)
def review_import(
    ctx: typer.Context,
    csv_file: Annotated[
        Path, typer.Argument(metavar="FILE.csv", help="Columns nct_id, reviewed_at, reviewed_by[, note].")
    ],
    no_history: NoHistoryOption = False,
) -> None:
    """Import the reviews editors already have: each counts for the version current on its date.

    reviewed_at is a date (YYYY-MM-DD) or an ISO date-time, never in the future. A review already
    recorded (same trial, version, reviewer and time) is not recorded again, so importing the same file
    twice records nothing new. The latest recorded review of a trial is its baseline. A review older
    than every stored version counts for the version ClinicalTrials.gov's record history shows current
    on its date (exit 1 when some trials' history could not be read, 3 when none could).

    Example:

      ctsync review import reviews.csv
    """
    from pipeline import adoption
    from pipeline.cli.app import progress_bar
    from pipeline.cli.history import report_dated

    with progress_bar("Record history", None) as advance:
        result = adoption.import_reviews(
            with_history(settings_of(ctx), no_history), csv_file, advance, _notice
        )
    code = report_dated(result)
    if code:
        raise typer.Exit(code)


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
    from pipeline import sync

    added, already = sync.track_add(settings_of(ctx), nct_ids or [], files or [])
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
    from pipeline import sync
    from pipeline.ids import validate_nct_ids

    asked = validate_nct_ids(nct_ids)
    removed = sync.track_remove(settings_of(ctx), asked)
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
    from pipeline import reading
    from pipeline.views import render_rows

    rows = reading.tracked(settings_of(ctx))
    if as_json:
        print_json(rows)
        return
    render_rows(
        stdout_console(), rows, ["nct_id", "upstream_state", "version", "overall_status", "brief_title"]
    )


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

    settings = settings_of(ctx)
    stderr_console().print(f"ctsync: serving the editors' pages on http://{host}:{port}/ (Ctrl-C stops)")
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

    pages = write_report(settings_of(ctx), html)
    stderr_console().print(f"wrote {len(pages)} page(s) into {html}")
