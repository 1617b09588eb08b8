"""Paired markets (sim.experiments.markets): means, ranges and each difference's t-interval."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sim.config.scenario import load_scenario
from sim.experiments.markets import PairedMarkets, markets_view
from sim.measure.kpis import MONITOR_KPIS
from sim.measure.monitors import STAGES


def _monitors(value: float) -> dict:
    return dict.fromkeys(MONITOR_KPIS, value) | {"funnel": dict.fromkeys(STAGES, value)}


def test_each_difference_has_the_student_t_interval_of_the_paired_markets():
    base = [_monitors(v) for v in (10.0, 20.0, 30.0, 40.0)]
    variant = [_monitors(v) for v in (13.0, 21.0, 36.0, 42.0)]
    view = markets_view({"baseline": base, "variant": variant})
    diffs = [3.0, 1.0, 6.0, 2.0]
    low, high = stats.t.interval(0.95, 3, loc=3.0, scale=stats.sem(diffs))
    assert view.gap["revenue"] == pytest.approx((3.0, low, high))
    assert high - 3.0 == pytest.approx(stats.t.ppf(0.975, 3) * stats.sem(diffs))  # not 1.96, not a rounded table
    assert view.kpis["variant"]["revenue"] == pytest.approx(28.0)
    assert view.spread["baseline"]["revenue"] == (10.0, 40.0)
    assert view.kpis["baseline"]["funnel"]["won"] == pytest.approx(25.0)


def test_one_market_has_no_interval_and_values_not_finite_are_left_out():
    one = markets_view({"baseline": [_monitors(1.0)], "variant": [_monitors(4.0)]})
    mean, low, high = one.gap["roi"]
    assert mean == 3.0 and math.isnan(low) and math.isnan(high)
    empty = markets_view({"baseline": [_monitors(math.nan)] * 2, "variant": [_monitors(math.inf), _monitors(2.0)]})
    assert all(math.isnan(x) for x in empty.gap["win_rate"])
    assert empty.kpis["variant"]["win_rate"] == 2.0 and empty.spread["variant"]["win_rate"] == (2.0, 2.0)
    assert all(math.isnan(x) for x in empty.spread["baseline"]["win_rate"])


def test_the_same_organization_on_paired_markets_differs_by_nothing():
    scenario = load_scenario("aligned", ["simulation.warmup_days=0"])
    paired = PairedMarkets(scenario, scenario, seed=3, markets=2)
    assert [o.seed for o in paired.runs["variant"]] == [3, 4]
    for _ in range(15):
        view = paired.step()
    assert view.kpis["baseline"] == view.kpis["variant"]
    assert view.gap["revenue"] == (0.0, 0.0, 0.0)
    assert view.kpis["baseline"]["funnel"]["contacted"] > 0  # something happened in 15 days
