"""The prospect's clock: reach, attention, need, rivals, and the account list outreach wears out."""

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.config.params import Params
from sim.model.market import FIRM_RESPONSE, Accounts, interest, need, rival_arrival, rival_share

P = Params()


def test_one_rival_answers_as_the_firms_of_oldroyd_do():
    draws = np.random.default_rng(1).random(20_000)
    times = np.array([rival_arrival(u, 1) for u in draws])
    for hours, share in FIRM_RESPONSE[1:]:
        assert abs((times <= hours).mean() - share) < 0.015, hours
    assert abs(np.isinf(times).mean() - (1 - FIRM_RESPONSE[-1][1])) < 0.015  # 23% never answer


@given(st.floats(0, 0.999), st.floats(0, 0.999), st.floats(0.5, 5))
def test_the_first_answer_comes_later_with_a_higher_draw_and_sooner_with_more_rivals(u, v, k):
    lo, hi = sorted((u, v))
    assert rival_arrival(lo, k) <= rival_arrival(hi, k)
    assert rival_arrival(u, k + 1) <= rival_arrival(u, k)


@given(st.floats(0, 500))
def test_the_rival_share_is_the_chance_that_the_first_answer_has_come(hours):
    draws = np.linspace(0.0005, 0.9995, 2000)
    empirical = np.mean([rival_arrival(u, 2) <= hours for u in draws])
    assert abs(empirical - rival_share(hours, 2)) < 0.01


def test_no_rival_without_competitors():
    assert rival_arrival(0.999, 0) == math.inf and rival_share(100, 0) == 0.0


def test_attention_decides_the_talk_the_need_decides_the_deal():
    # a day late the inquirer's attention is nearly gone, their need is not
    assert interest(0.6, 24, P) < 0.1 * interest(0.6, 0, P)
    assert need(0.6, 24, P) > 0.8 * need(0.6, 0, P)
    # a rival who answered first takes most of it
    assert need(0.6, 24, P, rival_at=1.0) == need(0.6, 24, P) * P.second_place_interest


def test_outreach_wears_out_the_list_and_the_list_recovers():
    accounts = Accounts(Params(addressable_accounts=1000))
    assert accounts.work(100) == 1.0  # the first hours meet a fresh list
    worn = accounts.share
    assert worn < 1.0 and math.isclose(worn, math.exp(-100 * 1.5 / 1000))
    for _ in range(250):
        accounts.rest_day()
    assert worn < accounts.share < 1.0


def _win_by_source(scenario):
    leads = pd.concat([sim.run(scenario, seed=s).leads for s in (1, 2, 3, 4)])  # ~2,000 deals: +-2 points
    opportunities = leads[leads["opportunity_at"].notna() & leads["outcome"].isin(["won", "lost"])]
    return opportunities.groupby("source")["outcome"].apply(lambda o: (o == "won").mean())


def test_inquiries_answered_fast_win_more_often_than_self_sourced_deals():
    """Inbound deals convert better than outbound ones (docs/SOURCES.md Q10): the inquirer has a need."""
    win = _win_by_source("aligned")
    assert win["inbound"] > win["field"]


def test_a_smaller_market_leaves_outreach_less_to_find():
    small = sim.run("aligned", seed=3, days=120, overrides=["market.addressable_accounts=2000"]).leads
    large = sim.run("aligned", seed=3, days=120).leads
    assert (small["source"] == "outbound").sum() < 0.7 * (large["source"] == "outbound").sum()
    assert (small["source"] == "field").sum() < 0.7 * (large["source"] == "field").sum()
