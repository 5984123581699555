"""One load at full registry size (issue 16): `python -m bench.registry --corpus bench/out/corpus-600000`.

Generate the corpus first (``python -m bench.corpus --size 600000 --out bench/out/corpus-600000``, about
28 GB with both days, folders and zips). Loads ``day1.zip`` into a fresh database with a published copy,
as `make bench` does, and writes ``bench/out/registry-N.json``: a row that ``bench.run`` adds to
RESULTS.md (wall time, peak RSS, database size per record). Not part of `make bench`: it takes long.
"""

from __future__ import annotations

import argparse
import dataclasses
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
    args = parser.parse_args(argv)
    args.corpus = args.corpus.resolve()  # the load runs in its workspace folder
    manifest = corpus.read_manifest(args.corpus)
    if manifest is None:
        raise SystemExit(f"{args.corpus} holds no complete corpus (no manifest.json)")
    data = cases.corpus_of(args.corpus, manifest)
    ws = cases.Workspace(OUT / f"work-registry-{data.studies}")
    load_average = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    result = ws.run("load", data.root / "day1.zip", "--json")
    label = "ctsync load day1.zip (full load, registry size)"
    row = measured_row(
        "ctsync.load_registry",
        label,
        data.studies,
        result,
        records=data.studies,
        json_bytes=data.day1_bytes,
        partial_ok=True,
    )
    db = ws.root / "ctsync.duckdb"
    size = db.stat().st_size if db.exists() else 0
    row = row.with_note(
        f"db {size / 1e9:.2f} GB = {size / data.studies:,.0f} bytes/record"
        f" (JSON {data.day1_bytes / data.studies:,.0f}); load average at start {load_average}; "
        + summarize_json(result.stdout)
    )
    (OUT / f"registry-{data.studies}.json").write_text(json.dumps(dataclasses.asdict(row), indent=2) + "\n")
    print(json.dumps(dataclasses.asdict(row), indent=2))
    if not args.keep:
        shutil.rmtree(ws.root, ignore_errors=True)


if __name__ == "__main__":
    main()
