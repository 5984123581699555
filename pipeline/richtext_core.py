"""Rich text's shared parts: the block tree both readers build, and inline Markdown read as plain text.

``pipeline.richtext`` is the entry point; ``richtext_markdown`` and ``richtext_html`` read the two forms
ClinicalTrials.gov serves into the tree defined here. Pure.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    """A run of text; ``lines`` are its line breaks (soft or hard), inline markup removed."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class ListBlock:
    """A bullet or ordered list; each item is a sequence of blocks (its text, then nested lists…)."""

    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]


Block = Paragraph | ListBlock


# --- inline text ---------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_ASCII_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_LINK = re.compile(r"(?<![\\!])\[([^\[\]]*)\]\(\s*<?([^\s()<>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)|(?:[^\s<>@]+@[^\s<>@]+))>")
_MARKUP_CHARS = re.compile(r"[\\&*_`<\[]")
# CommonMark's raw HTML tags: an open tag with well-formed attributes, or a closing tag. Anything looser
# eats sponsor text such as "<glycated hemoglobin (HbA1c) level ... \\>" as if it were a tag.
_HTML_TAG = re.compile(
    r"<[A-Za-z][A-Za-z0-9-]*"
    r"(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>"
)


def clean_line(line: str) -> str:
    """One line of text: NFC, whitespace collapsed, stripped."""
    line = _SPACES.sub(" ", line).strip()
    if not line.isascii():
        line = unicodedata.normalize("NFC", line)
    return line


_BACKSLASH_ESCAPE = re.compile(r"\\([" + _ASCII_PUNCT + r"])")


def unescape(text: str) -> str:
    """Backslash escapes removed. Indented text is a code block to CommonMark, shown as typed; to
    ClinicalTrials.gov it is only indentation, so its escapes are resolved like any other text's."""
    return _BACKSLASH_ESCAPE.sub(r"\1", text)


def link_text(label: str, url: str) -> str:
    """A link as text: its label, and its address when the label does not already say it."""
    bare = url.removeprefix("mailto:")
    if not label or label in (url, bare):
        return bare
    return f"{label} ({bare})" if bare else label


def markdown_inline(text: str) -> str:
    """Markdown inline content as plain text: escapes and entities resolved, markup dropped."""
    if not _MARKUP_CHARS.search(text):
        return text
    # Each char keeps a flag: literal (escaped, decoded or code) chars never act as markup.
    chars: list[tuple[str, bool]] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        _markdown_chars(text[position : match.start()], chars)
        code = match.group(2).replace("\n", " ")
        if code.startswith(" ") and code.endswith(" ") and code.strip():
            code = code[1:-1]
        chars.extend((char, True) for char in code)
        position = match.end()
    _markdown_chars(text[position:], chars)
    return "".join(char for char, _ in _drop_emphasis(chars))


def _markdown_chars(text: str, out: list[tuple[str, bool]]) -> None:
    # Links become their text; the part naming the address is literal (\x00 … \x01).
    text = _AUTOLINK.sub(lambda m: "\x00" + m.group(1).removeprefix("mailto:") + "\x01", text)
    text = _LINK.sub(_link_replacement, text)
    index = 0
    literal = False
    while index < len(text):
        char = text[index]
        if char in "\x00\x01":
            literal = char == "\x00"
            index += 1
            continue
        if literal:
            out.append((char, True))
            index += 1
            continue
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _ASCII_PUNCT:
            out.append((text[index + 1], True))
            index += 2
            continue
        if char == "&":
            entity = _ENTITY.match(text, index)
            if entity:
                out.extend((c, True) for c in html.unescape(entity.group(0)))
                index = entity.end()
                continue
        if char == "<":
            tag = _HTML_TAG.match(text, index)
            if tag:  # inline HTML: rendered, not shown
                index = tag.end()
                continue
        out.append((char, False))
        index += 1


def _link_replacement(match: re.Match[str]) -> str:
    label, url = match.group(1), match.group(2)
    shown = link_text(label, url)
    if shown.startswith(label):
        return label + "\x00" + shown[len(label) :] + "\x01"
    return "\x00" + shown + "\x01"


def _drop_emphasis(chars: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Remove matched ``*``/``_`` emphasis delimiter runs (CommonMark flanking rules, simplified)."""
    runs: list[tuple[int, int, str, bool, bool]] = []  # start, length, char, can_open, can_close
    index = 0
    while index < len(chars):
        char, literal = chars[index]
        if literal or char not in "*_":
            index += 1
            continue
        end = index
        while end < len(chars) and chars[end] == (char, False):
            end += 1
        before = chars[index - 1][0] if index else " "
        after = chars[end][0] if end < len(chars) else " "
        left = not after.isspace() and (not _is_punct(after) or before.isspace() or _is_punct(before))
        right = not before.isspace() and (not _is_punct(before) or after.isspace() or _is_punct(after))
        if char == "_":
            can_open = left and (not right or _is_punct(before))
            can_close = right and (not left or _is_punct(after))
        else:
            can_open, can_close = left, right
        runs.append((index, end - index, char, can_open, can_close))
        index = end
    drop: set[int] = set()
    openers: list[list[int]] = []  # [run index, remaining length]
    remaining = [run[1] for run in runs]
    for number, (start, _length, char, can_open, can_close) in enumerate(runs):
        if can_close:
            for slot in range(len(openers) - 1, -1, -1):
                opener = openers[slot][0]
                if runs[opener][2] != char or remaining[opener] == 0:
                    continue
                if (
                    (can_open or runs[opener][4])
                    and (remaining[opener] + remaining[number]) % 3 == 0
                    and not (remaining[opener] % 3 == 0 and remaining[number] % 3 == 0)
                ):
                    continue
                while remaining[opener] and remaining[number]:
                    use = 2 if remaining[opener] >= 2 and remaining[number] >= 2 else 1
                    o_start = runs[opener][0] + remaining[opener] - use
                    drop.update(range(o_start, o_start + use))
                    c_start = start + runs[number][1] - remaining[number]
                    drop.update(range(c_start, c_start + use))
                    remaining[opener] -= use
                    remaining[number] -= use
                del openers[slot + 1 :]
                if remaining[opener] == 0:
                    del openers[slot]
                break
        if can_open and remaining[number]:
            openers.append([number, remaining[number]])
    return [pair for index, pair in enumerate(chars) if index not in drop]


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith(("P", "S"))
