"""Customers after the sale: won deals renew, grow or churn by fit and buying experience."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.config.params import Params
from sim.experiments.stats import paired_difference
from sim.model.customers import Customer, churn_chance, expansion, experience

P = Params()


def _customer(fit: float = 0.7, satisfaction: float = 50.0, contract: float = 30_000.0) -> Customer:
    return Customer(0, 0, contract, contract, fit, experience(satisfaction), random.Random(1))


@given(fit=st.floats(0, 1), better=st.floats(0, 1), sat=st.floats(0, 100), happier=st.floats(0, 100))
def test_a_better_fit_or_a_better_buying_experience_never_churns_more(fit, better, sat, happier):
    fit, better = sorted((fit, better))
    sat, happier = sorted((sat, happier))
    assert churn_chance(P, _customer(better, sat)) <= churn_chance(P, _customer(fit, sat))
    assert churn_chance(P, _customer(fit, happier)) <= churn_chance(P, _customer(fit, sat))
    assert expansion(P, _customer(fit, happier)) >= expansion(P, _customer(fit, sat))


def test_a_typical_customer_after_a_neutral_experience_churns_at_the_published_rate():
    assert churn_chance(P, _customer(P.churn_fit_typical, 50.0)) == pytest.approx(P.customer_churn)
    worst, best = churn_chance(P, _customer(satisfaction=0.0)), churn_chance(P, _customer(satisfaction=100.0))
    odds = lambda q: q / (1 - q)  # noqa: E731
    assert odds(worst) / odds(P.customer_churn) == pytest.approx(P.churn_experience_odds)
    assert odds(P.customer_churn) / odds(best) == pytest.approx(P.churn_experience_odds)


def test_a_one_year_run_renews_nobody_and_every_win_is_a_customer():
    s = sim.run("aligned", seed=3).summary
    assert s["customers"] == s["deals_won"] and s["recurring_revenue"] == pytest.approx(s["revenue"])
    assert s["renewal_revenue"] == s["churned_revenue"] == s["expansion_revenue"] == 0
    # lifetime value as SaaS metrics define it: first-year contract x gross margin / churn
    ltv = s["revenue"] / s["customers"] * (s["margin"] / s["revenue"]) / s["customer_churn_rate"]
    assert s["customer_lifetime_value"] == pytest.approx(ltv)
    assert s["ltv_to_cac"] == pytest.approx(ltv / s["cac"])


def test_churn_lowers_multi_year_revenue_and_leaves_the_selling_alone():
    """Three years on the same market: more churn keeps fewer customers and renews fewer dollars; new
    business is the same deal for deal (what customers do later changes nothing the reps do)."""
    years = ["simulation.days=1095", "market.reputation_effect=0"]
    low = sim.run("aligned", seed=4, overrides=[*years, "behavior.customer_churn=0.05"]).summary
    high = sim.run("aligned", seed=4, overrides=[*years, "behavior.customer_churn=0.25"]).summary
    assert low["revenue"] == high["revenue"] and low["deals_won"] == high["deals_won"]
    assert high["renewal_revenue"] < 0.85 * low["renewal_revenue"]
    assert high["churned_revenue"] > 2 * low["churned_revenue"]
    assert high["recurring_revenue"] < low["recurring_revenue"] and high["customers"] < low["customers"]
    assert high["operating_profit"] < low["operating_profit"]
    # what a renewal adds is the expansion: net retention above gross
    assert low["expansion_revenue"] > 0


def test_an_aligned_organizations_customers_stay_longer_than_a_misaligned_ones():
    """Fit and the buying experience, not a constant: aligned wins better-fitting, better-served customers."""
    mis = sim.replicate("misaligned", n=6, seed=12, workers=1)
    ali = sim.replicate("aligned", n=6, seed=12, workers=1)
    _, _, high = paired_difference(ali["customer_churn_rate"], mis["customer_churn_rate"])
    assert high < 0
