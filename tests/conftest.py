"""Shared paths and loaders of the real ClinicalTrials.gov records the tests run on.

``SHARED`` (../shared/ctgov beside the checkout) holds the full collection of real records; it exists on
the development machine but not on a fresh clone, so tests that read it build their cases from what is
there. ``data/sample`` and ``tests/fixtures`` are always present.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared" / "ctgov"


def load_raw(name_or_path: str | Path) -> dict[str, Any]:
    """A fresh parse of one JSON object: an NCT ID names ``data/sample/<NCT ID>.json``, else a path."""
    path = SAMPLE / f"{name_or_path}.json" if isinstance(name_or_path, str) else name_or_path
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise TypeError(f"{path} holds a {type(loaded).__name__}, not a JSON object")
    return loaded


@pytest.fixture
def sample_raw() -> Callable[[str], dict[str, Any]]:
    """Factory of ``data/sample`` records by NCT ID; each call parses anew, so tests may edit the result."""
    return load_raw


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    """Refuse any connection beyond 127.0.0.1/::1 or a local socket: the tests never use the network."""
    if isinstance(address, tuple):
        host = str(address[0])
        if not (host.startswith("127.") or host in ("::1", "localhost")):
            raise OSError(f"test tried to reach {host}: the test suite only talks to 127.0.0.1")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network_beyond_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with outgoing connections limited to the loopback stand-in."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


class FakeClock:
    """A clock that only moves when the client sleeps, and remembers every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
