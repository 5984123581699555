"""How criteria lines read: section headings, labels, lead-ins, notes. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.criteria_model import Section

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
SENTENCE = re.compile(
    r"\b(?:meets?|met|meeting|apply|applies|applied|were|are|is|was|be|includes?|included|including|"
    r"fulfil+s?|fulfilled|must|should|shall|will|would|may|can|could|have|has|had|as follows|following|"
    r"below|defined|need|needs|require[sd]?)\b",
    re.IGNORECASE,
)
_SCOPE = re.compile(r"^(?:for|in|of|specific|applicable|only|\(|-|–|—|\[)", re.IGNORECASE)
LEAD_IN = re.compile(
    r"\b(?:criteri(?:a|on)|eligib\w*|exclu(?:ded|sion|sions|ding)|inclusion|included in|enrol\w*|"
    r"participat\w*)\b",
    re.IGNORECASE,
)
NOTE = re.compile(
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
HAS_WORD = re.compile(r"\w")
EXCLUDING = re.compile(r"\b(?:exclud\w*|exclusion|not (?:be )?eligible|ineligible)\b", re.IGNORECASE)
CAPS_LABEL = re.compile(r"^([A-Z][A-Z/&,()-]*(?: [A-Z/&,()-]+){1,5}):\s+(\S.*)$", re.DOTALL)


def word_count(text: str) -> int:
    return len(text.split())


def strip_colon(text: str) -> str:
    return text.rstrip().rstrip(":").rstrip()


def is_label(text: str, *, strong: bool = False) -> bool:
    """A short title-like line ("Cohort A1", "PRIOR CONCURRENT THERAPY", "Diabetes related"); ``strong``
    asks for a cohort/part/population word, not only capitals."""
    bare = strip_colon(text)
    if re.search(r"\([nN]\s*=\s*\d+\)$", bare) and word_count(bare) <= 12:
        return True  # a population with its size: "Post-COVID-19 Convalescence (n=1190)"
    if bare.startswith("(") and bare.endswith(")"):
        bare = bare[1:-1].strip()
    elif bare.endswith(")") and "(" in bare[1:]:
        bare = bare[: bare.rindex("(")].strip() or bare  # "All Diabetics (Groups A, B, C)"
    if not bare or word_count(bare) > 12 or bare[-1] in ".;," or SENTENCE.search(bare):
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
class Heading:
    kind: Section
    header: str | None  # a qualified heading is a group header; a bare one is only a heading
    heading: str | None
    rest: str


def section_heading(text: str) -> Heading | None:
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
        or SENTENCE.search(prefix)
        or not (colon or is_label(line))
    ):
        return None  # "Meets inclusion criteria" is a criterion
    head_end = match.end() + len(after.partition(":")[0])
    if qualifier and not colon:
        glued = word_count(qualifier) > 15 or (
            not _SCOPE.match(qualifier) and (qualifier[-1] in ".;" or word_count(qualifier) > 10)
        )
        if glued:
            rest, qualifier, head_end = " ".join(after.split()), "", match.end()  # glued to its first item
        elif not (_SCOPE.match(qualifier) or is_label(line)):
            return None  # "Inclusion criteria will be checked at …" is a sentence
    if qualifier and SENTENCE.search(qualifier) and not _SCOPE.match(qualifier):
        if not generic:
            return None  # "Specific for substudy 4 inclusion criteria as above with …" is a sentence
        qualifier = ""  # "The exclusion criteria were as follows:" is the bare heading, said as a sentence
    kind: Section = "inclusion" if match["kind"].lower() == "inclusion" else "exclusion"
    if match["non"] and kind == "inclusion":
        kind = "exclusion"  # "Non-inclusion criteria" (critères de non-inclusion) exclude
    head = strip_colon(line[:head_end])
    bare = generic and not qualifier and not match["non"]  # "Non-inclusion criteria" says which kind
    return Heading(kind, None if bare else head, head if bare else None, rest)
