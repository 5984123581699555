"""List markers of criteria text (1. a) (iv) • ①): what a line starts with and how markers follow each
other. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- markers ------------------------------------------------------------------------------------

ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18,
    "xix": 19, "xx": 20,
}  # fmt: skip
ROMAN_ALT = "|".join(sorted(ROMAN, key=len, reverse=True))
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_BULLETS = "*•·‣◦▪▫○●■□►▶➢➤✓✔-–—+"
_MARKER = re.compile(
    r"""^(?:
      (?P<multi>\d{1,3}(?:\.\d{1,3})+)(?:\.\s+|\s+(?=[A-Z(])|\.?(?=[A-Z]))      # 5.1 / 5.1.2
    | (?P<num>\d{1,3})\s?(?P<num_delim>\.\)|[.)、])(?:\s+|(?=[A-Za-z(]))     # 1. 1) 1、 1.On
    | \((?P<pnum>\d{1,3})\)\s*                                              # (1)
    | （(?P<fwnum>\d{1,3})[）)]\s*                                           # （1）
    | (?P<circled>[①-⑳])\s*                                                 # ①
    | \((?P<proman>(?:"""
    + ROMAN_ALT
    + r"""|"""
    + ROMAN_ALT.upper()
    + r"""))\)\s*                                                           # (iv)
    | (?P<roman>(?:"""
    + ROMAN_ALT
    + r"""|"""
    + ROMAN_ALT.upper()
    + r"""))(?P<roman_delim>[.)])(?:\s+|(?=[A-Z(]))                         # iv. iv)
    | \((?P<palpha>[a-zA-Z])\)\s*                                           # (a)
    | (?P<alpha>[a-zA-Z])(?P<alpha_delim>[.)])(?:\s+|(?=[A-Z(]))            # a. a) a.For
    | (?P<bullet>[•·‣◦▪▫○●■□►▶➢➤✓✔]|-{1,3}(?=\s|[^\W\d_])|[–—](?=\s)|[*o+](?=\s))\s*  # • - -- --- o
    | (?P<bare>\d{1,2})\s+(?=[A-Z])                                         # 4 Reports (in a sequence)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Marker:
    """A list marker typed in the text: its family (decimal, alpha…), delimiter and ordinal."""

    family: str
    delimiter: str
    ordinal: int
    letter: str = ""  # for single letters that may also be roman numerals (i, v, x…)


def read_marker(text: str) -> tuple[Marker | None, str]:
    """(the marker at the start of a line, the text after it); (None, text) when there is none.

    Stacked markers ("- 1.Children", "• a) …", "9. ii. Male …") count as the innermost one."""
    marker, rest = _read_one_marker(text)
    while marker is not None:
        inner, inner_rest = _read_one_marker(rest)
        if inner is None or (inner.family == "bullet" and marker.family != "bullet"):
            break
        marker, rest = inner, inner_rest
    return marker, rest


def _read_one_marker(text: str) -> tuple[Marker | None, str]:
    match = _MARKER.match(text)
    if match is None:
        return None, text
    rest = text[match.end() :]
    group = match.lastgroup
    marker = _marker_of(match)
    if marker is None or (group != "bullet" and not rest.strip()):
        return None, text
    if marker.family == "bullet" and rest[:1] in _BULLETS and match.group("bullet") in "-–—":
        return None, text  # "-->" or "—-" is not a bullet
    return marker, rest.strip()


def _marker_of(match: re.Match[str]) -> Marker | None:
    groups = match.groupdict()
    if groups["multi"]:
        parts = groups["multi"].split(".")
        return Marker(f"multi{len(parts)}", ".", int(parts[-1]))
    if groups["num"]:
        return Marker("decimal", groups["num_delim"], int(groups["num"]))
    if groups["pnum"]:
        return Marker("decimal", "()", int(groups["pnum"]))
    if groups["fwnum"]:
        return Marker("decimal", "（）", int(groups["fwnum"]))
    if groups["circled"]:
        return Marker("decimal", "circled", _CIRCLED.index(groups["circled"]) + 1)
    if groups["proman"]:
        return _letters(groups["proman"], "()")
    if groups["roman"]:
        return _letters(groups["roman"], groups["roman_delim"])
    if groups["palpha"]:
        return _letters(groups["palpha"], "()")
    if groups["alpha"]:
        return _letters(groups["alpha"], groups["alpha_delim"])
    if groups["bullet"]:
        bullet = groups["bullet"]
        return Marker("bullet", "-" if bullet.startswith("-") else bullet, 0)
    if groups["bare"]:
        return Marker("decimal", "bare", int(groups["bare"]))
    return None


def _letters(letters: str, delimiter: str) -> Marker:
    case = "upper" if letters.isupper() else "lower"
    if len(letters) == 1:
        return Marker(f"alpha-{case}", delimiter, ord(letters.lower()) - ord("a") + 1, letter=letters.lower())
    return Marker(f"roman-{case}", delimiter, ROMAN[letters.lower()])
