"""cron/ctsync-nightly against a fake ctsync: exit codes, summary line, log, rotation, overlap lock."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WRAPPER = REPO / "cron" / "ctsync-nightly"
SUMMARY = re.compile(
    r"^ctsync-nightly status=(ok|partial|failed) exit=(\d+) "
    r"started=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) finished=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) duration_s=(\d+)$"
)
# Stands in for ctsync: one line with what it was given and where, one on stderr, then FAKE_EXIT.
FAKE_CTSYNC = """#!/bin/sh
echo "fake-ctsync args=$* cwd=$(pwd) log_file=${CTSYNC_LOG_FILE-unset} api=${CTSYNC_API_URL-unset}"
echo "fake-ctsync progress" >&2
exit "${FAKE_EXIT:-0}"
"""


@dataclass
class Site:
    workdir: Path
    log_dir: Path
    env_file: Path
    fake: Path

    @property
    def log(self) -> Path:
        return self.log_dir / "ctsync-nightly.log"

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("CTSYNC_", "FAKE_"))}
        base |= {
            "CTSYNC_BIN": str(self.fake),
            "CTSYNC_WORKDIR": str(self.workdir),
            "CTSYNC_LOG_DIR": str(self.log_dir),
            "CTSYNC_ENV_FILE": str(self.env_file),
        }
        return subprocess.run(
            [str(WRAPPER), *args], env=base | env, capture_output=True, text=True, timeout=10, check=False
        )


@pytest.fixture
def site(tmp_path: Path) -> Site:
    fake = tmp_path / "fake-ctsync"
    fake.write_text(FAKE_CTSYNC)
    fake.chmod(0o755)
    workdir = tmp_path / "work"
    workdir.mkdir()
    return Site(workdir=workdir, log_dir=tmp_path / "logs", env_file=tmp_path / "absent.env", fake=fake)


@pytest.mark.parametrize(("code", "status"), [(0, "ok"), (1, "partial"), (3, "failed"), (4, "failed")])
def test_exit_code_propagates_with_summary(site: Site, code: int, status: str) -> None:
    """The wrapper exits with ctsync's code and prints one summary line whose status matches it."""
    result = site.run(FAKE_EXIT=str(code))
    assert result.returncode == code
    match = SUMMARY.match(result.stdout.strip())
    assert match, result.stdout
    assert match.group(1) == status
    assert match.group(2) == str(code)
    assert match.group(3) <= match.group(4)
    assert (code != 0) == ("sync exited" in result.stderr)


def test_log_is_appended_with_output_and_summary(site: Site) -> None:
    """Each run appends ctsync's stdout and stderr and the summary line to the log, keeping earlier runs."""
    site.run("--full", FAKE_EXIT="0")
    site.run("--json", FAKE_EXIT="1")
    text = site.log.read_text()
    assert "fake-ctsync args=sync --full" in text
    assert "fake-ctsync args=sync --json" in text
    assert text.count("fake-ctsync progress") == 2
    statuses = [m.group(1) for m in map(SUMMARY.match, text.splitlines()) if m]
    assert statuses == ["ok", "partial"]


def test_child_gets_log_file_workdir_and_env_file(site: Site) -> None:
    """ctsync runs in CTSYNC_WORKDIR with the env file's variables and CTSYNC_LOG_FILE in the log dir."""
    site.env_file.write_text("CTSYNC_API_URL=http://from-env-file.invalid\n")
    site.run()
    line = site.log.read_text()
    assert f"cwd={site.workdir}" in line
    assert f"log_file={site.log_dir / 'ctsync.jsonl'}" in line
    assert "api=http://from-env-file.invalid" in line


def test_caller_environment_wins_over_env_file(site: Site) -> None:
    """A CTSYNC_* variable already set by the caller overrides the env file, including CTSYNC_LOG_FILE."""
    site.env_file.write_text("CTSYNC_API_URL=http://from-env-file.invalid\n")
    site.run(CTSYNC_API_URL="http://caller.invalid", CTSYNC_LOG_FILE="/elsewhere/x.jsonl")
    line = site.log.read_text()
    assert "api=http://caller.invalid" in line
    assert "log_file=/elsewhere/x.jsonl" in line


def test_log_dir_defaults_under_workdir(site: Site) -> None:
    """Without CTSYNC_LOG_DIR the log goes to $CTSYNC_WORKDIR/data/logs."""
    site.log_dir = site.workdir / "data" / "logs"
    result = site.run(CTSYNC_LOG_DIR="")
    assert result.returncode == 0
    assert "fake-ctsync" in site.log.read_text()


def test_rotation_keeps_newest_numbered_files(site: Site) -> None:
    """A log over CTSYNC_LOG_MAX_BYTES becomes .1, older ones shift up, and only CTSYNC_LOG_KEEP remain."""
    site.log_dir.mkdir()
    site.log.write_text("run-0\n" + "x" * 200)
    for n in range(1, 6):
        site.log.with_name(f"ctsync-nightly.log.{n}").write_text(f"old-{n}\n")
    site.run(CTSYNC_LOG_MAX_BYTES="100", CTSYNC_LOG_KEEP="3")
    rotated = sorted(p.name for p in site.log_dir.glob("ctsync-nightly.log.*"))
    assert rotated == ["ctsync-nightly.log.1", "ctsync-nightly.log.2", "ctsync-nightly.log.3"]
    assert site.log.with_name("ctsync-nightly.log.1").read_text().startswith("run-0")
    assert site.log.with_name("ctsync-nightly.log.2").read_text() == "old-1\n"
    assert site.log.with_name("ctsync-nightly.log.3").read_text() == "old-2\n"
    assert "run-0" not in site.log.read_text()
    assert "fake-ctsync" in site.log.read_text()


def test_small_log_is_not_rotated(site: Site) -> None:
    """A log under the size limit keeps growing in place."""
    site.run()
    site.run()
    assert not list(site.log_dir.glob("ctsync-nightly.log.*"))
    assert site.log.read_text().count("fake-ctsync args") == 2


def test_held_lock_exits_75_without_running(site: Site) -> None:
    """While another process holds the nightly lock, the wrapper says so and exits 75 without ctsync."""
    site.log_dir.mkdir()
    with (site.log_dir / "nightly.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = site.run()
    assert result.returncode == 75
    assert "another nightly run is in progress" in result.stderr
    assert "another nightly run is in progress" in site.log.read_text()
    assert "fake-ctsync" not in site.log.read_text()
    assert site.run().returncode == 0


def test_missing_ctsync_is_a_failed_run(site: Site) -> None:
    """When CTSYNC_BIN cannot be run, the run is still summarised as failed with the shell's exit code."""
    result = site.run(CTSYNC_BIN=str(site.workdir / "no-such-ctsync"))
    assert result.returncode == 127
    assert "status=failed exit=127" in result.stdout


@pytest.mark.parametrize("env", [{"CTSYNC_LOG_KEEP": "seven"}, {"CTSYNC_WORKDIR": "/nonexistent/ctsync"}])
def test_bad_setup_exits_78(site: Site, env: dict[str, str]) -> None:
    """A wrapper misconfiguration exits 78, never 1, which would read as "some trials failed"."""
    result = site.run(**env)
    assert result.returncode == 78
    assert "ctsync-nightly:" in result.stderr
