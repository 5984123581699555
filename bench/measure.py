"""Run one command in a child process and measure it: wall seconds, peak RSS and its output.

Every benchmark measurement goes through `run`, so that ctsync and the baselines are timed the same way:
wall time includes process start, and peak RSS is the child's own high-water mark as the kernel reports it
to `os.wait4` (the per-child form of `getrusage(RUSAGE_CHILDREN)`, so earlier children do not leak into a
later measurement). A grandchild's peak counts only if the child waits for it; the kernel reports the
largest single process, never a sum.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# The machine has 24 GB shared with other work; the issue's own target for ctsync is 1 GB.
DEFAULT_RSS_LIMIT_MB = 8 * 1024


@dataclass(frozen=True)
class Result:
    """What one measured command did."""

    command: tuple[str, ...]
    returncode: int
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    killed_because: str = ""  # set when the watchdog killed the child

    @property
    def timed_out(self) -> bool:
        """Whether the watchdog stopped the command (deadline or memory limit)."""
        return bool(self.killed_because)

    @property
    def ok(self) -> bool:
        """Whether the command exited 0 on its own."""
        return self.returncode == 0 and not self.killed_because

    def failure(self) -> str:
        """A one-line reason for a failed run, from the end of its stderr."""
        if self.killed_because:
            return f"{self.killed_because} after {self.seconds:.0f} s"
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        return f"exit {self.returncode}: {lines[-1] if lines else 'no message'}"[:300]


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    rss_limit_mb: float | None = DEFAULT_RSS_LIMIT_MB,
) -> Result:
    """Run `command` to completion and measure it; stdout and stderr go through files, never pipes.

    A watchdog kills the child when it outlives `timeout` or its resident memory passes `rss_limit_mb`
    (the machine is shared: a runaway measurement must not take it down).
    """
    argv = tuple(str(part) for part in command)
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=cwd, env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        watchdog = Watchdog(child.pid, timeout, rss_limit_mb)
        watchdog.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        watchdog.finish()
        return Result(
            command=argv,
            returncode=os.waitstatus_to_exitcode(status),
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
            stdout=_read(out),
            stderr=_read(err),
            killed_because=watchdog.reason,
        )


class Watchdog(threading.Thread):
    """Kills one child process of ours (by its pid, nothing broader) past a deadline or a memory limit."""

    def __init__(self, pid: int, timeout: float | None, rss_limit_mb: float | None) -> None:
        super().__init__(name=f"watchdog-{pid}", daemon=True)
        self.pid = pid
        self.deadline = time.monotonic() + timeout if timeout is not None else None
        self.rss_limit_mb = rss_limit_mb
        self.reason = ""
        self._lock = threading.Lock()
        self._done = threading.Event()

    def run(self) -> None:
        """Check twice a second until the child is reaped."""
        while not self._done.wait(0.5):
            reason = self._breach()
            if reason:
                with self._lock:
                    if not self._done.is_set():
                        self.reason = reason
                        os.kill(self.pid, signal.SIGKILL)
                return

    def finish(self) -> None:
        """Called once the child has been reaped: from now on its pid is never signalled."""
        with self._lock:
            self._done.set()
        self.join()

    def _breach(self) -> str:
        if self.deadline is not None and time.monotonic() > self.deadline:
            return "timed out"
        rss = _rss_mb(self.pid)
        if self.rss_limit_mb is not None and rss is not None and rss > self.rss_limit_mb:
            return f"killed at {rss:,.0f} MB resident (limit {self.rss_limit_mb:,.0f} MB)"
        return ""


def _rss_mb(pid: int) -> float | None:
    """Current resident memory of a process, from /proc (None when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def _read(handle: IO[bytes]) -> str:
    """All text written to a temporary file."""
    handle.seek(0)
    return handle.read().decode(errors="replace")
