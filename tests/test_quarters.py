"""Commissions by attainment: accelerators past the quarter's quota, and the quarter-end pull-in they invite."""

import pytest

import sim
from sim.config.scenario import load_scenario
from sim.model.field import QUARTERS
from sim.model.model import SalesOrgModel
from sim.model.policies import FieldPlan
from tests.stubs import inbound_lead

DAY = 24.0


def test_the_accelerator_pays_its_multiple_on_the_part_of_a_deal_past_quota():
    plan = FieldPlan(rate=0.10, accelerator=1.5)
    assert plan.pay(100_000, 110_000, quota_left=40_000) == pytest.approx(0.10 * (40_000 + 1.5 * 60_000))
    assert plan.pay(100_000, 110_000, quota_left=200_000) == pytest.approx(10_000)
    assert plan.pay(100_000, 110_000, quota_left=-5) == pytest.approx(15_000)  # already past quota
    margin = FieldPlan(rate=0.14, accelerator=2.0, cost_of_goods=0.3, on_margin=True)
    assert margin.pay(100_000, 110_000, quota_left=50_000) == pytest.approx(0.14 * 67_000 * 1.5)


QUARTER_ENDS = [
    (0, 0, 90),
    (0, 89, 90),
    (0, 90, 181),
    (0, 300, 365),
    (0, 364, 365),
    (7, 7, 97),
    (7, 6, 7),
    (0, 400, 455),
]


@pytest.mark.parametrize(("warmup", "day", "ends"), QUARTER_ENDS)
def test_quarters_follow_the_measured_calendar(warmup, day, ends):
    model = SalesOrgModel(load_scenario("aligned", [f"simulation.warmup_days={warmup}"]), seed=1)
    assert model.quarter_end(day * DAY + 10.0) == ends * DAY


def _rep_and_deal(*overrides: str):
    model = SalesOrgModel(load_scenario("aligned", ["simulation.warmup_days=0", *overrides]), seed=1)
    rep, lead = model.field_reps[0], inbound_lead()
    return model, rep, lead


def test_a_rep_past_quota_pulls_a_deal_into_the_quarter_and_concedes_a_discount_for_it():
    model, rep, lead = _rep_and_deal()
    p = model.params
    rep.quarter_sold = p.field_quota / QUARTERS  # at quota: this deal pays the accelerator if it closes now
    at, end = 80 * DAY, 95 * DAY  # its signature due 5 days into the next quarter
    signed = rep.pull_in(lead, at, end)
    assert at < signed <= 90 * DAY and model.clock.working[int(signed // DAY)]
    assert lead.pull_in == pytest.approx(p.pull_in_discount * (end - signed) / (30 * DAY))
    assert lead.discount == pytest.approx(lead.pull_in)  # the deal's own discount was 0 here


@pytest.mark.parametrize(
    ("overrides", "sold", "end_day"),
    [
        ((), 0.0, 95),  # far from quota: next quarter pays the same rate on the full price
        (("behavior.accelerator=1",), 1e9, 95),  # no accelerator: nothing to gain by hurrying
        ((), 1e9, 140),  # too far past the quarter's end to pull in
        ((), 1e9, 85),  # signs within the quarter anyway
    ],
)
def test_no_pull_in_when_the_plan_does_not_pay_for_it(overrides, sold, end_day):
    _, rep, lead = _rep_and_deal(*overrides)
    rep.quarter_sold = sold
    assert rep.pull_in(lead, 80 * DAY, end_day * DAY) == end_day * DAY and lead.pull_in == 0


def test_quarter_end_behaviour_follows_from_the_plan():
    """Same market, the default quota (sized to what this field sells): an accelerator pays more commission
    and invites pull-ins; without one, nobody hurries a deal."""
    flat = sim.run("aligned", seed=3, overrides=["behavior.accelerator=1"]).summary
    steep = sim.run("aligned", seed=3, overrides=["behavior.accelerator=2"]).summary
    assert flat["deals_pulled_in"] == 0 and flat["quarter_end_discount_cost"] == 0
    assert steep["deals_pulled_in"] > 0 and steep["quarter_end_discount_cost"] > 0
    assert steep["commissions"] > flat["commissions"]
