"""API v2 Markdown rich text read into the block tree of ``pipeline.richtext_core``. Pure.

Follows CommonMark for what ClinicalTrials.gov writes: paragraphs, bullet and ordered lists nested by
content column, lazy continuation lines, indented code (its escapes resolved: this text is never code),
ATX headings, thematic breaks; inline content is read by ``richtext_core.markdown_inline``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.richtext_core import Block, ListBlock, Paragraph, clean_line, markdown_inline, unescape

_BULLET_MARKER = re.compile(r"([*+-])(?=[ \t]|$)")
_ORDERED_MARKER = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")
_ATX = re.compile(r"#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
_THEMATIC = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"(`{3,}|~{3,})")


@dataclass
class _Item:
    content: int  # the column its content starts at
    blocks: list[_Open]
    blank_start: bool = False  # opened on a line with no content


@dataclass
class _List:
    ordered: bool
    delimiter: str
    start: int
    items: list[_Item]


@dataclass
class _Para:
    lines: list[str]
    code: bool = False  # an indented code block: literal text


_Open = _Para | _List


def parse_markdown(text: str) -> tuple[Block, ...]:
    """The block tree of CommonMark-style text (as API v2 serves rich text)."""
    root: list[_Open] = []
    # the chain of open list items, outermost first
    chain: list[_Item] = []
    last_blank = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.expandtabs(4)
        if not line.strip():
            _blank(root, chain)
            last_blank = True
            continue
        indent = len(line) - len(line.lstrip(" "))
        matched = 0
        while matched < len(chain) and indent >= chain[matched].content:
            matched += 1
        # an item opened by an empty marker line holds only lines that follow it directly
        while matched and chain[matched - 1].blank_start and not chain[matched - 1].blocks and last_blank:
            matched -= 1
        base = chain[matched - 1].content if matched else 0
        container = chain[matched - 1].blocks if matched else root
        tip = _tip(root)
        all_matched = matched == len(chain)
        paragraph_open = isinstance(tip, _Para) and not tip.code and not last_blank
        rest = line[base:] if indent >= base else line.lstrip(" ")
        rel = len(rest) - len(rest.lstrip(" "))
        start = _block_start(rest.lstrip(" "), rel, interrupting=paragraph_open and all_matched)
        if start is None and paragraph_open and isinstance(tip, _Para):
            tip.lines.append(line.strip())  # paragraph continuation, lazy or not
            last_blank = False
            continue
        del chain[matched:]
        if start is None:
            if rel >= 4 and not paragraph_open:
                code = container[-1] if container and isinstance(container[-1], _Para) else None
                literal = rest[4:].rstrip()
                if code is not None and code.code:
                    code.lines.append(literal)
                else:
                    container.append(_Para([literal], code=True))
            else:
                container.append(_Para([rest.strip()]))
        elif start.kind == "list":
            ordered, delimiter, number = start.ordered, start.delimiter, start.number
            content_offset, blank_item, remainder = start.offset, start.blank_item, start.remainder
            current = container[-1] if container else None
            if not (
                isinstance(current, _List) and current.ordered == ordered and current.delimiter == delimiter
            ):
                current = _List(ordered, delimiter, number, [])
                container.append(current)
            item = _Item(base + rel + content_offset, [], blank_start=blank_item)
            current.items.append(item)
            chain.append(item)
            _open_item_content(item, chain, remainder)
        elif start.kind == "heading":
            container.append(_Para([start.remainder.strip()] if start.remainder.strip() else []))
            container.append(_Para([]))  # a heading closes itself: nothing continues it
        elif start.kind == "break":
            container.append(_Para([]))
        last_blank = False
    return tuple(block for block in (_close(b) for b in root) if block is not None)


def _open_item_content(item: _Item, chain: list[_Item], remainder: str) -> None:
    """The text after a list marker: a paragraph, or a nested list when it starts with a marker."""
    if not remainder.strip():
        return
    rel = len(remainder) - len(remainder.lstrip(" "))
    start = _block_start(remainder.lstrip(" "), rel, interrupting=False)
    if start is not None and start.kind == "list":
        ordered, delimiter, number = start.ordered, start.delimiter, start.number
        content_offset, blank_item, rest = start.offset, start.blank_item, start.remainder
        nested = _List(ordered, delimiter, number, [])
        child = _Item(item.content + rel + content_offset, [], blank_start=blank_item)
        nested.items.append(child)
        item.blocks.append(nested)
        chain.append(child)
        _open_item_content(child, chain, rest)
    elif start is not None and start.kind == "heading":
        item.blocks.append(_Para([start.remainder.strip()] if start.remainder.strip() else []))
        item.blocks.append(_Para([]))
    elif start is not None and start.kind == "break":
        item.blocks.append(_Para([]))
    elif rel >= 4:
        item.blocks.append(_Para([remainder[4:].rstrip()], code=True))
    else:
        item.blocks.append(_Para([remainder.strip()]))


@dataclass(frozen=True)
class _Start:
    """A block a line opens: a list item (marker, its content column offset, the text after it), an
    ATX heading (its text in ``remainder``) or a thematic break."""

    kind: str
    ordered: bool = False
    delimiter: str = ""
    number: int = 1
    offset: int = 0
    blank_item: bool = False
    remainder: str = ""


def _block_start(text: str, rel: int, *, interrupting: bool) -> _Start | None:
    """What block the (indent-stripped) text opens, or None for paragraph text."""
    if rel >= 4:
        return None
    if _THEMATIC.match(text):
        return _Start("break")
    heading = _ATX.match(text)
    if heading:
        return _Start("heading", remainder=heading.group(1))
    if _FENCE.match(text):
        return None  # fences are not used by ClinicalTrials.gov; read as text
    bullet = _BULLET_MARKER.match(text)
    ordered = None if bullet else _ORDERED_MARKER.match(text)
    marker = bullet or ordered
    if marker is None:
        return None
    after = text[marker.end() :]
    blank_item = not after.strip()
    if interrupting and (blank_item or (ordered is not None and ordered.group(1) != "1")):
        return None
    spaces = len(after) - len(after.lstrip(" "))
    if blank_item:
        offset, remainder = marker.end() + 1, ""
    elif spaces > 4:
        offset, remainder = marker.end() + 1, after[1:]
    else:
        offset, remainder = marker.end() + spaces, after[spaces:]
    if ordered is not None:
        return _Start("list", True, ordered.group(2), int(ordered.group(1)), offset, blank_item, remainder)
    assert bullet is not None
    return _Start("list", False, bullet.group(1), 1, offset, blank_item, remainder)


def _tip(blocks: list[_Open]) -> _Open | None:
    """The innermost last open block."""
    tip: _Open | None = blocks[-1] if blocks else None
    while isinstance(tip, _List):
        last = tip.items[-1].blocks
        if not last:
            return tip
        tip = last[-1]
    return tip


def _blank(root: list[_Open], chain: list[_Item]) -> None:
    """A blank line: indented code keeps it (dropped again if trailing); nothing else needs it."""
    tip = _tip(root)
    if isinstance(tip, _Para) and tip.code:
        tip.lines.append("")


def _close(block: _Open) -> Block | None:
    if isinstance(block, _Para):
        if block.code:
            lines = list(block.lines)
            while lines and not lines[-1].strip():
                lines.pop()
            cleaned = tuple(clean_line(unescape(line)) for line in lines)
        else:
            text = markdown_inline("\n".join(block.lines))
            cleaned = tuple(clean_line(line) for line in text.split("\n"))
        kept = tuple(line for line in cleaned if line)
        return Paragraph(kept) if kept else None
    items = []
    for item in block.items:
        items.append(tuple(child for child in (_close(b) for b in item.blocks) if child is not None))
    return ListBlock(block.ordered, block.start, tuple(items))
