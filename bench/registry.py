"""One load at full registry size (issue 16): `python -m bench.registry --corpus bench/out/corpus-600000`.

Generate the corpus first (``python -m bench.corpus --size 600000 --out bench/out/corpus-600000``, about
28 GB with both days, folders and zips). Loads ``day1.zip`` into a fresh database with a published copy,
as `make bench` does, and writes ``bench/out/registry-N.json``: a row that ``bench.run`` adds to
RESULTS.md (wall time, peak RSS, database size per record). Not part of `make bench`: it takes long
(about an hour on 2 cores). Disk: the load needs about 40 GB beside the zip (a 13 GB database, its WAL
and the published copy); the day folders (21 GB) can be deleted once the zips are written.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from bench import cases, corpus
from bench.report import measured_row, summarize_json

OUT = Path(__file__).resolve().parents[1] / "bench" / "out"


def main(argv: Sequence[str] | None = None) -> None:
    """Measure the load and write its row."""
    parser = argparse.ArgumentParser(prog="python -m bench.registry", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="load again into the database a stopped run left (kept batches are skipped, as a user would)",
    )
    args = parser.parse_args(argv)
    args.corpus = args.corpus.resolve()  # the load runs in its workspace folder
    manifest = corpus.read_manifest(args.corpus)
    if manifest is None:
        raise SystemExit(f"{args.corpus} holds no complete corpus (no manifest.json)")
    data = cases.corpus_of(args.corpus, manifest)
    ws = cases.Workspace(OUT / f"work-registry-{data.studies}")
    if not args.resume:
        shutil.rmtree(ws.root, ignore_errors=True)
    load_average = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    result = ws.run("load", data.root / "day1.zip", "--json")
    label = "ctsync load day1.zip (full load, registry size" + (", resumed)" if args.resume else ")")
    row = measured_row(
        "ctsync.load_registry",
        label,
        data.studies,
        result,
        records=data.studies,
        json_bytes=data.day1_bytes,
        partial_ok=True,
    )
    if args.resume:  # a rate over every record would mislead: the kept ones were only skipped
        row = dataclasses.replace(row, records=None, json_bytes=None)
    db = ws.root / "ctsync.duckdb"
    size = db.stat().st_size if db.exists() else 0
    row = row.with_note(
        f"db {size / 1e9:.2f} GB = {size / data.studies:,.0f} bytes/record"
        f" (JSON {data.day1_bytes / data.studies:,.0f}); load average at start {load_average}; "
        + summarize_json(result.stdout)
        + _ledger(ws)
    )
    (OUT / f"registry-{data.studies}.json").write_text(json.dumps(dataclasses.asdict(row), indent=2) + "\n")
    print(json.dumps(dataclasses.asdict(row), indent=2))
    if not args.keep:
        shutil.rmtree(ws.root, ignore_errors=True)


def _ledger(ws: cases.Workspace) -> str:
    """Every load run in the database's ledger (a resumed load has two): status, seconds, new trials."""
    result = ws.run("runs", "--json")
    if not result.ok:
        return ""
    runs = sorted(json.loads(result.stdout), key=lambda r: r["run_id"])
    parts = []
    for run in runs:
        started, finished = run.get("started_at"), run.get("finished_at")
        seconds = (
            (dt.datetime.fromisoformat(finished) - dt.datetime.fromisoformat(started)).total_seconds()
            if started and finished
            else None
        )
        took = f"{seconds:,.0f} s" if seconds is not None else "?"
        parts.append(f"run {run['run_id']} {run.get('status')} in {took}, {run.get('new_trials', '?'):,} new")
    return "; ledger: " + ", ".join(parts)


if __name__ == "__main__":
    main()
