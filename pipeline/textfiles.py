"""Reading the small text files a user hands to ctsync: ID lists, policy files, review CSVs.

Each problem is a ``UsageError`` (exit 2) that names the file and says what is wrong with it: missing, a
folder, not a regular file, unreadable, or not UTF-8 (with the line of the first bad byte). A UTF-8 byte
order mark, which spreadsheet programs write, is fine and removed.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from pipeline.errors import UsageError


def read_user_text(path: Path, what: str) -> str:
    """The text of ``path``, a ``what`` ("ID file", "policy file"…) the user named; UsageError otherwise."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UsageError(f"{what} {path}: no such file; check the path") from None
    except OSError as exc:
        raise UsageError(f"{what} {path}: cannot read it ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"{what} {path} is a folder: name a file")
    if not stat.S_ISREG(mode):
        raise UsageError(f"{what} {path} is not a regular file (a pipe or a device): name a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{what} {path}: cannot read it ({exc.strerror or exc})") from None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(
            f"{what} {path}: not UTF-8 text (line {line} has byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None
