"""The ``ctsync`` command line: parse options, build Settings, call one library function, render.

``app`` holds the global options and the entry point; the commands live by audience: ``ingest`` (load,
refresh, sync, renormalize, runs), ``editors`` (changes, queue, review, track, serve, report),
``history`` (ClinicalTrials.gov's record history) and ``reading`` (show, page, export). Importing this
package registers them all.
"""

from pipeline.cli import editors, history, ingest, reading
from pipeline.cli.app import app, main

# ``ctsync --help`` lists the commands in the order a new user meets them, not in import order.
_HELP_ORDER = (
    "sync", "load", "refresh", "queue", "changes", "review", "review import", "history", "show", "page",
    "runs", "renormalize", "serve", "report",
)  # fmt: skip
app.registered_commands.sort(
    key=lambda info: _HELP_ORDER.index(info.name or getattr(info.callback, "__name__", ""))
)

__all__ = ["app", "editors", "history", "ingest", "main", "reading"]
