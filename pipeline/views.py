"""Human renderings of stored records for the terminal (rich). No data access here."""

from __future__ import annotations

import sys
from datetime import UTC
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.change import Change, ChangeLog, QueueEntry
from pipeline.criteria import SECTIONS, Criteria, Criterion
from pipeline.models import Trial, TrialDate
from pipeline.render import SEVERITY_STYLES, render_changes


class TrimmedLines:
    """A text stream onto ``sys.stdout`` (looked up at each write) that drops the spaces rich pads table
    lines with: piped output has no trailing whitespace to trip ``diff`` or ``grep 'x$'``."""

    def __init__(self) -> None:
        self._pending = ""

    @property
    def encoding(self) -> str:
        return getattr(sys.stdout, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        if lines:
            sys.stdout.write("".join(f"{line.rstrip()}\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            sys.stdout.write(self._pending)
            self._pending = ""
        sys.stdout.flush()


def humanize(value: str | None) -> str:
    """ACTIVE_NOT_RECRUITING → Active, not recruiting; PHASE2 → Phase 2."""
    if value is None:
        return "—"
    special = {"ACTIVE_NOT_RECRUITING": "Active, not recruiting", "NA": "Not applicable"}
    if value in special:
        return special[value]
    if value.startswith("PHASE") or value.startswith("EARLY_PHASE"):
        return value.replace("EARLY_PHASE", "Early phase ").replace("PHASE", "Phase ")
    return value.replace("_", " ").capitalize()


def date_text(value: TrialDate | None) -> str:
    if value is None:
        return "—"
    kind = f" ({value.type.lower()})" if value.type else ""
    return f"{value.text}{kind}"


def render_trial(console: Console, trial: Trial, version: int) -> None:
    """The quick facts an editor's trial page shows, then eligibility, conditions and sites."""
    console.print(f"[bold]{trial.nct_id}[/bold]  {trial.brief_title or ''}  [dim](version {version})[/dim]")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    eligibility = trial.eligibility
    rows = [
        ("Status", humanize(trial.overall_status)),
        ("Study type", humanize(trial.study_type)),
        ("Phase", ", ".join(humanize(p) for p in trial.phases) or "—"),
        (
            "Enrollment",
            f"{trial.enrollment_count if trial.enrollment_count is not None else '—'}"
            f" ({humanize(trial.enrollment_type).lower()})"
            if trial.enrollment_type
            else "—",
        ),
        ("Ages", f"{eligibility.minimum_age or 'N/A'} to {eligibility.maximum_age or 'N/A'}"),
        ("Sex", humanize(eligibility.sex)),
        ("Healthy volunteers", {True: "Yes", False: "No", None: "—"}[eligibility.healthy_volunteers]),
        (
            "Sponsor",
            f"{trial.lead_sponsor.name} ({humanize(trial.lead_sponsor.agency_class)})"
            if trial.lead_sponsor
            else "—",
        ),
        ("Interventions", "; ".join(f"{humanize(i.type)}: {i.name}" for i in trial.interventions) or "—"),
        ("Sites", f"{len(trial.locations)} in {', '.join(trial.countries) or '—'}"),
        ("Start", date_text(trial.start_date)),
        ("Primary completion", date_text(trial.primary_completion_date)),
        ("Last update posted", date_text(trial.last_update_posted_date)),
        ("Conditions", "; ".join(trial.conditions) or "—"),
    ]
    for label, value in rows:
        facts.add_row(label, value)
    console.print(facts)
    render_criteria(console, eligibility.structure)


_BULLETS = ("•", "◦", "▪", "‣")


def render_criteria(console: Console, criteria: Criteria) -> None:
    """The criteria as the sponsor wrote them: each section, its groups under their headers, items
    nested; lead-ins and notes dimmed. Registry text is printed as text, never as markup."""
    for note in criteria.notes:
        console.print(Text(f"\n{note}", style="dim"))
    for section in SECTIONS:
        groups = criteria.groups(section)
        if not groups:
            continue
        console.print(Text(f"\n{section.capitalize()} criteria", style="bold"))
        for group in groups:
            indent = "  "
            if group.header is not None:
                console.print(Text(f"  {group.header}", style="bold"))
                indent = "    "
            for lead_in in group.lead_ins:
                console.print(Text(f"{indent}{lead_in}", style="dim"))
            for item in group.items:
                _print_criterion(console, item, indent, 0)
            for note in group.notes:
                console.print(Text(f"{indent}{note}", style="dim"))


def _print_criterion(console: Console, item: Criterion, indent: str, depth: int) -> None:
    # wrapped lines hang under the text, not under the bullet
    lead = f"{indent}{'  ' * depth}{_BULLETS[depth % len(_BULLETS)]} "
    width = max(20, console.width - len(lead))
    for index, line in enumerate(Text(item.text).wrap(console, width)):
        line.rstrip()
        console.print(Text(lead if index == 0 else " " * len(lead)) + line, highlight=False)
    for child in item.items:
        _print_criterion(console, child, indent, depth + 1)


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
