"""Nurture: leads the funnel let go come back as inquiries, with their history, at the rate the lever sets."""

import numpy as np

import sim


def _run(mode: str, seed: int = 3):
    return sim.run("aligned", seed=seed, days=150, overrides=[f"nurture.mode={mode}"])


def test_more_nurture_brings_more_leads_back_and_none_brings_none():
    recycled = {mode: _run(mode).summary["leads_recycled"] for mode in ("none", "basic", "active")}
    assert recycled["none"] == 0 < recycled["basic"] < recycled["active"]


def test_a_recycled_lead_keeps_its_prospect_and_history():
    leads = _run("active").leads.set_index("lead_id")
    back = leads[leads["source"] == "recycled"]
    back = back[back["recycled_from"].isin(leads.index)]  # not the prospects of a warm-up lead
    origin = leads.loc[back["recycled_from"]]
    assert len(back) > 100
    assert np.array_equal(back["fit"].to_numpy(), origin["fit"].to_numpy())
    assert np.array_equal(back["value"].to_numpy(), origin["value"].to_numpy())
    assert np.array_equal(back["team"].to_numpy(), origin["team"].to_numpy())
    assert (back["earlier_contacts"].to_numpy() >= origin["attempts"].to_numpy()).all()
    assert (back["created_at"].to_numpy() > origin["created_at"].to_numpy()).all()
    assert set(origin["outcome"].astype(str)) <= {"rejected", "lapsed", "unreached"}


def test_nurture_leaves_the_market_alone():
    cols = ["created_at", "value", "fit", "team"]
    a, b = _run("none").leads, _run("active").leads
    ia, ib = (x[(x["source"] == "inbound") & ~x["in_flight"]][cols].reset_index(drop=True) for x in (a, b))
    assert ia.equals(ib)  # the same inquiries arrive; only the recycled ones come on top
