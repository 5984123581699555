"""The one frozen settings object every command builds (option > CTSYNC_* variable > default).

Library code receives a ``Settings``; only the CLI reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://clinicaltrials.gov/api/v2"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the HTTP layer tries before giving up; tests shrink the waits to zero."""

    max_attempts: int = 6
    max_total_seconds: float = 300.0
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    jitter: float = 1.0
    retry_after_cap: float = 120.0


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where data lives and how to talk to the API."""

    db: Path = Path("data/ctsync.duckdb")
    published: Path | None = Path("data/published/ctsync.duckdb")
    api_url: str = DEFAULT_API_URL
    history_url: str | None = None
    """The website's internal API (record history); None derives it from ``api_url`` (/v2 -> /int)."""
    use_history: bool = True
    """Whether a review dated before every stored version may fetch the trial's record history."""
    rate: float = 1.0
    wait: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch_size: int = 500
    workers: int = 1
    """Processes that normalize records during a load (the CLI uses every core)."""
    policy: Path | None = None
    """A TOML file of severity rules over the packaged default (pipeline/default_policy.toml)."""
    crash_after_batches: tuple[int, int] | None = None
    """Tests only (``CTSYNC_TEST_CRASH=N:SIGNAL``): send SIGNAL to this process right after the Nth
    committed batch, so crash tests kill a run exactly where they claim to."""
