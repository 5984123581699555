"""How the command line reads and shows itself: two-word commands and plain help.

``ctsync review import FILE`` is its own command, registered as ``"review import"``: ``route`` joins the
two words before click parses, so ``review import --help`` shows import's help, not review's, while
``ctsync review NCT…`` stays as it is.

Typer labels every value in help with its Python type (``--file <list[Path]>``, ``{nct_ids}...``); users
read click's plain style instead: ``--file PATH``, ``NCT_ID...``. ``plain_help`` switches every
parameter of a built command to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typer.core import TyperArgument, TyperOption


class _PlainArgument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        name = self.metavar or (self.name or "ARG").upper()
        name = name if self.required else f"[{name}]"
        return [f"{name}..." if self.nargs != 1 else name]


class _PlainOption(TyperOption):
    def display_type_rich(self, ctx: Any) -> str | None:
        if self.metavar is not None:
            return self.metavar
        descriptor = self.type_descriptor
        label = "PATH" if descriptor.is_path else _LABELS.get(descriptor.annotation, "VALUE")
        return f"{label}..." if self.nargs != 1 else label


_LABELS: dict[Any, str] = {str: "TEXT", int: "INTEGER", float: "NUMBER"}


def plain_help(command: Any) -> Any:
    """``command`` (a built click command or group), with plain help labels on every parameter."""
    for param in command.params:
        if type(param) is TyperArgument:
            param.__class__ = _PlainArgument
        elif type(param) is TyperOption:
            param.__class__ = _PlainOption
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    return command


def route(group: Any, args: Sequence[str]) -> list[str]:
    """The arguments with a two-word command (``review import``) joined into the one name it has."""
    takes_value = {opt for param in group.params if not getattr(param, "is_flag", True) for opt in param.opts}
    words = list(args)
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            break
        if word.startswith("-"):
            index += 2 if word in takes_value else 1
            continue
        if index + 1 < len(words) and f"{word} {words[index + 1]}" in group.commands:
            return [*words[:index], f"{word} {words[index + 1]}", *words[index + 2 :]]
        break
    return words
