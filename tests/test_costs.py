"""What the organization costs: managers by span and structure, tools, hiring, marketing, and the P&L."""

import pytest

import sim
from sim.config.params import Params
from sim.config.scenario import ScenarioError, load_scenario
from sim.model.model import SalesOrgModel


def _summary(*overrides: str, scenario: str = "aligned", days: int = 120):
    return sim.run(scenario, seed=3, days=days, overrides=list(overrides)).summary


def test_one_manager_over_both_teams_costs_one_head_less():
    one = _summary("organization.management=one_manager")
    two = _summary("organization.management=two_managers")
    assert two["manager_cost"] - one["manager_cost"] == pytest.approx(Params().head_salary * 120 / 365)


def test_managers_follow_the_span_of_control():
    small = _summary("organization.inside_reps=8")
    large = _summary("organization.inside_reps=9")  # a ninth inside rep needs a second manager
    assert large["manager_cost"] - small["manager_cost"] == pytest.approx(Params().manager_salary * 120 / 365)


def test_marketing_pays_its_budget_and_the_pnl_adds_up():
    """Marketing buys the inquiries a budget buys: the bill is the expected volume at the price, not the arrivals."""
    paid_run = sim.run("aligned", seed=3, days=120, overrides=["market.cost_per_inquiry=300"])
    paid = paid_run.summary
    free = _summary("market.cost_per_inquiry=0")
    leads = paid_run.leads
    inquiries = int(((leads["source"] == "inbound") & ~leads["in_flight"]).sum())  # not those of the warm-up
    assert free["marketing_cost"] == 0
    assert paid["marketing_cost"] == pytest.approx(300 * inquiries, rel=0.05)  # Poisson arrivals around the budget
    renewals = free["renewal_revenue"] * (1 - 0.30)  # renewed contracts less the cost of goods
    overheads = free["account_management_cost"] + free["other_operating_cost"] + free["sales_marketing_overhead"]
    assert free["operating_profit"] == pytest.approx(free["margin"] + renewals - free["cost_of_sales"] - overheads)
    assert paid["revenue"] == free["revenue"]  # what marketing pays changes nobody's behaviour
    assert paid["operating_profit"] == pytest.approx(free["operating_profit"] - paid["marketing_cost"])
    inbound = paid_run.leads[paid_run.leads["source"] == "inbound"]
    assert paid["cost_per_lead"] == pytest.approx(paid["marketing_cost"] / (inbound["qualified_at"] >= 0).sum())
    assert paid["cac"] > free["cac"]


def test_each_replacement_costs_its_hiring_fee():
    p = Params()
    cold = ["behavior.field_attrition=0.9", "simulation.warmup_days=0"]  # every vacancy opens within the run
    model = SalesOrgModel(load_scenario("aligned", cold), seed=3).run(days=240)
    field_hires = sum(r.hires for r in model.field_reps)
    inside_hires = sum(r.hires for r in model.inside_reps)
    assert field_hires > 0 and field_hires <= sum(r.quits for r in model.field_reps)
    assert model.hiring_cost == pytest.approx(field_hires * p.field_hiring_cost + inside_hires * p.inside_hiring_cost)


def test_fewer_inquiries_from_a_poor_reputation_do_not_lower_the_marketing_bill():
    """Word of mouth that costs inquiries costs revenue, not marketing spend (the budget was spent)."""
    base = ["simulation.days=240", "market.reputation_effect=0"]
    kept = sim.run("misaligned", seed=5, overrides=base).summary
    shunned = sim.run("misaligned", seed=5, overrides=[*base, "market.reputation_effect=0.4"])
    assert shunned.summary["leads_created"] < kept["leads_created"]
    assert shunned.summary["marketing_cost"] == pytest.approx(kept["marketing_cost"])


def test_a_negative_cost_per_inquiry_is_refused_naming_the_key():
    with pytest.raises(ScenarioError, match=r"market\.cost_per_inquiry"):
        load_scenario("aligned", ["market.cost_per_inquiry=-5"])


def test_the_weighted_pipeline_is_the_open_deals_at_their_chance_to_win():
    model = SalesOrgModel(load_scenario("aligned"), seed=3).run(days=150)
    open_deals = [lead for lead in model.book if lead.state.value == "opportunity"]
    assert open_deals
    at_price = sum(lead.value * (1 - lead.discount) for lead in open_deals)
    assert 0 < model.pipeline_value < at_price  # every open deal may still be lost
    # a deal in its last stage is closer to a win than the same deal at its first
    lead = max(open_deals, key=lambda d: d.deal.stage)
    rep = model.field_rep_by_id[lead.field_rep]
    ahead = lead.deal.win_chance(rep, lead)
    lead.deal.stage -= 1
    assert lead.deal.win_chance(rep, lead) < ahead


def test_a_company_with_one_team_has_one_head():
    p = Params()
    field_only = sim.run("field_only", seed=3, days=120)
    managers = -(-20 // int(p.reps_per_manager))  # first-line managers of 20 field reps
    assert field_only.summary["manager_cost"] == pytest.approx(
        (managers * p.manager_salary + p.head_salary) * 120 / 365
    )


def test_cac_and_its_payback_on_a_hand_computed_case():
    """$1.0M of cost of sales and $0.2M of marketing win 40 customers: $30k each, paid back by
    $0.8M of first-year margin in 18 months; a renewed $0.5M contract adds its margin to the P&L, and
    account management ($0.1M) and R&D and G&A ($0.3M) come off it."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.measure.results import Results

    model = SimpleNamespace(
        marketing_cost=200_000.0, manager_cost=150_000.0, tooling_cost=60_000.0, hiring_cost=29_000.0,
        customers=SimpleNamespace(
            renewed=500_000.0, account_management_cost=lambda: 100_000.0, other_operating_cost=lambda: 300_000.0,
            sales_marketing_overhead=lambda: 100_000.0,
        ),
        params=Params(cost_of_goods=0.3),
    )  # fmt: skip
    kpis = {"cost_of_sales": 1_000_000.0, "deals_won": 40, "margin": 800_000.0, "revenue": 1_100_000.0}
    leads = pd.DataFrame({"source": ["inbound"] * 100 + ["outbound"] * 50, "qualified_at": [5.0] * 150})
    money = Results(leads, model, known=kpis)  # the registry's computations, on a hand-made case
    assert money["cac"] == pytest.approx(32_500)  # S&M: sales, marketing and the S&M overhead
    assert money["cac_payback_months"] == pytest.approx(19.5)
    assert money["cost_per_lead"] == pytest.approx(2_000)
    assert money["sales_cost_per_revenue"] == pytest.approx(1_300_000 / 1_100_000)
    assert money["operating_profit"] == pytest.approx(800_000 + 0.7 * 500_000 - 1_300_000 - 400_000)
