"""Logging: readable lines on a terminal, and one JSON object per line to a file when asked.

The nightly job sets ``--log-file`` (``CTSYNC_LOG_FILE``); a monitoring tool can then filter on
``event`` and the counts a run logs, e.g. ``jq 'select(.event == "run finished")'``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import StorageError

# Attributes every LogRecord has; anything else was passed in ``extra`` and belongs in the JSON line.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_file: Path | None, *, verbose: bool = False) -> None:
    """Warnings (or everything with --verbose) to stderr; everything from INFO up to the JSON log file."""
    root = logging.getLogger("pipeline")
    root.setLevel(logging.INFO)
    root.handlers.clear()
    root.propagate = False
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.INFO if verbose else logging.WARNING)
    terminal.setFormatter(logging.Formatter("ctsync: %(message)s"))
    # The CLI prints a failed run's error itself, as its one error line; the ledger line is for log files.
    terminal.addFilter(lambda record: getattr(record, "event", None) != "run finished")
    root.addHandler(terminal)
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            to_file = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise StorageError(
                f"cannot append to the log file {log_file} ({exc.strerror or exc}): name a writable file"
                " with --log-file (CTSYNC_LOG_FILE) or fix its folder's permissions"
            ) from None
        to_file.setFormatter(JsonLines())
        root.addHandler(to_file)
