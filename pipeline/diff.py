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

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from pipeline.change import (
    At,
    Change,
    Found,
    StoredChange,
    dumps_value,
    gone_upstream_change,
    json_value,
    sort_changes,
)
from pipeline.diff_criteria import criteria_changes, criteria_of, criteria_text_change
from pipeline.diff_entities import (
    ATOMIC,
    ENTITIES,
    NOT_COMPARED,
    VALUE_LISTS,
    Accept,
    EntitySpec,
    Signature,
)
from pipeline.diff_text import WORDS_FOR_DETAIL, compare_text, word_diff
from pipeline.models import Trial, TrialDate
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
    "StoredChange",
    "at_least",
    "compare_text",
    "criteria_of",
    "diff",
    "gone_upstream_change",
    "most_severe",
    "severity_rank",
    "sort_changes",
    "word_diff",
]


def diff(old: Trial, new: Trial, policy: Policy | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, classified by ``policy`` (the packaged default if None)."""
    policy = policy or default_policy()
    found = _Walker(policy).fields(old, new, At("", "", ()))
    if not policy.is_ignored("eligibility.criteria"):
        found += criteria_changes(old, new)
        found += criteria_text_change(old, new, found)
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


# --- the walk -----------------------------------------------------------------------------------


class _Walker:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def fields(
        self, old: BaseModel, new: BaseModel, at: At, skip: frozenset[str] = frozenset()
    ) -> list[Found]:
        """Changes in every field of two models of the same type."""
        found: list[Found] = []
        for name in type(new).model_fields:
            before, after = getattr(old, name), getattr(new, name)
            if name in skip or before == after:
                continue
            found.extend(self.value(before, after, at.attr(name)))
        return found

    def value(self, old: Any, new: Any, at: At) -> list[Found]:
        """Changes between two values of one field, dispatched on what the field holds."""
        if at.template in NOT_COMPARED or self.policy.is_ignored(at.template):
            return []
        sample = new if new is not None else old
        if isinstance(sample, tuple):
            return self.sequence(old, new, at)
        if isinstance(sample, TrialDate):
            return _dates(old, new, at)
        if isinstance(sample, BaseModel) and not isinstance(sample, ATOMIC):
            if old is None or new is None:
                return [_whole(old, new, at)]
            return self.fields(old, new, at)
        return _scalar(old, new, at)

    def sequence(self, old: tuple[Any, ...], new: tuple[Any, ...], at: At) -> list[Found]:
        spec = ENTITIES.get(at.template)
        if spec is not None:
            return self.entities(spec, old, new, at)
        sample = (new or old)[0]
        if at.template in VALUE_LISTS or not isinstance(sample, str):
            return _value_list(old, new, at)
        return _string_set(old, new, at)

    def entities(self, spec: EntitySpec, old: Sequence[Any], new: Sequence[Any], at: At) -> list[Found]:
        """Entities matched by identity: added, removed, and the field changes of matched ones."""
        pairs, removed, added = _match(spec, old, new)
        path_key = spec.path_key or spec.key
        found = [
            Found(at.key(path_key(item), spec.label(item)), "removed", json_value(item), None)
            for item in removed
        ]
        found += [
            Found(at.key(path_key(item), spec.label(item)), "added", None, json_value(item)) for item in added
        ]
        for before, after in pairs:
            if before != after:
                found += self.fields(before, after, at.key(path_key(after), spec.label(after)), spec.skip)
        return found


def _match(
    spec: EntitySpec, old: Sequence[Any], new: Sequence[Any]
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


def _scalar(old: Any, new: Any, at: At) -> list[Found]:
    """A single value; text compared after normalization, long text with a word diff."""
    if isinstance(old, str) and isinstance(new, str):
        if compare_text(old) == compare_text(new):
            return []
        long = max(len(old.split()), len(new.split())) > WORDS_FOR_DETAIL
        return [Found(at, "modified", old, new, word_diff(old, new) if long else None)]
    if old == new:
        return []
    return [_whole(old, new, at)]


def _whole(old: Any, new: Any, at: At) -> Found:
    """A value that appeared, disappeared or was replaced as a whole."""
    kind: ChangeKind = "added" if old is None else "removed" if new is None else "modified"
    return Found(at, kind, json_value(old), json_value(new))


def _dates(old: TrialDate | None, new: TrialDate | None, at: At) -> list[Found]:
    """A date moved (or appeared); its ESTIMATED/ACTUAL type alone is reported apart, at ``.type``."""
    if old is None or new is None:
        return [_whole(old.text if old else None, new.text if new else None, at)]
    found = []
    if (old.date, old.precision) != (new.date, new.precision):
        found.append(Found(at, "modified", old.text, new.text))
    if old.type != new.type:
        found.append(_whole(old.type, new.type, at.attr("type")))
    return found


def _string_set(old: tuple[str, ...], new: tuple[str, ...], at: At) -> list[Found]:
    """A list of names compared as a set (case and spacing ignored): ``conditions[<name>]`` added/removed."""
    before = {compare_text(item).casefold(): compare_text(item) for item in old}
    after = {compare_text(item).casefold(): compare_text(item) for item in new}
    found = [
        Found(at.key(before[k], before[k]), "removed", before[k], None) for k in before if k not in after
    ]
    found += [Found(at.key(after[k], after[k]), "added", None, after[k]) for k in after if k not in before]
    return found


def _value_list(old: tuple[Any, ...], new: tuple[Any, ...], at: At) -> list[Found]:
    """A list that is one fact: compared as a multiset, reported whole."""
    if Counter(map(dumps_value, map(json_value, old))) == Counter(map(dumps_value, map(json_value, new))):
        return []
    return [
        Found(
            at, "modified" if old and new else "added" if new else "removed", json_value(old), json_value(new)
        )
    ]
