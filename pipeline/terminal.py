"""Terminal output plumbing shared by the renderers: a stdout stream without rich's trailing padding."""

from __future__ import annotations

import sys


class TrimmedLines:
    """A text stream onto ``sys.stdout`` (looked up at each write) that drops the spaces rich pads table
    lines with: piped output has no trailing whitespace to trip ``diff`` or ``grep 'x$'``."""

    def __init__(self) -> None:
        self._pending = ""

    @property
    def encoding(self) -> str:
        return getattr(sys.stdout, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        if lines:
            sys.stdout.write("".join(f"{line.rstrip()}\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            sys.stdout.write(self._pending)
            self._pending = ""
        sys.stdout.flush()
