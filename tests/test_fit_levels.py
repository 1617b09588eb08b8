"""Levels of a fitted company (sim/experiments/fit_levels.py): volume and won amounts set from pooled rounds."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.config.scenario import load_scenario
from sim.experiments.fit_levels import SEEDS, match_levels

BASE = load_scenario("defined")


def noisy_company(spread: float, seed: int = 0):
    """Opportunities a day 5 per unit of the volume factor, won amounts 1,000 per unit of the deal factor: noisy."""
    rng = np.random.default_rng(seed)

    def simulate(scenario, number):
        volume = scenario.market.inbound_leads_per_day / BASE.market.inbound_leads_per_day
        deal = scenario.market.deal_value_median / BASE.market.deal_value_median
        opps = 5.0 * volume * (1 + 0.05 * rng.standard_normal(SEEDS))
        wins = 0.5 * opps
        amount = 1000.0 * deal * (1 + spread * rng.standard_normal(SEEDS))
        revenue = wins * amount
        return pd.DataFrame({"opportunities_per_day": opps, "deals_won_per_day": wins, "revenue_per_day": revenue})

    return simulate


@pytest.mark.parametrize("seed", range(5))
def test_an_opportunities_export_is_levelled_to_its_volume_and_mean_won_amount(seed):
    """Won amounts that swing 15% a run: the factors from every round pooled land within 10% of the truth."""
    want = {"opportunities_per_day": 0.8, "deals_won_per_day": 0.4, "revenue_per_day": 0.4 * 2000.0}
    scenario, record = match_levels(BASE, "opportunities", want, noisy_company(0.15, seed))
    assert record["volume_factor"] == pytest.approx(0.16, rel=0.1)  # 0.8 / 5
    assert record["deal_factor"] == pytest.approx(2.0, rel=0.1)  # 2,000 / 1,000
    assert scenario.market.deal_value_median == pytest.approx(BASE.market.deal_value_median * record["deal_factor"])
    assert record["rounds"][-1]["runs_pooled"] >= SEEDS
    assert len(record["rounds"]) <= 5


def test_a_lead_export_keeps_its_measured_volume_and_levels_only_the_won_amount():
    want = {"opportunities_per_day": 4.0, "deals_won_per_day": 2.0, "revenue_per_day": 2.0 * 1500.0}
    scenario, record = match_levels(BASE, "inquiries", want, noisy_company(0.0))
    assert record["volume_factor"] == 1.0 and record["deal_factor"] == pytest.approx(1.5)
    assert scenario.market.inbound_leads_per_day == BASE.market.inbound_leads_per_day


def test_an_export_without_amounts_or_volume_is_left_as_it_is():
    want = {"opportunities_per_day": math.nan, "deals_won_per_day": 0.3, "revenue_per_day": math.nan}
    scenario, record = match_levels(BASE, "inquiries", want, noisy_company(0.1))
    assert scenario is BASE and record["rounds"] == []
