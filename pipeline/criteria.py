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

from pipeline.criteria_markers import Marker, read_marker
from pipeline.criteria_model import (
    SECTIONS,
    Criteria,
    CriteriaGroup,
    Criterion,
    FlatCriterion,
    Section,
)
from pipeline.criteria_parse import parse_criteria
from pipeline.criteria_words import section_heading

__all__ = [
    "SECTIONS",
    "Criteria",
    "CriteriaGroup",
    "Criterion",
    "FlatCriterion",
    "Marker",
    "Section",
    "parse_criteria",
    "read_marker",
    "section_heading",
]
