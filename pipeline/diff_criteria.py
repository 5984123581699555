"""Eligibility criteria compared through their structure: groups paired by header, criteria as multisets
of their text, an edited criterion one change with a word-level detail. Pure: no I/O (see ``diff``)."""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

from pipeline.change import At, Found
from pipeline.criteria import SECTIONS, Criteria, CriteriaGroup, Criterion, parse_criteria
from pipeline.diff_text import compare_text, word_diff
from pipeline.models import Trial

_SIMILAR = 0.6
"""How alike an edited criterion's old and new text are at least, to be one edit, not a swap."""


def criteria_text_change(old: Trial, new: Trial, found: list[Found]) -> list[Found]:
    """The criteria text changed where no item did: a heading, group header, lead-in or note changed
    (a header can say which cohort its items apply to). Items say what changed when they can."""
    if any(item.at.template.startswith(("eligibility.inclusion", "eligibility.exclusion")) for item in found):
        return []
    if _criteria_frame(criteria_of(old)) == _criteria_frame(criteria_of(new)):
        return []
    before, after = old.eligibility.criteria or "", new.eligibility.criteria or ""
    at = At("eligibility.criteria", "eligibility.criteria", ())
    return [Found(at, "modified", before or None, after or None, word_diff(before, after))]


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


def criteria_changes(old: Trial, new: Trial) -> list[Found]:
    """Criteria compared group by group: items added, removed, edited, or moved to another group.

    Groups pair by header, then (a renamed header) by the items they share. Within a pair of groups
    items compare as multisets of their text (numbering, markers, nesting and reflow are no change);
    a criterion whose text leaves one group and appears in another is removed there and added here.
    """
    before, after = criteria_of(old), criteria_of(new)
    found: list[Found] = []
    for section in SECTIONS:
        at = At(f"eligibility.{section}", f"eligibility.{section}", ())
        removed: list[tuple[CriteriaGroup, str]] = []
        added: list[tuple[CriteriaGroup, str]] = []
        for old_group, new_group in _pair_groups(before.groups(section), after.groups(section)):
            found += _group_items(old_group, new_group, at, removed, added)
        found += _moved_or_gone(removed, added, at)
    return found


def _group_items(
    old: CriteriaGroup | None,
    new: CriteriaGroup | None,
    at: At,
    removed: list[tuple[CriteriaGroup, str]],
    added: list[tuple[CriteriaGroup, str]],
) -> list[Found]:
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
    found = [Found(where.key(b, b), "modified", a, b, word_diff(a, b)) for a, b in pairs]
    removed += [(old, item) for item in gone if old is not None]
    added += [(new, item) for item in came if new is not None]
    return found


def _moved_or_gone(
    removed: list[tuple[CriteriaGroup, str]], added: list[tuple[CriteriaGroup, str]], at: At
) -> list[Found]:
    """Removed and added items; one that left a group for another says where it went."""
    arrived = Counter(item for _, item in added)
    left = Counter(item for _, item in removed)
    found = []
    for group, item in removed:
        moved = arrived[item] > 0
        detail = f"moved to {_group_name(_first_group(added, item))}" if moved else None
        found.append(Found(_group_at(at, group).key(item, item), "removed", item, None, detail))
    for group, item in added:
        moved = left[item] > 0
        detail = f"moved from {_group_name(_first_group(removed, item))}" if moved else None
        found.append(Found(_group_at(at, group).key(item, item), "added", None, item, detail))
    return found


def _first_group(entries: list[tuple[CriteriaGroup, str]], item: str) -> CriteriaGroup:
    return next(group for group, text in entries if text == item)


def _group_name(group: CriteriaGroup) -> str:
    return f'"{compare_text(group.header)}"' if group.header else "the section's own items"


def _group_at(at: At, group: CriteriaGroup) -> At:
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
