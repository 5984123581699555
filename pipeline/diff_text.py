"""Text as the differ compares it, and the word-level detail of an edited text. Pure: no I/O."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# --- text ---------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=~|^&])")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
WORDS_FOR_DETAIL = 8
"""Text longer than this many words gets a word-level ``detail`` when it changes."""
_CONTEXT_WORDS = 6


def compare_text(value: str) -> str:
    """Text as compared, never as stored: NFC, markdown escapes removed, whitespace collapsed."""
    value = unicodedata.normalize("NFC", value)
    return " ".join(_ESCAPE.sub(r"\1", value).split())


def word_diff(old: str, new: str) -> str:
    """A plain-text word diff, sentence by sentence: ``[-old words-]{+new words+}``, context elided."""
    old_sentences = _SENTENCE_END.split(compare_text(old))
    new_sentences = _SENTENCE_END.split(compare_text(new))
    blocks = []
    matcher = SequenceMatcher(None, old_sentences, new_sentences, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            blocks.append(_word_block(" ".join(old_sentences[i1:i2]), " ".join(new_sentences[j1:j2])))
    return " … ".join(blocks)


def _word_block(old: str, new: str) -> str:
    """Word-level markup of one changed run of sentences, with long unchanged runs elided."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(_elide(a[i1:i2], first=i1 == 0, last=i2 == len(a)))
            continue
        removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
        added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
        out.append(removed + added)
    return " ".join(out)


def _elide(words: list[str], *, first: bool, last: bool) -> list[str]:
    """Unchanged words between changes: keep a few next to each change, elide the middle."""
    head = 0 if first else _CONTEXT_WORDS  # words just after a change
    tail = 0 if last else _CONTEXT_WORDS  # words just before a change
    if len(words) <= head + tail + 1:
        return words
    return [*words[:head], "…", *words[len(words) - tail :]]


def fold(*parts: str | None) -> str:
    """A loose signature: accents, case, punctuation and spacing ignored (for pairing only)."""
    folded = []
    for part in parts:
        text = unicodedata.normalize("NFKD", part or "")
        text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
        folded.append(" ".join(re.sub(r"[^\w]+", " ", text).split()))
    return "|".join(folded)
