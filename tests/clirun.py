"""``ctsync`` run inside the test process, through the console entry point ``pipeline.cli.main``.

A subprocess per command costs a Python start-up and every import (about a second on a loaded machine);
most CLI tests only need what a user sees: the exit code, stdout and stderr. ``run_ctsync`` calls
``pipeline.cli.main(argv)`` — the same function the ``ctsync`` script runs, so ctsync errors still become
one ``ctsync: error: …`` line and their documented exit code — and catches its ``SystemExit``.

Isolation: the working directory and any environment variables are set with ``monkeypatch`` (undone after
the test), stdout/stderr are captured with ``capsys``, and the SIGTERM handler ``main`` installs is put
back afterwards. Tests whose point is a process (signals, kills, locks held by another process, worker
processes, the installed script, the web server, start-up) keep running ``ctsync`` as a subprocess.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import cli


@dataclass
class CliResult:
    """What a user of ``ctsync`` sees; ``returncode``/``stdout``/``stderr`` as on ``CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def run_ctsync(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str | Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> CliResult:
    """``ctsync ARGS…`` in process: its exit code and what it wrote to stdout and stderr.

    ``cwd`` and ``env`` hold for this one command only (as for a subprocess), then are put back.
    """
    capsys.readouterr()  # drop whatever the test printed before
    sigterm = signal.getsignal(signal.SIGTERM)
    with monkeypatch.context() as scoped:
        if cwd is not None:
            scoped.chdir(cwd)
        for name, value in (env or {}).items():
            scoped.setenv(name, value)
        try:
            cli.main([str(arg) for arg in args])
        except SystemExit as exited:
            code = exited.code
            returncode = code if isinstance(code, int) else (0 if code is None else 1)
        else:
            returncode = 0
        finally:
            signal.signal(signal.SIGTERM, sigterm)
    out, err = capsys.readouterr()
    return CliResult(returncode, out, err)


class Ctsync:
    """A test's ``ctsync``: ``ctsync(cwd, ARGS…, env=…)`` runs in process with ``--db <cwd>/db.duckdb``."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, cwd: Path, *args: str | Path, env: Mapping[str, str] | None = None) -> CliResult:
        return run_ctsync(
            self.capsys,
            self.monkeypatch,
            "--db",
            cwd / "db.duckdb",
            *args,
            cwd=cwd,
            env={"CTSYNC_RATE": "0", **(env or {})},
        )


@dataclass
class Result:
    """One in-process ``ctsync`` run of a ``DbCli``: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return self.err.splitlines()


class DbCli:
    """``ctsync --db <tmp>/ctsync.duckdb --published <tmp>/published.duckdb …`` run in this process, from
    ``tmp_path`` and with ``CTSYNC_RATE=0`` for the test."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.db = tmp_path / "ctsync.duckdb"
        self.published = tmp_path / "published.duckdb"
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("CTSYNC_RATE", "0")

    def __call__(self, *args: str | Path) -> Result:
        ran = run_ctsync(self.capsys, self.monkeypatch, "--db", self.db, "--published", self.published, *args)
        return Result(ran.returncode, ran.stdout, ran.stderr)

    def ok(self, *args: str | Path) -> Result:
        result = self(*args)
        assert result.code == 0, result.err
        return result
