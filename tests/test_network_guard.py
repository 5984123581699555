"""The suite's own guard: a test that tried to reach the internet would fail, not silently pass."""

from __future__ import annotations

import pytest
import requests


def test_connections_beyond_loopback_are_refused() -> None:
    """A request to a public address fails at connect time inside the test suite."""
    with pytest.raises(requests.ConnectionError, match=r"only talks to 127\.0\.0\.1"):
        requests.get("http://93.184.216.34/", timeout=1)  # noqa: TID251  (proving the guard itself)
