"""Structured logs: one JSON object per line to --log-file, with the run ledger on 'run finished'."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_log_file_gets_one_json_object_per_line(tmp_path: Path) -> None:
    """A load with CTSYNC_LOG_FILE writes 'run started' and 'run finished' lines carrying the counts."""
    log = tmp_path / "logs" / "ctsync.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "--db",
            str(tmp_path / "db.duckdb"),
            "load",
            str(REPO / "data" / "sample"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "CTSYNC_LOG_FILE": str(log)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [entry["event"] for entry in entries] == ["run started", "run finished"]
    finished = entries[1]
    assert (finished["level"], finished["status"], finished["new_trials"], finished["fetched"]) == (
        "info",
        "succeeded",
        38,
        38,
    )
    assert finished["message"] == "run 1 succeeded"
