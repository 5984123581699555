"""Reading criteria text into its structure: units become sections, groups, items and notes.
Pure: no I/O; ``parse_criteria`` is the entry point."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline import richtext
from pipeline.criteria_model import Criteria, CriteriaGroup, Criterion, Section
from pipeline.criteria_units import Unit, read_units
from pipeline.criteria_words import (
    CAPS_LABEL,
    EXCLUDING,
    HAS_WORD,
    LEAD_IN,
    NOTE,
    SENTENCE,
    Heading,
    is_label,
    section_heading,
    strip_colon,
    word_count,
)


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

    def __init__(self, units: list[Unit]) -> None:
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

    def read(self, unit: Unit, depth: int, index: int, *, has_children: bool) -> None:
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
                self.read(Unit(heading.rest), depth + 1, -1, has_children=False)
            return
        if not HAS_WORD.search(text):
            return  # a marker-only line ("-", "."): nothing to keep
        if rel == 1 and self.is_header(unit, text, has_children):
            self.open_group(strip_colon(text), depth)
            return
        itemized = unit.listed or unit.marker is not None  # a list item, or a line with a typed marker
        if rel == 1 and not itemized and NOTE.search(text) and not has_children:
            self.current().notes.append(text)
            return
        if rel == 1 and not itemized and self.is_lead_in(text, has_children):
            if self.section == "inclusion" and self.current().items and EXCLUDING.search(text):
                # "A participant who meets any of the following criteria will be excluded …:" with no
                # "Exclusion Criteria" heading opens the exclusion section
                self.open_section(Heading("exclusion", None, None, ""), depth - 1)
            elif self.current().items and has_children:
                self.add_item(text, rel)  # "Participants must meet all of the following values:" + values
                return
            group = self.current()
            (group.notes if group.items else group.lead_ins).append(text)
            self.anchor = depth
            return
        caps = CAPS_LABEL.match(text) if rel == 1 and not itemized else None
        if caps is not None:  # "DISEASE CHARACTERISTICS: No more than 1 …" (an old NCI record)
            self.open_group(caps.group(1), depth - 1)
            self.add_item(caps.group(2), 1)
            return
        note = NOTE.search(text)
        if (
            rel == 1
            and itemized
            and note
            and not has_children
            and (note.start() == 0 or word_count(text) <= 25)
        ):
            self.current().notes.append(text)
            return
        self.add_item(text, rel)

    def is_header(self, unit: Unit, text: str, has_children: bool) -> bool:
        itemized = unit.listed or unit.marker is not None
        if not text.endswith(":"):
            return not unit.listed and has_children and is_label(text)
        if strip_colon(text) and ":" in strip_colon(text):
            return False  # "SUB-STUDY A: Patients with …:" is a criterion that names its scope
        numbered = unit.marker is not None and unit.marker.family != "bullet"
        if is_label(text, strong=numbered):
            return True  # a numbered "4. T1DM:" is a criterion with sub-items; "* PRIOR TO STEP 1:" heads
        return (
            not itemized and word_count(text) <= 6 and not LEAD_IN.search(text) and not SENTENCE.search(text)
        )

    def is_lead_in(self, text: str, has_children: bool) -> bool:
        return text.endswith(":") and LEAD_IN.search(text) is not None

    def current(self) -> _Group:
        if self.group is None:
            if self.section is None:
                self.section = "inclusion"
            self.group = _Group(None)
            self.sections[self.section].append(self.group)
        return self.group

    def open_section(self, heading: Heading, depth: int) -> None:
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


def _preorder(units: list[Unit], depth: int) -> Iterator[tuple[Unit, int]]:
    for unit in units:
        yield unit, depth
        yield from _preorder(unit.children, depth + 1)


def _real_headers(events: list[tuple[Unit, int]]) -> set[int]:
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
    reader = _Reader(read_units(richtext.parse(text)))
    return reader.result()
