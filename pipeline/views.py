"""Human renderings of the editors' and the ledger's lists for the terminal (rich): rows, the queue, the
run ledger, the change log. No data access here; a trial's record is ``trial_view``."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.change import Change, ChangeLog, QueueEntry
from pipeline.render import SEVERITY_STYLES, render_changes


def render_rows(console: Console, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A plain table of the given columns."""
    if not rows:
        console.print("(none)")
        return
    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*(Text("" if row.get(c) is None else str(row[c])) for c in columns))
    console.print(table)


def render_queue(console: Console, entries: list[QueueEntry]) -> None:
    """The editors' queue: most severe first, then the longest waiting."""
    if not entries:
        console.print("Nothing to review.")
        return
    table = _compact_table()
    for name in ("Severity", "Trial", "Changes", "Reviewed", "Now", "Waiting"):
        table.add_column(name, no_wrap=True)
    table.add_column("What changed")
    for entry in entries:
        table.add_row(
            Text(entry.severity.upper(), style=SEVERITY_STYLES[entry.severity]),
            entry.nct_id,
            "new" if entry.never_reviewed and entry.current_version else str(entry.change_count),
            "never" if entry.baseline is None else f"v{entry.baseline}",
            "—" if entry.current_version is None else f"v{entry.current_version}",
            entry.pending_since.isoformat()[:10] if entry.pending_since else "",
            Text(", ".join(entry.categories) or "—"),
        )
    console.print(table)


def _compact_table() -> Table:
    """A borderless table that fits an 80-column terminal: editors and cron mails are read there."""
    return Table(box=None, padding=(0, 2, 0, 0), pad_edge=False, header_style="bold underline")


def render_runs(console: Console, runs: list[dict[str, Any]]) -> None:
    """The run ledger, newest first: what each run did, in one line each."""
    if not runs:
        console.print("No runs yet.")
        return
    table = _compact_table()
    for name in ("Run", "Command", "Status", "Finished", "Watermark", "New/chg/same/fail", "Requests"):
        table.add_column(name, no_wrap=True)
    table.add_column("Error")
    for run in runs:
        finished = run["finished_at"].astimezone(UTC).strftime("%m-%d %H:%MZ") if run["finished_at"] else "—"
        table.add_row(
            str(run["run_id"]),
            run["command"],
            Text(run["status"], style="red" if run["status"] == "failed" else ""),
            finished,
            str(run["watermark"] or "—"),
            f"{run['new_trials']}/{run['changed']}/{run['unchanged']}/{run['failed']}",
            f"{run['requests']}+{run['retries']} retried" if run["retries"] else str(run["requests"]),
            Text(run["error"] or ""),
        )
    console.print(table)
    for run in runs:
        drift = run.get("unaccounted_fields") or {}
        if drift:
            paths = ", ".join(f"{path} ({count})" for path, count in sorted(drift.items()))
            console.print(Text(f"run {run['run_id']} read fields this ctsync does not know: {paths}"))


def render_log(console: Console, log: ChangeLog) -> None:
    """The version-to-version change log, one block per stored version."""
    if not log.changes:
        console.print(
            f"{log.nct_id}: no changes recorded between stored versions"
            f" (current version {log.current_version})."
        )
        return
    by_version: dict[tuple[int | None, int], list[Change]] = {}
    for change in log.changes:
        by_version.setdefault((change.from_version, change.to_version), []).append(change)
    for (from_version, to_version), items in by_version.items():
        console.print()
        render_changes(
            items,
            nct_id=log.nct_id,
            baseline=from_version,
            current=to_version,
            title=None,
            console=console,
            log=True,
        )
