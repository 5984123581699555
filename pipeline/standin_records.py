"""The stand-in's reading of records and requests: IDs, posting dates, and the API v2 parameters it
understands (refusing the rest with 400, as the real API does). Standard library only."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Study = dict[str, Any]
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

# The spec's own pattern for NCT IDs in a path or in filter.ids; looser than ctsync's ``^NCT\d{8}$`` (it takes
# lower case and short forms) but it refuses NCT00000000, which ctsync's validation lets through.
SPEC_NCT_ID = re.compile(r"^[Nn][Cc][Tt]0*[1-9]\d{0,7}$")
LAST_UPDATE_RANGE = re.compile(
    r"^AREA\[LastUpdatePostDate\]RANGE\[\s*(MIN|\d{4}-\d{2}-\d{2})\s*,\s*(MAX|\d{4}-\d{2}-\d{2})\s*\]$"
)
LIST_PARAMS = frozenset({"format", "filter.ids", "filter.advanced", "pageSize", "pageToken", "countTotal"})
# The spec lets these differ between the pages of one query; every other parameter must repeat.
PAGING_PARAMS = frozenset({"pageSize", "pageToken", "countTotal"})


def nct_id_of(study: Study) -> str:
    """The study's NCT ID; a record without one cannot be served."""
    nct_id = study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
    if not isinstance(nct_id, str):
        raise ValueError("study record has no protocolSection.identificationModule.nctId")
    return nct_id


def aliases_of(study: Study) -> list[str]:
    """The older NCT IDs that now point at this study."""
    aliases = study.get("protocolSection", {}).get("identificationModule", {}).get("nctIdAliases", [])
    return [alias for alias in aliases if isinstance(alias, str)]


def last_update_post_date(study: Study) -> str:
    """The day the record was last posted, as ``YYYY-MM-DD`` (empty when the record lacks it)."""
    status = study.get("protocolSection", {}).get("statusModule", {})
    date = status.get("lastUpdatePostDateStruct", {}).get("date", "")
    return date if isinstance(date, str) else ""


def with_last_update_post_date(study: Study, day: str) -> Study:
    """A copy of a real record as if it had been posted again on ``day``; the record itself is untouched."""
    revised = copy.deepcopy(study)
    status = revised.setdefault("protocolSection", {}).setdefault("statusModule", {})
    status.setdefault("lastUpdatePostDateStruct", {})["date"] = day
    return revised


def load_studies(path: Path) -> list[Study]:
    """Every study of a folder of ``*.json`` files (or of one file): single studies or ``{"studies": []}``."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    studies: list[Study] = []
    for file in files:
        document = json.loads(file.read_text(encoding="utf-8"))
        studies.extend(document.get("studies", [document]))
    return studies


def canonical_nct_id(raw: str) -> str | None:
    """``NCT`` plus eight digits for any ID the spec's pattern accepts, else None."""
    if not SPEC_NCT_ID.match(raw):
        return None
    return f"NCT{int(raw[3:]):08d}"


class RefusedRequest(Exception):
    """A request the real API would refuse with 400 and a text/plain reason."""


def timestamp_of(studies: list[Study]) -> str:
    """A data timestamp consistent with the records: the newest snapshot (``versionHolder``) among them."""
    holders = [
        holder
        for study in studies
        if isinstance(
            holder := study.get("derivedSection", {}).get("miscInfoModule", {}).get("versionHolder"), str
        )
    ]
    return f"{max(holders)}T09:00:00" if holders else "1970-01-01T00:00:00"


def refuse_unknown(params: dict[str, str], known: Iterable[str]) -> None:
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise RefusedRequest(f"Unknown parameter(s): {', '.join(unknown)}")


def require_json_format(params: dict[str, str]) -> None:
    if params.get("format", "json") != "json":
        raise RefusedRequest(f"The stand-in serves format=json only, not {params['format']}")


def parse_ids(raw: str | None) -> set[str] | None:
    if raw is None:
        return None
    wanted: set[str] = set()
    for item in re.split(r"[,|]", raw):
        nct_id = canonical_nct_id(item.strip())
        if nct_id is None:
            raise RefusedRequest(f"filter.ids: invalid NCT number {item.strip()!r}")
        wanted.add(nct_id)
    return wanted


def parse_last_update_range(raw: str | None) -> tuple[str, str]:
    """The inclusive day range of ``AREA[LastUpdatePostDate]RANGE[..]``; all days when absent."""
    if raw is None:
        return "", "9999-12-31"
    match = LAST_UPDATE_RANGE.match(raw.strip())
    if match is None:
        raise RefusedRequest(
            f"filter.advanced: the stand-in understands only AREA[LastUpdatePostDate]RANGE[...], not {raw}"
        )
    low, high = match.groups()
    return ("" if low == "MIN" else low), ("9999-12-31" if high == "MAX" else high)


def parse_page_size(raw: str | None) -> int:
    if raw is None or raw == "0":
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit():
        raise RefusedRequest(f"pageSize: not a non-negative integer: {raw}")
    return min(int(raw), MAX_PAGE_SIZE)
