"""The package imports and carries its version."""

import pipeline


def test_version_is_set() -> None:
    """The installed package exposes the version the User-Agent will name."""
    assert pipeline.__version__ == "0.1.0"
