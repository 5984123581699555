"""Read study records from files, streaming: a folder of study JSON, an API page, JSON Lines, the bulk zip.

Each record comes out with its raw JSON text, so the store keeps it verbatim. A file that cannot be read
as records (broken JSON, not a study, empty) comes out as a ``Failure`` and the rest goes on.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError
from pipeline.records import Failure

STUDY_SUFFIXES = (".json", ".jsonl", ".ndjson", ".zip")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawRecord:
    """One study as read: its raw JSON text, and the parsed object when reading it needed parsing."""

    source: str
    raw_json: str
    parsed: Any = None


def check_paths(paths: Iterable[Path], *, warn: bool = True) -> list[Path]:
    """The paths to read. A UsageError names the first that does not exist or, given as a ``.zip``, is no
    zip; a path that is neither a folder nor a regular file (a FIFO, a device) is skipped with a
    warning, since reading it could wait forever; when nothing is left that is a UsageError too."""
    checked, skipped = [], []
    for path in paths:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
        if not (path.is_dir() or path.is_file()):
            skipped.append(path)
            if warn:
                log.warning("skipped %s: not a regular file or folder (a pipe or a device)", path)
            continue
        if path.is_file() and path.suffix == ".zip" and not zipfile.is_zipfile(path):
            raise UsageError(f"{path} is not a zip file: give the bulk ctg-studies.json.zip as downloaded")
        checked.append(path)
    if skipped and not checked:
        raise UsageError(
            f"nothing to load: {', '.join(map(str, skipped))} is not a regular file or folder;"
            " copy the records to a file first"
        )
    return checked


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to read: each file given, and every study file below each folder, in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in STUDY_SUFFIXES)
        else:
            yield path


def count_records_cheaply(paths: Iterable[Path]) -> int | None:
    """How many records a load will read, when that costs no parsing (folders and zips), else None."""
    total = 0
    for path in iter_files(paths):
        if path.suffix == ".json":
            total += 1
        elif path.suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    total += sum(1 for name in archive.namelist() if name.endswith(".json"))
            except (OSError, zipfile.BadZipFile):
                return None  # reading it says why, as a dead letter
        else:
            return None
    return total


def iter_records(paths: Iterable[Path]) -> Iterator[RawRecord | Failure]:
    """Every study record in the given files and folders, or a Failure for what cannot be read."""
    for path in iter_files(paths):
        if path.suffix == ".zip":
            yield from _iter_zip(path)
        elif path.suffix in (".jsonl", ".ndjson"):
            yield from _iter_json_lines(path)
        else:
            yield from _iter_json_text(str(path), _read_text(path))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"\0{exc}"


def _iter_zip(path: Path) -> Iterator[RawRecord | Failure]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield Failure(source=str(path), stage="read", error=f"not a readable zip file: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            source = f"{path}:{info.filename}"
            try:
                text = archive.read(info).decode("utf-8")
            except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
                yield Failure(source=source, stage="read", error=f"unreadable zip member: {exc}")
                continue
            yield from _iter_json_text(source, text)


def _iter_json_lines(path: Path) -> Iterator[RawRecord | Failure]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield from _iter_json_text(f"{path}:{number}", line)


def _iter_json_text(source: str, text: str) -> Iterator[RawRecord | Failure]:
    if text.startswith("\0"):
        yield Failure(source=source, stage="read", error=f"unreadable file: {text[1:]}")
        return
    if not text.strip():
        yield Failure(source=source, stage="read", error="empty file", raw=text)
        return
    if _looks_like_one_study(text):
        # Parsed later, in a worker process: parsing is most of the cost of a load.
        yield RawRecord(source, text)
        return
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Failure(source=source, stage="read", error=f"not valid JSON: {exc}", raw=text)
        return
    if isinstance(parsed, Mapping) and "protocolSection" in parsed:
        yield RawRecord(source, text, parsed)
    elif isinstance(parsed, Mapping) and isinstance(parsed.get("studies"), list):
        yield from _iter_studies(source, parsed["studies"])
    elif isinstance(parsed, list):
        yield from _iter_studies(source, parsed)
    else:
        yield Failure(
            source=source,
            stage="read",
            error="not a ClinicalTrials.gov study, page or list of studies (no protocolSection)",
            raw=text,
        )


def _iter_studies(source: str, studies: list[Any]) -> Iterator[RawRecord | Failure]:
    for index, study in enumerate(studies):
        yield RawRecord(f"{source}#{index}", json.dumps(study, ensure_ascii=False), study)


def _looks_like_one_study(text: str) -> bool:
    """ClinicalTrials.gov writes ``protocolSection`` first in every study; a page starts otherwise."""
    head = text[:200].lstrip()
    return head.startswith("{") and head[1:].lstrip().startswith('"protocolSection"')
