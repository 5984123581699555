"""Generate a benchmark corpus of any size from real ClinicalTrials.gov records, plus a "next day" snapshot.

    python -m bench.corpus --size N --out DIR [--changed-fraction 0.01] [--seed S]

Real records (``data/sample/`` and ``../shared/ctgov/studies/`` when present; the two-version files, named
with ``@``, are skipped) are the templates. Each generated study is one template with a fresh ID in the
NCT9xxxxxxx range (real IDs all start with NCT0, so none can collide) and, varied by code, the fields that
change in real life: overall status, sites (subset, order, site status), dates, enrollment, one criteria
line, last update posted. Templates are drawn with weights tilted towards the registry's mean record size
(17,275 bytes in ``ctg-studies.json.zip``), so that records/s and MB/s mean on this corpus what they mean
on the registry; the mean achieved is in the manifest.

Writes, one record in memory at a time:

- ``DIR/day1/NN/NCTxxxxxxxx.json`` and ``DIR/day1.zip``: the day-1 snapshot, laid out like
  ``ctg-studies.json.zip`` (one ``NCTxxxxxxxx.json`` per study, in 100 folders named by the ID's last two
  digits, as the real download is);
- ``DIR/day2/`` and ``DIR/day2.zip``: the next weekday's snapshot. ``versionHolder`` moves for every study
  (as in every real snapshot); the chosen fraction really changed (``DIR/changed_ids.txt``; later
  ``lastUpdatePostDate``); as many unchanged studies only had their derived MeSH lists reordered, noise the
  API really makes and that is not a change (``DIR/noise_ids.txt``);
- ``DIR/manifest.json``, written last (its presence means the corpus is complete): parameters, counts,
  bytes, mean record size, generation time and peak RSS.

The same arguments give byte-identical output.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import json
import math
import os
import random
import re
import resource
import shutil
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 3  # bump when the output changes, so cached corpora are rebuilt
REPO = Path(__file__).resolve().parents[1]
SEED_DIRS = (REPO / "data" / "sample", REPO.parent / "shared" / "ctgov" / "studies")
DAY1 = date(2026, 9, 15)  # a Tuesday later than every template's dates
DAY2 = date(2026, 9, 16)  # the next weekday: the API's data refreshes on weekdays only
REGISTRY_MEAN_BYTES = 17_275
HEAVY_MEAN_BYTES = 47_000  # the heavy tail of issue 16: results sections, site lists in the hundreds
SHARED_INDEX = REPO.parent / "shared" / "ctgov" / "studies_index.csv"
ZIP_TIME = (2026, 9, 15, 9, 0, 0)  # fixed, so zips are byte-identical run to run
ID_STRIDE = 7_919  # prime, so i -> offset + i * stride (mod 10**7) is one-to-one and spreads IDs over shards

Study = dict[str, Any]

# overallStatus mix of the registry (597,913 studies): the six largest counts are measured; the last
# 25,670 studies are split by estimate, for lack of a measurement.
REGISTRY_STATUS = {
    "COMPLETED": 326_411,
    "UNKNOWN": 95_839,
    "RECRUITING": 64_874,
    "TERMINATED": 34_089,
    "NOT_YET_RECRUITING": 29_128,
    "ACTIVE_NOT_RECRUITING": 21_902,
    "WITHDRAWN": 15_000,
    "ENROLLING_BY_INVITATION": 9_000,
    "SUSPENDED": 1_670,
}
ACTIVE = ("NOT_YET_RECRUITING", "RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING")
STOPPED = ("TERMINATED", "WITHDRAWN", "SUSPENDED")
SITE_STATUSES = {
    "NOT_YET_RECRUITING": ("NOT_YET_RECRUITING",),
    "RECRUITING": ("RECRUITING", "RECRUITING", "RECRUITING", "NOT_YET_RECRUITING", "COMPLETED"),
    "ENROLLING_BY_INVITATION": ("ENROLLING_BY_INVITATION", "RECRUITING"),
    "ACTIVE_NOT_RECRUITING": ("ACTIVE_NOT_RECRUITING", "COMPLETED"),
}
NEXT_STATUS = {
    "NOT_YET_RECRUITING": ("RECRUITING", "RECRUITING", "WITHDRAWN"),
    "RECRUITING": ("ACTIVE_NOT_RECRUITING", "COMPLETED", "SUSPENDED", "TERMINATED"),
    "ENROLLING_BY_INVITATION": ("ACTIVE_NOT_RECRUITING", "COMPLETED"),
    "ACTIVE_NOT_RECRUITING": ("COMPLETED", "COMPLETED", "TERMINATED"),
    "SUSPENDED": ("RECRUITING", "TERMINATED"),
    "UNKNOWN": ("COMPLETED", "RECRUITING"),
}
WHY_STOPPED = ("Sponsor decision", "Slow accrual", "Funding ended", "Study drug no longer available")
BULLET = re.compile(r"\s*(?:[-*•]|\d+[.)]|[a-z][.)])\s+")
NUMBER = re.compile(r"(?<![A-Za-z0-9.])\d+(?![A-Za-z0-9])")  # a value, not a digit inside a word (HbA1c)
CRITERIA_CLAUSES = (
    ", as assessed by the investigator",
    " within the last 6 months",
    " (per protocol amendment)",
    " at the screening visit",
)


@dataclass(frozen=True)
class Template:
    """One real record, kept as compact JSON text so that every use starts from a fresh parse."""

    nct_id: str
    aliases: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Options:
    """What to generate; the manifest repeats it so that a cached corpus can be matched to a request."""

    size: int
    seed: int = 7
    changed_fraction: float = 0.01
    noise_fraction: float = 0.01
    target_mean_bytes: int = REGISTRY_MEAN_BYTES
    indent: int | None = None
    zip_level: int = 1


@dataclass
class Tally:
    """Running totals of one generation."""

    day1_bytes: int = 0
    day2_bytes: int = 0
    largest: int = 0
    changed: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)
    change_kinds: Counter[str] = field(default_factory=Counter)


# ---------------------------------------------------------------- templates


def iter_seed_files(dirs: Sequence[Path]) -> Iterator[Path]:
    """Study files of the seed folders that exist, without the two-version ``@`` files."""
    for folder in dirs:
        if folder.is_dir():
            yield from (p for p in sorted(folder.glob("*.json")) if "@" not in p.name)


def heavy_seed_dir(out: Path, index: Path = SHARED_INDEX) -> Path:
    """A template folder of the real records of ``../shared/ctgov`` that have a results section or 100
    sites or more (selected by code from its ``studies_index.csv``; the files are links to the real ones).
    Drawn towards HEAVY_MEAN_BYTES, they make the heavy corpus of issue 16."""
    out.mkdir(parents=True, exist_ok=True)
    with index.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["hasResults"] == "True" or int(row["nLocations"] or 0) >= 100:
                source = index.parent / row["file"]
                target = out / source.name
                if source.is_file() and "@" not in source.name and not target.exists():
                    os.link(source, target)
    return out


def load_templates(dirs: Sequence[Path]) -> list[Template]:
    """One template per NCT ID (the first file seen wins), in a stable order."""
    templates: dict[str, Template] = {}
    for path in iter_seed_files(dirs):
        study = json.loads(path.read_bytes())
        ident = study.get("protocolSection", {}).get("identificationModule", {})
        nct_id = ident.get("nctId")
        if isinstance(nct_id, str) and nct_id not in templates:
            text = json.dumps(study, ensure_ascii=False, separators=(",", ":"))
            templates[nct_id] = Template(nct_id, tuple(ident.get("nctIdAliases", ())), text)
    if not templates:
        raise SystemExit(f"no seed records found in {', '.join(map(str, dirs))}")
    return [templates[k] for k in sorted(templates)]


def collect_sites(templates: Sequence[Template], limit: int = 500) -> list[str]:
    """Real locations (as JSON text) to add to studies as new sites."""
    sites: list[str] = []
    for template in templates:
        for loc in _locations(json.loads(template.text))[:5]:
            sites.append(json.dumps(loc, ensure_ascii=False, separators=(",", ":")))
    return sites[:limit]


def tilted_weights(sizes: Sequence[float], target: float) -> list[float]:
    """Weights proportional to exp(-lam * size), with lam found so that the weighted mean size is target."""
    if target <= 0 or not min(sizes) < target < max(sizes):
        return [1.0] * len(sizes)
    scale = max(sizes)

    def weights(lam: float) -> list[float]:
        logs = [-lam * s / scale for s in sizes]
        top = max(logs)
        return [math.exp(v - top) for v in logs]

    def mean(lam: float) -> float:
        w = weights(lam)
        return sum(wi * s for wi, s in zip(w, sizes, strict=True)) / sum(w)

    low, high = -500.0, 500.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if mean(mid) > target else (low, mid)
    return weights((low + high) / 2)


# ---------------------------------------------------------------- record parts


def _status_module(study: Study) -> dict[str, Any]:
    protocol: dict[str, Any] = study.setdefault("protocolSection", {})
    status: dict[str, Any] = protocol.setdefault("statusModule", {})
    return status


def _locations(study: Study) -> list[dict[str, Any]]:
    locations = study.get("protocolSection", {}).get("contactsLocationsModule", {}).get("locations")
    return locations if isinstance(locations, list) else []


def _enrollment(study: Study) -> dict[str, Any] | None:
    info = study.get("protocolSection", {}).get("designModule", {}).get("enrollmentInfo")
    return info if isinstance(info, dict) and isinstance(info.get("count"), int) else None


def _shift_date(value: str, days: int) -> str:
    """Shift an API date (yyyy-MM-dd or yyyy-MM), keeping its precision."""
    if len(value) == 10:
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    if len(value) == 7:
        months = int(value[:4]) * 12 + int(value[5:]) - 1 + round(days / 30.4)
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    return value


def _date_slots(status: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(container, key, statusModule field name) of every date in the status module."""
    for name, value in status.items():
        if name.endswith("Date") and isinstance(value, str):
            yield status, name, name
        elif name.endswith("DateStruct") and isinstance(value, dict) and isinstance(value.get("date"), str):
            yield value, "date", name


# ---------------------------------------------------------------- variations (day 1 and day 2)


def set_overall_status(study: Study, new: str, rng: random.Random) -> None:
    """Set overallStatus and the fields the API keeps consistent with it."""
    status = _status_module(study)
    old = status.get("overallStatus")
    status["overallStatus"] = new
    if new == "UNKNOWN":
        status["lastKnownStatus"] = old if old in ACTIVE else "RECRUITING"
    else:
        status.pop("lastKnownStatus", None)
    if new in STOPPED:
        status.setdefault("whyStopped", rng.choice(WHY_STOPPED))
    else:
        status.pop("whyStopped", None)
    if new in ("COMPLETED", "TERMINATED"):
        for key in ("primaryCompletionDateStruct", "completionDateStruct"):
            if isinstance(status.get(key), dict):
                status[key]["type"] = "ACTUAL"
    enrollment = _enrollment(study)
    if new == "WITHDRAWN" and enrollment is not None:
        enrollment.update(count=0, type="ACTUAL")
    for site in _locations(study):
        if new in SITE_STATUSES:
            site["status"] = rng.choice(SITE_STATUSES[new])
        else:
            site.pop("status", None)


def shift_dates(study: Study, days: int, latest: date) -> None:
    """Move every status date by `days`; submitted/posted dates never pass `latest`."""
    cap = latest.isoformat()
    for container, key, name in _date_slots(_status_module(study)):
        value = _shift_date(container[key], days)
        if ("Submit" in name or "Post" in name or name == "statusVerifiedDate") and value > cap[: len(value)]:
            value = cap[: len(value)]
        container[key] = value


def vary_enrollment(study: Study, rng: random.Random) -> bool:
    """Scale the enrollment count by up to 30%, or make an estimate actual once recruitment is over."""
    enrollment = _enrollment(study)
    if enrollment is None or enrollment["count"] == 0:
        return False
    if enrollment.get("type") == "ESTIMATED" and _status_module(study).get("overallStatus") not in ACTIVE[:3]:
        enrollment["type"] = "ACTUAL"
    count = enrollment["count"]
    new = max(1, count + max(1, round(count * rng.uniform(0.05, 0.3))) * rng.choice((-1, 1)))
    enrollment["count"] = new if new != count else count + 1
    return True


def subset_sites(study: Study, rng: random.Random) -> None:
    """Keep 60-100% of the sites in their real order, with two neighbours swapped, as updates do."""
    sites = _locations(study)
    if len(sites) < 2:
        return
    keep = sorted(rng.sample(range(len(sites)), max(1, round(len(sites) * rng.uniform(0.6, 1.0)))))
    kept = [sites[i] for i in keep]
    if len(kept) > 1:
        i = rng.randrange(len(kept) - 1)
        kept[i], kept[i + 1] = kept[i + 1], kept[i]
    study["protocolSection"]["contactsLocationsModule"]["locations"] = kept


def change_site(study: Study, rng: random.Random, pool: Sequence[str]) -> bool:
    """Open a new site, close one, or move one site's status: the commonest real site changes."""
    sites = _locations(study)
    overall = _status_module(study).get("overallStatus", "")
    moves = ["add"] if pool and sites else []
    moves += ["remove"] if len(sites) > 1 else []
    moves += ["status"] if sites and overall in SITE_STATUSES else []
    if not moves:
        return False
    move = rng.choice(moves)
    if move == "add":
        site = json.loads(rng.choice(pool))
        site.pop("status", None)
        if overall in SITE_STATUSES:
            site["status"] = rng.choice(("NOT_YET_RECRUITING", "RECRUITING"))
        sites.insert(rng.randrange(len(sites) + 1), site)
    elif move == "remove":
        del sites[rng.randrange(len(sites))]
    else:
        site = rng.choice(sites)
        choices = [s for s in (*SITE_STATUSES[overall], "COMPLETED", "WITHDRAWN") if s != site.get("status")]
        site["status"] = rng.choice(choices)
    return True


def edit_criteria_line(study: Study, rng: random.Random) -> bool:
    """Edit one line of the eligibility criteria: change a number in it, or extend it."""
    module = study.get("protocolSection", {}).get("eligibilityModule", {})
    text = module.get("eligibilityCriteria")
    if not isinstance(text, str):
        return False
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if len(line.strip()) > 20]
    if not candidates:
        return False
    i = rng.choice(candidates)
    bullet = BULLET.match(lines[i])
    # A number in the line's text, never its list number: renumbering a list is not a criteria change.
    numbers = list(NUMBER.finditer(lines[i][bullet.end() :] if bullet else lines[i]))
    offset = bullet.end() if bullet else 0
    if numbers:
        m = rng.choice(numbers)
        new = str(int(m.group()) + rng.choice((1, 2, 5, 10)))
        lines[i] = lines[i][: offset + m.start()] + new + lines[i][offset + m.end() :]
    else:
        lines[i] = lines[i].rstrip(" .;") + rng.choice(CRITERIA_CLAUSES)
    module["eligibilityCriteria"] = "\n".join(lines)
    return True


def move_status(study: Study, rng: random.Random) -> bool:
    """Move overallStatus one real step on (e.g. recruiting to active, not recruiting)."""
    nexts = NEXT_STATUS.get(_status_module(study).get("overallStatus", ""))
    if not nexts:
        return False
    set_overall_status(study, rng.choice(nexts), rng)
    return True


def delay_completion(study: Study, rng: random.Random) -> bool:
    """Push the primary completion and completion dates later, the commonest real date update."""
    status = _status_module(study)
    days = rng.randint(30, 365)
    moved = False
    for key in ("primaryCompletionDateStruct", "completionDateStruct"):
        struct = status.get(key)
        if isinstance(struct, dict) and isinstance(struct.get("date"), str):
            struct["date"] = _shift_date(struct["date"], days)
            moved = True
    return moved


def reorder_mesh(study: Study) -> bool:
    """Reverse the derived browse lists, whose order the API does not keep stable between snapshots."""
    derived = study.get("derivedSection", {})
    changed = False
    for module in ("conditionBrowseModule", "interventionBrowseModule"):
        for key in ("browseLeaves", "browseBranches"):
            items = derived.get(module, {}).get(key)
            if isinstance(items, list) and len(items) > 1 and items != items[::-1]:
                items.reverse()
                changed = True
    return changed


def set_last_update(study: Study, day: date, rng: random.Random) -> None:
    """Stamp the study as updated (posted) on `day`, submitted a few days before."""
    status = _status_module(study)
    status["statusVerifiedDate"] = day.isoformat()[:7]
    status["lastUpdateSubmitDate"] = (day - timedelta(days=rng.randint(1, 4))).isoformat()
    status["lastUpdatePostDateStruct"] = {"date": day.isoformat(), "type": "ACTUAL"}


def set_version_holder(study: Study, day: date) -> None:
    """Stamp the snapshot date, which the API moves on every study with every data refresh."""
    derived = study.setdefault("derivedSection", {})
    derived.setdefault("miscInfoModule", {})["versionHolder"] = day.isoformat()


# ---------------------------------------------------------------- studies


def fresh_id(number: int, prefix: int = 9) -> str:
    """An NCT ID that no real study has (real ones all start NCT0)."""
    return f"NCT{prefix}{number:07d}"


def make_day1(template: Template, number: int, rng: random.Random) -> Study:
    """A new day-1 study: the template under a fresh ID, with its changeable fields varied."""
    text = template.text.replace(template.nct_id, fresh_id(number))
    for k, alias in enumerate(template.aliases):
        text = text.replace(alias, fresh_id(number, prefix=8 - k))
    study: Study = json.loads(text)
    if rng.random() < 0.5:
        statuses = list(REGISTRY_STATUS)
        set_overall_status(study, rng.choices(statuses, weights=list(REGISTRY_STATUS.values()))[0], rng)
    shift_dates(study, rng.randint(-365, 90), DAY1 - timedelta(days=1))
    vary_enrollment(study, rng)
    subset_sites(study, rng)
    if rng.random() < 0.5:
        edit_criteria_line(study, rng)
    set_version_holder(study, DAY1)
    return study


def change_for_day2(study: Study, rng: random.Random, pool: Sequence[str]) -> list[str]:
    """Apply one to three real changes (more are tried when one does not apply) and stamp the update."""
    changers: dict[str, Callable[[], bool]] = {
        "status": lambda: move_status(study, rng),
        "site": lambda: change_site(study, rng, pool),
        "completion_date": lambda: delay_completion(study, rng),
        "enrollment": lambda: vary_enrollment(study, rng),
        "criteria": lambda: edit_criteria_line(study, rng),
    }
    wanted = rng.randint(1, 3)
    done: list[str] = []
    for kind in rng.sample(list(changers), len(changers)):
        if len(done) < wanted and changers[kind]():
            done.append(kind)
    set_last_update(study, DAY2, rng)
    return done


# ---------------------------------------------------------------- output


class DayWriter:
    """Writes one snapshot as a folder of sharded files and as a bulk-download-shaped zip."""

    def __init__(self, out: Path, name: str, zip_level: int) -> None:
        self.folder = out / name
        self.zip_path = out / f"{name}.zip"
        self._part = out / f"{name}.zip.part"
        for shard in range(100):
            (self.folder / f"{shard:02d}").mkdir(parents=True, exist_ok=True)
        self._zip = zipfile.ZipFile(self._part, "w", zipfile.ZIP_DEFLATED, compresslevel=zip_level)
        self._level = zip_level

    def add(self, nct_id: str, data: bytes) -> None:
        """Write one study to the folder and the zip."""
        name = f"{nct_id[-2:]}/{nct_id}.json"
        (self.folder / name).write_bytes(data)
        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=self._level)

    def close(self) -> None:
        """Finish the zip and move it into place."""
        self._zip.close()
        self._part.replace(self.zip_path)


def encode(study: Study, indent: int | None) -> bytes:
    """Serialise a study the way the API does (UTF-8, not ASCII-escaped); compact unless indent is given."""
    separators = (",", ":") if indent is None else None
    return json.dumps(study, ensure_ascii=False, separators=separators, indent=indent).encode()


def clear_outputs(out: Path) -> None:
    """Remove what an earlier generation left in `out` (only the files this module writes)."""
    (out / "manifest.json").unlink(missing_ok=True)
    for name in ("day1", "day2"):
        shutil.rmtree(out / name, ignore_errors=True)
        (out / f"{name}.zip").unlink(missing_ok=True)
        (out / f"{name}.zip.part").unlink(missing_ok=True)


def pick_changes(size: int, options: Options, rng: random.Random) -> tuple[set[int], set[int]]:
    """Indexes of the studies that change on day 2, and of unchanged ones whose MeSH order moves."""
    changed = set(rng.sample(range(size), round(size * options.changed_fraction)))
    rest = [i for i in range(size) if i not in changed]
    noise = set(rng.sample(rest, min(len(rest), round(size * options.noise_fraction))))
    return changed, noise


def estimate_sizes(templates: Sequence[Template], options: Options) -> list[float]:
    """Mean written size of each template after day-1 variation (three pilot variants each)."""
    rng = random.Random(options.seed ^ 0x5EED)
    return [sum(len(encode(make_day1(t, 0, rng), options.indent)) for _ in range(3)) / 3 for t in templates]


def write_corpus(out: Path, templates: Sequence[Template], options: Options) -> Tally:
    """Generate and write both snapshots, streaming; returns the totals."""
    rng = random.Random(options.seed)
    weights = tilted_weights(estimate_sizes(templates, options), options.target_mean_bytes)
    cumulative = list(itertools.accumulate(weights))
    pool = collect_sites(templates)
    changed, noise = pick_changes(options.size, options, rng)
    offset = rng.randrange(10**7)
    tally = Tally()
    holder = {
        day: encode({"versionHolder": day.isoformat()}, options.indent)[1:-1].strip() for day in (DAY1, DAY2)
    }
    day1, day2 = DayWriter(out, "day1", options.zip_level), DayWriter(out, "day2", options.zip_level)
    for i in range(options.size):
        template = templates[rng.choices(range(len(templates)), cum_weights=cumulative)[0]]
        study = make_day1(template, (offset + i * ID_STRIDE) % 10**7, rng)
        nct_id = study["protocolSection"]["identificationModule"]["nctId"]
        data = encode(study, options.indent)
        day1.add(nct_id, data)
        tally.day1_bytes += len(data)
        tally.largest = max(tally.largest, len(data))
        if i in changed or i in noise:
            set_version_holder(study, DAY2)
            if i in changed:
                tally.change_kinds.update(change_for_day2(study, rng, pool))
                tally.changed.append(nct_id)
            elif reorder_mesh(study):
                tally.noise.append(nct_id)
            data = encode(study, options.indent)
        else:
            # Only versionHolder moves: editing the bytes gives what re-encoding would, a third faster.
            data = data.replace(holder[DAY1], holder[DAY2], 1)
        day2.add(nct_id, data)
        tally.day2_bytes += len(data)
    day1.close()
    day2.close()
    return tally


def build_manifest(
    out: Path, options: Options, templates: Sequence[Template], tally: Tally, seconds: float
) -> dict[str, Any]:
    """What was generated, how big it is and how long it took."""
    n = options.size
    return {
        "generator_version": GENERATOR_VERSION,
        "options": dataclasses.asdict(options),
        "templates": len(templates),
        "template_mean_bytes": round(sum(len(t.text.encode()) for t in templates) / len(templates)),
        "studies": n,
        "day1_bytes": tally.day1_bytes,
        "day2_bytes": tally.day2_bytes,
        "mean_record_bytes": round(tally.day1_bytes / n) if n else 0,
        "largest_record_bytes": tally.largest,
        "day1_zip_bytes": (out / "day1.zip").stat().st_size,
        "day2_zip_bytes": (out / "day2.zip").stat().st_size,
        "changed": len(tally.changed),
        "change_kinds": dict(sorted(tally.change_kinds.items())),
        "mesh_reordered_only": len(tally.noise),
        "seconds": round(seconds, 2),
        "records_per_s": round(2 * n / seconds) if seconds else 0,
        "mb_per_s": round((tally.day1_bytes + tally.day2_bytes) / seconds / 1e6, 1) if seconds else 0,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def generate(out: Path, options: Options, seed_dirs: Sequence[Path] = SEED_DIRS) -> dict[str, Any]:
    """Generate the corpus into `out` and return its manifest (also written as manifest.json)."""
    started = time.perf_counter()
    templates = load_templates(seed_dirs)
    out.mkdir(parents=True, exist_ok=True)
    clear_outputs(out)
    tally = write_corpus(out, templates, options)
    (out / "changed_ids.txt").write_text("".join(f"{x}\n" for x in sorted(tally.changed)))
    (out / "noise_ids.txt").write_text("".join(f"{x}\n" for x in sorted(tally.noise)))
    manifest = build_manifest(out, options, templates, tally, time.perf_counter() - started)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of a complete corpus in `out`, or None."""
    path = out / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else None


def parse_args(argv: Sequence[str] | None) -> tuple[Path, Options, list[Path]]:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True, help="number of studies")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--changed-fraction", type=float, default=0.01, help="share changed on day 2")
    parser.add_argument("--noise-fraction", type=float, default=0.01, help="share only MeSH-reordered")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--target-mean-bytes", type=int, default=REGISTRY_MEAN_BYTES, help="0: as found")
    parser.add_argument("--indent", type=int, default=None, help="pretty-print (default compact)")
    parser.add_argument("--zip-level", type=int, default=1, help="deflate level of the zips")
    parser.add_argument("--seed-dir", type=Path, action="append", help="template folder (repeatable)")
    args = parser.parse_args(argv)
    options = Options(
        args.size,
        args.seed,
        args.changed_fraction,
        args.noise_fraction,
        args.target_mean_bytes,
        args.indent,
        args.zip_level,
    )
    return args.out, options, args.seed_dir or list(SEED_DIRS)


def main(argv: Sequence[str] | None = None) -> None:
    """Generate a corpus and print its manifest."""
    out, options, seed_dirs = parse_args(argv)
    manifest = generate(out, options, seed_dirs)
    json.dump(manifest, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
