"""ctsync: keep a local, versioned, reviewable DuckDB copy of ClinicalTrials.gov trials in sync.

The library API, the functions the ``ctsync`` commands are thin layers over::

    import pipeline
    settings = pipeline.Settings(db=Path("data/ctsync.duckdb"))
    summary = pipeline.load(settings, [Path("data/sample")])
    for entry in pipeline.queue(settings, "minor"):
        print(entry.nct_id, entry.severity)

Names load on first use (PEP 562), so ``import pipeline`` stays cheap for the command line's start-up and
for the worker processes. The nightly sync, the normalizer and the differ are ``pipeline.sync.sync``,
``pipeline.normalize.normalize`` and ``pipeline.diff.diff``: their modules bear their names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.lazy import lazy_names

__version__ = "0.1.0"

_EXPORTS = {
    # writing: the commands of pipeline.sync
    "load": "pipeline.sync",
    "refresh": "pipeline.sync",
    "renormalize_all": "pipeline.sync",
    "review": "pipeline.sync",
    "import_reviews": "pipeline.sync",
    "track_add": "pipeline.sync",
    "track_remove": "pipeline.sync",
    # reading the published copy (or the working database)
    "trial": "pipeline.reading",
    "pending": "pipeline.reading",
    "queue": "pipeline.reading",
    "change_log": "pipeline.reading",
    "tracked": "pipeline.reading",
    "runs": "pipeline.reading",
    "freshness": "pipeline.reading",
    "export_parquet": "pipeline.reading",
    # the pure middle and its shapes
    "Trial": "pipeline.models",
    "Change": "pipeline.change",
    "StoredChange": "pipeline.change",
    "ChangeLog": "pipeline.change",
    "QueueEntry": "pipeline.change",
    "Settings": "pipeline.settings",
    "RunSummary": "pipeline.ingest",
    # errors
    "CtsyncError": "pipeline.errors",
    "UsageError": "pipeline.errors",
    "RecordError": "pipeline.errors",
    "UpstreamError": "pipeline.errors",
    "UpstreamUnavailable": "pipeline.errors",
    "DatabaseBusy": "pipeline.errors",
    "StorageError": "pipeline.errors",
    "PublishError": "pipeline.errors",
}

__all__ = [
    "Change",
    "ChangeLog",
    "CtsyncError",
    "DatabaseBusy",
    "PublishError",
    "QueueEntry",
    "RecordError",
    "RunSummary",
    "Settings",
    "StorageError",
    "StoredChange",
    "Trial",
    "UpstreamError",
    "UpstreamUnavailable",
    "UsageError",
    "__version__",
    "change_log",
    "export_parquet",
    "freshness",
    "import_reviews",
    "load",
    "pending",
    "queue",
    "refresh",
    "renormalize_all",
    "review",
    "runs",
    "track_add",
    "track_remove",
    "tracked",
    "trial",
]

if TYPE_CHECKING:
    from pipeline.change import Change, ChangeLog, QueueEntry, StoredChange
    from pipeline.errors import (
        CtsyncError,
        DatabaseBusy,
        PublishError,
        RecordError,
        StorageError,
        UpstreamError,
        UpstreamUnavailable,
        UsageError,
    )
    from pipeline.ingest import RunSummary
    from pipeline.models import Trial
    from pipeline.reading import (
        change_log,
        export_parquet,
        freshness,
        pending,
        queue,
        runs,
        tracked,
        trial,
    )
    from pipeline.settings import Settings
    from pipeline.sync import (
        import_reviews,
        load,
        refresh,
        renormalize_all,
        review,
        track_add,
        track_remove,
    )


__getattr__, __dir__ = lazy_names(
    __name__, {name: (module, name) for name, module in _EXPORTS.items()}, globals()
)
