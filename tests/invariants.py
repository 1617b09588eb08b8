"""Invariants every run must satisfy, shared by the model and property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.levers import derive
from sim.model.leads import TIMESTAMPS, State

OPEN_TO_LAST_STAMP = {
    "handed_off": "handed_off_at",
    "accepted": "accepted_at",
    "opportunity": "opportunity_at",
}


def check_run(result) -> None:
    """Assert lead conservation, ordered timestamps, bounded satisfaction, consistent money."""
    leads: pd.DataFrame = result.leads
    summary = result.summary
    states = {s.value for s in State}
    # conservation: every lead in exactly one known state
    assert leads["outcome"].notna().all()
    assert set(leads["outcome"].astype(str)) <= states
    assert leads["lead_id"].is_unique
    # every lead of the log is new in the run, back from nurture, or in flight from the warm-up
    in_flight = leads["in_flight"]
    assert len(leads) == summary["leads_created"] + summary["leads_recycled"] + int(in_flight.sum())
    assert (leads.loc[in_flight, "created_at"] < 0).all() and (leads.loc[~in_flight, "created_at"] >= 0).all()
    recycled = leads[leads["source"] == "recycled"]
    assert (recycled["recycled_from"] >= 0).all() and (recycled["recycled_from"] < recycled["lead_id"]).all()
    assert (leads.loc[leads["source"] != "recycled", "recycled_from"] == -1).all()
    recycled = recycled[recycled["recycled_from"].isin(leads["lead_id"])]  # not those of a lead of the warm-up
    came_from = leads.set_index("lead_id").loc[recycled["recycled_from"]]
    assert came_from["outcome"].astype(str).isin(["rejected", "lapsed", "unreached"]).all()
    assert (came_from["created_at"].to_numpy() <= recycled["created_at"].to_numpy()).all()
    # timestamps in lifecycle order wherever both are recorded
    stamps = leads[list(TIMESTAMPS)].to_numpy()
    filled = np.where(np.isnan(stamps), -np.inf, stamps)
    running = np.maximum.accumulate(filled, axis=1)
    ok = np.isnan(stamps) | (stamps >= running - 1e-9)
    assert ok.all(), leads[~ok.all(axis=1)].head()
    # final states carry the stamps they imply
    outcome = leads["outcome"].astype(str)
    closed = outcome.isin(["won", "lost"])
    assert leads.loc[closed, "closed_at"].notna().all()
    assert leads.loc[closed, "opportunity_at"].notna().all()
    assert leads.loc[~closed, "closed_at"].isna().all()
    assert leads.loc[outcome == "lost", "loss_reason"].notna().all()  # every lost deal says why
    assert leads.loc[outcome != "lost", "loss_reason"].isna().all()
    for state, column in OPEN_TO_LAST_STAMP.items():
        assert leads.loc[outcome == state, column].notna().all(), state
    # ignored: a handed-off lead left lying, or an inquiry a field rep answering its own never tried
    ignored = leads[outcome == "ignored"]
    assert (ignored["handed_off_at"].notna() | ignored["first_attempt_at"].isna()).all()
    assert leads.loc[outcome == "ignored", "accepted_at"].isna().all()
    assert leads.loc[outcome == "new", "first_attempt_at"].isna().all()
    # satisfaction within 0-100, money non-negative and consistent
    assert leads["satisfaction"].between(0, 100).all()
    assert (leads["revenue"] >= 0).all()
    assert summary["revenue"] >= 0 and summary["cost_of_sales"] >= 0
    assert summary["cost_of_sales"] >= summary["salaries"] >= 0 and summary["commissions"] >= 0
    parts = summary["salaries"] + summary["commissions"] + summary["tooling_cost"] + summary["hiring_cost"]
    assert abs(summary["cost_of_sales"] - parts) < 1e-6 * max(1.0, summary["cost_of_sales"])
    assert 0 <= summary["manager_cost"] <= summary["salaries"]
    spend = summary["cost_of_sales"] + summary["marketing_cost"] + summary["sales_marketing_overhead"]
    overheads = summary["account_management_cost"] + summary["other_operating_cost"]
    renewals = summary["renewal_revenue"] * (1 - derive(result.scenario).cost_of_goods)  # renewed, less cost of goods
    profit = summary["margin"] + renewals - spend - overheads
    assert abs(summary["operating_profit"] - profit) < 1e-6 * max(1.0, spend + overheads)
    assert summary["total_revenue"] == summary["revenue"] + summary["renewal_revenue"]
    # customers: the installed base and the run's wins still under contract, their contracts the recurring revenue
    assert summary["customers"] >= 0
    assert overheads >= 0 and summary["account_management_cost"] >= 0
    assert summary["recurring_revenue"] >= 0 and summary["churned_revenue"] >= 0
    assert summary["marketing_cost"] >= 0 and summary["hiring_cost"] >= 0 and summary["tooling_cost"] >= 0
    won_revenue = leads.loc[outcome == "won", "revenue"].sum()
    assert abs(summary["revenue"] - won_revenue) <= 1e-6 * max(1.0, won_revenue)
    assert summary["deals_won"] == int((outcome == "won").sum())
    for key, value in summary.items():
        if isinstance(value, int):
            assert value >= 0, key
