"""HTML rich text (as the website and its record history serve it) read into the same block tree. Pure."""

from __future__ import annotations

from html.parser import HTMLParser

from pipeline.richtext_core import Block, ListBlock, Paragraph, clean_line, link_text, unescape

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
