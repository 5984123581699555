"""The criteria structure as the sponsor wrote it: sections, groups, nested items, and its flat view
(``trial_criteria``). Pure: no I/O; ``pipeline.criteria`` says how it is read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

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
