"""The ``ctsync`` command line: parse options, build Settings, call one library function, render.

Machine output (``--json``) goes to stdout and nothing else does; progress, logs and errors go to
stderr. Errors are one line that says what to do, with an exit code from pipeline.errors; a traceback
only with --debug.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline import __version__, reading, sync
from pipeline.errors import CtsyncError, UsageError
from pipeline.fetch import validate_nct_ids
from pipeline.settings import DEFAULT_API_URL, Settings
from pipeline.views import render_trial

app = typer.Typer(
    help="Keep a local, versioned, reviewable DuckDB copy of ClinicalTrials.gov trials in sync.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="Export the analyst tables.", no_args_is_help=True)
app.add_typer(export_app, name="export")

stderr = Console(stderr=True)
stdout = Console()
_state: dict[str, Any] = {"debug": False}

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option(envvar="CTSYNC_DB", help="Working database.")] = Path(
        "data/ctsync.duckdb"
    ),
    published: Annotated[
        Path, typer.Option(envvar="CTSYNC_PUBLISHED", help="Analysts' copy, replaced after every write.")
    ] = Path("data/published/ctsync.duckdb"),
    api_url: Annotated[str, typer.Option(envvar="CTSYNC_API_URL", help="ClinicalTrials.gov API v2 base URL.")] = (
        DEFAULT_API_URL
    ),
    rate: Annotated[float, typer.Option(envvar="CTSYNC_RATE", help="Requests per second at most.")] = 1.0,
    wait: Annotated[
        float, typer.Option(envvar="CTSYNC_WAIT", help="Seconds to wait for another writer before exit 4.")
    ] = 30.0,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """ctsync: ClinicalTrials.gov ingestion and sync.

    Examples:

      ctsync load data/sample

      ctsync show NCT05766735

      ctsync --db /srv/ctsync/ctsync.duckdb export parquet exports/
    """
    if version:
        print(f"ctsync {__version__}")
        raise typer.Exit(0)
    if rate < 0 or wait < 0:
        raise UsageError("--rate and --wait take a number of at least 0")
    _state["debug"] = debug
    ctx.obj = Settings(db=db, published=published, api_url=api_url.rstrip("/"), rate=rate, wait=wait)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


@app.command()
def load(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Folders of study JSON, page files, JSONL or the bulk zip.")],
    as_json: JsonOption = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Records per transaction.")] = 500,
) -> None:
    """Ingest study records from files, no network.

    Reads a folder of NCTxxxxxxxx.json files, an API page file ({"studies": [...]}), JSON Lines, or
    ClinicalTrials.gov's bulk ctg-studies.json.zip. Exit code 1 when some records failed (they are in
    failed_records; the rest is stored).

    Examples:

      ctsync load data/sample

      ctsync load ctg-studies.json.zip
    """
    settings = replace(_settings(ctx), batch_size=batch_size)
    with _progress_bar("Loading", sync.expected_records(paths)) as advance:
        summary = sync.load(settings, paths, advance)
    _report_summary(summary.as_dict(), as_json, "Loaded")
    if summary.failures:
        raise typer.Exit(1)


@app.command()
def show(
    ctx: typer.Context,
    nct_id: Annotated[str, typer.Argument(help="NCT ID, e.g. NCT05766735.")],
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
    directory: Annotated[Path, typer.Argument(help="Folder to write <table>.parquet files into.")],
) -> None:
    """Write every analyst table as a Parquet file.

    Example:

      ctsync export parquet exports/
    """
    for path in reading.export_parquet(_settings(ctx), directory):
        stderr.print(f"wrote {path}")


# --- rendering helpers --------------------------------------------------------------------------


class _progress_bar:  # noqa: N801  (used as a context manager, reads like a function)
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
        f" {summary['failed']} failed (run {summary['run_id']})",
        file=sys.stderr,
    )
    for failure in summary["failures"][:20]:
        print(f"  failed: {failure['source']}: {failure['error']}", file=sys.stderr)
    if len(summary["failures"]) > 20:
        print(f"  … and {len(summary['failures']) - 20} more: see the failed_records table", file=sys.stderr)


def main() -> None:
    """Console entry point: run the app, turning ctsync errors into one line and an exit code."""
    try:
        result = app(standalone_mode=False)
    except CtsyncError as exc:
        if _state["debug"]:
            raise
        print(f"ctsync: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        stderr.print("ctsync: aborted")
        sys.exit(130)
    except Exception as exc:  # a click usage error or a bug
        import click  # noqa: PLC0415

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        print(f"ctsync: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
