"""KPIs of a finished run: the funnel, money, speed and prospect satisfaction.

Pure functions of the lead log and the model's books, so that the same
formulas serve a single run, a comparison and the tests. What each KPI means,
its unit and its order in summary.json are in :mod:`sim.measure.kpis`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.params import DAYS_PER_YEAR
from sim.measure.kpis import KPI_NAMES

if TYPE_CHECKING:
    from sim.model.market import Channel
    from sim.model.model import SalesOrgModel

DISSATISFIED_AT = 40.0  # satisfaction at or under this (10 points below neutral) is dissatisfied


def latest_rows(leads: pd.DataFrame) -> pd.DataFrame:
    """Each prospect once, as they stand at the end: a lead that nurture recycled is the later row.

    A recycled lead carries the earlier one's satisfaction forward, so counting both rows
    would count one prospect twice, with its old feelings in both.
    """
    return leads[~leads["lead_id"].isin(leads["recycled_from"].dropna())]


def prospects(leads: pd.DataFrame) -> pd.DataFrame:
    """Each prospect who came in while the books were open, once, as they stand at the end.

    Prospects from before (leads in flight from the warm-up, or back from nurture after a
    lead of the warm-up) are left out: their feelings are mostly the warm-up's, and only an
    organization that nurtures would bring them back into view.
    """
    return latest_rows(leads[leads["prospect_since"] >= 0])


def happened(leads: pd.DataFrame, stamp: str) -> pd.Series:
    """Whether each lead's event ``stamp`` happened while the books were open (stamps of the warm-up are negative)."""
    return leads[stamp] >= 0.0  # NaN (never happened) compares False


def new_leads(leads: pd.DataFrame) -> pd.DataFrame:
    """The leads created while the books were open (not those in flight from the warm-up): cohort measures."""
    return leads[~leads["in_flight"]]


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else float("nan")


def summarize(leads: pd.DataFrame, revenue: float, cost_of_sales: float, cost_of_goods: float) -> dict[str, float]:
    """The KPIs of one run from its lead log and its books.

    Args:
        leads: the lead log (one row per lead, columns of ``LeadBook.to_frame``).
        revenue: dollars won.
        cost_of_sales: salaries, commissions, tools and hiring, dollars.
        cost_of_goods: share of a deal's list value that is cost (for the margin).

    Returns:
        KPI name -> value; NaN where a KPI is undefined (e.g. no deals closed:
        pandas gives NaN for the median or mean of nothing).
    """
    # counts are of events while the books were open; leads in flight from the warm-up end here too
    outcome = leads["outcome"].astype(str)
    created = new_leads(leads)
    inbound = created[created["source"] == "inbound"]
    delay = inbound["first_attempt_at"] - inbound["created_at"]  # NaN: never attempted
    response = delay.dropna()
    closed = outcome.isin(["won", "lost"])
    won = int((outcome == "won").sum())
    handed = happened(leads, "handed_off_at")
    opps = happened(leads, "opportunity_at")
    followed = happened(leads, "followed_up_at") & leads["handed_off_at"].notna()
    acceptance = (leads["accepted_at"] - leads["handed_off_at"])[handed].dropna()
    team_medians = delay.groupby(inbound["team"], observed=True).median().dropna()
    seen = prospects(leads)
    return {
        "revenue": float(revenue),
        "deals_won": won,
        "win_rate": _ratio(won, int(closed.sum())),
        "leads_created": int((created["source"] != "recycled").sum()),
        "leads_recycled": int((created["source"] == "recycled").sum()),
        "leads_contacted": int(happened(leads, "contacted_at").sum()),
        "leads_qualified": int(happened(leads, "qualified_at").sum()),
        "leads_handed_off": int(handed.sum()),
        "leads_accepted": int((happened(leads, "accepted_at") & leads["handed_off_at"].notna()).sum()),
        "leads_rejected": int((outcome == "rejected").sum()),
        "leads_ignored": int((outcome == "ignored").sum()),
        "opportunities": int(opps.sum()),
        "median_response_hours": float(response.median()),
        "share_responded_within_1h": _ratio(int((response <= 1.0).sum()), len(inbound)),
        "median_acceptance_hours": float(acceptance.median()),
        "team_response_gap_hours": float(team_medians.max() - team_medians.min())
        if len(team_medians) > 1
        else float("nan"),
        "prospect_satisfaction": float(seen["satisfaction"].mean()),
        "share_dissatisfied": _ratio(int((seen["satisfaction"] <= DISSATISFIED_AT).sum()), len(seen)),
        "repeat_question_rate": _ratio(int((leads["repeated_questions"] & followed).sum()), int(followed.sum())),
        "cost_of_sales": float(cost_of_sales),
        "profit": float(revenue - cost_of_sales),
        "roi": _ratio(revenue - cost_of_sales, cost_of_sales),
        "margin": float(revenue - cost_of_goods * leads.loc[outcome == "won", "value"].sum()),
        "mean_discount": float(leads.loc[outcome == "won", "discount"].mean()),
        "deals_pulled_in": int(((outcome == "won") & (leads["pull_in_discount"] > 0)).sum()),
        "quarter_end_discount_cost": float((leads["value"] * leads["pull_in_discount"])[outcome == "won"].sum()),
    }


QUOTA_MIN_DAYS = 91  # a rep is judged on quota after a quarter in post


def attainment(tenures: list[tuple[float, int]], quota: float) -> np.ndarray:
    """Each rep's credit over their quota prorated to their days, for reps a quarter in post or more."""
    kept = [(credited, days) for credited, days in tenures if days >= QUOTA_MIN_DAYS]
    if not kept or quota <= 0:
        return np.array([])
    return np.array([credited / (quota * days / DAYS_PER_YEAR) for credited, days in kept])


def quotas(model: SalesOrgModel) -> dict[str, float]:
    """Who made quota: field reps on revenue, inside reps on their plan's metric (reps who left included)."""
    p = model.params
    field = attainment(
        model.field_tenures + [(r.sold, r.days_selling) for r in model.field_reps if r.active], p.field_quota
    )
    inside = attainment(
        model.inside_tenures + [(r.credited, r.days_in_seat) for r in model.inside_reps if r.active], p.inside_quota
    )
    return {
        "quota_attainment_share": float((field >= 1.0).mean()) if len(field) else float("nan"),
        "median_quota_attainment": float(np.median(field)) if len(field) else float("nan"),
        "inside_quota_attainment_share": float((inside >= 1.0).mean()) if len(inside) else float("nan"),
    }


def costs(kpis: dict[str, float], model: SalesOrgModel, inbound_qualified: int) -> dict[str, float]:
    """The P&L beyond the cost of sales: managers, tools, hiring, marketing, and what a customer costs."""
    marketing = float(model.marketing_cost)
    spend = kpis["cost_of_sales"] + marketing
    won = kpis["deals_won"]
    renewals = model.customers.renewed * (1.0 - model.params.cost_of_goods)  # renewed contracts, less cost of goods
    return {
        "manager_cost": float(model.manager_cost),
        "tooling_cost": float(model.tooling_cost),
        "hiring_cost": float(model.hiring_cost),
        "marketing_cost": marketing,
        "operating_profit": kpis["margin"] + renewals - spend,
        "cost_per_lead": _ratio(marketing, inbound_qualified),
        "cac": _ratio(spend, won),
        "cac_payback_months": _ratio(12 * spend, kpis["margin"]) if kpis["margin"] > 0 else float("nan"),
        "sales_cost_per_revenue": _ratio(spend, kpis["revenue"]),
    }


def customers(kpis: dict[str, float], model: SalesOrgModel) -> dict[str, float]:
    """What the run's customers are worth after the sale: contracts kept, renewed, lost, grown."""
    book = model.customers
    gross_margin = kpis["margin"] / kpis["revenue"] if kpis["revenue"] > 0 else float("nan")
    churn = book.churn_rate()
    ltv = book.lifetime_value(gross_margin, churn)
    return {
        "customers": len(book.active),
        "recurring_revenue": float(book.recurring_revenue),
        "renewal_revenue": float(book.renewed),
        "churned_revenue": float(book.churned),
        "expansion_revenue": float(book.expanded),
        "customer_churn_rate": float(churn),
        "customer_lifetime_value": float(ltv),
        "ltv_to_cac": _ratio(ltv, kpis["cac"]),
    }


def summarize_model(model: SalesOrgModel, leads: pd.DataFrame) -> dict[str, float]:
    """KPIs of a finished model, with the organization's state at the end, in the registry's order."""
    kpis = summarize(leads, model.revenue, model.cost_of_sales, model.params.cost_of_goods)
    kpis["salaries"] = float(model.salaries)
    kpis["commissions"] = float(model.commissions)
    inbound_qualified = int((happened(leads, "qualified_at") & (leads["source"] == "inbound")).sum())
    kpis.update(costs(kpis, model, inbound_qualified))
    kpis.update(customers(kpis, model))
    kpis["field_hours_wasted"] = float(model.field_hours_wasted)
    kpis["inside_bar_gap"] = model.mean_inside_bar_gap()
    kpis["field_trust"] = model.mean_trust()
    reps = model.field_reps
    available = sum(r.hours_available for r in reps)
    kpis["field_utilisation"] = float(sum(r.hours_used for r in reps) / available) if available else float("nan")
    days = sum(r.days_worked for r in reps)
    kpis["field_overbooked_share"] = sum(r.days_overbooked for r in reps) / days if days else float("nan")
    kpis["open_opportunities_per_rep"] = float(sum(r.open_opps for r in reps) / len(reps)) if reps else float("nan")
    kpis["leads_returned_for_capacity"] = sum(r.returned for r in reps)
    kpis["pipeline_value"] = float(model.pipeline_value)
    kpis.update(quotas(model))
    kpis["field_quits"] = model.field_quits
    kpis["leads_reassigned"] = model.reassigned
    reviews = sum(r.reviews for r in reps)
    kpis["sla_met_share"] = sum(r.reviews_on_time for r in reps) / reviews if reviews else float("nan")
    # The registry's order; a KPI computed here but missing from the registry is kept, last (the tests catch it).
    return {name: kpis.pop(name) for name in KPI_NAMES} | kpis


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
    """Funnel and service level of each field team's territory."""
    rows = []
    for team, part in leads.groupby("team", observed=False):
        created = new_leads(part)
        inbound = created[created["source"] == "inbound"]
        response = (inbound["first_attempt_at"] - inbound["created_at"]).dropna()
        outcome = part["outcome"].astype(str)
        rows.append(
            {
                "team": team,
                "leads_created": len(created),
                "leads_handed_off": int(happened(part, "handed_off_at").sum()),
                "leads_ignored": int((outcome == "ignored").sum()),
                "deals_won": int((outcome == "won").sum()),
                "revenue": float(part["revenue"].sum()),
                "median_response_hours": float(response.median()),
                "prospect_satisfaction": float(prospects(part)["satisfaction"].mean()),
            }
        )
    return pd.DataFrame(rows)


def per_channel(leads: pd.DataFrame, channels: list[Channel]) -> pd.DataFrame:
    """What each inbound channel cost marketing and what its prospects became (recycled ones included)."""
    rows = []
    for channel in channels:
        part = leads[leads["channel"] == channel.name]
        created = new_leads(part)
        inquiries = int((created["source"] == "inbound").sum())
        spend = inquiries * channel.cost
        qualified = int(happened(part, "qualified_at").sum())
        won = part["outcome"].astype(str) == "won"
        revenue = float(part.loc[won, "revenue"].sum())
        rows.append(
            {
                "channel": channel.name,
                "cost_per_inquiry": channel.cost,
                "inquiries": inquiries,
                "marketing_cost": spend,
                "leads_qualified": qualified,
                "opportunities": int(happened(part, "opportunity_at").sum()),
                "deals_won": int(won.sum()),
                "revenue": revenue,
                "cost_per_qualified_lead": _ratio(spend, qualified),
                "marketing_cost_per_deal": _ratio(spend, int(won.sum())),
                "revenue_per_marketing_dollar": _ratio(revenue, spend),
            }
        )
    return pd.DataFrame(rows)


def response_qualification(leads: pd.DataFrame, bins: tuple[float, ...] = (0, 1, 2, 8, np.inf)) -> pd.DataFrame:
    """Share of attempted inbound leads qualified, by first-attempt delay bucket.

    The quantity of Oldroyd et al. (HBR 2011): how likely a lead is to qualify
    given how soon the first attempt came (hours).
    """
    created = new_leads(leads)
    inbound = created[(created["source"] == "inbound") & created["first_attempt_at"].notna()]
    delay = inbound["first_attempt_at"] - inbound["created_at"]
    bucket = pd.cut(delay, bins=list(bins), right=False)
    qualified = inbound["qualified_at"].notna()
    table = qualified.groupby(bucket, observed=False).agg(["mean", "size"])
    table.columns = ["qualified_share", "leads"]
    return table
