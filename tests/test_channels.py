"""Inbound channels: what each costs marketing, who it brings, and what its prospects become."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.config.scenario import ScenarioError, load_scenario
from sim.model.market import requantile

MIX = Path(__file__).resolve().parent.parent / "scenarios" / "channel_mix.yaml"


def _two(web: float = 150, events: float = 450) -> str:
    """Two channels: web inquiries (60%) and events (40%) at these prices (fixed-point: YAML 1.1 reads
    ``1e-05`` as text, issue 20)."""
    return (
        f"market.channels=[{{name: web, share: 0.6, cost_per_inquiry: {web:.4f}}}, "
        f"{{name: events, share: 0.4, cost_per_inquiry: {events:.4f}}}]"
    )


TWO = _two()
SHORT = ("simulation.warmup_days=28",)


def _run(*overrides: str, scenario: str = "aligned", seed: int = 3, days: int = 120):
    return sim.run(scenario, seed=seed, days=days, overrides=[*SHORT, *overrides])


def test_one_channel_named_in_full_is_the_default_market():
    plain = _run("market.cost_per_inquiry=250")
    named = _run("market.channels=[{name: inbound, share: 1, cost_per_inquiry: 250}]")
    pd.testing.assert_frame_equal(plain.leads, named.leads)
    assert plain.summary == named.summary
    assert list(plain.channels["channel"]) == ["inbound"]


def test_marketing_pays_each_channels_budget_at_its_price_and_the_table_adds_up():
    """Each channel's budget buys its share of the inquiries at its price: the bill is what the
    arrivals would cost at those prices, give or take the Poisson noise of how many came."""
    result = _run(TWO)
    table = result.channels.set_index("channel")
    inquiries = result.leads[(result.leads["source"] == "inbound") & ~result.leads["in_flight"]]
    counts = inquiries["channel"].value_counts()
    assert table.loc["web", "inquiries"] == counts["web"] and table.loc["events", "inquiries"] == counts["events"]
    bill = result.summary["marketing_cost"]
    assert bill == pytest.approx(150 * counts["web"] + 450 * counts["events"], rel=0.05)
    assert table["marketing_cost"].sum() == pytest.approx(bill)
    assert table.loc["events", "marketing_cost"] / bill == pytest.approx(0.4 * 450 / (0.6 * 150 + 0.4 * 450))
    assert 0.55 < counts["web"] / len(inquiries) < 0.65  # drawn by the shares
    # outbound and field-found prospects came through no channel
    assert result.leads.loc[result.leads["source"].isin(["outbound", "field"]), "channel"].isna().all()


@settings(max_examples=6, deadline=None)
@given(web=st.floats(0, 1000), events=st.floats(0, 1000))
def test_what_a_channel_costs_changes_nobodys_behaviour(web, events):
    priced = sim.run("aligned", seed=5, days=30, overrides=["simulation.warmup_days=7", _two(web, events)])
    free = sim.run("aligned", seed=5, days=30, overrides=["simulation.warmup_days=7", TWO])
    pd.testing.assert_frame_equal(priced.leads, free.leads)
    assert priced.summary["revenue"] == free.summary["revenue"]


def test_a_fitter_channel_turns_more_of_its_inquiries_into_deals():
    """The example mix: referrals (a fitter prospect) against organic; events (less intent) against organic.
    Implisit 2014: referral leads become deals about 2.3x as often as web leads."""
    tables = pd.concat([sim.run(MIX, seed=seed).channels for seed in (1, 2, 3)]).groupby("channel").sum()
    per_inquiry = tables["deals_won"] / tables["inquiries"]
    qualified = tables["leads_qualified"] / tables["inquiries"]
    assert 1.5 < per_inquiry["referral"] / per_inquiry["organic"] < 3.5
    assert qualified["events"] < qualified["organic"] < qualified["referral"]


def test_the_same_prospect_from_a_fitter_channel_is_fitter():
    """Channels move each prospect's draw to their own distribution at the same quantile."""
    market = _run()
    fitter = _run("market.channels=[{name: referral, share: 1, fit_mean: 0.7}]")
    a = market.leads[(market.leads["source"] == "inbound") & ~market.leads["in_flight"]]
    b = fitter.leads[(fitter.leads["source"] == "inbound") & ~fitter.leads["in_flight"]]
    n = min(len(a), len(b), 200)  # the first inquiries are the same prospects (later ones diverge with the org)
    assert (b["fit"].to_numpy()[:n] >= a["fit"].to_numpy()[:n]).all()
    assert b["fit"].mean() == pytest.approx(0.7, abs=0.03)


@given(
    x=st.lists(st.floats(0.001, 0.999), min_size=2, max_size=30),
    mean=st.floats(0.05, 0.95),
)
def test_requantile_keeps_the_order_of_prospects(x, mean):
    x = np.sort(np.array(x))
    y = requantile(x, (2.2, 2.8), (mean * 5.0, (1 - mean) * 5.0))
    assert np.all(np.diff(y) >= -1e-12) and np.all((y >= 0) & (y <= 1))


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        ("[{name: web, share: 0.5}, {name: paid, share: 0.4}]", "add up to 1"),
        ("[{name: web, share: 0.5}, {name: web, share: 0.5}]", "unique"),
        ("[{name: web, share: 1, cost_per_inquiry: -1}]", "cost_per_inquiry"),
        ("[{name: web, share: 1, fit_mean: 1.5}]", "fit_mean"),
        ("[]", "channels"),
    ],
)
def test_bad_channels_are_refused_naming_the_key(channels, message):
    with pytest.raises(ScenarioError, match=message) as err:
        load_scenario("aligned", [f"market.channels={channels}"])
    assert "market.channels" in str(err.value) and "\n" not in str(err.value)
