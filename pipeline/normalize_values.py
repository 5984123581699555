"""The value rules of the normalizer: text, rich text, dates, ages and enum checks. Pure."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from pipeline import richtext
from pipeline.errors import FieldError

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_YEARS_PER_UNIT = {
    "year": 1.0,
    "month": 1 / 12,
    "week": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / (365.25 * 24),
    "minute": 1 / (365.25 * 24 * 60),
}


@cache
def known_values() -> dict[str, frozenset[str]]:
    """Enum values of the official OpenAPI specs (pipeline/enums.json), by enum name."""
    text = (Path(__file__).parent / "enums.json").read_text(encoding="utf-8")
    return {name: frozenset(values) for name, values in json.loads(text)["enums"].items()}


EnumCheck = Callable[[str, str, Any], str | None]


def enum_checker(unknown: list[str]) -> EnumCheck:
    known = known_values()

    def check(enum_name: str, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldError(field, f"expected a text value, got {value!r}")
        if value not in known.get(enum_name, frozenset()):
            unknown.append(f"{field}={value}")
        return value

    return check


def text(value: Any) -> str | None:
    """Text as the sponsor wrote it, in NFC and without surrounding whitespace; None when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    value = value.strip()
    return value or None


def rich(value: Any) -> str | None:
    """Rich text (Markdown or HTML) as canonical Markdown, see ``pipeline.richtext.markdown``."""
    return richtext.markdown(text(value))


def texts(values: Any) -> tuple[str, ...]:
    """A list of texts with empty items dropped, order kept."""
    cleaned = (text(value) for value in values or ())
    return tuple(value for value in cleaned if value)


def trial_date(value: Any, field: str) -> dict[str, Any] | None:
    """``2024``, ``2024-03`` or ``2024-03-15`` as the first day of that period and its precision."""
    if value is None:
        return None
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise FieldError(field, f"not a date: {value!r}")
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    return {"date": f"{year}-{month or '01'}-{day or '01'}", "precision": precision}


def age_in_years(age: str | None) -> float | None:
    """ "18 Years" → 18.0, "6 Months" → 0.5, "28 Days" → 0.0767; None for no limit or unreadable text."""
    if age is None:
        return None
    match = _AGE.match(age)
    if match is None:
        return None
    number, unit = match.groups()
    return round(float(number) * _YEARS_PER_UNIT[unit.lower()], 4)
