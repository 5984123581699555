"""The lines of criteria text as units, nested by lists and markers: the first step of reading the
structure. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline import richtext
from pipeline.criteria_markers import ROMAN, ROMAN_ALT, Marker, read_marker
from pipeline.criteria_words import HAS_WORD, NOTE, is_label, section_heading, word_count

# --- units: the lines of the text, nested by lists and markers ----------------------------------


@dataclass
class Unit:
    text: str
    marker: Marker | None = None
    listed: bool = False  # a Markdown/HTML list item
    style: tuple[object, ...] = ()  # how siblings are recognised (marker style or list identity)
    children: list[Unit] = field(default_factory=list)


def read_units(blocks: tuple[richtext.Block, ...]) -> list[Unit]:
    """The blocks of one level as a sibling sequence of units, nested by their markers."""
    flat: list[Unit] = []
    for block in blocks:
        if isinstance(block, richtext.Paragraph):
            for line in block.lines:
                flat.extend(_line_units(line))
        else:
            flat.extend(_list_units(block))
    return _nest(flat)


def _list_units(block: richtext.ListBlock) -> list[Unit]:
    units = []
    identity = ("list", id(block))
    for number, item in enumerate(block.items, start=block.start):
        head = item[0] if item and isinstance(item[0], richtext.Paragraph) else None
        lines = head.lines if head is not None else ()
        rest = item[1:] if head is not None else item
        first = lines[0] if lines else ""
        marker, text = read_marker(first)
        unit = Unit(text if marker else first, marker, listed=True)
        unit.style = _style(marker) if marker else identity
        if marker is None and block.ordered:
            unit.marker = Marker("decimal", "list", number)
        pieces = _split_run(unit)
        units.extend(pieces[:-1])
        unit = pieces[-1]
        children: list[Unit] = list(unit.children)
        # soft-broken lines of the item's text: continuations, unless they carry a marker
        for line in lines[1:]:
            line_marker, _ = read_marker(line)
            if not HAS_WORD.search(line):
                continue  # a stray "-" under an item
            if line_marker is None and not children:
                unit.text = _join(unit.text, line)
            else:
                children.extend(_line_units(line))
        for child in rest:
            if isinstance(child, richtext.Paragraph):
                for line in child.lines:
                    line_marker, _ = read_marker(line)
                    if not HAS_WORD.search(line):
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


def _line_units(line: str) -> list[Unit]:
    """One line of paragraph text: a unit (split where numbered items run together)."""
    marker, text = read_marker(line)
    unit = Unit(text if marker else line, marker, style=_style(marker) if marker else ())
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
    + ROMAN_ALT
    + r")\)|(?:\d{1,3}|[a-zA-Z]|"
    + ROMAN_ALT
    + r")[.)])"
    r"(?=\s*[A-Za-z(])"
)


def _split_run(unit: Unit) -> list[Unit]:
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
        if marker.letter in ROMAN and not (expected is not None and _continues(expected, marker)):
            marker = Marker(marker.family.replace("alpha", "roman"), marker.delimiter, ROMAN[marker.letter])
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
    if len(pieces) < needed or any(word_count(text[end:stop]) < 2 for (_, end, _), stop in spans):
        return [unit]  # "as defined in (i), (ii) or (iii)" names items, it does not list them
    first = Unit(before, unit.marker, unit.listed, unit.style, unit.children)
    rest: list[Unit] = []
    for index, (_, end, marker) in enumerate(pieces):
        stop = pieces[index + 1][0] if index + 1 < len(pieces) else len(text)
        piece = Unit(text[end:stop].strip(), marker, unit.listed, style=unit.style)
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
    last: Unit | None
    last_marker: Marker | None
    into: list[Unit]


_BARE_NUMBER = re.compile(r"^(\d{1,2})(?:\s+|(?=[^\W\d_]))(?=\S)")


def _bare_sequences(units: list[Unit]) -> None:
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


def _nest(units: list[Unit]) -> list[Unit]:
    """Nest a sibling sequence by marker style: a new style opens a sub-list, a known one returns to it."""
    _bare_sequences(units)
    if len(units) < 2:
        return units
    result: list[Unit] = []
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


def _continues_text(last: Unit, unit: Unit) -> bool:
    """A plain paragraph among sub-items continues the one above it (unless it heads something)."""
    text = unit.text
    return (
        not unit.style
        and not last.listed  # text after a Markdown list is outside it
        and not unit.children
        and not last.text.endswith(":")
        and not text.endswith(":")
        and not is_label(text)
        and section_heading(text) is None
        and NOTE.search(text) is None
    )


def _family(unit: Unit) -> str:
    return unit.marker.family if unit.marker else ""


def _resolve(unit: Unit, levels: list[_Level]) -> Marker | None:
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
    if marker.letter in ROMAN and marker.family.startswith("alpha"):
        case = marker.family.split("-")[1]
        alpha_next = any(
            level.family == marker.family
            and level.last_marker
            and level.last_marker.ordinal == marker.ordinal - 1
            for level in levels
        )
        roman_open = any(level.family == f"roman-{case}" for level in levels)
        if not alpha_next and (marker.letter == "i" or roman_open):
            roman = Marker(f"roman-{case}", marker.delimiter, ROMAN[marker.letter])
            unit.marker, unit.style = roman, _style(roman)
            return roman
    return marker


def _matching_level(unit: Unit, marker: Marker | None, levels: list[_Level]) -> int | None:
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


def _opens_sub_list(parent: Unit, unit: Unit, marker: Marker | None) -> bool:
    """Whether ``unit`` (whose style no open level has) nests under the unit before it."""
    if parent.text.endswith(":") or is_label(parent.text):
        return True
    if unit.listed and (marker is None or marker.delimiter == "list"):
        return False  # a Markdown list after a sentence stands beside it
    return marker is not None and (marker.family == "bullet" or marker.ordinal == 1)
