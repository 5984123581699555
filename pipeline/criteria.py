"""Eligibility criteria as the structure the sponsor wrote: sections, groups, nested items, notes. Pure.

``parse_criteria(text)`` reads a criteria text (API v2 Markdown or the website's HTML, through
``pipeline.richtext``) into ``Criteria``:

- two sections, inclusion and exclusion, each a list of groups; a group has an optional header (a
  cohort, part or population: "Inclusion criteria specific to Cohort A1", "DISEASE CHARACTERISTICS",
  "Pre-pregnancy Group") and its items; items may have sub-items;
- lead-ins ("Participants are to be excluded … for any of the following reasons:") and closing notes
  ("Note: Other protocol-defined inclusion/exclusion criteria apply") are notes, never criteria;
- the bare section headings ("Inclusion Criteria:", "KEY EXCLUSION CRITERIA") are kept as headings.

How the text is read:

- Structure comes from the Markdown/HTML lists first (nesting by indentation), then from the markers
  sponsors type into the text: ``1.`` ``1)`` ``(1)`` full-width ``(1)`` ``①``, letters ``a.`` ``(b)``, roman
  ``ii)`` ``(iv)``, ``5.1``, bullets ``•`` ``-`` ``--`` ``o``, bare ``4 `` continuing a numbering.
  A marker style that differs from its predecessor's opens a sub-list; returning to a style closes it.
  Markers are removed from the text. Numbered items run together on one line (``A. … B. … C. …``,
  ``i. … ii. …``) are split, each marker continuing the sequence of the one before.
- A line that ends in a colon and is followed by items introduces them: it is a section header when it
  names inclusion or exclusion criteria (any length, any qualifier), a group header when it reads as a
  label (short, capitals, a cohort/part/group/population word, "For …"), a note when it is a lead-in
  sentence about the criteria, and otherwise an item with sub-items ("Adequate organ function:").
- Text with no header counts as inclusion; a section header nested in an item counts only when no
  top-level header of its kind comes later (a quoted "Exclusion Criteria:" inside an item is text).
- Nothing is dropped but marker-only lines ("-", "."): every word of the source is in a heading, a
  header, an item or a note (a test checks this on every real record).

``Criteria.flat()`` is the flat view (section, group, ordinal, parent, depth, text) analysts get as the
``trial_criteria`` table; ``Criteria.texts(section)`` the plain item texts of the old flat lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline import richtext

Section = Literal["inclusion", "exclusion"]
SECTIONS: tuple[Section, ...] = ("inclusion", "exclusion")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(_Model):
    """One criterion as written, without its list marker, and the criteria nested under it."""

    text: str
    items: tuple[Criterion, ...] = ()


class CriteriaGroup(_Model):
    """Criteria under one header ("Cohort A1", "Part B …"), or under none (the section's own items)."""

    header: str | None = None
    """As written, without list marker and final colon; None for the items right under a section."""
    lead_ins: tuple[str, ...] = ()
    """Sentences that introduce the items ("… any of the following reasons:"); not criteria."""
    items: tuple[Criterion, ...] = ()
    notes: tuple[str, ...] = ()
    """Notes among or after the items ("Note: other protocol-defined criteria may apply")."""


class FlatCriterion(_Model):
    """One criterion in the flat view: where it stands, and its text."""

    section: Section
    group_ordinal: int
    """1, 2, … within the section."""
    group_header: str | None
    ordinal: int
    """1, 2, … within the group, in reading order (a sub-item right after its parent)."""
    parent_ordinal: int | None
    depth: int
    """1 for a group's own items, 2 for their sub-items, …"""
    text: str


class Criteria(_Model):
    """The eligibility criteria text as a structure; empty when the record has none."""

    headings: tuple[str, ...] = ()
    """The bare section headings as written ("Inclusion Criteria", "KEY EXCLUSION CRITERIA")."""
    notes: tuple[str, ...] = ()
    """Text outside both sections: a title ("Eligibility criteria:"), a general note."""
    inclusion: tuple[CriteriaGroup, ...] = ()
    exclusion: tuple[CriteriaGroup, ...] = ()

    def groups(self, section: Section) -> tuple[CriteriaGroup, ...]:
        return self.inclusion if section == "inclusion" else self.exclusion

    def flat(self) -> tuple[FlatCriterion, ...]:
        """Every criterion of both sections, in reading order, knowing its group, parent and depth."""
        rows: list[FlatCriterion] = []
        for section in SECTIONS:
            for group_ordinal, group in enumerate(self.groups(section), start=1):
                counter = [0]
                for item in group.items:
                    _flatten(item, section, group_ordinal, group.header, None, 1, counter, rows)
        return tuple(rows)

    def texts(self, section: Section) -> tuple[str, ...]:
        """The texts of every criterion of a section (sub-items too), in reading order."""
        return tuple(row.text for row in self.flat() if row.section == section)


def _flatten(
    item: Criterion,
    section: Section,
    group_ordinal: int,
    header: str | None,
    parent: int | None,
    depth: int,
    counter: list[int],
    rows: list[FlatCriterion],
) -> None:
    counter[0] += 1
    ordinal = counter[0]
    rows.append(
        FlatCriterion(
            section=section,
            group_ordinal=group_ordinal,
            group_header=header,
            ordinal=ordinal,
            parent_ordinal=parent,
            depth=depth,
            text=item.text,
        )
    )
    for child in item.items:
        _flatten(child, section, group_ordinal, header, ordinal, depth + 1, counter, rows)


# --- markers ------------------------------------------------------------------------------------

_ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18,
    "xix": 19, "xx": 20,
}  # fmt: skip
_ROMAN_ALT = "|".join(sorted(_ROMAN, key=len, reverse=True))
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_BULLETS = "*•·‣◦▪▫○●■□►▶➢➤✓✔-–—+"
_MARKER = re.compile(
    r"""^(?:
      (?P<multi>\d{1,3}(?:\.\d{1,3})+)(?:\.\s+|\s+(?=[A-Z(])|\.?(?=[A-Z]))      # 5.1 / 5.1.2
    | (?P<num>\d{1,3})\s?(?P<num_delim>\.\)|[.)、])(?:\s+|(?=[A-Za-z(]))     # 1. 1) 1、 1.On
    | \((?P<pnum>\d{1,3})\)\s*                                              # (1)
    | （(?P<fwnum>\d{1,3})[）)]\s*                                           # （1）
    | (?P<circled>[①-⑳])\s*                                                 # ①
    | \((?P<proman>(?:"""
    + _ROMAN_ALT
    + r"""|"""
    + _ROMAN_ALT.upper()
    + r"""))\)\s*                                                           # (iv)
    | (?P<roman>(?:"""
    + _ROMAN_ALT
    + r"""|"""
    + _ROMAN_ALT.upper()
    + r"""))(?P<roman_delim>[.)])(?:\s+|(?=[A-Z(]))                         # iv. iv)
    | \((?P<palpha>[a-zA-Z])\)\s*                                           # (a)
    | (?P<alpha>[a-zA-Z])(?P<alpha_delim>[.)])(?:\s+|(?=[A-Z(]))            # a. a) a.For
    | (?P<bullet>[•·‣◦▪▫○●■□►▶➢➤✓✔]|-{1,3}(?=\s|[^\W\d_])|[–—](?=\s)|[*o+](?=\s))\s*  # • - -- --- o
    | (?P<bare>\d{1,2})\s+(?=[A-Z])                                         # 4 Reports (in a sequence)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Marker:
    """A list marker typed in the text: its family (decimal, alpha…), delimiter and ordinal."""

    family: str
    delimiter: str
    ordinal: int
    letter: str = ""  # for single letters that may also be roman numerals (i, v, x…)


def read_marker(text: str) -> tuple[Marker | None, str]:
    """(the marker at the start of a line, the text after it); (None, text) when there is none.

    Stacked markers ("- 1.Children", "• a) …", "9. ii. Male …") count as the innermost one."""
    marker, rest = _read_one_marker(text)
    while marker is not None:
        inner, inner_rest = _read_one_marker(rest)
        if inner is None or (inner.family == "bullet" and marker.family != "bullet"):
            break
        marker, rest = inner, inner_rest
    return marker, rest


def _read_one_marker(text: str) -> tuple[Marker | None, str]:
    match = _MARKER.match(text)
    if match is None:
        return None, text
    rest = text[match.end() :]
    group = match.lastgroup
    marker = _marker_of(match)
    if marker is None or (group != "bullet" and not rest.strip()):
        return None, text
    if marker.family == "bullet" and rest[:1] in _BULLETS and match.group("bullet") in "-–—":
        return None, text  # "-->" or "—-" is not a bullet
    return marker, rest.strip()


def _marker_of(match: re.Match[str]) -> Marker | None:
    groups = match.groupdict()
    if groups["multi"]:
        parts = groups["multi"].split(".")
        return Marker(f"multi{len(parts)}", ".", int(parts[-1]))
    if groups["num"]:
        return Marker("decimal", groups["num_delim"], int(groups["num"]))
    if groups["pnum"]:
        return Marker("decimal", "()", int(groups["pnum"]))
    if groups["fwnum"]:
        return Marker("decimal", "（）", int(groups["fwnum"]))
    if groups["circled"]:
        return Marker("decimal", "circled", _CIRCLED.index(groups["circled"]) + 1)
    if groups["proman"]:
        return _letters(groups["proman"], "()")
    if groups["roman"]:
        return _letters(groups["roman"], groups["roman_delim"])
    if groups["palpha"]:
        return _letters(groups["palpha"], "()")
    if groups["alpha"]:
        return _letters(groups["alpha"], groups["alpha_delim"])
    if groups["bullet"]:
        bullet = groups["bullet"]
        return Marker("bullet", "-" if bullet.startswith("-") else bullet, 0)
    if groups["bare"]:
        return Marker("decimal", "bare", int(groups["bare"]))
    return None


def _letters(letters: str, delimiter: str) -> Marker:
    case = "upper" if letters.isupper() else "lower"
    if len(letters) == 1:
        return Marker(f"alpha-{case}", delimiter, ord(letters.lower()) - ord("a") + 1, letter=letters.lower())
    return Marker(f"roman-{case}", delimiter, _ROMAN[letters.lower()])


# --- units: the lines of the text, nested by lists and markers ----------------------------------


@dataclass
class _Unit:
    text: str
    marker: Marker | None = None
    listed: bool = False  # a Markdown/HTML list item
    style: tuple[object, ...] = ()  # how siblings are recognised (marker style or list identity)
    children: list[_Unit] = field(default_factory=list)


def _units(blocks: tuple[richtext.Block, ...]) -> list[_Unit]:
    """The blocks of one level as a sibling sequence of units, nested by their markers."""
    flat: list[_Unit] = []
    for block in blocks:
        if isinstance(block, richtext.Paragraph):
            for line in block.lines:
                flat.extend(_line_units(line))
        else:
            flat.extend(_list_units(block))
    return _nest(flat)


def _list_units(block: richtext.ListBlock) -> list[_Unit]:
    units = []
    identity = ("list", id(block))
    for number, item in enumerate(block.items, start=block.start):
        head = item[0] if item and isinstance(item[0], richtext.Paragraph) else None
        lines = head.lines if head is not None else ()
        rest = item[1:] if head is not None else item
        first = lines[0] if lines else ""
        marker, text = read_marker(first)
        unit = _Unit(text if marker else first, marker, listed=True)
        unit.style = _style(marker) if marker else identity
        if marker is None and block.ordered:
            unit.marker = Marker("decimal", "list", number)
        pieces = _split_run(unit)
        units.extend(pieces[:-1])
        unit = pieces[-1]
        children: list[_Unit] = list(unit.children)
        # soft-broken lines of the item's text: continuations, unless they carry a marker
        for line in lines[1:]:
            line_marker, _ = read_marker(line)
            if not _HAS_WORD.search(line):
                continue  # a stray "-" under an item
            if line_marker is None and not children:
                unit.text = _join(unit.text, line)
            else:
                children.extend(_line_units(line))
        for child in rest:
            if isinstance(child, richtext.Paragraph):
                for line in child.lines:
                    line_marker, _ = read_marker(line)
                    if not _HAS_WORD.search(line):
                        continue
                    if line_marker is None and not children:
                        unit.text = _join(unit.text, line)
                    else:
                        children.extend(_line_units(line))
            else:
                children.extend(_list_units(child))
        unit.children = _nest(children)
        units.append(unit)
    return units


def _line_units(line: str) -> list[_Unit]:
    """One line of paragraph text: a unit (split where numbered items run together)."""
    marker, text = read_marker(line)
    unit = _Unit(text if marker else line, marker, style=_style(marker) if marker else ())
    return _split_run(unit)


def _join(text: str, more: str) -> str:
    return f"{text} {more}".strip() if text else more


def _style(marker: Marker | None) -> tuple[object, ...]:
    if marker is None:
        return ()
    return (marker.family, marker.delimiter)


# Where numbered items run together: "… grade 1-3 ii. Pressure ulcers …", "… apply: i. All …".
_RUN_MARKER = re.compile(
    r"(?<=[\s:;,.])(?:[①-⑳]|\((?:\d{1,3}|[a-zA-Z]|"
    + _ROMAN_ALT
    + r")\)|(?:\d{1,3}|[a-zA-Z]|"
    + _ROMAN_ALT
    + r")[.)])"
    r"(?=\s*[A-Za-z(])"
)


def _split_run(unit: _Unit) -> list[_Unit]:
    """Split a unit whose text runs several numbered items together, each continuing the sequence.

    A run that continues the unit's own marker ("15. … 16. … 17. …") gives siblings; a run that
    starts a new list inside the text ("… as follows: i. … ii. …", "… except for a) … b) …") gives
    the unit's children (after a colon one marker is enough, elsewhere two in sequence are needed).
    Pieces are split again (a run inside a run).
    """
    text = unit.text
    if len(text) < 20 or not _RUN_MARKER.search(text):
        return [unit]
    pieces: list[tuple[int, int, Marker]] = []
    expected = unit.marker
    if expected is not None and expected.letter == "i" and re.search(r"\(?ii[.)]", text):
        expected = Marker(expected.family.replace("alpha", "roman"), expected.delimiter, 1)  # (i) … (ii)
    mode = "siblings"
    for match in _RUN_MARKER.finditer(text):
        marker, _ = read_marker(match.group(0) + " X")
        if marker is None or not _run_boundary(text[: match.start()], marker):
            continue
        if marker.letter in _ROMAN and not (expected is not None and _continues(expected, marker)):
            marker = Marker(marker.family.replace("alpha", "roman"), marker.delimiter, _ROMAN[marker.letter])
        if expected is not None and _continues(expected, marker):
            pieces.append((match.start(), match.end(), marker))
            expected = marker
        elif not pieces and _is_first(marker) and text[: match.start()].strip():
            pieces.append((match.start(), match.end(), marker))
            expected, mode = marker, "children"
        elif not pieces and unit.marker is None and marker.ordinal == 2:
            pieces.append((match.start(), match.end(), marker))  # the item itself was "1" (a bullet now)
            expected, mode = marker, "implicit"
    if not pieces:
        return [unit]
    before = text[: pieces[0][0]].strip()
    needed = 1 if mode == "siblings" or (mode == "children" and before.endswith(":")) else 2
    bounds = [*(start for start, _, _ in pieces[1:]), len(text)]
    spans = zip(pieces, bounds, strict=True)
    if len(pieces) < needed or any(_words(text[end:stop]) < 2 for (_, end, _), stop in spans):
        return [unit]  # "as defined in (i), (ii) or (iii)" names items, it does not list them
    first = _Unit(before, unit.marker, unit.listed, unit.style, unit.children)
    rest: list[_Unit] = []
    for index, (_, end, marker) in enumerate(pieces):
        stop = pieces[index + 1][0] if index + 1 < len(pieces) else len(text)
        piece = _Unit(text[end:stop].strip(), marker, unit.listed, style=unit.style)
        if mode == "children":
            piece.listed, piece.style = False, _style(marker)
        rest.extend(_split_run(piece))
    if mode == "children":
        first.children = [*first.children, *rest]
        return [first]
    return [first, *rest]


def _run_boundary(before: str, marker: Marker) -> bool:
    """A number typed mid-text is a marker only after the end of a clause ("… agents. 16. …"), not
    in one ("… grade 2. Patients …"); letters and bracketed numbers need no such end."""
    if marker.family != "decimal" or marker.delimiter != ".":
        return True
    return before.rstrip()[-1:] in ".;:,)"


def _continues(previous: Marker, marker: Marker) -> bool:
    """Whether ``marker`` is the next one after ``previous`` in the same sequence."""
    if "bullet" in (previous.family, marker.family) or marker.ordinal != previous.ordinal + 1:
        return False
    if previous.family != marker.family or previous.delimiter == marker.delimiter == "list":
        return False  # two Markdown lists are two lists, whatever their numbers
    loose = {"list", "bare", "counted"}  # a Markdown list's number or a bare "4 " goes with any delimiter
    return previous.delimiter == marker.delimiter or bool(loose & {previous.delimiter, marker.delimiter})


def _is_first(marker: Marker) -> bool:
    return marker.family != "bullet" and marker.ordinal == 1


@dataclass
class _Level:
    style: tuple[object, ...]
    family: str
    last: _Unit | None
    last_marker: Marker | None
    into: list[_Unit]


_BARE_NUMBER = re.compile(r"^(\d{1,2})(?:\s+|(?=[^\W\d_]))(?=\S)")


def _bare_sequences(units: list[_Unit]) -> None:
    """Numbers typed without a delimiter ("* 1 in line with …", "5glycosylated …") are markers when
    at least three siblings in a row count 1, 2, 3… (or n, n+1, n+2…)."""
    numbers: list[int | None] = []
    for unit in units:
        if unit.marker is not None and unit.marker.delimiter == "bare":
            numbers.append(unit.marker.ordinal)
            continue
        match = (
            _BARE_NUMBER.match(unit.text) if unit.marker is None or unit.marker.delimiter == "list" else None
        )
        numbers.append(int(match.group(1)) if match else None)
    start = 0
    while start < len(units):
        end = start
        while (
            end + 1 < len(units) and numbers[end] is not None and numbers[end + 1] == (numbers[end] or 0) + 1
        ):
            end += 1
        if numbers[start] is not None and end - start >= 2:
            for index in range(start, end + 1):
                unit = units[index]
                if unit.marker is None or unit.marker.delimiter != "bare":
                    unit.text = _BARE_NUMBER.sub("", unit.text, count=1).strip()
                unit.marker = Marker("decimal", "counted", numbers[index] or 0)
                unit.style = ("decimal", "counted")
        start = end + 1


def _nest(units: list[_Unit]) -> list[_Unit]:
    """Nest a sibling sequence by marker style: a new style opens a sub-list, a known one returns to it."""
    _bare_sequences(units)
    if len(units) < 2:
        return units
    result: list[_Unit] = []
    levels = [_Level(units[0].style, _family(units[0]), None, None, result)]
    for unit in units:
        last = levels[-1].last
        if len(levels) > 1 and last is not None and _continues_text(last, unit):
            last.text = _join(last.text, unit.text)  # a paragraph of the sub-item above it
            continue
        marker = _resolve(unit, levels)
        index = _matching_level(unit, marker, levels)
        if index is None:
            parent = levels[-1].last
            if parent is not None and _opens_sub_list(parent, unit, marker):
                levels.append(_Level(unit.style, _family(unit), None, None, parent.children))
                index = len(levels) - 1
            else:
                index = 0
        del levels[index + 1 :]
        level = levels[index]
        level.into.append(unit)
        level.last = unit
        level.last_marker = marker
        child = unit.children[-1] if unit.children else None
        if child is not None and child.marker is not None and not child.listed:  # split: "…: i. …"
            levels.append(_Level(child.style, _family(child), child, child.marker, unit.children))
    return result


def _continues_text(last: _Unit, unit: _Unit) -> bool:
    """A plain paragraph among sub-items continues the one above it (unless it heads something)."""
    text = unit.text
    return (
        not unit.style
        and not last.listed  # text after a Markdown list is outside it
        and not unit.children
        and not last.text.endswith(":")
        and not text.endswith(":")
        and not _is_label(text)
        and section_heading(text) is None
        and _NOTE.search(text) is None
    )


def _family(unit: _Unit) -> str:
    return unit.marker.family if unit.marker else ""


def _resolve(unit: _Unit, levels: list[_Level]) -> Marker | None:
    """Settle ambiguous markers against the open levels: "i." after "h." is a letter, else roman;
    a bare "4 " only continues a numbering, else it is text."""
    marker = unit.marker
    if marker is None:
        return None
    if marker.delimiter == "bare":
        if any(level.last_marker and _continues(level.last_marker, Marker("decimal", ".", marker.ordinal))
               for level in levels):  # fmt: skip
            unit.style = ("decimal", "bare")
            return Marker("decimal", "bare", marker.ordinal)
        unit.marker, unit.style = None, ()
        unit.text = f"{marker.ordinal} {unit.text}"
        return None
    if marker.letter in _ROMAN and marker.family.startswith("alpha"):
        case = marker.family.split("-")[1]
        alpha_next = any(
            level.family == marker.family
            and level.last_marker
            and level.last_marker.ordinal == marker.ordinal - 1
            for level in levels
        )
        roman_open = any(level.family == f"roman-{case}" for level in levels)
        if not alpha_next and (marker.letter == "i" or roman_open):
            roman = Marker(f"roman-{case}", marker.delimiter, _ROMAN[marker.letter])
            unit.marker, unit.style = roman, _style(roman)
            return roman
    return marker


def _matching_level(unit: _Unit, marker: Marker | None, levels: list[_Level]) -> int | None:
    if not unit.style:
        return 0  # plain text never nests by itself
    for index in range(len(levels) - 1, -1, -1):
        level = levels[index]
        if level.style == unit.style:
            if (
                marker is not None
                and _is_first(marker)
                and level.last is not None
                and level.last.text.endswith(":")
            ):
                return None  # "1." again right after "…:" starts a sub-list
            return index
        if marker is not None and level.last_marker is not None and _continues(level.last_marker, marker):
            return index
    return None


def _opens_sub_list(parent: _Unit, unit: _Unit, marker: Marker | None) -> bool:
    """Whether ``unit`` (whose style no open level has) nests under the unit before it."""
    if parent.text.endswith(":") or _is_label(parent.text):
        return True
    if unit.listed and (marker is None or marker.delimiter == "list"):
        return False  # a Markdown list after a sentence stands beside it
    return marker is not None and (marker.family == "bullet" or marker.ordinal == 1)


# --- reading the units ---------------------------------------------------------------------------

_KIND = re.compile(
    r"(?<![\w-])(?P<non>non[- ]?)?(?P<kind>inclusion|exclusion)s?\b"
    r"(?P<criteria>\s*(?:(?:/|and|&|or)\s*(?:non[- ]?)?(?:inclusion|exclusion)s?\s*)?"
    r"(?:criteria|criterion|criterias)\b)?",
    re.IGNORECASE,
)
_GENERIC_PREFIX = frozenset(
    {"key", "main", "general", "major", "principal", "primary", "basic", "the", "study", "all", "*"}
)
_SENTENCE = re.compile(
    r"\b(?:meets?|met|meeting|apply|applies|applied|were|are|is|was|be|includes?|included|including|"
    r"fulfil+s?|fulfilled|must|should|shall|will|would|may|can|could|have|has|had|as follows|following|"
    r"below|defined|need|needs|require[sd]?)\b",
    re.IGNORECASE,
)
_SCOPE = re.compile(r"^(?:for|in|of|specific|applicable|only|\(|-|–|—|\[)", re.IGNORECASE)
_LEAD_IN = re.compile(
    r"\b(?:criteri(?:a|on)|eligib\w*|exclu(?:ded|sion|sions|ding)|inclusion|included in|enrol\w*|"
    r"participat\w*)\b",
    re.IGNORECASE,
)
_NOTE = re.compile(
    r"^(?:notes?\b|nb\b|n\.b\.|please note\b|\*+\s*note\b|other protocol[- ]defined\b|"
    r"additional protocol[- ]defined\b)|protocol[- ]defined (?:inclusion|exclusion|eligibility)",
    re.IGNORECASE,
)
_LABEL_WORD = re.compile(
    r"^(?:part|parts|cohort|cohorts|group|groups|arm|arms|phase|stage|step|study|sub-?study|aim|"
    r"population|module|period|segment|tier|subgroup|sub-group)\b",
    re.IGNORECASE,
)
_LABEL_END = re.compile(
    r"\b(?:related|characteristics|criteria|criterion|controls?|subjects|participants|patients|"
    r"volunteers|populations?|cohorts?|groups?|arms?|parts?|phase|only|persons|women|men|adults|children)$",
    re.IGNORECASE,
)
_HAS_WORD = re.compile(r"\w")
_EXCLUDING = re.compile(r"\b(?:exclud\w*|exclusion|not (?:be )?eligible|ineligible)\b", re.IGNORECASE)
_CAPS_LABEL = re.compile(r"^([A-Z][A-Z/&,()-]*(?: [A-Z/&,()-]+){1,5}):\s+(\S.*)$", re.DOTALL)


def _words(text: str) -> int:
    return len(text.split())


def _strip_colon(text: str) -> str:
    return text.rstrip().rstrip(":").rstrip()


def _is_label(text: str, *, strong: bool = False) -> bool:
    """A short title-like line ("Cohort A1", "PRIOR CONCURRENT THERAPY", "Diabetes related"); ``strong``
    asks for a cohort/part/population word, not only capitals."""
    bare = _strip_colon(text)
    if re.search(r"\([nN]\s*=\s*\d+\)$", bare) and _words(bare) <= 12:
        return True  # a population with its size: "Post-COVID-19 Convalescence (n=1190)"
    if bare.startswith("(") and bare.endswith(")"):
        bare = bare[1:-1].strip()
    elif bare.endswith(")") and "(" in bare[1:]:
        bare = bare[: bare.rindex("(")].strip() or bare  # "All Diabetics (Groups A, B, C)"
    if not bare or _words(bare) > 12 or bare[-1] in ".;," or _SENTENCE.search(bare):
        return False
    words = bare.split()
    letters = [char for char in bare if char.isalpha()]
    if not strong and len(letters) >= 3 and all(char.isupper() for char in letters) and len(words) <= 8:
        return True
    if len(words) <= 8 and (_LABEL_WORD.match(bare) or _LABEL_END.search(bare)):
        return True
    if not strong and len(words) <= 5 and all(word[:1].isupper() or not word[:1].isalpha() for word in words):
        return not text.endswith(".")  # Title Case: "Other Medical Conditions"
    return bool(re.match(r"^(?:for|in)\s", bare, re.IGNORECASE)) and text.endswith(":")


@dataclass(frozen=True)
class _Heading:
    kind: Section
    header: str | None  # a qualified heading is a group header; a bare one is only a heading
    heading: str | None
    rest: str


def section_heading(text: str) -> _Heading | None:
    """Whether a line opens the inclusion or exclusion section: its kind, the header (when it is
    qualified: "Inclusion Criteria for Cohort A1") or bare heading, and any text after it."""
    line = text.strip()
    match = _KIND.search(line)
    if match is None:
        return None
    prefix = line[: match.start()].strip()
    after = line[match.end() :]
    colon = ":" in after
    qualifier, _, rest = after.partition(":")
    qualifier = " ".join(qualifier.split())
    rest = rest.strip()
    if not match["criteria"] and (prefix or qualifier):
        return None  # "Inclusion of …" is a sentence; a bare "Inclusion" only counts alone
    prefix_words = prefix.casefold().split()
    generic = all(word in _GENERIC_PREFIX for word in prefix_words)
    if not generic and (
        len(prefix_words) > 5
        or prefix[-1:] in ".;,"
        or _SENTENCE.search(prefix)
        or not (colon or _is_label(line))
    ):
        return None  # "Meets inclusion criteria" is a criterion
    head_end = match.end() + len(after.partition(":")[0])
    if qualifier and not colon:
        glued = _words(qualifier) > 15 or (
            not _SCOPE.match(qualifier) and (qualifier[-1] in ".;" or _words(qualifier) > 10)
        )
        if glued:
            rest, qualifier, head_end = " ".join(after.split()), "", match.end()  # glued to its first item
        elif not (_SCOPE.match(qualifier) or _is_label(line)):
            return None  # "Inclusion criteria will be checked at …" is a sentence
    if qualifier and _SENTENCE.search(qualifier) and not _SCOPE.match(qualifier):
        if not generic:
            return None  # "Specific for substudy 4 inclusion criteria as above with …" is a sentence
        qualifier = ""  # "The exclusion criteria were as follows:" is the bare heading, said as a sentence
    kind: Section = "inclusion" if match["kind"].lower() == "inclusion" else "exclusion"
    if match["non"] and kind == "inclusion":
        kind = "exclusion"  # "Non-inclusion criteria" (critères de non-inclusion) exclude
    head = _strip_colon(line[:head_end])
    bare = generic and not qualifier and not match["non"]  # "Non-inclusion criteria" says which kind
    return _Heading(kind, None if bare else head, head if bare else None, rest)


@dataclass
class _Group:
    header: str | None
    lead_ins: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Item:
    text: str
    children: list[_Item] = field(default_factory=list)


class _Reader:
    """Walks the units in reading order, opening sections and groups, placing items by depth."""

    def __init__(self, units: list[_Unit]) -> None:
        self.sections: dict[Section, list[_Group]] = {"inclusion": [], "exclusion": []}
        self.headings: list[str] = []
        self.notes: list[str] = []
        self.section: Section | None = None
        self.group: _Group | None = None
        self.anchor = -1
        self.stack: list[_Item] = []
        events = list(_preorder(units, 0))
        self.real_headers = _real_headers(events)
        for index, (unit, depth) in enumerate(events):
            following = events[index + 1][1] if index + 1 < len(events) else -1
            self.read(unit, depth, index, has_children=following > depth)

    def read(self, unit: _Unit, depth: int, index: int, *, has_children: bool) -> None:
        text = unit.text.strip()
        if depth <= self.anchor:
            self.anchor = depth - 1
        rel = depth - self.anchor
        heading = section_heading(text) if index in self.real_headers else None
        if heading is not None:
            self.open_section(heading, depth)
            if heading.rest.startswith("(") and heading.rest.endswith(")"):
                self.current().lead_ins.append(heading.rest)  # "(Applies to study eye only.)"
            elif heading.rest:
                self.read(_Unit(heading.rest), depth + 1, -1, has_children=False)
            return
        if not _HAS_WORD.search(text):
            return  # a marker-only line ("-", "."): nothing to keep
        if rel == 1 and self.is_header(unit, text, has_children):
            self.open_group(_strip_colon(text), depth)
            return
        itemized = unit.listed or unit.marker is not None  # a list item, or a line with a typed marker
        if rel == 1 and not itemized and _NOTE.search(text) and not has_children:
            self.current().notes.append(text)
            return
        if rel == 1 and not itemized and self.is_lead_in(text, has_children):
            if self.section == "inclusion" and self.current().items and _EXCLUDING.search(text):
                # "A participant who meets any of the following criteria will be excluded …:" with no
                # "Exclusion Criteria" heading opens the exclusion section
                self.open_section(_Heading("exclusion", None, None, ""), depth - 1)
            elif self.current().items and has_children:
                self.add_item(text, rel)  # "Participants must meet all of the following values:" + values
                return
            group = self.current()
            (group.notes if group.items else group.lead_ins).append(text)
            self.anchor = depth
            return
        caps = _CAPS_LABEL.match(text) if rel == 1 and not itemized else None
        if caps is not None:  # "DISEASE CHARACTERISTICS: No more than 1 …" (an old NCI record)
            self.open_group(caps.group(1), depth - 1)
            self.add_item(caps.group(2), 1)
            return
        note = _NOTE.search(text)
        if rel == 1 and itemized and note and not has_children and (note.start() == 0 or _words(text) <= 25):
            self.current().notes.append(text)
            return
        self.add_item(text, rel)

    def is_header(self, unit: _Unit, text: str, has_children: bool) -> bool:
        itemized = unit.listed or unit.marker is not None
        if not text.endswith(":"):
            return not unit.listed and has_children and _is_label(text)
        if _strip_colon(text) and ":" in _strip_colon(text):
            return False  # "SUB-STUDY A: Patients with …:" is a criterion that names its scope
        numbered = unit.marker is not None and unit.marker.family != "bullet"
        if _is_label(text, strong=numbered):
            return True  # a numbered "4. T1DM:" is a criterion with sub-items; "* PRIOR TO STEP 1:" heads
        return not itemized and _words(text) <= 6 and not _LEAD_IN.search(text) and not _SENTENCE.search(text)

    def is_lead_in(self, text: str, has_children: bool) -> bool:
        return text.endswith(":") and _LEAD_IN.search(text) is not None

    def current(self) -> _Group:
        if self.group is None:
            if self.section is None:
                self.section = "inclusion"
            self.group = _Group(None)
            self.sections[self.section].append(self.group)
        return self.group

    def open_section(self, heading: _Heading, depth: int) -> None:
        self.section = heading.kind
        if heading.heading is not None:
            self.headings.append(heading.heading)
        groups = self.sections[heading.kind]
        reuse = groups and heading.header is None and groups[-1].header is None and not groups[-1].items
        self.group = groups[-1] if reuse else _Group(heading.header)
        if not reuse:
            groups.append(self.group)
        self.anchor = depth
        self.stack = []

    def open_group(self, header: str, depth: int) -> None:
        if self.section is None and not self.sections["inclusion"]:
            self.section = "inclusion"
        section = self.section or "inclusion"
        self.group = _Group(header)
        self.sections[section].append(self.group)
        self.anchor = depth
        self.stack = []

    def add_item(self, text: str, rel: int) -> None:
        group = self.current()
        rel = max(1, min(rel, len(self.stack) + 1))
        del self.stack[rel - 1 :]
        item = _Item(text)
        (self.stack[-1].children if self.stack else group.items).append(item)
        self.stack.append(item)

    def result(self) -> Criteria:
        return Criteria(
            headings=tuple(self.headings),
            notes=tuple(self.notes),
            **{
                section: tuple(_freeze(group) for group in groups if _kept(group))
                for section, groups in self.sections.items()
            },
        )


def _kept(group: _Group) -> bool:
    return bool(group.header or group.items or group.notes or group.lead_ins)


def _freeze(group: _Group) -> CriteriaGroup:
    return CriteriaGroup(
        header=group.header,
        lead_ins=tuple(group.lead_ins),
        items=tuple(_criterion(item) for item in group.items),
        notes=tuple(group.notes),
    )


def _criterion(item: _Item) -> Criterion:
    return Criterion(text=item.text, items=tuple(_criterion(child) for child in item.children))


def _preorder(units: list[_Unit], depth: int) -> Iterator[tuple[_Unit, int]]:
    for unit in units:
        yield unit, depth
        yield from _preorder(unit.children, depth + 1)


def _real_headers(events: list[tuple[_Unit, int]]) -> set[int]:
    """Indexes of the section headers that open a section: a nested one only counts when no
    top-level header of its kind follows (NCT04280705 quotes "Exclusion Criteria:" inside an item)."""
    found = [(index, depth, heading.kind) for index, (unit, depth) in enumerate(events)
             if (heading := section_heading(unit.text)) is not None]  # fmt: skip
    real = set()
    for index, depth, kind in found:
        later_top = any(other > index and d == 0 and k == kind for other, d, k in found)
        if depth == 0 or not later_top:
            real.add(index)
    return real


def parse_criteria(text: str | None) -> Criteria:
    """The structure of an eligibility criteria text (Markdown or HTML); empty for no text."""
    if not text or not text.strip():
        return Criteria()
    reader = _Reader(_units(richtext.parse(text)))
    return reader.result()
