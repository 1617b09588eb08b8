"""The KPI registry: the KPIs of ``summary.json``, their units and their labels.

Plain Python, no numpy or pandas, so that the command line can print a KPI
table without importing the numerical stack it does not otherwise need
(``salesim --help`` and ``salesim validate`` stay fast).
"""

from __future__ import annotations

# The KPIs of summary.json, in the order they are printed.
KPIS: tuple[str, ...] = (
    "revenue",
    "deals_won",
    "win_rate",
    "leads_created",
    "leads_contacted",
    "leads_qualified",
    "leads_handed_off",
    "leads_accepted",
    "leads_rejected",
    "leads_ignored",
    "opportunities",
    "median_response_hours",
    "share_responded_within_1h",
    "median_acceptance_hours",
    "team_response_gap_hours",
    "prospect_satisfaction",
    "share_dissatisfied",
    "repeat_question_rate",
    "cost_of_sales",
    "salaries",
    "commissions",
    "profit",
    "roi",
    "margin",
    "mean_discount",
    "field_hours_wasted",
    "inside_bar_gap",
    "field_trust",
)

UNITS = {
    "revenue": "$",
    "cost_of_sales": "$",
    "salaries": "$",
    "commissions": "$",
    "profit": "$",
    "win_rate": "share",
    "median_response_hours": "working h",
    "share_responded_within_1h": "share",
    "median_acceptance_hours": "working h",
    "team_response_gap_hours": "working h",
    "prospect_satisfaction": "0-100",
    "share_dissatisfied": "share",
    "repeat_question_rate": "share",
    "roi": "x",
    "margin": "$",
    "mean_discount": "share",
    "field_hours_wasted": "h",
    "inside_bar_gap": "fit",
    "field_trust": "0-1",
}


def kpi_label(kpi: str) -> str:
    """A KPI's name for people, with its unit where the value's format does not show it."""
    unit = UNITS.get(kpi, "")
    words = kpi.replace("_", " ")
    return f"{words} ({unit})" if unit and unit not in {"share", "$"} else words
