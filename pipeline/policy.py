"""Which category and severity each change gets, and which fields are never changes.

A policy is an ordered list of rules read from TOML: the packaged ``default_policy.toml``, with a
user's file merged over it (its rules are tried first, its ``ignore`` patterns are added). A rule
matches the *template* of a change's path, where every bracketed key is written ``[*]``::

    locations[*].status        the status of any site
    locations[*]               a whole site added or removed (not its sub-fields)
    interventions[*]*          an intervention or any of its sub-fields
    eligibility.*              anything under eligibility

``*`` outside brackets matches anything. A rule may also require the change kind (``change``) and
the old or new value to be (``old_in``/``new_in``) or not to be (``old_not_in``/``new_not_in``) in a
list; that is how the status rules tell "leaves recruitment" from "moves between two closed states".
The first matching rule that names a category gives the category, and the first matching rule that
names a severity gives the severity, so a user rule may override just one of the two.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict

from pipeline.errors import UsageError
from pipeline.models import Trial
from pipeline.textfiles import read_user_text

Severity = Literal["critical", "major", "minor", "info"]
ChangeKind = Literal["added", "removed", "modified"]

SEVERITY_ORDER: tuple[Severity, ...] = ("critical", "major", "minor", "info")
"""Most severe first: critical > major > minor > info."""

CATEGORIES: tuple[str, ...] = (
    "status",
    "eligibility",
    "locations",
    "contacts",
    "design",
    "interventions",
    "outcomes",
    "dates",
    "descriptions",
    "sponsor",
    "administrative",
)
"""Every category a rule may name, in the order an editor reads them."""

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.toml")

_RULE_KEYS = frozenset(
    {"field", "change", "old_in", "new_in", "old_not_in", "new_not_in", "category", "severity"}
)
_TOP_KEYS = frozenset({"ignore", "rules"})


def severity_rank(severity: Severity) -> int:
    """0 for critical up to 3 for info: sort ascending to put the most severe first."""
    return SEVERITY_ORDER.index(severity)


def at_least(severity: Severity, minimum: Severity) -> bool:
    """Whether ``severity`` is as severe as ``minimum`` or more (for ``--min-severity``)."""
    return severity_rank(severity) <= severity_rank(minimum)


def most_severe(severities: Iterable[Severity]) -> Severity | None:
    """The highest severity among these, or None when there are none."""
    return min(severities, key=severity_rank, default=None)


class Rule(BaseModel):
    """One line of policy: a path pattern, optional conditions, and what a match means."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    change: ChangeKind | None = None
    old_in: tuple[str, ...] | None = None
    new_in: tuple[str, ...] | None = None
    old_not_in: tuple[str, ...] | None = None
    new_not_in: tuple[str, ...] | None = None
    category: str | None = None
    severity: Severity | None = None

    def matches(self, template: str, change: ChangeKind, old: object, new: object) -> bool:
        """Whether this rule applies to a change of this kind, at this path template, with these values."""
        if self.change is not None and self.change != change:
            return False
        if not pattern_regex(self.field).fullmatch(template):
            return False
        return (
            _within(old, self.old_in, True)
            and _within(new, self.new_in, True)
            and _within(old, self.old_not_in, False)
            and _within(new, self.new_not_in, False)
        )


def _within(value: object, allowed: tuple[str, ...] | None, inside: bool) -> bool:
    """True when there is no condition, or the value is (inside) / is not (not inside) in the list."""
    if allowed is None:
        return True
    return (isinstance(value, str) and value in allowed) is inside


class Policy(BaseModel):
    """The rules and the ignore list that turn a raw difference into a categorised change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[Rule, ...]
    ignore: tuple[str, ...] = ()

    def is_ignored(self, template: str) -> bool:
        """Whether a path (template) is bookkeeping that changes without the trial changing."""
        return any(pattern_regex(pattern).fullmatch(template) for pattern in self.ignore)

    def classify(
        self, template: str, change: ChangeKind, old: object = None, new: object = None
    ) -> tuple[str, Severity]:
        """The (category, severity) of a change; the default policy's catch-all rule guarantees one."""
        category: str | None = None
        severity: Severity | None = None
        for rule in self.rules:
            if (rule.category is None or category is not None) and (
                rule.severity is None or severity is not None
            ):
                continue  # this rule could not add anything we still need
            if rule.matches(template, change, old, new):
                category = category or rule.category
                severity = severity or rule.severity
                if category is not None and severity is not None:
                    return category, severity
        return category or "administrative", severity or "info"


@cache
def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A policy glob as a regex: ``[*]`` is a literal bracketed key, any other ``*`` matches anything."""
    parts = []
    for piece in re.split(r"(\[\*\]|\*)", pattern):
        if piece == "[*]":
            parts.append(re.escape("[*]"))
        elif piece == "*":
            parts.append(".*")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts), re.DOTALL)


@cache
def default_policy() -> Policy:
    """The packaged policy: sensible for a patient-facing "find a trial" site."""
    return _parse(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), DEFAULT_POLICY_PATH)


def load_policy(path: Path | None = None) -> Policy:
    """The default policy, with the user's TOML file (if any) merged over it.

    The user's rules are tried before the default ones; the user's ``ignore`` patterns are added to
    the default ones (bookkeeping fields stay ignored). Raises UsageError naming the file, and the
    line and rule where it can, for a missing or malformed file.
    """
    base = default_policy()
    if path is None:
        return base
    user = _parse(read_user_text(path, "policy file"), path)
    return Policy(rules=user.rules + base.rules, ignore=base.ignore + user.ignore)


def _parse(text: str, path: Path) -> Policy:
    """One policy file, validated, with errors that point at the rule and its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"policy file {path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise UsageError(f"policy file {path}: unknown key {unknown[0]!r}; use only 'ignore' and [[rules]]")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(item, str) and item for item in ignore):
        raise UsageError(f"policy file {path}: 'ignore' must be a list of field patterns (strings)")
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise UsageError(f"policy file {path}: 'rules' must be written as [[rules]] tables")
    for pattern in ignore:
        _check_field(pattern, f"policy file {path}: ignore")
    lines = _rule_lines(text)
    parsed = [_rule(item, path, index, lines) for index, item in enumerate(rules)]
    return Policy(rules=tuple(parsed), ignore=tuple(ignore))


def _rule(item: Any, path: Path, index: int, lines: list[int]) -> Rule:
    """One ``[[rules]]`` table as a Rule, or a UsageError saying which one and what is wrong."""
    where = f"policy file {path}: rules[{index}]"
    if index < len(lines):
        where += f" (line {lines[index]})"
    if not isinstance(item, dict):
        raise UsageError(f"{where}: a rule must be a table with at least 'field'")
    unknown = sorted(set(item) - _RULE_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(_RULE_KEYS))}")
    field = item.get("field")
    if not isinstance(field, str) or not field:
        raise UsageError(f"{where}: 'field' must be a non-empty path pattern, e.g. \"locations[*].status\"")
    place = where
    where += f" field {field!r}"
    _check_choice(item.get("change"), get_args(ChangeKind), "change", where)
    _check_choice(item.get("severity"), SEVERITY_ORDER, "severity", where)
    _check_choice(item.get("category"), CATEGORIES, "category", where)
    if item.get("category") is None and item.get("severity") is None:
        raise UsageError(f"{where}: give a 'category', a 'severity' or both")
    for key in ("old_in", "new_in", "old_not_in", "new_not_in"):
        values = item.get(key)
        if values is not None and (
            not isinstance(values, list) or not all(isinstance(value, str) for value in values)
        ):
            raise UsageError(f'{where}: {key!r} must be a list of values, e.g. ["RECRUITING"]')
    _check_field(field, place)
    return Rule.model_validate(
        {key: tuple(value) if isinstance(value, list) else value for key, value in item.items()}
    )


def _check_choice(value: Any, choices: tuple[str, ...], key: str, where: str) -> None:
    if value is not None and value not in choices:
        raise UsageError(f"{where}: {key} {value!r} is not one of {', '.join(choices)}")


def _rule_lines(text: str) -> list[int]:
    """The 1-based line of every ``[[rules]]`` header, so an error can name where the rule is."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"\s*\[\[\s*rules\s*\]\]", line)
    ]


@cache
def field_templates() -> frozenset[str]:
    """Every path template a change can have: the canonical Trial's fields, lists as ``[*]``, and
    ``upstream`` (a trial gone from ClinicalTrials.gov)."""
    criteria_items = {f"eligibility.{section}[*][*]" for section in ("inclusion", "exclusion")}
    """The differ reports a criterion by section, group and item: eligibility.inclusion[<group>][<item>]."""
    return frozenset({"upstream", *criteria_items, *_templates_of(Trial, "", frozenset())})


def _templates_of(model: type[BaseModel], prefix: str, within: frozenset[type]) -> Iterator[str]:
    """Paths of a model's fields; a model nested in itself (a criterion's sub-items) is entered once."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        for inner, listed in _held_types(info.annotation):
            at = f"{path}[*]" if listed else path
            if listed:
                yield at
            if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in within:
                yield from _templates_of(inner, f"{at}.", within | {model})


def _held_types(annotation: Any) -> Iterator[tuple[Any, bool]]:
    """The types a field holds: (type, inside a list) for ``X``, ``X | None`` and ``tuple[X, ...]``."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            yield from _held_types(arg)
    elif origin is tuple:
        yield get_args(annotation)[0], True
    else:
        yield annotation, False


def _check_field(pattern: str, where: str) -> None:
    """A rule or ignore pattern must match a field that exists, or it silently never applies."""
    known = field_templates()
    if any(pattern_regex(pattern).fullmatch(template) for template in known):
        return
    close = difflib.get_close_matches(pattern, sorted(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "fields are paths such as 'locations[*].status'"
    raise UsageError(f"{where}: no field {pattern!r} in the canonical record; {hint}")
