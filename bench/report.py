"""The rows of the benchmark table, the ratios and targets computed from them, and `RESULTS.md` itself.

A `Row` is one measurement (or the reason it could not be made); `render` turns the rows of one run, with
the machine and versions, into the Markdown that `make bench` writes to `bench/RESULTS.md`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.measure import Result

GB = 1024  # MB


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, on which corpus, and what it cost."""

    kind: str  # stable key used by the ratios, e.g. "ctsync.load_zip"
    label: str  # what the reader sees
    corpus: int  # studies in the corpus the measurement ran on
    records: int | None = None  # records processed, when a rate makes sense
    json_bytes: int | None = None  # uncompressed JSON bytes of those records
    seconds: float | None = None
    peak_rss_mb: float | None = None
    requests: int | None = None
    note: str = ""

    @property
    def measured(self) -> bool:
        """Whether this row holds a measurement (not only a reason for its absence)."""
        return self.seconds is not None

    @property
    def records_per_s(self) -> float | None:
        """Records processed per wall second."""
        return self.records / self.seconds if self.records and self.seconds else None

    @property
    def mb_per_s(self) -> float | None:
        """Uncompressed JSON megabytes (10**6 bytes) per wall second."""
        return self.json_bytes / 1e6 / self.seconds if self.json_bytes and self.seconds else None

    def with_note(self, note: str) -> Row:
        """The same row with `note` appended."""
        return dataclasses.replace(self, note="; ".join(x for x in (self.note, note) if x))


def measured_row(
    kind: str,
    label: str,
    corpus: int,
    result: Result,
    *,
    records: int | None = None,
    json_bytes: int | None = None,
    partial_ok: bool = False,
) -> Row:
    """A row from a measured command, or a 'not available' row when it failed.

    With `partial_ok`, exit 1 with JSON on stdout (ctsync's "finished, some trials failed") is still a
    measurement; exit 1 without it is a crash (Python's own exit status for an uncaught exception).
    """
    finished = result.returncode == 0 or (partial_ok and result.returncode == 1 and _is_json(result.stdout))
    if result.timed_out or not finished:
        return unavailable(kind, label, corpus, result.failure())
    note = "exit 1: some trials failed" if result.returncode else ""
    return Row(kind, label, corpus, records, json_bytes, result.seconds, result.peak_rss_mb, note=note)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def unavailable(kind: str, label: str, corpus: int, reason: str) -> Row:
    """A row that says why the measurement could not be made."""
    return Row(kind, label, corpus, note=f"not available: {reason}")


def summarize_json(stdout: str, limit: int = 160) -> str:
    """A short `key=value` digest of a command's `--json` output (numbers and short strings only)."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return ""
    if isinstance(data, list):
        return f"{len(data)} items"
    if not isinstance(data, dict):
        return ""
    return ", ".join(p for p in (_digest(k, v) for k, v in data.items()) if p)[:limit]


def _digest(key: str, value: object) -> str:
    """`key=value` for numbers and short strings, `key=N items` for lists, nothing for the rest."""
    if isinstance(value, list):
        return f"{key}={len(value)} items"
    if isinstance(value, int | float) or (isinstance(value, str) and len(value) < 30):
        return f"{key}={value}"
    return ""


# ---------------------------------------------------------------- ratios and targets


def find(rows: Sequence[Row], kind: str, corpus: int | None = None) -> Row | None:
    """The measured row of `kind` (on the largest corpus when none is named)."""
    found = [r for r in rows if r.kind == kind and r.measured and (corpus is None or r.corpus == corpus)]
    return max(found, key=lambda r: r.corpus) if found else None


def rate_ratio(rows: Sequence[Row], fast: str, slow: str, corpus: int | None = None) -> float | None:
    """How many times more records/s `fast` did than `slow`, on the same corpus."""
    a = find(rows, fast, corpus)
    b = find(rows, slow, a.corpus if a else corpus)
    if a and b and a.records_per_s and b.records_per_s:
        return a.records_per_s / b.records_per_s
    return None


def time_ratio(rows: Sequence[Row], slow: str, fast: str, corpus: int | None = None) -> float | None:
    """How many times longer `slow` took than `fast`, on the same corpus."""
    a = find(rows, slow, corpus)
    b = find(rows, fast, a.corpus if a else corpus)
    return a.seconds / b.seconds if a and b and a.seconds and b.seconds else None


@dataclass(frozen=True)
class Target:
    """One target of the benchmark issue and how to read it off the rows."""

    text: str
    value: Callable[[Sequence[Row]], float | None]
    met: Callable[[float], bool]
    unit: str


def _corpus_of(rows: Sequence[Row], kind: str) -> int | None:
    row = find(rows, kind)
    return row.corpus if row else None


def _peak_ctsync_rss(rows: Sequence[Row]) -> float | None:
    peaks = [r.peak_rss_mb for r in rows if r.kind.startswith("ctsync.") and r.peak_rss_mb is not None]
    return max(peaks) if peaks else None


def _value(kind: str, attr: str) -> Callable[[Sequence[Row]], float | None]:
    def read(rows: Sequence[Row]) -> float | None:
        row = find(rows, kind)
        value = getattr(row, attr) if row else None
        return float(value) if value is not None else None

    return read


TARGETS = (
    Target(
        "full load from the zip >= 2,000 records/s",
        _value("ctsync.load_zip", "records_per_s"),
        lambda v: v >= 2000,
        "records/s",
    ),
    Target(
        "full load from the zip >= 34 MB/s", _value("ctsync.load_zip", "mb_per_s"), lambda v: v >= 34, "MB/s"
    ),
    Target(
        "within 4x of the raw-JSON floor (zip: extract + read_text)",
        lambda rows: rate_ratio(rows, "floor.zip", "ctsync.load_zip"),
        lambda v: v <= 4,
        "x slower",
    ),
    Target(
        ">= 25x faster than dlt (same corpus)",
        lambda rows: rate_ratio(
            rows, "ctsync.load_folder", "dlt.load_folder", _corpus_of(rows, "dlt.load_folder")
        ),
        lambda v: v >= 25,
        "x faster",
    ),
    Target(
        "no-op reload >= 10x faster than first load",
        lambda rows: time_ratio(rows, "ctsync.load_zip", "ctsync.reload_zip"),
        lambda v: v >= 10,
        "x faster",
    ),
    Target(
        "peak memory < 1 GB whatever the corpus size",
        _peak_ctsync_rss,
        lambda v: v < GB,
        "MB (max of ctsync rows)",
    ),
    Target(
        "nightly sync of 5,000 tracked, 1% changed: <= 3 requests beyond /version",
        _value("ctsync.sync_day2", "requests"),
        lambda v: v <= 3,
        "requests",
    ),
    Target(
        "editor's refresh < 1 s (wall, incl. process start)",
        _value("ctsync.refresh", "seconds"),
        lambda v: v < 1,
        "s",
    ),
)


def _ratio_on(fast: str, slow: str, corpus: int) -> Callable[[Sequence[Row]], float | None]:
    return lambda rows: rate_ratio(rows, fast, slow, corpus)


def _seconds_ratio(kind: str, big: int, small: int) -> Callable[[Sequence[Row]], float | None]:
    def read(rows: Sequence[Row]) -> float | None:
        a, b = find(rows, kind, big), find(rows, kind, small)
        return a.seconds / b.seconds if a and b and a.seconds and b.seconds else None

    return read


def _rate_at(kind: str, big: int, small: int) -> Callable[[Sequence[Row]], float | None]:
    def read(rows: Sequence[Row]) -> float | None:
        a, b = find(rows, kind, big), find(rows, kind, small)
        return a.records_per_s / b.records_per_s if a and b and a.records_per_s and b.records_per_s else None

    return read


def _seconds_on(kind: str, corpus: int) -> Callable[[Sequence[Row]], float | None]:
    def read(rows: Sequence[Row]) -> float | None:
        row = find(rows, kind, corpus)
        return row.seconds if row else None

    return read


def _slowest(kind: str) -> Callable[[Sequence[Row]], float | None]:
    def read(rows: Sequence[Row]) -> float | None:
        seconds = [r.seconds for r in rows if r.kind == kind and r.seconds is not None]
        return max(seconds) if seconds else None

    return read


ABOUT_THE_SAME = 1.5
"""'About what it takes on 1,000 trials': at most this many times as long (process start included)."""


def targets16(
    heavy: int | None, big: int = 100_000, small: int = 1_000, mid: int = 20_000
) -> tuple[Target, ...]:
    """The targets of issue 16, read off the rows of the corpora this run measured."""
    found = [
        Target(
            f"full load (folder) within 3x of the raw-JSON floor, 17 KB corpus, {big:,}",
            _ratio_on("floor.folder", "ctsync.load_folder", big),
            lambda v: v <= 3,
            "x slower",
        ),
        Target(
            f"full load (zip) within 3x of the raw-JSON floor from the zip, 17 KB corpus, {big:,}",
            _ratio_on("floor.zip", "ctsync.load_zip", big),
            lambda v: v <= 3,
            "x slower",
        ),
    ]
    if heavy:
        found += [
            Target(
                f"full load (folder) within 3x of the floor, heavy corpus, {heavy:,}",
                _ratio_on("floor.folder", "ctsync.load_folder", heavy),
                lambda v: v <= 3,
                "x slower",
            ),
            Target(
                f"full load (zip) within 3x of the floor from the zip, heavy corpus, {heavy:,}",
                _ratio_on("floor.zip", "ctsync.load_zip", heavy),
                lambda v: v <= 3,
                "x slower",
            ),
            Target(
                f"no-op reload >= 10x faster than first load, heavy corpus, {heavy:,}",
                lambda rows: time_ratio(rows, "ctsync.load_zip", "ctsync.reload_zip", heavy),
                lambda v: v >= 10,
                "x faster",
            ),
        ]
    found += [
        Target(
            f"records/s at {big:,} no lower than at {mid:,} (full load from the zip)",
            _rate_at("ctsync.load_zip", big, mid),
            lambda v: v >= 1,
            f"(rate at {big:,} / rate at {mid:,})",
        ),
        Target(
            f"no-op reload >= 10x faster than first load, 17 KB corpus, {big:,}",
            lambda rows: time_ratio(rows, "ctsync.load_zip", "ctsync.reload_zip", big),
            lambda v: v >= 10,
            "x faster",
        ),
        Target(
            f"one-trial review on {big:,} trials about as fast as on {small:,} (<= {ABOUT_THE_SAME}x),"
            " the next editor's click",
            _seconds_ratio("ctsync.review_again", big, small),
            lambda v: v <= ABOUT_THE_SAME,
            f"x the {small:,}-trial time",
        ),
        Target(
            f"one-trial review on {big:,} trials about as fast as on {small:,} (<= {ABOUT_THE_SAME}x),"
            " the first after the 100%-review import",
            _seconds_ratio("ctsync.review_one", big, small),
            lambda v: v <= ABOUT_THE_SAME,
            f"x the {small:,}-trial time",
        ),
        Target(
            f"one-trial refresh on {big:,} trials about as fast as on {small:,} (<= {ABOUT_THE_SAME}x)",
            _seconds_ratio("ctsync.refresh_one", big, small),
            lambda v: v <= ABOUT_THE_SAME,
            f"x the {small:,}-trial time",
        ),
        Target(f"queue at {big:,} trials <= 1 s", _seconds_on("ctsync.queue", big), lambda v: v <= 1, "s"),
        Target(
            "start-up: `ctsync --version` <= 0.3 s (median; the slowest corpus)",
            _slowest("ctsync.start_version"),
            lambda v: v <= 0.3,
            "s",
        ),
        Target(
            "start-up: `ctsync show NCT` <= 0.3 s (median; the slowest corpus)",
            _slowest("ctsync.start_show"),
            lambda v: v <= 0.3,
            "s",
        ),
        Target("peak memory < 1 GB at any corpus size", _peak_ctsync_rss, lambda v: v < GB, "MB (max)"),
    ]
    return tuple(found)


# ---------------------------------------------------------------- Markdown


def _num(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def table(rows: Sequence[Row]) -> list[str]:
    """The measurements as a Markdown table."""
    lines = [
        "| measurement | corpus | records | seconds | records/s | MB/s | peak RSS MB | requests | note |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        cells = (
            r.label,
            _num(r.corpus),
            _num(r.records),
            _num(r.seconds, 2),
            _num(r.records_per_s),
            _num(r.mb_per_s, 1),
            _num(r.peak_rss_mb),
            _num(r.requests),
            r.note.replace("|", "\\|"),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def ratios(rows: Sequence[Row], labels: dict[int, str] | None = None) -> list[str]:
    """Side-by-side ratios per corpus size, only where both sides were measured."""
    lines: list[str] = []
    for corpus in sorted({r.corpus for r in rows}):
        pairs = (
            (
                "raw-JSON floor (folder) vs ctsync load (folder), records/s",
                rate_ratio(rows, "floor.folder", "ctsync.load_folder", corpus),
            ),
            (
                "raw-JSON floor (zip) vs ctsync load (zip), records/s",
                rate_ratio(rows, "floor.zip", "ctsync.load_zip", corpus),
            ),
            (
                "ctsync first load vs no-op reload, seconds",
                time_ratio(rows, "ctsync.load_zip", "ctsync.reload_zip", corpus),
            ),
            (
                "ctsync load (folder) vs dlt, records/s",
                rate_ratio(rows, "ctsync.load_folder", "dlt.load_folder", corpus),
            ),
            (
                "raw-JSON floor (folder) vs dlt, records/s",
                rate_ratio(rows, "floor.folder", "dlt.load_folder", corpus),
            ),
        )
        lines += [
            f"- {(labels or {}).get(corpus, f'{corpus:,}')} studies: {name}: **{value:.1f}x**"
            for name, value in pairs
            if value is not None
        ]
    return lines or ["- none: no pair of measurements on the same corpus"]


def targets(rows: Sequence[Row], chosen: Sequence[Target] = TARGETS) -> list[str]:
    """Each target of the issue with the measured value and met/missed."""
    lines = ["| target | measured | verdict |", "|---|--:|---|"]
    for t in chosen:
        value = t.value(rows)
        verdict = "not measured" if value is None else ("met" if t.met(value) else "**missed**")
        shown = "—" if value is None else f"{value:,.2f} {t.unit}"
        lines.append(f"| {t.text} | {shown} | {verdict} |")
    return lines


def render(
    machine: dict[str, str],
    versions: dict[str, str],
    rows: Sequence[Row],
    notes: Sequence[str],
    labels: dict[int, str] | None = None,
) -> str:
    """The whole of RESULTS.md; ``labels`` names corpora (e.g. the heavy one) in the ratios."""
    labels = labels or {}
    heavy = next(iter(labels), None)
    parts = [
        "# ctsync benchmark results",
        "",
        "Generated by `make bench` (`python -m bench.run`); do not edit by hand. How to read it: "
        "`bench/README.md`.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in machine.items()],
        "",
        "## Versions",
        "",
        *[f"- {k}: {v}" for k, v in versions.items()],
        "",
        "## Measurements",
        "",
        *table(rows),
        "",
        "## Ratios",
        "",
        *ratios(rows, labels),
        "",
        "## Targets (issue 16)",
        "",
        *targets(rows, targets16(heavy)),
        "",
        "## Targets (issue 7)",
        "",
        *targets(rows),
        "",
        "## Where the time goes",
        "",
        "Missed targets and what would close them: `bench/PROFILE.md` (a sampling profile of a full load).",
        "",
        "## Notes",
        "",
        *[f"- {n}" for n in notes],
        "",
    ]
    return "\n".join(parts)
