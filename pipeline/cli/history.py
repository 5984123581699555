"""The record history commands: ``ctsync history``, and how ``review import`` / ``review --at`` report
reviews whose baseline came from (or could not come from) ClinicalTrials.gov's record history."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipeline.cli.app import JsonOption, app, print_json, settings_of
from pipeline.errors import UsageError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from pipeline.adoption import DatedReviews

NoHistoryOption = Annotated[
    bool,
    typer.Option(
        "--no-history",
        help="Never ask ClinicalTrials.gov's record history: a review older than every stored version is"
        " not recorded.",
    ),
]


def with_history(settings: Settings, no_history: bool) -> Settings:
    """The settings with ``--no-history`` applied."""
    return replace(settings, use_history=not no_history) if no_history else settings


def notice(line: str) -> None:
    """A progress note on stderr (cron logs keep it too)."""
    print(f"ctsync: {line}", file=sys.stderr, flush=True)


def day_of(text: str) -> date:
    """``--at YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--at {text!r} is not a date: use YYYY-MM-DD") from None


def report_dated(result: DatedReviews) -> int:
    """One line per review (recorded ones on stdout, the rest on stderr with what to do); the exit code."""
    for item in result.reviews:
        when = item.reviewed_at.date()
        baseline = item.baseline
        if item.version is None and baseline is not None and baseline.failure:
            print(
                f"{item.nct_id}: review of {when} not recorded: {baseline.failure}; review it now with"
                f" `ctsync review {item.nct_id} --by NAME` (its changes since {when} cannot be shown)",
                file=sys.stderr,
            )
        elif item.version is None and baseline is not None:
            print(f"{item.nct_id}: review of {when} not recorded: {baseline.note}", file=sys.stderr)
        elif item.version is None:
            print(
                f"{item.nct_id}: review of {when} predates every stored version;"
                " not recorded (its changes since then cannot be shown yet)",
                file=sys.stderr,
            )
        elif item.already_recorded:
            print(f"{item.nct_id}: review of {when} by {item.reviewed_by} already recorded", file=sys.stderr)
        else:
            upstream = (
                f" (ClinicalTrials.gov version {baseline.upstream_version} of {baseline.submitted},"
                " from its record history)"
                if baseline is not None and baseline.upstream_version is not None
                else ""
            )
            print(f"{item.nct_id}: reviewed {when} by {item.reviewed_by}: version {item.version}{upstream}")
    if result.requests:
        print(f"record history: {result.requests} request(s) to ClinicalTrials.gov", file=sys.stderr)
    return result.exit_code


@app.command("history")
def history(
    ctx: typer.Context,
    nct_id: Annotated[str, typer.Argument(metavar="NCT_ID", help="NCT ID.")],
    as_json: JsonOption = False,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Show the version list as stored; ask nothing upstream.")
    ] = False,
) -> None:
    """A trial's versions on ClinicalTrials.gov (number, date, status, modules changed) and which one each
    review counts for. Fetches the version list anew (one request).

    Examples:

      ctsync history NCT03549754

      ctsync history NCT03549754 --json
    """
    from pipeline import adoption

    listing = adoption.history(with_history(settings_of(ctx), no_history), nct_id)
    if as_json:
        print_json(listing)
    else:
        render_history(listing)
    if listing["error"]:
        print(f"ctsync: error: {listing['nct_id']}: {listing['error']}", file=sys.stderr)
        raise typer.Exit(3 if listing["history_unreachable"] else 1)


def render_history(listing: dict[str, Any]) -> None:
    """The version list as a table: number, date, status, the ctsync version holding it, its reviews."""
    versions = listing["upstream_versions"]
    print(f"{listing['nct_id']}: {len(versions)} version(s) on ClinicalTrials.gov (its record history)")
    if not versions:
        return
    print(f"{'Version':<8} {'Submitted':<11} {'Status':<24} {'Stored':<7} {'Reviews':<28} Modules changed")
    for row in versions:
        reviews = "; ".join(f"{r['reviewed_at']:%Y-%m-%d} {r['reviewed_by']}" for r in row["reviews"])
        stored = f"v{row['version']}" if row["version"] is not None else ""
        line = (
            f"{row['upstream_version']:<8} {row['date']!s:<11} {row['status'] or '':<24} {stored:<7}"
            f" {reviews:<28} {', '.join(row['modules'])}"
        )
        print(line.rstrip())
    for review in (r for r in listing["reviews"] if r["upstream_version"] is None):
        when = f"{review['reviewed_at']:%Y-%m-%d}"
        print(f"review of {when} by {review['reviewed_by']}: version {review['version']} (not in the list)")
