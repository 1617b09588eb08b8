"""Display names: what a client reads instead of a scenario's file name or a KPI's code key."""

from __future__ import annotations

from typing import Any

from sim.measure.kpis import kpi

# The built-in scenarios as a client reads them (a scenario of the user's reads as its name in words).
TITLES = {
    "field_only": "Field only (no inside team)",
    "misaligned": "Misaligned",
    "defined": "Defined",
    "aligned": "Aligned",
    "integrated": "Integrated",
    "shared_inside_team": "Shared inside team",
    "marketing_owned": "Inside sales under Marketing",
    "sales_owned": "Inside sales under Sales",
    "reorg": "Re-organization over a year",
}

# KPIs whose code label would read ambiguously beside the P&L: "profit" here is revenue less the cost
# of sales, not the P&L's bottom line (operating profit), so a client reads it under its own name.
LABELS = {
    "profit": "sales contribution",
    "roi": "return on cost of sales",
}
MEASURE = "sales contribution (new-business revenue less what the sales organization costs)"


def title(scenario: Any) -> str:
    """A scenario's display name: a built-in's title, else its name in words (``acme_reorg`` -> ``Acme reorg``)."""
    name = str(getattr(scenario, "name", scenario))
    if name in TITLES:
        return TITLES[name]
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def label(name: str) -> str:
    """A KPI's display label (its registry label unless it reads ambiguously beside the P&L)."""
    return LABELS.get(name, kpi(name).label)


def heading_label(name: str) -> str:
    """A KPI's display label as a heading (first letter capitalised)."""
    text = label(name)
    return text[:1].upper() + text[1:]
