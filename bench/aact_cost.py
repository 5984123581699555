"""What the AACT-parity tables cost a load: the same loads with and without them, side by side.

    python -m bench.aact_cost [--runs 5] [--folder PATH ...]

Folders default to ``data/sample`` and ``../shared/ctgov/studies`` (when present). For each folder, two
cases, each on a fresh database: the full load of the folder, and the next load of a copy in which
every record is a later version (its last-update date moved on by code), which replaces every trial's
current rows (the DELETE path). "Without" runs the very same code with ``aact_tables.FROM_STAGE``
emptied and its tables left out of ``store.CURRENT_TABLES``. Wall seconds in this process (no process
start, no published copy), best of N runs, with and without alternating so that a busy machine hurts
both alike. Not a test: run by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from pipeline import aact_tables, store, sync
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
FOLDERS = (REPO / "data" / "sample", REPO.parent / "shared" / "ctgov" / "studies")
LATER = "2099-01-01"


@contextlib.contextmanager
def without_aact_tables() -> Iterator[None]:
    """The store as it was before the AACT-parity tables: none filled, none deleted."""
    current = tuple(t for t in store.CURRENT_TABLES if t not in aact_tables.TABLES)
    with (
        mock.patch.object(aact_tables, "FROM_STAGE", ()),
        mock.patch.object(store, "CURRENT_TABLES", current),
    ):
        yield


def later_copy(folder: Path, out: Path) -> Path:
    """Every study file under ``folder`` as a later version (last update posted on LATER), flat in ``out``."""
    out.mkdir()
    for path in sorted(folder.rglob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        status = raw.get("protocolSection", {}).get("statusModule", {})
        if "lastUpdatePostDateStruct" in status:
            status["lastUpdatePostDateStruct"]["date"] = LATER
        (out / path.name).write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return out


def timed_load(db: Path, folder: Path) -> float:
    started = time.perf_counter()
    summary = sync.load(Settings(db=db, published=None), [folder])
    seconds = time.perf_counter() - started
    if summary.failures:
        raise SystemExit(f"{len(summary.failures)} records of {folder} failed to load")
    return seconds


@dataclass
class Case:
    label: str
    run: Callable[[Path], float]
    """Given a fresh scratch folder, the seconds of the measured load."""


def cases_for(folder: Path, later: Path) -> list[Case]:
    def full(scratch: Path) -> float:
        return timed_load(scratch / "c.duckdb", folder)

    def replace(scratch: Path) -> float:
        timed_load(scratch / "c.duckdb", folder)
        return timed_load(scratch / "c.duckdb", later)

    return [Case("full load", full), Case("next load, every trial a new version", replace)]


def best_of(case: Case, runs: int, root: Path) -> tuple[float, float]:
    """Best seconds (with, without) over ``runs`` alternating pairs."""
    with_times: list[float] = []
    without_times: list[float] = []
    for _ in range(runs):
        for times, context in ((with_times, contextlib.nullcontext), (without_times, without_aact_tables)):
            with tempfile.TemporaryDirectory(dir=root) as scratch, context():
                times.append(case.run(Path(scratch)))
    return min(with_times), min(without_times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.aact_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="alternating pairs per case; the best counts")
    parser.add_argument("--folder", type=Path, action="append", help="folders of study files")
    args = parser.parse_args(argv)
    folders = [f for f in (args.folder or FOLDERS) if f.is_dir()]
    print(f"best of {args.runs}, in process; with / without the {len(aact_tables.TABLES)} AACT-parity tables")
    print(f"{'records':<40} {'case':<38} {'with':>8} {'without':>8} {'cost':>8}")
    with tempfile.TemporaryDirectory(prefix="aact-cost-") as tmp:
        root = Path(tmp)
        for folder in folders:
            files = len(list(folder.rglob("*.json")))
            megabytes = sum(p.stat().st_size for p in folder.rglob("*.json")) / 1e6
            later = later_copy(folder, root / f"later-{folder.name}")
            for case in cases_for(folder, later):
                with_s, without_s = best_of(case, args.runs, root)
                where = folder.relative_to(REPO.parent) if folder.is_relative_to(REPO.parent) else folder
                name = f"{where} ({files} files, {megabytes:.1f} MB)"
                print(
                    f"{name:<40} {case.label:<38} {with_s:>7.2f}s {without_s:>7.2f}s"
                    f" {100 * (with_s - without_s) / without_s:>+7.0f}%"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
