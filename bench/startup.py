"""Start-up (issue 16): `ctsync --version` and `ctsync show NCT`, each run several times on a loaded database.

One process start is a few hundred milliseconds and the shared machine's noise is of that order, so each
command runs ``RUNS`` times and the row holds the median (the note the fastest and slowest). ``bench.run``
measures it on every corpus it loads; on a database kept from ``python -m bench.registry --keep``::

    python -m bench.startup --work bench/out/work-registry-600000 --corpus 600000 --nct NCT90000001

writes ``bench/out/startup-N.json``, rows that ``bench.run --render-only`` adds to RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from bench import measure
from bench.report import Row, measured_row, unavailable

RUNS = 7
KINDS = {
    "ctsync.start_version": f"ctsync --version (start-up, median of {RUNS})",
    "ctsync.start_show": f"ctsync show NCT (start-up and one trial read, median of {RUNS})",
}
OUT = Path(__file__).resolve().parents[1] / "bench" / "out"


class Runs(Protocol):
    """What runs one ctsync command on a database (``bench.cases.Workspace``)."""

    def run(self, *args: str | Path, api_url: str | None = None) -> measure.Result: ...


def measure_startup(ws: Runs, corpus: int, nct_id: str) -> list[Row]:
    """The two start-up rows on ``ws``'s database: median wall time of ``RUNS`` runs each."""
    rows = []
    for kind, args in (("ctsync.start_version", ("--version",)), ("ctsync.start_show", ("show", nct_id))):
        results = sorted((ws.run(*args) for _ in range(RUNS)), key=lambda r: r.seconds)
        failed = next((r for r in results if not r.ok), None)
        if failed is not None:
            rows.append(unavailable(kind, KINDS[kind], corpus, failed.failure()))
            continue
        median = results[len(results) // 2]
        note = f"fastest {results[0].seconds:.3f} s, slowest {results[-1].seconds:.3f} s"
        rows.append(measured_row(kind, KINDS[kind], corpus, median).with_note(note))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    """Measure start-up on a kept workspace and write its rows."""
    from bench.cases import Workspace

    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="workspace folder holding ctsync.duckdb")
    parser.add_argument("--corpus", type=int, required=True, help="studies in the database")
    parser.add_argument("--nct", required=True, help="a stored trial to show")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()  # the commands run in the workspace folder
    if not (args.work / "ctsync.duckdb").is_file():
        raise SystemExit(f"{args.work} holds no ctsync.duckdb")
    rows = measure_startup(Workspace(args.work), args.corpus, args.nct)
    path = OUT / f"startup-{args.corpus}.json"
    path.write_text(json.dumps([dataclasses.asdict(r) for r in rows], indent=2) + "\n")
    print(path.read_text(), end="")


if __name__ == "__main__":
    main()
