"""Rich text of ClinicalTrials.gov records in one canonical form, whichever way it was served. Pure.

API v2 serves rich text (eligibility criteria, summaries, descriptions…) as Markdown, with backslash
escapes on every punctuation character the sponsor typed (``\\>``, ``1\\.``); the website and its record
history serve the same text as HTML (``<p>Inclusion Criteria:</p><ul><li>…</li></ul>``, ``&#x2F;``).
Both are read here into the same small block tree, and rendered back as one canonical text::

    parse(text)      -> tuple[Block, ...]   paragraphs (lines) and lists (items of blocks)
    canonical(text)  -> str                 the tree as plain text: "* item", "1. item", nested under
                                            the item's text

The Markdown reader follows CommonMark for what ClinicalTrials.gov writes (paragraphs, bullet and
ordered lists nested by content column, lazy continuation lines, indented code, ATX headings,
backslash escapes, entities, emphasis, code spans, links), so a record's Markdown and the HTML rendered
from it give the same tree. One deliberate difference: indented ("code") text has its backslash
escapes resolved, in both readers, because ClinicalTrials.gov text is never code.

Inline markup is dropped (text only: ``<strong>``, ``**…**``, links as "label (address)"); whitespace
inside a line collapses; line breaks inside a paragraph (soft, ``<br>``) are kept as lines. Text is NFC.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["Block", "ListBlock", "Paragraph", "canonical", "is_html", "parse", "parse_html", "parse_markdown"]


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


def canonical(text: str | None) -> str:
    """The canonical text of Markdown or HTML rich text (same text for the same content)."""
    return render(parse(text))


def parse(text: str | None) -> tuple[Block, ...]:
    """The block tree of a rich-text value, read as HTML when it is HTML, else as Markdown."""
    if not text:
        return ()
    return parse_html(text) if is_html(text) else parse_markdown(text)


_HTML_BLOCK_TAG = re.compile(r"<(?:p|ul|ol|li|br|div|h[1-6]|pre|table)\b[^>]*>", re.IGNORECASE)


def is_html(text: str) -> bool:
    """Whether a value is HTML (as the website serves it) rather than API v2 Markdown."""
    return _HTML_BLOCK_TAG.search(text) is not None


def render(blocks: tuple[Block, ...]) -> str:
    """Blocks as canonical text: blocks apart by a blank line, list items nested under their text."""
    return "\n".join(_render_blocks(blocks, ""))


def _render_blocks(blocks: tuple[Block, ...], indent: str) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if out:
            out.append("")
        if isinstance(block, Paragraph):
            out.extend(indent + line for line in block.lines)
            continue
        for number, item in enumerate(block.items, start=block.start):
            marker = f"{number}. " if block.ordered else "* "
            lines = _render_blocks(item, indent + " " * len(marker))
            if lines and isinstance(item[0], Paragraph):
                out.append(indent + marker + lines[0].lstrip(" "))
                out.extend(line if line.strip() else "" for line in lines[1:])
            else:
                out.append(indent + marker.rstrip())
                out.extend(line if line.strip() else "" for line in lines)
    return out


# --- inline text ---------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_ASCII_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_LINK = re.compile(r"(?<![\\!])\[([^\[\]]*)\]\(\s*<?([^\s()<>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)|(?:[^\s<>@]+@[^\s<>@]+))>")
_MARKUP_CHARS = re.compile(r"[\\&*_`<\[]")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


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


# --- Markdown blocks -----------------------------------------------------------------------------

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


# --- HTML blocks ---------------------------------------------------------------------------------

_HTML_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "tr"})
_HTML_LINE_BREAKS = frozenset({"br"})


class _HtmlReader(HTMLParser):
    """HTML rich text into the same tree the Markdown reader builds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Block] = []
        # open containers: (list of blocks being filled, list metadata or None)
        self.stack: list[tuple[list[Block], tuple[bool, int] | None, list[tuple[Block, ...]] | None]] = [
            (self.root, None, None)
        ]
        self.text: list[str] = []
        self.pre = 0
        self.links: list[tuple[str, int]] = []

    # text is gathered until a block boundary, then becomes a paragraph in the current container
    def _flush(self) -> None:
        text = "".join(self.text)
        self.text = []
        lines = [clean_line(unescape(line) if self.pre else line) for line in text.split("\n")]
        kept = tuple(line for line in lines if line)
        if kept:
            self.stack[-1][0].append(Paragraph(kept))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            start = 1
            for name, value in attrs:
                if name == "start" and value and value.strip().lstrip("-").isdigit():
                    start = int(value)
            self.stack.append(([], (tag == "ol", start), []))
        elif tag == "li":
            self._flush()
            self._close_item()
            self.stack.append(([], None, None))
        elif tag in _HTML_LINE_BREAKS:
            self.text.append("\n")
        elif tag in _HTML_BLOCKS:
            self._flush()
            if tag == "pre":
                self.pre += 1
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len("".join(self.text))))
        elif tag == "hr":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            self._close_item()
            if len(self.stack) > 1 and self.stack[-1][1] is not None:
                _, meta, items = self.stack.pop()
                assert meta is not None and items is not None
                if items:
                    self.stack[-1][0].append(ListBlock(meta[0], meta[1], tuple(items)))
        elif tag == "li":
            self._flush()
            self._close_item()
        elif tag in _HTML_BLOCKS:
            self._flush()
            if tag == "pre" and self.pre:
                self.pre -= 1
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            joined = "".join(self.text)
            label = joined[start:]
            shown = link_text(clean_line(label), href)
            if shown != clean_line(label):
                self.text = [joined[:start], shown]

    def _close_item(self) -> None:
        """Close an open list item (its blocks become one item of the list below it)."""
        if len(self.stack) > 1 and self.stack[-1][1] is None and self.stack[-2][1] is not None:
            blocks, _, _ = self.stack.pop()
            items = self.stack[-1][2]
            assert items is not None
            items.append(tuple(blocks))

    def handle_data(self, data: str) -> None:
        if self.stack[-1][1] is not None:  # text straight inside <ul>/<ol>: an implicit item
            if not data.strip():
                return
            self.stack.append(([], None, None))
        self.text.append(data if self.pre else data.replace("\r", ""))

    def close(self) -> None:
        super().close()
        self._flush()
        while len(self.stack) > 1:
            self.handle_endtag("li" if self.stack[-1][1] is None else "ul")


def parse_html(text: str) -> tuple[Block, ...]:
    """The block tree of HTML rich text (as the website and its record history serve it)."""
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    return tuple(reader.root)
