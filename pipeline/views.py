"""Human renderings of stored records for the terminal (rich). No data access here."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline.models import TrialDate, Trial


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
        ("Enrollment", f"{trial.enrollment_count if trial.enrollment_count is not None else '—'}"
         f" ({humanize(trial.enrollment_type).lower()})" if trial.enrollment_type else "—"),
        ("Ages", f"{eligibility.minimum_age or 'N/A'} to {eligibility.maximum_age or 'N/A'}"),
        ("Sex", humanize(eligibility.sex)),
        ("Healthy volunteers", {True: "Yes", False: "No", None: "—"}[eligibility.healthy_volunteers]),
        ("Sponsor", f"{trial.lead_sponsor.name} ({humanize(trial.lead_sponsor.agency_class)})"
         if trial.lead_sponsor else "—"),
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
    _print_items(console, "Inclusion criteria", eligibility.inclusion)
    _print_items(console, "Exclusion criteria", eligibility.exclusion)


def _print_items(console: Console, title: str, items: tuple[str, ...]) -> None:
    if not items:
        return
    console.print(f"\n[bold]{title}[/bold]")
    for item in items:
        console.print(f"  • {item}", markup=False, highlight=False)
