"""Rich text of ClinicalTrials.gov records in one canonical form, whichever way it was served. Pure.

API v2 serves rich text (eligibility criteria, summaries, descriptions…) as Markdown, with backslash
escapes on every punctuation character the sponsor typed (``\\>``, ``1\\.``); the website and its record
history serve the same text as HTML (``<p>Inclusion Criteria:</p><ul><li>…</li></ul>``, ``&#x2F;``).
Both are read here into the same small block tree, and rendered back as one canonical text::

    parse(text)      -> tuple[Block, ...]   paragraphs (lines) and lists (items of blocks)
    canonical(text)  -> str                 the tree as plain text: "* item", "1. item", nested under
                                            the item's text
    markdown(text)   -> str                 the tree as canonical Markdown, escaped just enough that
                                            reading it again gives the same tree (what records store)

The Markdown reader follows CommonMark for what ClinicalTrials.gov writes (paragraphs, bullet and
ordered lists nested by content column, lazy continuation lines, indented code, ATX headings,
backslash escapes, entities, emphasis, code spans, links), so a record's Markdown and the HTML rendered
from it give the same tree. One deliberate difference: indented ("code") text has its backslash
escapes resolved, in both readers, because ClinicalTrials.gov text is never code.

Inline markup is dropped (text only: ``<strong>``, ``**…**``, links as "label (address)"); whitespace
inside a line collapses; line breaks inside a paragraph (soft, ``<br>``) are kept as lines. Text is NFC.
"""

from __future__ import annotations

import re

from pipeline.richtext_core import Block, ListBlock, Paragraph
from pipeline.richtext_core import clean_line as _clean_line
from pipeline.richtext_html import parse_html
from pipeline.richtext_markdown import parse_markdown

__all__ = [
    "Block",
    "ListBlock",
    "Paragraph",
    "canonical",
    "is_html",
    "markdown",
    "parse",
    "parse_html",
    "parse_markdown",
    "render",
]


def canonical(text: str | None) -> str:
    """The canonical text of Markdown or HTML rich text (same text for the same content)."""
    return render(parse(text))


def parse(text: str | None) -> tuple[Block, ...]:
    """The block tree of a rich-text value, read as HTML when it is HTML, else as Markdown."""
    if not text:
        return ()
    known = _TREES.get(text)
    if known is not None:
        return known
    return parse_html(text) if is_html(text) else parse_markdown(text)


_TREES: dict[str, tuple[Block, ...]] = {}
"""The trees of the last canonical texts ``markdown`` wrote: normalizing a record reads its criteria
text once to write it and would read the result again for the structure. Reading canonical Markdown
gives the tree it was written from (tested on every real text), so the tree is reused, not re-read."""
_TREES_KEPT = 64


def _remember(text: str, tree: tuple[Block, ...]) -> None:
    if len(_TREES) >= _TREES_KEPT:
        del _TREES[next(iter(_TREES))]
    _TREES[text] = tree


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


# --- canonical Markdown ----------------------------------------------------------------------------

_PLAIN = re.compile(r"[\n\r\t\\&*_`<>\[\]#]|^\s*(?:[-+]|\d{1,9}[.)])(?:\s|$)")
_ALWAYS_ESCAPED = re.compile(r"([\\*`\[\]])")
_LOOSE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_LIKE = re.compile(r"&(?=#[xX][0-9a-fA-F]{1,6};|#[0-9]{1,7};|[A-Za-z][A-Za-z0-9]{1,31};)")
_LINE_START = re.compile(r"^(?:(#)|([-+])(?=\s|$)|(\d{1,9})([.)])(?=\s|$))")


def markdown(text: str | None) -> str | None:
    """Rich text (Markdown or HTML) as canonical Markdown: the same text for the same content, and read
    again (``parse``) it gives the same block tree. None for no text.

    Only what would act as markup is escaped (``\\*``, ``\\[``, a ``<`` opening a tag as ``&lt;``, a line
    starting like a list item or heading), so the text stays readable: ``≥ 18 years``, ``ng/mL``.
    """
    if not text:
        return None
    if not _PLAIN.search(text):
        return _clean_line(text) or None  # one line without markup: the common case, kept cheap
    tree = parse(text)
    written = "\n".join(_markdown_blocks(tree, ""))
    if written:
        _remember(written, tree)
    return written or None


def _markdown_blocks(blocks: tuple[Block, ...], indent: str) -> list[str]:
    out: list[str] = []
    previous: tuple[bool, bool] | None = None  # (ordered, alternate marker) of a list just written
    for block in blocks:
        if out:
            out.append("")
        if isinstance(block, Paragraph):
            out.extend(indent + _escape_line(line) for line in block.lines)
            previous = None
            continue
        # Two lists in a row stay two lists only if their markers differ (CommonMark merges them).
        alternate = previous is not None and previous == (block.ordered, False)
        previous = (block.ordered, alternate)
        for number, item in enumerate(block.items, start=block.start):
            bullet = "- " if alternate else "* "
            marker = f"{number}{')' if alternate else '.'} " if block.ordered else bullet
            lines = _markdown_blocks(item, indent + " " * len(marker))
            if lines and isinstance(item[0], Paragraph):
                out.append(indent + marker + lines[0].lstrip(" "))
                out.extend(lines[1:])
            else:
                out.append(indent + marker.rstrip())
                out.extend(lines)
    return out


def _escape_line(line: str) -> str:
    line = _ALWAYS_ESCAPED.sub(r"\\\1", line)
    line = _LOOSE_UNDERSCORE.sub(r"\\_", line)
    line = _ENTITY_LIKE.sub(r"\\&", line)
    line = _TAG_LIKE.sub("&lt;", line)
    return _LINE_START.sub(_escape_line_start, line)


def _escape_line_start(match: re.Match[str]) -> str:
    heading, bullet, number, delimiter = match.groups()
    if heading:
        return "\\#"
    if bullet:
        return "\\" + bullet
    return f"{number}\\{delimiter}"
