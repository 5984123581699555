"""NCT IDs: what one looks like, and the one validation every entry point uses. Pure: no I/O.

An NCT ID is ``NCT`` and exactly 8 ASCII digits. Python's ``\\d`` also matches Arabic-Indic, fullwidth and
other Unicode digits, which ClinicalTrials.gov never uses and which would poison every later sync, so the
pattern spells out ``[0-9]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.errors import UsageError

NCT_ID = re.compile(r"NCT[0-9]{8}")
"""Use with ``fullmatch``: ``match`` with a ``$`` would also accept a trailing newline."""

EXAMPLE = "NCT01788527"


def is_nct_id(text: str) -> bool:
    """Whether ``text`` is exactly ``NCT`` and 8 ASCII digits (no stripping, no case folding)."""
    return NCT_ID.fullmatch(text) is not None


def describe(text: str) -> str:
    """How an error names a malformed ID: quoted, and said when its digits are not ASCII ones."""
    shown = repr(text) if len(text) <= 40 else f"{text[:40]!r}…"
    if any(char.isdigit() and not char.isascii() for char in text):
        return f"{shown} (non-ASCII digits)"
    return shown


def malformed_message(malformed: Iterable[str]) -> str:
    return (
        f"malformed NCT ID(s): {', '.join(describe(nct_id) for nct_id in malformed)}; "
        f"an NCT ID is NCT followed by 8 digits, e.g. {EXAMPLE}"
    )


def clean(raw: str) -> str:
    """The form IDs are compared in: surrounding whitespace removed, upper case."""
    return raw.strip().upper()


def validate_nct_ids(ids: Iterable[str]) -> list[str]:
    """Strip, uppercase and dedupe (first occurrence wins); raise ``UsageError`` naming every malformed ID."""
    cleaned = [clean(raw) for raw in ([ids] if isinstance(ids, str) else ids)]
    malformed = list(dict.fromkeys(nct_id for nct_id in cleaned if not is_nct_id(nct_id)))
    if malformed:
        raise UsageError(malformed_message(malformed))
    return list(dict.fromkeys(cleaned))
