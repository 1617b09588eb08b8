"""The summary of a finished run (every KPI) and its tables by field team, by inbound channel, by response delay.

What each KPI means, its unit, its order in summary.json and its computation are in
:mod:`sim.measure.kpis`; the summary asks the run's :class:`sim.measure.results.Results`
for each. The tables count the funnel as :mod:`sim.measure.funnel` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.measure.funnel import inquiries, response_delays
from sim.measure.kpis import ratio
from sim.measure.results import Results

if TYPE_CHECKING:
    from sim.model.market import Channel
    from sim.model.model import SalesOrgModel


def summarize_model(model: SalesOrgModel, leads: pd.DataFrame) -> dict[str, float]:
    """Every KPI of a finished model and its lead log, in the registry's order (summary.json)."""
    return Results(leads, model).summary()


def field_by_team(model: SalesOrgModel) -> pd.DataFrame:
    """Each field team at the end: reps, utilisation, open deals per rep, returns, customers and their ARR."""
    rows = []
    for team, (name, reps) in enumerate(zip(model.team_names, model.field_by_team, strict=True)):
        available = sum(r.hours_available for r in reps)
        customers = [c for c in model.customers.active if c.team == team]
        rows.append(
            {
                "team": name,
                "field_reps": len(reps),
                "field_utilisation": sum(r.hours_used for r in reps) / available if available else float("nan"),
                "open_opportunities_per_rep": sum(r.open_opps for r in reps) / len(reps) if reps else float("nan"),
                "leads_returned_for_capacity": sum(r.returned for r in reps),
                "customers": len(customers),
                "recurring_revenue": float(sum(c.contract for c in customers)),
            }
        )
    return pd.DataFrame(rows)


def per_team(leads: pd.DataFrame) -> pd.DataFrame:
    """Funnel and service level of each field team's territory (the registry's computations on its leads)."""
    rows = []
    for team, part in leads.groupby("team", observed=False):
        territory = Results(part)
        rows.append(
            {
                "team": team,
                "leads_created": len(territory.created),  # recycled leads too, unlike the KPI of that name
                **{name: territory[name] for name in ("leads_handed_off", "leads_ignored", "deals_won")},
                "revenue": float(part["revenue"].sum()),  # won on the territory's leads (the books have no teams)
                "median_response_hours": territory["median_response_hours"],
                "prospect_satisfaction": territory["prospect_satisfaction"],
            }
        )
    return pd.DataFrame(rows)


def per_channel(leads: pd.DataFrame, channels: list[Channel], marketing_cost: float) -> pd.DataFrame:
    """What each inbound channel cost marketing and what its prospects became (recycled ones included).

    ``marketing_cost`` is the run's spend; each channel's budget is its share of it (its share of
    the inquiries bought at its price), whatever number of inquiries it brought.
    """
    weights = [c.share * c.cost for c in channels]
    total = sum(weights)
    rows = []
    for channel, weight in zip(channels, weights, strict=True):
        part = leads[leads["channel"] == channel.name]
        came = Results(part)  # the registry's computations on the channel's leads
        asked = int((came.created["source"] == "inbound").sum())
        spend = marketing_cost * weight / total if total else 0.0
        qualified, won = came["leads_qualified"], came["deals_won"]
        revenue = float(part.loc[came.won, "revenue"].sum())
        rows.append(
            {
                "channel": channel.name,
                "cost_per_inquiry": channel.cost,
                "inquiries": asked,
                "marketing_cost": spend,
                "leads_qualified": qualified,
                "opportunities": came["opportunities"],
                "deals_won": won,
                "revenue": revenue,
                "cost_per_qualified_lead": ratio(spend, qualified),
                "marketing_cost_per_deal": ratio(spend, won),
                "revenue_per_marketing_dollar": ratio(revenue, spend),
            }
        )
    return pd.DataFrame(rows)


def response_qualification(leads: pd.DataFrame, bins: tuple[float, ...] = (0, 1, 2, 8, np.inf)) -> pd.DataFrame:
    """Share of attempted inbound leads qualified, by first-attempt delay bucket.

    The quantity of Oldroyd et al. (HBR 2011): how likely a lead is to qualify
    given how soon the first attempt came (hours).
    """
    timed = inquiries(leads)
    delay = response_delays(timed)
    attempted = delay.notna()
    bucket = pd.cut(delay[attempted], bins=list(bins), right=False)
    qualified = timed.loc[attempted, "qualified_at"].notna()
    table = qualified.groupby(bucket, observed=False).agg(["mean", "size"])
    table.columns = ["qualified_share", "leads"]
    return table
