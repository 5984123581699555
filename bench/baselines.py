"""The alternatives ctsync is measured against, each run in its own child process by `bench.measure.run`.

- The raw-JSON floor: DuckDB storing every file as one untyped JSON value,
  ``CREATE TABLE raw AS SELECT filename, content::JSON AS study FROM read_text('DIR/**/*.json')``, into a
  DuckDB file. DuckDB cannot read inside a zip without an extension that has to be downloaded, so the floor
  "from the zip" is two measured steps: extract the zip (Python's zipfile, timed on its own), then the
  same ``read_text`` load of the extracted folder; its row adds the two times and keeps the larger peak.
- dlt, optional: JSON files in, DuckDB destination, ``write_disposition="merge"`` on ``nct_id``, run with
  the interpreter of a separate venv (``bench/.venv-dlt``, made by `ensure_dlt_venv`) so that dlt never
  enters the project's environment. Skipped with a note when that venv cannot be made.

Child entry points: ``python -m bench.baselines {floor,extract,dlt} ...`` print one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench import measure
from bench.report import Row, measured_row, unavailable

REPO = Path(__file__).resolve().parents[1]
DLT_VENV = REPO / "bench" / ".venv-dlt"
DLT_PYTHON = DLT_VENV / "bin" / "python"
TIMEOUT = 3600.0
FLOOR_SQL = "CREATE TABLE raw AS SELECT filename, content::JSON AS study FROM read_text(?)"


# ---------------------------------------------------------------- parent side: measurements


def measure_floor_folder(folder: Path, work: Path, corpus: int, json_bytes: int) -> Row:
    """The raw-JSON floor on a folder of study files."""
    result = measure.run(
        [sys.executable, "-m", "bench.baselines", "floor", "--folder", folder, "--db", work / "floor.duckdb"],
        cwd=REPO,
        timeout=TIMEOUT,
    )
    label = "raw-JSON floor: DuckDB read_text → JSON table (folder)"
    row = measured_row("floor.folder", label, corpus, result, records=corpus, json_bytes=json_bytes)
    return row.with_note(_rows_note(result.stdout, corpus)) if row.measured else row


def measure_extract(zip_path: Path, dest: Path, corpus: int, json_bytes: int) -> Row:
    """Extracting the bulk zip to a folder (the first half of the floor from the zip)."""
    result = measure.run(
        [sys.executable, "-m", "bench.baselines", "extract", "--zip", zip_path, "--out", dest],
        cwd=REPO,
        timeout=TIMEOUT,
    )
    label = "raw-JSON floor, step 1: extract the zip (Python zipfile)"
    return measured_row("floor.extract", label, corpus, result, records=corpus, json_bytes=json_bytes)


def measure_floor_zip(zip_path: Path, work: Path, corpus: int, json_bytes: int) -> list[Row]:
    """The floor from the zip: extract, then read_text the extracted folder; three rows (two steps, sum)."""
    extracted = work / "extracted"
    extract = measure_extract(zip_path, extracted, corpus, json_bytes)
    if not extract.measured:
        return [extract]
    load = measure_floor_folder(extracted, work / "from-zip", corpus, json_bytes)
    step2 = "raw-JSON floor, step 2: read_text the extracted folder"
    load = dataclasses.replace(load, kind="floor.zip_load", label=step2)
    if not load.measured or extract.seconds is None or load.seconds is None:
        return [extract, load]
    total = Row(
        "floor.zip",
        "raw-JSON floor from the zip (step 1 + step 2)",
        corpus,
        corpus,
        json_bytes,
        extract.seconds + load.seconds,
        max(extract.peak_rss_mb or 0, load.peak_rss_mb or 0),
    )
    return [extract, load, total]


def ensure_dlt_venv(timeout: float = 600) -> str | None:
    """Make bench/.venv-dlt with dlt[duckdb] unless it exists; None when ready, else why not."""
    if DLT_PYTHON.exists() and _dlt_version() is not None:
        return None
    steps = (
        [sys.executable, "-m", "venv", str(DLT_VENV)],
        [str(DLT_PYTHON), "-m", "pip", "install", "-q", "dlt[duckdb]"],
    )
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(step[-3:])}` took over {timeout:.0f} s"
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
            return f"`{' '.join(step[-3:])}` failed: {tail[0][:200]}"
    return None if _dlt_version() else "dlt does not import in bench/.venv-dlt"


def _dlt_version() -> str | None:
    """dlt's version in its venv, or None."""
    if not DLT_PYTHON.exists():
        return None
    done = subprocess.run(
        [str(DLT_PYTHON), "-c", "import dlt; print(dlt.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None if done.returncode == 0 else None


def dlt_version() -> str:
    """dlt's version for the report."""
    return _dlt_version() or "not installed"


def measure_dlt(folder: Path, work: Path, corpus: int, json_bytes: int) -> Row:
    """dlt loading a folder of study files into DuckDB with a merge on nct_id."""
    label = "dlt: JSON files → DuckDB, merge on nct_id (folder)"
    why_not = ensure_dlt_venv()
    if why_not:
        return unavailable("dlt.load_folder", label, corpus, why_not)
    env = {"RUNTIME__DLTHUB_TELEMETRY": "false", "RUNTIME__LOG_LEVEL": "WARNING"}
    result = measure.run(
        [
            DLT_PYTHON,
            "-m",
            "bench.baselines",
            "dlt",
            "--folder",
            folder,
            "--db",
            work / "dlt.duckdb",
            "--work",
            work,
        ],
        cwd=REPO,
        env=env,
        timeout=TIMEOUT,
    )
    row = measured_row("dlt.load_folder", label, corpus, result, records=corpus, json_bytes=json_bytes)
    return row.with_note(_rows_note(result.stdout, corpus)) if row.measured else row


def _rows_note(stdout: str, expected: int) -> str:
    """The child's own timing of its work, and a warning when it loaded another row count than expected."""
    try:
        summary = json.loads(stdout)
        rows = int(summary["rows"])
    except (ValueError, KeyError, TypeError):
        return "row count not reported"
    notes = [] if rows == expected else [f"loaded {rows:,} rows, expected {expected:,}"]
    if "sql_seconds" in summary:
        notes.append(f"SQL alone {summary['sql_seconds']:.2f} s")
    return "; ".join(notes)


# ---------------------------------------------------------------- child side: the work itself


def iter_study_files(folder: Path) -> Iterator[Path]:
    """Study files under `folder` (any depth), in name order."""
    yield from sorted(folder.rglob("*.json"))


def floor(folder: Path, db: Path) -> dict[str, Any]:
    """Store every file of `folder` as one untyped JSON value in a new DuckDB table."""
    import duckdb  # only the children need DuckDB

    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        con.execute(FLOOR_SQL, [f"{folder}/**/*.json"])
        row = con.execute("SELECT count(*) FROM raw").fetchone()
    return {
        "rows": row[0] if row else 0,
        "sql_seconds": round(time.perf_counter() - started, 3),
        "db_bytes": db.stat().st_size,
    }


def extract(zip_path: Path, out: Path) -> dict[str, Any]:
    """Extract the bulk zip."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(out)
        return {"rows": len(archive.namelist())}


def iter_dlt_rows(folder: Path) -> Iterator[dict[str, Any]]:
    """Each study as dlt receives it: the raw record with its NCT ID as a top-level merge key."""
    for path in iter_study_files(folder):
        study = json.loads(path.read_bytes())
        yield {"nct_id": study["protocolSection"]["identificationModule"]["nctId"], **study}


def dlt_load(folder: Path, db: Path, work: Path) -> dict[str, Any]:
    """Load the folder with dlt: DuckDB destination, merge on nct_id (dlt unnests lists into child tables)."""
    # dlt lives only in bench/.venv-dlt, so it is imported by name and typed as Any here.
    dlt: Any = importlib.import_module("dlt")
    resource = dlt.resource(
        iter_dlt_rows(folder), name="studies", write_disposition="merge", primary_key="nct_id"
    )
    pipeline = dlt.pipeline(
        pipeline_name="ctsync_bench",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="ctgov",
        pipelines_dir=str(work / "dlt-pipelines"),
    )
    pipeline.run(resource)
    import duckdb  # only the children need DuckDB

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM ctgov.studies").fetchone()
    return {"rows": row[0] if row else 0}


def main(argv: Sequence[str] | None = None) -> None:
    """Run one baseline step in this process and print its JSON summary."""
    parser = argparse.ArgumentParser(prog="python -m bench.baselines")
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("floor")
    p.add_argument("--folder", type=Path, required=True)
    p.add_argument("--db", type=Path, required=True)
    p = sub.add_parser("extract")
    p.add_argument("--zip", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("dlt")
    p.add_argument("--folder", type=Path, required=True)
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.step == "floor":
        summary = floor(args.folder, args.db)
    elif args.step == "extract":
        summary = extract(args.zip, args.out)
    else:
        summary = dlt_load(args.folder, args.db, args.work)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
