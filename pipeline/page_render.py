"""``ctsync page``: a trial's page facts on a terminal, laid out like the editors' page."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pipeline.page import PageFacts

_LABEL_WIDTH = 24


def render_page(console: Console, facts: PageFacts, version: int) -> None:
    """Quick facts, conditions, criteria and sites; Text objects, so registry text prints as it is."""
    console.print(Text(facts.title or facts.nct_id, style="bold"), highlight=False)
    if facts.official_title and facts.official_title != facts.title:
        console.print(Text(facts.official_title, style="italic"), highlight=False)
    console.print(Text(f"{facts.nct_id}, version {version}", style="dim"), highlight=False)
    console.print()
    console.print(Text("Quick facts", style="bold"), highlight=False)
    for fact in facts.quick_facts:
        console.print(Text(f"  {fact.label:<{_LABEL_WIDTH}}{fact.value}"), highlight=False)
    console.print()
    console.print(Text(f"Conditions: {', '.join(facts.conditions) or 'None listed'}"), highlight=False)
    for section in facts.criteria:
        console.print()
        console.print(Text(f"{section.heading}:", style="bold"), highlight=False)
        for item in section.items:
            console.print(Text(f"  * {item}"), highlight=False)
    console.print()
    console.print(Text("Where this trial is running", style="bold"), highlight=False)
    for site in facts.sites or ():
        where = f"{site.place}: {site.facility}" if site.facility else site.place
        status = f" ({site.status.replace('_', ' ').lower()})" if site.status else ""
        console.print(Text(f"  {where}{status}"), highlight=False)
    if not facts.sites:
        console.print(Text("  No sites listed"), highlight=False)
