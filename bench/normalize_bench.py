"""How fast ``normalize`` is on real records: records/s, MB/s and mean record size, best of N runs.

    python -m bench.normalize_bench [--runs 3] [--profile 25]

The records are every study file of ``data/sample`` and ``../shared/ctgov/studies`` (when present), each
distinct file content once. Two measurements, one core: ``normalize`` alone on parsed records, and
``json.loads`` + ``normalize`` from the text. The "this set" row is the best of N passes over all
records. The "registry mix" row gives the rate at the registry's mean record size (17,275 bytes in
``ctg-studies.json.zip``; this set's mean is larger): every record is also timed alone (best of N), the
records are weighted with the size tilt ``bench.corpus`` uses to draw its templates, and the result is
scaled by the pass time over the sum of single-record times (which miss the garbage collector's share).
The parsed corpus is frozen out of the garbage collector's view (``gc.freeze``), as a streaming loader's
would not be in memory at all.
``--profile N`` prints the N costliest functions (cProfile, by own time) of one json.loads + normalize
pass. Not a test: run by hand or from the task file.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import hashlib
import io
import json
import pstats
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import REGISTRY_MEAN_BYTES, tilted_weights
from pipeline.normalize import normalize

REPO = Path(__file__).resolve().parents[1]
FOLDERS = (REPO / "data" / "sample", REPO.parent / "shared" / "ctgov" / "studies")


@dataclass(frozen=True)
class Record:
    name: str
    text: str
    size: int
    """Bytes of the UTF-8 file."""


def load_records(folders: Sequence[Path] = FOLDERS) -> list[Record]:
    """Every distinct study file of the folders that exist, in name order."""
    seen: set[str] = set()
    records = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest not in seen:
                seen.add(digest)
                records.append(Record(path.name, data.decode("utf-8"), len(data)))
    return records


def best_seconds(work: Callable[[], object], runs: int) -> float:
    """The fastest of ``runs`` timed calls of ``work``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def parse_and_normalize(text: str) -> None:
    normalize(json.loads(text))


def call_all(calls: Sequence[Callable[[], object]]) -> None:
    for call in calls:
        call()


def rates(mean_size: float, mean_seconds: float) -> str:
    """Records/s, MB/s and mean record size, for records of a mean size taking a mean time."""
    return (
        f"{1 / mean_seconds:>7,.0f} records/s {mean_size / mean_seconds / 1e6:>6.1f} MB/s "
        f"(mean record {mean_size:,.0f} bytes)"
    )


def profile(records: Sequence[Record], top: int) -> str:
    """The ``top`` functions by own time of one json.loads + normalize pass, as pstats prints them."""
    profiler = cProfile.Profile()
    for record in records:
        profiler.runcall(parse_and_normalize, record.text)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(pstats.SortKey.TIME).print_stats(top)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.normalize_bench", description="normalize speed")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per record; the best counts")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    args = parser.parse_args(argv)
    records = load_records()
    parsed: list[Any] = [json.loads(record.text) for record in records]
    gc.collect()
    gc.freeze()
    sizes = [float(record.size) for record in records]
    weights = tilted_weights(sizes, REGISTRY_MEAN_BYTES)
    registry_size = sum(w * size for w, size in zip(weights, sizes, strict=True)) / sum(weights)
    print(
        f"{len(records)} distinct real records ({sum(sizes) / 1e6:.1f} MB) from "
        f"{', '.join(str(folder) for folder in FOLDERS if folder.is_dir())}; best of {args.runs}, one core"
    )
    cases: dict[str, list[Callable[[], object]]] = {
        "normalize": [functools.partial(normalize, raw) for raw in parsed],
        "json.loads + normalize": [functools.partial(parse_and_normalize, r.text) for r in records],
    }
    for label, calls in cases.items():
        passed = best_seconds(functools.partial(call_all, calls), args.runs)
        alone = [best_seconds(call, args.runs) for call in calls]
        registry_seconds = sum(w * s for w, s in zip(weights, alone, strict=True)) / sum(weights)
        registry_seconds *= passed / sum(alone)
        print(f"{label:<23} {'this set':<13} {rates(sum(sizes) / len(sizes), passed / len(calls))}")
        print(f"{'':<23} {'registry mix':<13} {rates(registry_size, registry_seconds)}")
    if args.profile:
        print(profile(records, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
