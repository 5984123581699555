"""What changed between two versions of a trial, as precise, categorised changes. Pure: no I/O.

``diff(old, new)`` walks the canonical records field by field and reports one ``Change`` per fact that
moved, at a canonical path (``overall_status``, ``eligibility.exclusion[<item>]``,
``locations[<key>].status``). Rules of the walk:

- Text compares after normalization for comparison only (NFC, collapsed whitespace, markdown
  backslash-escapes removed), so reflowed or re-escaped text is no change.
- Lists of entities are matched by identity, never by position: a reorder is no change. Entities whose
  identity key changed but that are clearly the same (a site whose city ClinicalTrials.gov renamed, a
  contact whose phone changed) are paired by a looser signature and reported as edits of their fields.
- Paths name the entity as the record that holds it: removed entities by their old key, added and
  modified ones by their new key, so every path resolves in one of the two records.
- Eligibility criteria are compared through their structure (``pipeline.criteria``), parsed again from
  the criteria text of both records, so records stored by an older parser compare as the current one
  reads them. Groups pair by header (a renamed one by the items it kept); within a pair, criteria are
  multisets of their text, so numbering, markers, nesting and reflow are no change. An edited criterion
  is one ``modified`` change with a word-level ``detail`` at ``eligibility.<section>[<criterion>]``, or
  ``eligibility.<section>[<group header>][<criterion>]`` in a group with a header ("Cohort A1"); one
  moved to another group is removed there and added here, each saying where it went. When no criterion
  changed but a heading, group header, lead-in or note did, the criteria text is one change.
- A date is (date, precision); a change of its ESTIMATED/ACTUAL type alone is reported apart, at
  ``<date>.type`` (info in the default policy).

The policy (pipeline.policy) gives each change its category and severity and names the bookkeeping
fields that are never reported.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

from pipeline.criteria import SECTIONS, Criteria, CriteriaGroup, Criterion, parse_criteria
from pipeline.models import (
    Contact,
    GeoPoint,
    Location,
    Trial,
    TrialDate,
    identity_key,
)
from pipeline.policy import (
    SEVERITY_ORDER,
    ChangeKind,
    Policy,
    Severity,
    at_least,
    default_policy,
    most_severe,
    severity_rank,
)

__all__ = [
    "SEVERITY_ORDER",
    "Change",
    "Severity",
    "at_least",
    "compare_text",
    "diff",
    "gone_upstream_change",
    "most_severe",
    "severity_rank",
    "sort_changes",
    "word_diff",
]


class Change(BaseModel):
    """One fact of a trial that changed between two versions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    """Canonical path, e.g. ``overall_status``, ``locations[<key>].status``."""
    change: ChangeKind
    old: JsonValue = None
    new: JsonValue = None
    category: str
    severity: Severity
    detail: str | None = None
    """For long text: a word-level diff, ``[-removed words-]{+added words+}``, unchanged runs elided."""
    labels: tuple[str, ...] = ()
    """Human names of the entities the bracketed keys of ``field`` stand for, outermost first."""


def sort_changes(changes: Iterable[Change]) -> list[Change]:
    """Most severe first, then by field; fully deterministic."""
    return sorted(
        changes,
        key=lambda c: (severity_rank(c.severity), c.field, c.change, _dumps(c.old), _dumps(c.new)),
    )


def diff(old: Trial, new: Trial, policy: Policy | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, classified by ``policy`` (the packaged default if None)."""
    policy = policy or default_policy()
    found = _Walker(policy).fields(old, new, _At("", "", ()))
    if not policy.is_ignored("eligibility.criteria"):
        found += _criteria_changes(old, new)
        found += _criteria_text_change(old, new, found)
    changes = []
    for item in found:
        category, severity = policy.classify(item.at.template, item.change, item.old, item.new)
        changes.append(
            Change(
                field=item.at.path,
                change=item.change,
                old=item.old,
                new=item.new,
                category=category,
                severity=severity,
                detail=item.detail,
                labels=item.at.labels,
            )
        )
    return sort_changes(changes)


def _criteria_text_change(old: Trial, new: Trial, found: list[_Found]) -> list[_Found]:
    """The criteria text changed where no item did: a heading, group header, lead-in or note changed
    (a header can say which cohort its items apply to). Items say what changed when they can."""
    if any(item.at.template.startswith(("eligibility.inclusion", "eligibility.exclusion")) for item in found):
        return []
    if _criteria_frame(criteria_of(old)) == _criteria_frame(criteria_of(new)):
        return []
    before, after = old.eligibility.criteria or "", new.eligibility.criteria or ""
    at = _At("eligibility.criteria", "eligibility.criteria", ())
    return [_Found(at, "modified", before or None, after or None, word_diff(before, after))]


def _criteria_frame(criteria: Criteria) -> tuple[object, ...]:
    """Everything of the criteria but the items, as compared: headings, group headers, lead-ins, notes."""
    frame: list[object] = [
        tuple(compare_text(text).casefold() for text in (*criteria.headings, *criteria.notes))
    ]
    for section in SECTIONS:
        for group in criteria.groups(section):
            frame.append(
                (
                    section,
                    _group_key(group),
                    tuple(compare_text(text) for text in group.lead_ins),
                    tuple(compare_text(text) for text in group.notes),
                )
            )
    return tuple(frame)


@lru_cache(maxsize=2048)
def _parsed_criteria(text: str | None) -> Criteria:
    return parse_criteria(text)


def criteria_of(trial: Trial) -> Criteria:
    """The criteria structure the differ compares: parsed again from the criteria text, so that records
    stored by an older parser compare as the current parser reads them (a parser upgrade is no change)."""
    return _parsed_criteria(trial.eligibility.criteria)


def gone_upstream_change(nct_id: str, reason: str, policy: Policy | None = None) -> Change:
    """What the sync records when a tracked trial is no longer found upstream (or became an alias)."""
    category, severity = (policy or default_policy()).classify("upstream", "removed", nct_id, None)
    return Change(
        field="upstream",
        change="removed",
        old=nct_id,
        new=None,
        category=category,
        severity=severity,
        detail=reason,
    )


# --- paths --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _At:
    """Where the walk is: the concrete path, its template (keys as ``[*]``) and the entities' names."""

    path: str
    template: str
    labels: tuple[str, ...]

    def attr(self, name: str) -> _At:
        dot = "." if self.path else ""
        return _At(f"{self.path}{dot}{name}", f"{self.template}{dot}{name}", self.labels)

    def key(self, key: str, label: str) -> _At:
        return _At(f"{self.path}[{key}]", f"{self.template}[*]", (*self.labels, label))


@dataclass(frozen=True)
class _Found:
    at: _At
    change: ChangeKind
    old: JsonValue
    new: JsonValue
    detail: str | None = None


# --- text ---------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=~|^&])")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_WORDS_FOR_DETAIL = 8
_CONTEXT_WORDS = 6
_SIMILAR = 0.6


def compare_text(value: str) -> str:
    """Text as compared, never as stored: NFC, markdown escapes removed, whitespace collapsed."""
    value = unicodedata.normalize("NFC", value)
    return " ".join(_ESCAPE.sub(r"\1", value).split())


def word_diff(old: str, new: str) -> str:
    """A plain-text word diff, sentence by sentence: ``[-old words-]{+new words+}``, context elided."""
    old_sentences = _SENTENCE_END.split(compare_text(old))
    new_sentences = _SENTENCE_END.split(compare_text(new))
    blocks = []
    matcher = SequenceMatcher(None, old_sentences, new_sentences, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            blocks.append(_word_block(" ".join(old_sentences[i1:i2]), " ".join(new_sentences[j1:j2])))
    return " … ".join(blocks)


def _word_block(old: str, new: str) -> str:
    """Word-level markup of one changed run of sentences, with long unchanged runs elided."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(_elide(a[i1:i2], first=i1 == 0, last=i2 == len(a)))
            continue
        removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
        added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
        out.append(removed + added)
    return " ".join(out)


def _elide(words: list[str], *, first: bool, last: bool) -> list[str]:
    """Unchanged words between changes: keep a few next to each change, elide the middle."""
    head = 0 if first else _CONTEXT_WORDS  # words just after a change
    tail = 0 if last else _CONTEXT_WORDS  # words just before a change
    if len(words) <= head + tail + 1:
        return words
    return [*words[:head], "…", *words[len(words) - tail :]]


def _fold(*parts: str | None) -> str:
    """A loose signature: accents, case, punctuation and spacing ignored (for pairing only)."""
    folded = []
    for part in parts:
        text = unicodedata.normalize("NFKD", part or "")
        text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
        folded.append(" ".join(re.sub(r"[^\w]+", " ", text).split()))
    return "|".join(folded)


# --- entity lists -------------------------------------------------------------------------------

Signature = Callable[[Any], str | None]
Accept = Callable[[Any, Any], bool]


def _always(_old: Any, _new: Any) -> bool:
    return True


@dataclass(frozen=True)
class _EntitySpec:
    """How to match the items of one list: identity, display name, and looser pairings."""

    key: Callable[[Any], str]
    """Identity; duplicates are matched by content, then in order."""
    label: Callable[[Any], str]
    path_key: Callable[[Any], str] | None = None
    """The key written in the path, when the model carries one (Location.key); else ``key``."""
    pairings: tuple[tuple[Signature, Accept], ...] = ()
    """Tried in order on unmatched items: a signature unique on both sides pairs them if accepted."""
    skip: frozenset[str] = frozenset()


def _location_label(loc: Location) -> str:
    return ", ".join(part for part in (loc.facility, loc.city, loc.state, loc.country) if part)


def _location_base_key(loc: Location) -> str:
    # The normalizer numbers repeated sites (#2); match on the unnumbered identity, then by content.
    return identity_key(loc.facility, loc.city, loc.state, loc.country, loc.zip)


def _near(old: Location, new: Location) -> bool:
    """Both sites geocoded within 25 km of each other (same place, renamed city)."""
    if old.geo_point is None or new.geo_point is None:
        return False
    return _km(old.geo_point, new.geo_point) <= 25.0


def _km(a: GeoPoint, b: GeoPoint) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _with_zip(*fields: str) -> Signature:
    def signature(loc: Location) -> str | None:
        return _fold(*(getattr(loc, name) for name in fields)) if loc.zip else None

    return signature


_LOCATION = _EntitySpec(
    key=_location_base_key,
    label=_location_label,
    path_key=lambda loc: loc.key,
    pairings=(
        # ClinicalTrials.gov re-geocodes addresses (Taichung City -> Taichung, states dropped): the same
        # facility at the same postcode, or in the same city, or a few km away, is the same site.
        (_with_zip("facility", "country", "zip"), _always),
        (lambda loc: _fold(loc.facility, loc.country, loc.city), _always),
        (_with_zip("country", "zip", "city"), _always),
        (lambda loc: _fold(loc.facility, loc.country), _near),
    ),
    skip=frozenset({"key"}),
)


def _contact_label(contact: Contact) -> str:
    return contact.name or contact.email or contact.phone or "(unnamed)"


_CONTACT = _EntitySpec(
    key=lambda c: c.key,
    label=_contact_label,
    # the same person with a new phone or email is an edit, not a removal and an addition
    pairings=((lambda c: _fold(c.name) if c.name else None, _always),),
)

_ENTITIES: dict[str, _EntitySpec] = {
    "locations": _LOCATION,
    "locations[*].contacts": _CONTACT,
    "central_contacts": _CONTACT,
    "overall_officials": _EntitySpec(
        key=lambda o: identity_key(o.name, o.affiliation),
        label=lambda o: o.name or o.affiliation or "(unnamed)",
        pairings=(
            (lambda o: _fold(o.name) if o.name else None, _always),
            (lambda o: _fold(o.role, o.affiliation) if o.role else None, _always),
        ),
    ),
    "interventions": _EntitySpec(
        key=lambda i: i.key,
        label=lambda i: i.name,
        pairings=((lambda i: _fold(i.name), _always),),
    ),
    "arm_groups": _EntitySpec(key=lambda a: identity_key(a.label), label=lambda a: a.label),
    "outcomes": _EntitySpec(key=lambda o: identity_key(o.measure), label=lambda o: o.measure),
    "collaborators": _EntitySpec(key=lambda o: identity_key(o.name), label=lambda o: o.name),
    "secondary_ids": _EntitySpec(key=lambda s: identity_key(s.id), label=lambda s: s.id),
    "references": _EntitySpec(
        key=lambda r: identity_key(r.pmid) if r.pmid else identity_key(r.citation),
        label=lambda r: r.citation or f"PMID {r.pmid}",
    ),
    "see_also_links": _EntitySpec(
        key=lambda link: identity_key(link.url, link.label), label=lambda link: link.label or link.url or ""
    ),
    "available_ipds": _EntitySpec(
        key=lambda ipd: identity_key(ipd.id, ipd.type, ipd.url), label=lambda ipd: ipd.type or ipd.id or ""
    ),
    "condition_mesh_terms": _EntitySpec(key=lambda m: m.id, label=lambda m: m.term),
    "intervention_mesh_terms": _EntitySpec(key=lambda m: m.id, label=lambda m: m.term),
}

# Lists whose whole value is one fact ("Phase 1, Phase 2"): one change with both lists, order ignored.
_VALUE_LISTS = frozenset(
    {
        "phases",
        "eligibility.std_ages",
        "design.who_masked",
        "design.expanded_access_types",
        "ipd_sharing.info_types",
    }
)
# Not facts of their own: the criteria (text, structure, flat lists) are compared apart, through their
# structure (``_criteria_changes``); a site's key is its identity.
_NOT_COMPARED = frozenset(
    {
        "eligibility.criteria",
        "eligibility.structure",
        "eligibility.inclusion",
        "eligibility.exclusion",
        "locations[*].key",
    }
)
# Values ClinicalTrials.gov computes and whose sub-fields mean nothing apart.
_ATOMIC = (GeoPoint,)


# --- the walk -----------------------------------------------------------------------------------


class _Walker:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def fields(
        self, old: BaseModel, new: BaseModel, at: _At, skip: frozenset[str] = frozenset()
    ) -> list[_Found]:
        """Changes in every field of two models of the same type."""
        found: list[_Found] = []
        for name in type(new).model_fields:
            before, after = getattr(old, name), getattr(new, name)
            if name in skip or before == after:
                continue
            found.extend(self.value(before, after, at.attr(name)))
        return found

    def value(self, old: Any, new: Any, at: _At) -> list[_Found]:
        """Changes between two values of one field, dispatched on what the field holds."""
        if at.template in _NOT_COMPARED or self.policy.is_ignored(at.template):
            return []
        sample = new if new is not None else old
        if isinstance(sample, tuple):
            return self.sequence(old, new, at)
        if isinstance(sample, TrialDate):
            return _dates(old, new, at)
        if isinstance(sample, BaseModel) and not isinstance(sample, _ATOMIC):
            if old is None or new is None:
                return [_whole(old, new, at)]
            return self.fields(old, new, at)
        return _scalar(old, new, at)

    def sequence(self, old: tuple[Any, ...], new: tuple[Any, ...], at: _At) -> list[_Found]:
        spec = _ENTITIES.get(at.template)
        if spec is not None:
            return self.entities(spec, old, new, at)
        sample = (new or old)[0]
        if at.template in _VALUE_LISTS or not isinstance(sample, str):
            return _value_list(old, new, at)
        return _string_set(old, new, at)

    def entities(self, spec: _EntitySpec, old: Sequence[Any], new: Sequence[Any], at: _At) -> list[_Found]:
        """Entities matched by identity: added, removed, and the field changes of matched ones."""
        pairs, removed, added = _match(spec, old, new)
        path_key = spec.path_key or spec.key
        found = [
            _Found(at.key(path_key(item), spec.label(item)), "removed", _json(item), None) for item in removed
        ]
        found += [
            _Found(at.key(path_key(item), spec.label(item)), "added", None, _json(item)) for item in added
        ]
        for before, after in pairs:
            if before != after:
                found += self.fields(before, after, at.key(path_key(after), spec.label(after)), spec.skip)
        return found


def _match(
    spec: _EntitySpec, old: Sequence[Any], new: Sequence[Any]
) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
    """(matched pairs, unmatched old, unmatched new), by key first and then by the looser pairings."""
    old_groups = _group(old, spec.key)
    new_groups = _group(new, spec.key)
    pairs: list[tuple[Any, Any]] = []
    removed: list[Any] = []
    added: list[Any] = []
    for key, olds in old_groups.items():
        news = new_groups.get(key, [])
        matched, left_old, left_new = _match_duplicates(olds, news, spec.skip)
        pairs += matched
        removed += left_old
        added += left_new
    for key, news in new_groups.items():
        if key not in old_groups:
            added += news
    for signature, accept in spec.pairings:
        if not removed or not added:
            break
        more, removed, added = _pair_by(signature, accept, removed, added)
        pairs += more
    return pairs, removed, added


def _group(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _match_duplicates(
    olds: list[Any], news: list[Any], skip: frozenset[str]
) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
    """Items sharing one identity key: identical ones pair first, the rest in list order."""
    if len(olds) == 1 and len(news) == 1:
        return [(olds[0], news[0])], [], []
    content = [item.model_dump(exclude=set(skip)) for item in news]
    free = list(range(len(news)))
    pairs: list[tuple[Any, Any]] = []
    left_old: list[Any] = []
    for item in olds:
        dumped = item.model_dump(exclude=set(skip))
        same = next((index for index in free if content[index] == dumped), None)
        if same is None:
            left_old.append(item)
        else:
            free.remove(same)
            pairs.append((item, news[same]))
    left_new = [news[index] for index in free]
    count = min(len(left_old), len(left_new))
    pairs += list(zip(left_old[:count], left_new[:count], strict=True))
    return pairs, left_old[count:], left_new[count:]


def _pair_by(
    signature: Signature, accept: Accept, removed: list[Any], added: list[Any]
) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
    """Pair unmatched items whose signature is unique on both sides (ambiguity pairs nothing)."""
    old_by = _group_some(removed, signature)
    new_by = _group_some(added, signature)
    pairs = []
    for sig, olds in old_by.items():
        news = new_by.get(sig, [])
        if len(olds) == 1 and len(news) == 1 and accept(olds[0], news[0]):
            pairs.append((olds[0], news[0]))
    paired_old = {id(a) for a, _ in pairs}
    paired_new = {id(b) for _, b in pairs}
    return (
        pairs,
        [item for item in removed if id(item) not in paired_old],
        [item for item in added if id(item) not in paired_new],
    )


def _group_some(items: list[Any], signature: Signature) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for item in items:
        sig = signature(item)
        if sig is not None:
            groups.setdefault(sig, []).append(item)
    return groups


# --- leaf comparisons ---------------------------------------------------------------------------


def _scalar(old: Any, new: Any, at: _At) -> list[_Found]:
    """A single value; text compared after normalization, long text with a word diff."""
    if isinstance(old, str) and isinstance(new, str):
        if compare_text(old) == compare_text(new):
            return []
        long = max(len(old.split()), len(new.split())) > _WORDS_FOR_DETAIL
        return [_Found(at, "modified", old, new, word_diff(old, new) if long else None)]
    if old == new:
        return []
    return [_whole(old, new, at)]


def _whole(old: Any, new: Any, at: _At) -> _Found:
    """A value that appeared, disappeared or was replaced as a whole."""
    kind: ChangeKind = "added" if old is None else "removed" if new is None else "modified"
    return _Found(at, kind, _json(old), _json(new))


def _dates(old: TrialDate | None, new: TrialDate | None, at: _At) -> list[_Found]:
    """A date moved (or appeared); its ESTIMATED/ACTUAL type alone is reported apart, at ``.type``."""
    if old is None or new is None:
        return [_whole(old.text if old else None, new.text if new else None, at)]
    found = []
    if (old.date, old.precision) != (new.date, new.precision):
        found.append(_Found(at, "modified", old.text, new.text))
    if old.type != new.type:
        found.append(_whole(old.type, new.type, at.attr("type")))
    return found


def _string_set(old: tuple[str, ...], new: tuple[str, ...], at: _At) -> list[_Found]:
    """A list of names compared as a set (case and spacing ignored): ``conditions[<name>]`` added/removed."""
    before = {compare_text(item).casefold(): compare_text(item) for item in old}
    after = {compare_text(item).casefold(): compare_text(item) for item in new}
    found = [
        _Found(at.key(before[k], before[k]), "removed", before[k], None) for k in before if k not in after
    ]
    found += [_Found(at.key(after[k], after[k]), "added", None, after[k]) for k in after if k not in before]
    return found


def _value_list(old: tuple[Any, ...], new: tuple[Any, ...], at: _At) -> list[_Found]:
    """A list that is one fact: compared as a multiset, reported whole."""
    if Counter(map(_dumps, map(_json, old))) == Counter(map(_dumps, map(_json, new))):
        return []
    return [_Found(at, "modified" if old and new else "added" if new else "removed", _json(old), _json(new))]


def _criteria_changes(old: Trial, new: Trial) -> list[_Found]:
    """Criteria compared group by group: items added, removed, edited, or moved to another group.

    Groups pair by header, then (a renamed header) by the items they share. Within a pair of groups
    items compare as multisets of their text (numbering, markers, nesting and reflow are no change);
    a criterion whose text leaves one group and appears in another is removed there and added here.
    """
    before, after = criteria_of(old), criteria_of(new)
    found: list[_Found] = []
    for section in SECTIONS:
        at = _At(f"eligibility.{section}", f"eligibility.{section}", ())
        removed: list[tuple[CriteriaGroup, str]] = []
        added: list[tuple[CriteriaGroup, str]] = []
        for old_group, new_group in _pair_groups(before.groups(section), after.groups(section)):
            found += _group_items(old_group, new_group, at, removed, added)
        found += _moved_or_gone(removed, added, at)
    return found


def _group_items(
    old: CriteriaGroup | None,
    new: CriteriaGroup | None,
    at: _At,
    removed: list[tuple[CriteriaGroup, str]],
    added: list[tuple[CriteriaGroup, str]],
) -> list[_Found]:
    """Edits within one pair of groups; removed and added items are left for ``_moved_or_gone``."""
    before = [_criterion_key(item) for item in _item_texts(old)]
    after = [_criterion_key(item) for item in _item_texts(new)]
    if " ".join(before) == " ".join(after):
        return []  # same words, only split or nested differently
    gone = list((Counter(before) - Counter(after)).elements())
    came = list((Counter(after) - Counter(before)).elements())
    pairs, gone, came = _pair_similar(gone, came)
    group = new or old
    assert group is not None
    where = _group_at(at, group)
    found = [_Found(where.key(b, b), "modified", a, b, word_diff(a, b)) for a, b in pairs]
    removed += [(old, item) for item in gone if old is not None]
    added += [(new, item) for item in came if new is not None]
    return found


def _moved_or_gone(
    removed: list[tuple[CriteriaGroup, str]], added: list[tuple[CriteriaGroup, str]], at: _At
) -> list[_Found]:
    """Removed and added items; one that left a group for another says where it went."""
    arrived = Counter(item for _, item in added)
    left = Counter(item for _, item in removed)
    found = []
    for group, item in removed:
        moved = arrived[item] > 0
        detail = f"moved to {_group_name(_first_group(added, item))}" if moved else None
        found.append(_Found(_group_at(at, group).key(item, item), "removed", item, None, detail))
    for group, item in added:
        moved = left[item] > 0
        detail = f"moved from {_group_name(_first_group(removed, item))}" if moved else None
        found.append(_Found(_group_at(at, group).key(item, item), "added", None, item, detail))
    return found


def _first_group(entries: list[tuple[CriteriaGroup, str]], item: str) -> CriteriaGroup:
    return next(group for group, text in entries if text == item)


def _group_name(group: CriteriaGroup) -> str:
    return f'"{compare_text(group.header)}"' if group.header else "the section's own items"


def _group_at(at: _At, group: CriteriaGroup) -> _At:
    """``eligibility.inclusion`` for a section's own items, ``eligibility.inclusion[<header>]`` in a group."""
    if group.header is None:
        return at
    header = compare_text(group.header)
    return at.key(header, header)


def _group_key(group: CriteriaGroup) -> str:
    return compare_text(group.header).casefold() if group.header else ""


def _item_texts(group: CriteriaGroup | None) -> list[str]:
    return [] if group is None else [text for item in group.items for text in _subtree_texts(item)]


def _subtree_texts(item: Criterion) -> list[str]:
    return [item.text, *(text for child in item.items for text in _subtree_texts(child))]


def _pair_groups(
    old: tuple[CriteriaGroup, ...], new: tuple[CriteriaGroup, ...]
) -> list[tuple[CriteriaGroup | None, CriteriaGroup | None]]:
    """Groups of one section paired: same header first, then a renamed one by the items it kept."""
    pairs: list[tuple[CriteriaGroup | None, CriteriaGroup | None]] = []
    free_new = list(new)
    left_old = []
    for group in old:
        same = next((other for other in free_new if _group_key(other) == _group_key(group)), None)
        if same is None:
            left_old.append(group)
        else:
            free_new.remove(same)
            pairs.append((group, same))
    for group in left_old:
        mine = Counter(_criterion_key(text) for text in _item_texts(group))
        best, best_shared = None, 0
        for other in free_new:
            shared = sum((mine & Counter(_criterion_key(text) for text in _item_texts(other))).values())
            if shared > best_shared:
                best, best_shared = other, shared
        if best is not None and best_shared * 2 >= max(1, sum(mine.values())):
            free_new.remove(best)
            pairs.append((group, best))
        else:
            pairs.append((group, None))
    pairs += [(None, group) for group in free_new]
    return pairs


def _criterion_key(item: str) -> str:
    return compare_text(item)


def _pair_similar(gone: list[str], came: list[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Greedily pair the most similar removed and added items (ratio >= 0.6) as edits."""
    if len(gone) * len(came) > 10_000:
        return [], gone, came  # a rewrite, not an edit: report items as they are
    candidates = []
    for i, a in enumerate(gone):
        for j, b in enumerate(came):
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            if matcher.real_quick_ratio() >= _SIMILAR and matcher.quick_ratio() >= _SIMILAR:
                ratio = matcher.ratio()
                if ratio >= _SIMILAR:
                    candidates.append((-ratio, i, j))
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((gone[i], came[j]))
    rest_gone = [item for i, item in enumerate(gone) if i not in used_old]
    rest_came = [item for j, item in enumerate(came) if j not in used_new]
    return pairs, rest_gone, rest_came


def _json(value: Any) -> JsonValue:
    """A plain JSON value: models dumped in JSON mode, tuples as lists."""
    if isinstance(value, BaseModel):
        dumped: JsonValue = value.model_dump(mode="json")
        return dumped
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _dumps(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
