"""The ``ctsync`` application: global options, Settings, output helpers, and the console entry point.

Machine output (``--json``) goes to stdout and nothing else does; progress, logs and errors go to
stderr. Errors are one line that says what to do, with an exit code from pipeline.errors; a traceback
only with --debug.

Start-up is part of the interface (``ctsync --version``, ``ctsync show`` in a shell loop): this module and
the command modules import only typer and the standard library at the top; each command imports the
library it needs (DuckDB, pydantic, rich, the web stack) when it runs.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, cast

import typer

from pipeline import __version__
from pipeline.cli.help import plain_help, route
from pipeline.errors import CtsyncError, StorageError, UsageError
from pipeline.settings import DEFAULT_API_URL, RetryPolicy, Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="Export the analyst tables.", no_args_is_help=True)
app.add_typer(export_app, name="export")
track_app = typer.Typer(help="The set of trials the site covers.", no_args_is_help=True)
app.add_typer(track_app, name="track")

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
    history_url: Annotated[
        str | None,
        typer.Option(
            envvar="CTSYNC_HISTORY_URL",
            help="ClinicalTrials.gov's record history (its website's internal API). Default: --api-url with"
            " /v2 as /int.",
        ),
    ] = None,
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
    from pipeline import logs

    if rate < 0 or wait < 0:
        raise UsageError("--rate and --wait take a number of at least 0")
    if not api_url.startswith(("http://", "https://")):
        raise UsageError(f"--api-url must start with http:// or https://, not {api_url!r}")
    if history_url is not None and not history_url.startswith(("http://", "https://")):
        raise UsageError(f"--history-url must start with http:// or https://, not {history_url!r}")
    _check_paths(db, published)
    _state["debug"] = debug
    logs.configure(log_file, verbose=verbose)
    if policy is not None:
        from pipeline.policy import load_policy

        load_policy(policy)  # a bad policy file is a usage error now, not halfway through a sync
    ctx.obj = Settings(
        db=db,
        published=published,
        api_url=api_url.rstrip("/"),
        history_url=history_url.rstrip("/") if history_url else None,
        rate=rate,
        wait=wait,
        policy=policy,
        retry=RetryPolicy(max_attempts=retries),
        crash_after_batches=_test_crash(os.environ.get("CTSYNC_TEST_CRASH")),
    )


def _check_paths(db: Path, published: Path) -> None:
    """Refuse, before any command runs, an analysts' copy that is a folder (exit 5, as a folder --db is)
    or the working database itself (exit 2: publishing would put a copy's hard link in its place)."""
    try:
        folder = not published.name or published.is_dir()
        same = published.resolve() == db.resolve() or (
            published.exists() and db.exists() and published.samefile(db)
        )
    except OSError:  # e.g. a folder we may not look into: the command's own storage error names it
        return
    if folder:
        raise StorageError(
            f"{published} is a folder: --published names the analysts' copy file,"
            " e.g. data/published/ctsync.duckdb"
        )
    if same:
        raise UsageError(
            f"--published must be another file than --db ({str(db)!r}): it is the analysts' copy"
        )


def _test_crash(value: str | None) -> tuple[int, int] | None:
    """``N:SIGNAL`` (e.g. ``2:KILL``): the crash tests' deterministic kill after the Nth committed batch."""
    if not value:
        return None
    batches, _, name = value.partition(":")
    return int(batches), int(getattr(signal, f"SIG{name or 'KILL'}"))


def settings_of(ctx: typer.Context) -> Settings:
    """The Settings the global options built for this invocation."""
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def print_json(value: Any) -> None:
    """``value`` as indented JSON on stdout, dates and times as ISO 8601 with the ``T``."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=_json_value) + "\n")


def _json_value(value: Any) -> Any:
    """Dates and times as ISO 8601 (``2026-11-25T14:30:00+00:00``, with the ``T``); anything else as text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


@cache
def stdout_console() -> Console:
    """The console for human output; piped into a file or a pager, text is not hard-wrapped at 80
    columns, tables may be wide, and lines carry no trailing padding. One per process: both look
    ``sys.stdout`` up at each write."""
    from rich.console import Console

    from pipeline.terminal import TrimmedLines

    if sys.stdout.isatty():
        return Console()
    return Console(file=cast(IO[str], TrimmedLines()), width=200, soft_wrap=True)


@cache
def stderr_console() -> Console:
    """The console for progress and notes on stderr."""
    from rich.console import Console

    return Console(stderr=True)


class progress_bar:  # used as a context manager, it reads like a function
    """A progress bar on stderr when it is a terminal; silent otherwise (cron logs stay clean)."""

    def __init__(self, label: str, total: int | None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = stderr_console()
        self.progress = Progress(
            TextColumn(f"{label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.task = self.progress.add_task(label, total=total)

    def __enter__(self) -> Callable[[int], None]:
        self.progress.start()
        return lambda n: self.progress.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _usage_line(exc: typer.TyperException) -> str:
    """click's usage error as one line, with the command's --help to turn to."""
    context = getattr(exc, "ctx", None)
    command = getattr(context, "command_path", None) or "ctsync"
    return f"{exc.format_message()} (see `{command} --help`)"


_INTERRUPTED = "ctsync: interrupted; whole batches are stored, run it again to finish"


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (systemd, kill) stops a run like Ctrl-C: the run is recorded as interrupted, exit 130."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app on ``argv`` (default ``sys.argv[1:]``), turning ctsync errors into
    one line and an exit code (always by ``SystemExit``)."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        command = plain_help(typer.main.get_command(app))
        args = sys.argv[1:] if argv is None else argv
        result = command(args=route(command, args), prog_name="ctsync", standalone_mode=False)
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
