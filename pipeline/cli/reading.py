"""Commands that read what is stored: a trial's record and page facts, and the Parquet export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import (
    JsonOption,
    app,
    export_app,
    print_json,
    settings_of,
    stderr_console,
    stdout_console,
)


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
    from pipeline import reading
    from pipeline.ids import validate_nct_ids
    from pipeline.trial_view import render_trial

    (nct_id,) = validate_nct_ids([nct_id])
    version, trial = reading.trial(settings_of(ctx), nct_id)
    if as_json:
        print_json({"version": version, **trial.model_dump(mode="json")})
    else:
        render_trial(stdout_console(), trial, version)


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
    from pipeline import reading

    for path in reading.export_parquet(settings_of(ctx), directory):
        stderr_console().print(f"wrote {path}")


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
    from pipeline import reading
    from pipeline.ids import validate_nct_ids
    from pipeline.page import page_facts
    from pipeline.page_render import render_page

    (nct_id,) = validate_nct_ids([nct_id])
    version, trial = reading.trial(settings_of(ctx), nct_id)
    facts = page_facts(trial)
    if as_json:
        print_json({"version": version, **facts.model_dump(mode="json")})
    else:
        render_page(stdout_console(), facts, version)
