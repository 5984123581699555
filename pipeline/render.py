"""Changes as an editor reads them (coloured, in words) and as ``--json`` prints them.

An editor is not a programmer: fields get their names from the trial page (``Overall status``,
``Minimum age``, ``Site "Univ. of Colorado, Aurora, Colorado, United States"``), enum values read as
words (``ACTIVE_NOT_RECRUITING`` → ``Active, not recruiting``), and long text shows only the words
that changed, removed ones struck through in red and added ones in green. Rendering builds rich
``Text`` objects, never markup strings, so brackets in trial text print as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from rich.console import Console
from rich.text import Text

from pipeline.diff import Change, sort_changes
from pipeline.normalize import known_values
from pipeline.policy import CATEGORIES, SEVERITY_ORDER, Severity

SEVERITY_STYLES = {"critical": "bold red", "major": "bold yellow", "minor": "cyan", "info": "dim"}
REMOVED_STYLE = "red strike"
ADDED_STYLE = "bold green"
_SEVERITY_WIDTH = 10
_CATEGORY_WIDTH = 15
_INDENT = " " * (_SEVERITY_WIDTH + _CATEGORY_WIDTH)

# What the entities of each list are called on a trial page.
_NOUNS = {
    "locations": "Site",
    "contacts": "contact",
    "central_contacts": "Contact",
    "overall_officials": "Official",
    "interventions": "Intervention",
    "arm_groups": "Arm",
    "outcomes": "Outcome",
    "collaborators": "Collaborator",
    "secondary_ids": "Secondary ID",
    "references": "Reference",
    "see_also_links": "Link",
    "available_ipds": "Shared document",
    "condition_mesh_terms": "Condition MeSH term",
    "intervention_mesh_terms": "Intervention MeSH term",
    "conditions": "Condition",
    "keywords": "Keyword",
    "nct_id_aliases": "Alias",
    "inclusion": "Inclusion criterion",
    "exclusion": "Exclusion criterion",
    "other_names": "other name",
    "arm_group_labels": "arm",
    "intervention_names": "intervention",
}
# Lists of plain texts: the bracketed key is the whole value and runs to the end of the path.
_TEXT_LISTS = frozenset(
    {
        "conditions",
        "keywords",
        "removed_countries",
        "nct_id_aliases",
        "inclusion",
        "exclusion",
        "other_names",
        "arm_group_labels",
        "intervention_names",
    }
)
_FIELD_LABELS = {
    "upstream": "ClinicalTrials.gov record",
    "overall_status": "Overall status",
    "why_stopped": "Why stopped",
    "eligibility.minimum_age": "Minimum age",
    "eligibility.maximum_age": "Maximum age",
    "eligibility.sex": "Sex",
    "eligibility.healthy_volunteers": "Accepts healthy volunteers",
    "eligibility.std_ages": "Age groups",
    "eligibility.gender_description": "Sex and gender description",
    "enrollment_count": "Enrollment",
    "phases": "Phase",
    "lead_sponsor.name": "Lead sponsor",
    "lead_sponsor.agency_class": "Lead sponsor class",
    "has_results": "Results posted",
    "nct_id": "NCT ID",
    "geo_point": "map position",
    "zip": "postcode",
    "facility": "facility name",
}
_HUMAN_VALUES = {
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "NA": "Not applicable",
    "NIH": "NIH",
    "FED": "Federal",
    "OTHER_GOV": "Other government",
    "INDIV": "Individual",
    "AMBIG": "Ambiguous",
    "ECT": "Educational/counseling/training",
    "FDA": "FDA",
    "VA": "VA",
    "CDC": "CDC",
    "AHRQ": "AHRQ",
    "SAMHSA": "SAMHSA",
    "SAP": "Statistical analysis plan",
    "ICF": "Informed consent form",
    "CSR": "Clinical study report",
    "CTIS": "CTIS",
    "EUDRACT_NUMBER": "EudraCT number",
}
_DETAIL_MARK = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.DOTALL)
_DATE_VALUE = re.compile(r"^\d{4}(-\d{2}){0,2}$")


def render_changes(
    changes: list[Change],
    *,
    nct_id: str,
    baseline: int | None,
    current: int,
    title: str | None,
    console: Console,
    log: bool = False,
    hidden: int | Mapping[Severity, int] = 0,
) -> None:
    """Print a header and one line per change, most severe first, grouped by category.

    ``log``: the changes between two stored versions (``changes --all``), not since a review.
    ``hidden``: how many lower-severity changes were left out, said at the end.
    """
    header = (
        Text(f"{nct_id}: version {baseline} → {current}: {len(changes)} change(s)", style="bold")
        if log
        else _header(len(changes), nct_id, baseline, current)
    )
    console.print(header, highlight=False)
    if title:
        console.print(Text(title, style="italic"), highlight=False)
    if not changes:
        if baseline is None:
            console.print(
                f"Nothing to compare yet: `ctsync show {nct_id}` shows the record.", highlight=False
            )
        elif not hidden:
            console.print("No changes since review.", highlight=False)
        _hidden_note(console, hidden)
        return
    previous = None
    markers = console.no_color or console.color_system is None
    for change in _ordered(changes):
        if previous is not None and change.severity != previous:
            console.print()
        previous = change.severity
        for line in _lines(change, markers=markers):
            console.print(line, highlight=False)
    _hidden_note(console, hidden)


def _hidden_note(console: Console, hidden: int | Mapping[Severity, int]) -> None:
    """What ``--min-severity`` left out, by severity: only info changes are "bookkeeping"."""
    counts: Mapping[Severity, int] = {"info": hidden} if isinstance(hidden, int) else hidden
    shown = [(severity, counts[severity]) for severity in SEVERITY_ORDER if counts.get(severity)]
    if not shown:
        return
    words = [f"{count} {'bookkeeping' if severity == 'info' else severity}" for severity, count in shown]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    console.print(
        Text(f"(and {listed} change(s): --min-severity {shown[-1][0]} shows them)", style="dim"),
        highlight=False,
    )


def _header(count: int, nct_id: str, baseline: int | None, current: int) -> Text:
    if baseline is None:
        return Text(f"{nct_id}: never reviewed: showing as new (current version {current})", style="bold")
    noun = "change" if count == 1 else "changes"
    return Text(
        f"{nct_id}: {count} {noun} since review of version {baseline} (current version {current})",
        style="bold",
    )


def _ordered(changes: list[Change]) -> list[Change]:
    """Severity first, then category in page order, then field (sort_changes is stable)."""

    def category_rank(change: Change) -> int:
        return CATEGORIES.index(change.category) if change.category in CATEGORIES else len(CATEGORIES)

    by_field = sort_changes(changes)
    return sorted(by_field, key=lambda c: (SEVERITY_ORDER.index(c.severity), category_rank(c)))


def _lines(change: Change, *, markers: bool) -> Iterator[Text]:
    """The line of one change, and for long text an indented line with the coloured word diff."""
    line = Text()
    line.append(f"{change.severity.upper():<{_SEVERITY_WIDTH}}", style=SEVERITY_STYLES[change.severity])
    line.append(f"{change.category.capitalize():<{_CATEGORY_WIDTH}}", style="bold")
    description, show_detail = describe(change)
    line.append_text(description)
    yield line
    if show_detail and change.detail:
        yield Text(_INDENT).append_text(detail_text(change.detail, markers=markers))


def detail_text(detail: str, *, markers: bool = False) -> Text:
    """A ``[-removed-]{+added+}`` word diff as coloured text.

    With ``markers`` the brackets stay, so the diff still reads where colour is off (a pipe, NO_COLOR).
    """
    text = Text()
    position = 0
    for match in _DETAIL_MARK.finditer(detail):
        text.append(detail[position : match.start()])
        removed, added = match.groups()
        if removed is not None:
            text.append(f"[-{removed}-]" if markers else removed, style=REMOVED_STYLE)
            if not markers and detail.startswith("{+", match.end()):
                text.append(" ")  # keep "old new" apart when only colour tells them apart
        else:
            text.append(f"{{+{added}+}}" if markers else added, style=ADDED_STYLE)
        position = match.end()
    text.append(detail[position:])
    return text


# --- describing one change ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    name: str
    key: str | None


def describe(change: Change) -> tuple[Text, bool]:
    """The words of one change, and whether its word diff should follow on its own line."""
    segments = parse_field(change.field)
    keyed = [index for index, segment in enumerate(segments) if segment.key is not None]
    if change.field == "upstream":
        reason = f" ({change.detail})" if change.detail else ""
        return Text(f"Trial no longer found on ClinicalTrials.gov{reason}"), False
    if keyed and keyed[-1] == len(segments) - 1:
        return _entity_change(change, segments), change.change == "modified"
    subject = _subject(change, segments)
    leaf = _field_label(segments, after=keyed[-1] + 1 if keyed else 0)
    text = Text(f"{subject}: {leaf}" if subject else leaf)
    if change.detail:
        text.append(" changed:")
        return text, True
    text.append(": ")
    text.append(human_value(change.old), style="red")
    text.append(" → ")
    text.append(human_value(change.new), style="green")
    return text, False


def _entity_change(change: Change, segments: list[_Segment]) -> Text:
    """A whole entity or list item added, removed or (criteria) edited."""
    last = segments[-1]
    noun = _NOUNS.get(last.name, _humanise_name(last.name))
    verb = {"added": "added", "removed": "removed", "modified": "edited"}[change.change]
    parent = _subject(change, segments[:-1])
    prefix = f"{parent}: " if parent else ""
    if last.name == "removed_countries":
        value = change.new if change.change == "added" else change.old
        state = "now" if change.change == "added" else "no longer"
        return Text(f"Country {value} {state} listed among countries whose sites were all removed")
    if last.name in _TEXT_LISTS:
        if last.name in ("inclusion", "exclusion") and len(change.labels) > 1:
            noun = f'{noun} of "{change.labels[0]}"'  # a criterion of a group: cohort, part, population
        text = Text(f"{prefix}{noun[0].upper()}{noun[1:]} {verb}")
        if change.change != "modified":
            text.append(": ")
            value = change.new if change.change == "added" else change.old
            text.append(str(value), style="green" if change.change == "added" else "red")
            if change.detail:
                text.append(f" ({change.detail})")  # a criterion moved to another group says where
        else:
            text.append(":")
        return text
    name = _label(change, len([s for s in segments if s.key is not None]) - 1, last)
    text = Text(f'{prefix}{noun} "{name}" {verb}')
    extra = _entity_extra(change.new if change.change == "added" else change.old)
    if extra:
        text.append(f" ({extra})")
    return text


def _subject(change: Change, segments: list[_Segment]) -> str:
    """``Site "X", contact "Y"``: the entities a path goes through, named as on the page."""
    parts = []
    index = 0
    for segment in segments:
        if segment.key is None:
            continue
        noun = _NOUNS.get(segment.name, _humanise_name(segment.name))
        parts.append(f'{noun} "{_label(change, index, segment)}"')
        index += 1
    return ", ".join(parts)


def _label(change: Change, index: int, segment: _Segment) -> str:
    """The human name of the index-th entity in the path; the key when the change carries no names."""
    if index < len(change.labels):
        return change.labels[index]
    return segment.key or ""


def _field_label(segments: list[_Segment], after: int) -> str:
    """``Overall status``, ``Minimum age``, or ``status`` for a field of an entity."""
    names = [segment.name for segment in segments[after:]]
    full = ".".join(names)
    if full in _FIELD_LABELS:
        return _FIELD_LABELS[full]
    if after == 0 and names[-1] == "type" and len(names) > 1:
        return f"{_humanise_name(full.removesuffix('.type'))} (estimated or actual)"
    words = " ".join(_FIELD_LABELS.get(name, name.replace("_", " ")) for name in names)
    return words[0].upper() + words[1:] if after == 0 else words


def _humanise_name(name: str) -> str:
    words = name.replace(".", " ").replace("_", " ")
    return words[0].upper() + words[1:] if words else words


def _entity_extra(value: Any) -> str:
    """A few words that tell which entity this is: a site's status, a contact's phone and email."""
    if not isinstance(value, dict):
        return ""
    if "facility" in value:
        return human_value(value.get("status")) if value.get("status") else ""
    if "phone" in value or "email" in value:
        return ", ".join(str(value[k]) for k in ("phone", "email") if value.get(k))
    if "type" in value and isinstance(value.get("type"), str):
        return human_value(value["type"])
    return ""


def human_value(value: Any) -> str:
    """A value as an editor reads it: enums in words, yes/no, lists joined, entities by name."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return humanise_enum(value)
    if isinstance(value, list):
        return ", ".join(human_value(item) for item in value) or "(none)"
    if isinstance(value, dict):
        if "lat" in value and "lon" in value:
            return f"{value['lat']}, {value['lon']}"
        name = value.get("name") or value.get("facility") or value.get("label") or value.get("term")
        return str(name) if name else ", ".join(f"{k}: {human_value(v)}" for k, v in value.items() if v)
    return str(value)


def humanise_enum(value: str) -> str:
    """``ACTIVE_NOT_RECRUITING`` → ``Active, not recruiting``; ``PHASE2`` → ``Phase 2``; other text as is."""
    if value not in _enum_values():
        return value
    if value in _HUMAN_VALUES:
        return _HUMAN_VALUES[value]
    words = re.sub(r"PHASE(\d)", r"PHASE \1", value).replace("_", " ").lower()
    return words[0].upper() + words[1:]


@cache
def _enum_values() -> frozenset[str]:
    return frozenset().union(*known_values().values())


def parse_field(field: str) -> list[_Segment]:
    """``locations[k].contacts[c].phone`` → segments (locations, k), (contacts, c), (phone, None).

    Keys may hold dots and brackets (criteria text): a key ends at the first ``]`` that is followed by
    the end, a ``.name`` or a ``[``, except in lists of texts, whose key runs to the end of the path.
    """
    segments: list[_Segment] = []
    position = 0
    while position < len(field):
        match = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)").match(field, position)
        if match is None:
            return [*segments, _Segment(field[position:], None)]
        name, position = match.group(1), match.end()
        if position < len(field) and field[position] == "[":
            end = _key_end(field, position + 1, to_end=name in _TEXT_LISTS)
            segments.append(_Segment(name, field[position + 1 : end]))
            position = end + 1
        else:
            segments.append(_Segment(name, None))
    return segments


def _key_end(field: str, start: int, *, to_end: bool) -> int:
    """Where the bracketed key that starts at ``start`` ends (the index of its ``]``)."""
    if to_end and field.endswith("]"):
        return len(field) - 1
    for index in range(start, len(field)):
        if field[index] != "]":
            continue
        rest = field[index + 1 :]
        if not rest or rest.startswith("[") or re.match(r"\.[A-Za-z_]", rest):
            return index
    return len(field) - 1
