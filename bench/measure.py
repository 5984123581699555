"""Run one command in a child process and measure it: wall seconds, peak RSS and its output.

Every benchmark measurement goes through `run`, so that ctsync and the baselines are timed the same way:
wall time includes process start, and peak RSS is the child's own high-water mark as the kernel reports it
to `os.wait4` (the per-child form of `getrusage(RUSAGE_CHILDREN)`, so earlier children do not leak into a
later measurement). A grandchild's peak counts only if the child waits for it; the kernel reports the
largest single process, never a sum.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Result:
    """What one measured command did."""

    command: tuple[str, ...]
    returncode: int
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        """Whether the command exited 0 in time."""
        return self.returncode == 0 and not self.timed_out

    def failure(self) -> str:
        """A one-line reason for a failed run, from the end of its stderr."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        return f"exit {self.returncode}: {lines[-1] if lines else 'no message'}"[:300]


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Result:
    """Run `command` to completion and measure it; stdout and stderr go through files, never pipes."""
    argv = tuple(str(part) for part in command)
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=cwd, env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        killed = threading.Event()
        timer = _kill_after(child, timeout, killed)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if timer is not None:
            timer.cancel()
        return Result(
            command=argv,
            returncode=child.returncode,
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
            stdout=_read(out),
            stderr=_read(err),
            timed_out=killed.is_set(),
        )


def _kill_after(
    child: subprocess.Popen[bytes], timeout: float | None, killed: threading.Event
) -> threading.Timer | None:
    """Kill the child (only that process: one we started) once `timeout` seconds have passed."""
    if timeout is None:
        return None

    def kill() -> None:
        killed.set()
        child.kill()

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    return timer


def _read(handle: IO[bytes]) -> str:
    """All text written to a temporary file."""
    handle.seek(0)
    return handle.read().decode(errors="replace")
