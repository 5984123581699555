"""Run the benchmark and write `bench/RESULTS.md`: `make bench`, i.e. ``python -m bench.run``.

    python -m bench.run [--sizes 20000,100000] [--quick] [--no-dlt] [--results PATH]

Generates the corpora once (cached in ``bench/out/corpus-N/``, reused while the generator and its options are
unchanged), then, in the same run and on the same corpora: the raw-JSON floor and the ctsync loads at each
size, the sync over the loopback stand-in on a 5,000-study corpus, and dlt next to the floor and ctsync on a
3,000-study corpus. Every measurement is a child process (`bench.measure`); scratch databases live in
``bench/out/work-*`` and are deleted as soon as their group is done. ``--quick`` is a smoke run on small
corpora that writes ``bench/out/RESULTS-quick.md`` rather than the committed results.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import baselines, cases, corpus, measure
from bench.report import Row, measured_row, render

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "RESULTS.md"


@dataclass(frozen=True)
class Plan:
    """What one run measures."""

    sizes: tuple[int, ...] = (1_000, 20_000, 100_000)
    heavy_size: int = 10_000
    sync_size: int = 5_000
    dlt_size: int = 3_000
    dlt: bool = True
    ctsync: bool = True
    results: Path = RESULTS


QUICK = Plan(sizes=(2_000,), heavy_size=500, sync_size=1_000, dlt_size=300, results=OUT / "RESULTS-quick.md")


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- corpora


def ensure_corpus(size: int, heavy: bool = False) -> tuple[cases.Corpus, Row, dict[str, Any]]:
    """The corpus of `size` studies, generated unless a matching one is cached; with its generation row.
    ``heavy``: drawn from the real records with results or 100+ sites, 47 KB mean (issue 16)."""
    root = OUT / (f"corpus-heavy-{size}" if heavy else f"corpus-{size}")
    options = corpus.Options(
        size, target_mean_bytes=corpus.HEAVY_MEAN_BYTES if heavy else corpus.REGISTRY_MEAN_BYTES
    )
    extra: list[str | Path] = []
    if heavy:
        seeds = corpus.heavy_seed_dir(OUT / "heavy-templates")
        extra = ["--seed-dir", seeds, "--target-mean-bytes", str(options.target_mean_bytes)]
    manifest = corpus.read_manifest(root)
    label = "generate corpus: day 1 + day 2, folder + zip (bench.corpus)" + (" (heavy)" if heavy else "")
    fresh = (
        manifest is not None
        and manifest.get("generator_version") == corpus.GENERATOR_VERSION
        and manifest.get("options") == dataclasses.asdict(options)
    )
    if fresh and manifest is not None:
        row = Row(
            "corpus.generate",
            label,
            size,
            2 * size,
            manifest["day1_bytes"] + manifest["day2_bytes"],
            manifest["seconds"],
            manifest["peak_rss_mb"],
            note="cached (timed when generated)",
        )
        return cases.corpus_of(root, manifest), row, manifest
    log(f"generating a corpus of {size:,} studies in {root}")
    command = [sys.executable, "-m", "bench.corpus", "--size", str(size), "--out", root, *extra]
    result = measure.run(command, cwd=REPO)
    manifest = corpus.read_manifest(root)
    if not result.ok or manifest is None:
        raise SystemExit(f"corpus generation failed: {result.failure()}")
    nbytes = manifest["day1_bytes"] + manifest["day2_bytes"]
    row = measured_row("corpus.generate", label, size, result, records=2 * size, json_bytes=nbytes)
    return cases.corpus_of(root, manifest), row, manifest


HEAVY_NOTE = " (heavy: drawn from the real records with results or 100+ sites)"


def corpus_note(manifest: dict[str, Any], heavy: bool = False) -> str:
    """One line describing a corpus, for the notes."""
    return (
        f"corpus {manifest['studies']:,}{HEAVY_NOTE if heavy else ''}: "
        f"mean record {manifest['mean_record_bytes']:,} bytes "
        f"(largest {manifest['largest_record_bytes']:,}; {manifest['templates']} real templates averaging "
        f"{manifest['template_mean_bytes']:,}), day1.zip {manifest['day1_zip_bytes'] / 1e6:,.0f} MB for "
        f"{manifest['day1_bytes'] / 1e6:,.0f} MB of JSON; day 2: {manifest['changed']:,} changed "
        f"({', '.join(f'{k} {v}' for k, v in manifest['change_kinds'].items())}), "
        f"{manifest['mesh_reordered_only']:,} only MeSH-reordered, versionHolder moved on all"
    )


# ---------------------------------------------------------------- measurement groups


def in_scratch(group: Callable[[Path], list[Row]]) -> list[Row]:
    """Run a group of measurements in a scratch folder that is deleted afterwards."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT, prefix="work-") as work:
        return group(Path(work))


def size_rows(size: int, with_ctsync: bool, heavy: bool = False) -> tuple[list[Row], str]:
    """Floor and ctsync loads on one corpus size."""
    data, generated, manifest = ensure_corpus(size, heavy)
    log(f"{size:,}: raw-JSON floor")
    rows = [generated]
    rows += in_scratch(
        lambda w: [baselines.measure_floor_folder(data.root / "day1", w, size, data.day1_bytes)]
    )
    rows += in_scratch(
        lambda w: baselines.measure_floor_zip(data.root / "day1.zip", w, size, data.day1_bytes)
    )
    if with_ctsync:
        log(f"{size:,}: ctsync loads, queue, changes")
        rows += in_scratch(lambda w: cases.measure_loads(data, w))
    return rows, corpus_note(manifest, heavy)


def sync_rows(size: int) -> tuple[list[Row], str]:
    """Sync and refresh over the stand-in."""
    data, generated, manifest = ensure_corpus(size)
    log(f"{size:,} tracked: ctsync sync and refresh over the stand-in")
    return [generated, *in_scratch(lambda w: cases.measure_sync(data, w))], corpus_note(manifest)


def dlt_rows(size: int, with_ctsync: bool) -> tuple[list[Row], str]:
    """dlt next to the floor and a ctsync folder load, on one small corpus."""
    data, generated, manifest = ensure_corpus(size)
    log(f"{size:,}: floor, ctsync and dlt side by side")
    rows = [generated]
    rows += in_scratch(
        lambda w: [baselines.measure_floor_folder(data.root / "day1", w, size, data.day1_bytes)]
    )
    if with_ctsync:
        rows += in_scratch(lambda w: [cases.measure_folder_load(data, w)])
    rows += in_scratch(lambda w: [baselines.measure_dlt(data.root / "day1", w, size, data.day1_bytes)])
    return rows, corpus_note(manifest)


def registry_rows() -> list[Row]:
    """The full-registry-size load (`python -m bench.registry`) and the start-up on its database
    (`python -m bench.startup`), when they were measured (they take long)."""
    found = []
    for path in [*sorted(OUT.glob("registry-*.json")), *sorted(OUT.glob("startup-*.json"))]:
        saved = json.loads(path.read_text())
        found += [Row(**r) for r in (saved if isinstance(saved, list) else [saved])]
    return found


# ---------------------------------------------------------------- machine, versions, notes


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        "?",
    )
    mem_kb = next(
        (int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0
    )
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{mem_kb / 1024**2:.1f} GiB",
        "OS": platform.platform(),
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def versions(with_dlt: bool) -> dict[str, str]:
    """Versions of everything measured."""
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True, check=False
    )
    found = {
        "python": platform.python_version(),
        "duckdb": metadata.version("duckdb"),
        "ctsync": f"{metadata.version('ctsync')} (git {commit.stdout.strip() or '?'})",
    }
    if with_dlt:
        found["dlt (bench/.venv-dlt)"] = baselines.dlt_version()
    return found


METHOD_NOTES = (
    "Every measurement is one child process: seconds are wall time including process start; peak RSS is the "
    "child's own high-water mark (os.wait4, the per-child getrusage(RUSAGE_CHILDREN)).",
    "records/s and MB/s are over the corpus's uncompressed JSON bytes, whatever the input (folder or zip).",
    "DuckDB cannot read inside a zip without a downloaded extension, so the floor from the zip is "
    "'extract with Python zipfile' plus 'read_text the extracted folder', timed separately and added.",
    "Sync runs with ctsync's default request rate (1 request/s, what the nightly job uses) against the "
    "loopback stand-in; 'requests' counts API requests other than /version, from the stand-in's log.",
    "queue and changes run on the database after the day-2 load, every trial having been marked reviewed "
    "at its day-1 version (review import), so the queue holds the day's changes.",
    "The machine is shared with other work: see the load average above before comparing runs.",
)


def run(plan: Plan) -> str:
    """Run every measurement of `plan`, write the results file and return its text."""
    info = machine()
    rows: list[Row] = []
    notes = [] if plan.ctsync else ["ctsync not measured in this run (--no-ctsync)."]
    labels = {plan.heavy_size: f"{plan.heavy_size:,} (heavy)"} if plan.heavy_size else {}
    groups = [functools.partial(size_rows, size, plan.ctsync) for size in plan.sizes]
    if plan.heavy_size:  # after the 100,000 group when the sizes are 1,000, 100,000, 20,000
        groups.insert(min(2, len(groups)), functools.partial(size_rows, plan.heavy_size, plan.ctsync, True))
    for measure_group in groups:
        group, note = measure_group()
        rows += group
        notes.append(note)
        _save(
            plan.results, info, versions(False), rows, notes, labels
        )  # a run cut short can still be rendered
    if plan.ctsync and plan.sync_size:
        group, note = sync_rows(plan.sync_size)
        rows += group
        notes.append(note)
        _save(plan.results, info, versions(False), rows, notes, labels)
    if plan.dlt:
        group, note = dlt_rows(plan.dlt_size, plan.ctsync)
        rows += group
        notes.append(note)
    found = versions(plan.dlt)
    _save(plan.results, info, found, rows, notes, labels)
    text = render(info, found, [*rows, *registry_rows()], [*notes, *METHOD_NOTES], labels)
    plan.results.parent.mkdir(parents=True, exist_ok=True)
    plan.results.write_text(text)
    log(f"wrote {plan.results}")
    return text


def rows_file(results: Path) -> Path:
    """Where a run writing ``results`` saves its rows (``bench/out/rows.json`` for the committed results)."""
    return OUT / ("rows.json" if results == RESULTS else f"rows-{results.stem}.json")


def _save(
    results: Path,
    info: dict[str, str],
    found: dict[str, str],
    rows: list[Row],
    notes: list[str],
    labels: dict[int, str],
) -> None:
    saved = {"machine": info, "versions": found, "rows": [dataclasses.asdict(r) for r in rows]}
    text = json.dumps({**saved, "notes": notes, "labels": labels}, indent=1) + "\n"
    rows_file(results).write_text(text)


def render_saved(results: Path, extra: Sequence[Path] = ()) -> str:
    """Rewrite the results from the last run's saved rows (``bench/out/rows.json``), the rows of runs
    saved beside it (``extra``, e.g. a heavy-corpus run made in parallel) and the registry rows measured
    since (``python -m bench.run --render-only [--add ROWS.json]``): nothing is measured again."""
    machine_info: dict[str, str] = {}
    found: dict[str, str] = {}
    rows: list[Row] = []
    notes: list[str] = []
    labels: dict[int, str] = {}
    for path in (OUT / "rows.json", *extra):
        saved = json.loads(path.read_text())
        machine_info = machine_info or saved["machine"]
        if path != OUT / "rows.json":
            notes.append(
                f"rows of {path.name} were measured in a run of their own, started at load average"
                f" {saved['machine']['load average at start (1/5/15 min)']}"
            )
        found = found or saved["versions"]
        rows += [Row(**r) for r in saved["rows"]]
        notes += saved["notes"]
        labels.update({int(k): v for k, v in saved["labels"].items()})
    text = render(machine_info, found, [*rows, *registry_rows()], [*notes, *METHOD_NOTES], labels)
    results.write_text(text)
    log(f"wrote {results}")
    return text


def parse_args(argv: Sequence[str] | None) -> Plan:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated corpus sizes (default 20000,100000)")
    parser.add_argument("--quick", action="store_true", help="small corpora, results to bench/out/")
    parser.add_argument("--no-dlt", action="store_true", help="skip the dlt baseline")
    parser.add_argument("--no-ctsync", action="store_true", help="only the corpora and the baselines")
    parser.add_argument("--results", type=Path, help="where to write the Markdown")
    parser.add_argument("--heavy-size", type=int, help="studies in the heavy corpus (default 10000; 0: none)")
    parser.add_argument(
        "--sync-size", type=int, help="tracked studies of the sync group (default 5000; 0: none)"
    )
    parser.add_argument("--render-only", action="store_true", help="rewrite from bench/out/rows.json")
    parser.add_argument("--add", type=Path, action="append", default=[], help="with --render-only: more rows")
    args = parser.parse_args(argv)
    if args.render_only:
        render_saved(args.results or RESULTS, args.add)
        raise SystemExit(0)
    plan = QUICK if args.quick else Plan()
    if args.sizes:
        plan = dataclasses.replace(plan, sizes=tuple(int(s) for s in args.sizes.split(",") if int(s)))
    if args.no_dlt:
        plan = dataclasses.replace(plan, dlt=False)
    if args.heavy_size is not None:
        plan = dataclasses.replace(plan, heavy_size=args.heavy_size)
    if args.sync_size is not None:
        plan = dataclasses.replace(plan, sync_size=args.sync_size)
    if args.no_ctsync:
        plan = dataclasses.replace(plan, ctsync=False)
    if args.results:
        plan = dataclasses.replace(plan, results=args.results)
    return plan


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark."""
    run(parse_args(argv))


if __name__ == "__main__":
    main()
