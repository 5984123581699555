"""A stored trial's record for the terminal (``ctsync show``), criteria as the sponsor structured them.
No data access here; it imports only rich and the models, so ``show`` starts fast."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.criteria_model import SECTIONS, Criteria, Criterion
from pipeline.models import Trial, TrialDate


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
