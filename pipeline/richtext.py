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

import re

from pipeline.richtext_core import Block, ListBlock, Paragraph
from pipeline.richtext_html import parse_html
from pipeline.richtext_markdown import parse_markdown

__all__ = [
    "Block",
    "ListBlock",
    "Paragraph",
    "canonical",
    "is_html",
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
