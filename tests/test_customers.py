"""Customers after the sale: won deals renew, grow or churn by fit and buying experience."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.config.params import Params
from sim.experiments.runs import resolve
from sim.experiments.stats import paired_difference
from sim.model.customers import Customer, churn_chance, expansion, experience
from sim.model.model import SalesOrgModel

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


def test_a_one_year_run_renews_the_installed_base_at_the_published_rates():
    """The company has customers: about its ARR renews in the year, at ~10% churn and ~12% expansion."""
    s = sim.run("aligned", seed=3).summary
    arr = P.installed_base_arr
    lost = s["churned_revenue"] / (s["renewal_revenue"] - s["expansion_revenue"] + s["churned_revenue"])
    assert 0.06 < lost < 0.14  # gross: about customer_churn (typical fit, neutral experience)
    assert 0.7 * arr < s["renewal_revenue"] < 1.2 * arr
    assert s["total_revenue"] == pytest.approx(s["revenue"] + s["renewal_revenue"])
    # lifetime value of the run's own customers, as SaaS metrics define it: first-year contract x margin / churn
    ltv = s["revenue"] / s["deals_won"] * (s["margin"] / s["revenue"]) / s["customer_churn_rate"]
    assert s["customer_lifetime_value"] == pytest.approx(ltv, rel=0.01)


def test_every_scenario_of_a_seed_starts_with_the_same_customers():
    def book(scenario):
        customers = SalesOrgModel(resolve(scenario, None, ()), seed=6).customers.installed
        return [round(c.contract, 6) for c in customers]

    aligned = book("aligned")
    assert aligned == book("misaligned")
    assert abs(sum(aligned) - P.installed_base_arr) < max(aligned)  # contracts up to the ARR


def test_happier_customers_refer_more_prospects():
    few = sim.run("aligned", seed=7, days=120, overrides=["behavior.referrals_per_customer=0.05"])
    many = sim.run("aligned", seed=7, days=120, overrides=["behavior.referrals_per_customer=0.3"])
    count = lambda r: int((r.leads["source"] == "referral").sum())  # noqa: E731
    assert count(many) > 3 * count(few) > 0
    referred = many.leads[many.leads["source"] == "referral"]
    assert referred["accepted_at"].notna().all()  # a referral is a first meeting, booked by the field


@pytest.mark.slow
def test_churn_lowers_multi_year_revenue_and_the_referrals_customers_bring():
    """Three years on the same market: more churn keeps fewer customers, renews fewer dollars and leaves
    fewer customers to refer new prospects."""
    years = ["simulation.days=1095", "market.reputation_effect=0"]
    low_run = sim.run("aligned", seed=4, overrides=[*years, "behavior.customer_churn=0.05"])
    high_run = sim.run("aligned", seed=4, overrides=[*years, "behavior.customer_churn=0.25"])
    low, high = low_run.summary, high_run.summary
    referred = lambda r: int((r.leads["source"] == "referral").sum())  # noqa: E731
    assert referred(high_run) < referred(low_run)
    assert high["renewal_revenue"] < 0.85 * low["renewal_revenue"]
    assert high["churned_revenue"] > 2 * low["churned_revenue"]
    assert high["recurring_revenue"] < low["recurring_revenue"] and high["customers"] < low["customers"]
    assert high["operating_profit"] < low["operating_profit"]
    # what a renewal adds is the expansion: net retention above gross
    assert low["expansion_revenue"] > 0


@pytest.mark.slow
def test_an_aligned_organizations_customers_stay_longer_than_a_misaligned_ones():
    """Fit and the buying experience, not a constant: aligned wins better-fitting, better-served customers."""
    mis = sim.replicate("misaligned", n=6, seed=12, workers=1)
    ali = sim.replicate("aligned", n=6, seed=12, workers=1)
    _, _, high = paired_difference(ali["customer_churn_rate"], mis["customer_churn_rate"])
    assert high < 0


def test_an_installed_base_too_large_to_simulate_is_refused_in_one_line():
    # contracts are simulated one by one: $24M of ARR at $1 deals would be 24 million customers
    with pytest.raises(sim.ScenarioError, match=r"behavior.installed_base_arr: .* about 24,000,000 customers"):
        resolve("aligned", None, ["market.deal_value_median=1"])
