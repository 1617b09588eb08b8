"""The opportunity as a process: stage by stage, with the rep's attention, and longer for larger deals."""

import math

import numpy as np

import sim
from sim.config.params import Params
from sim.model.leads import N_DRAWS, U_WIN
from sim.model.opportunity import LOSS_REASONS, Opportunity, loss_reason, stage_days_mean, win_logit
from tests.stubs import inbound_lead


class _Rep:
    """What a deal asks of its rep: parameters, skill and load."""

    def __init__(self, load: float) -> None:
        self.model = type("M", (), {"params": Params()})()
        self.skill, self.load = 0.5, load


def _win_share(load_after_open: float, deals: int = 3000) -> float:
    p, rep = Params(), _Rep(load_after_open)
    won = 0
    for i in range(deals):
        lead = inbound_lead(i)
        lead.draws = [((i * 0.6180339887) % 1.0)] * N_DRAWS  # each prospect its own luck
        deal = Opportunity(lead, intent=0.6)
        won += all(deal.passes(rep, lead) for _ in range(int(p.stages)))
    return won / deals


def test_a_deal_that_never_changes_is_won_at_the_calibrated_rate():
    p, lead = Params(), inbound_lead()
    expected = 1.0 / (1.0 + math.exp(-win_logit(p, lead, 0.6, 0.5, 0.5)))
    assert abs(_win_share(0.5) - expected) < 0.03


def test_a_rep_overloaded_after_the_deal_opened_loses_more_of_it():
    assert _win_share(2.0) < 0.8 * _win_share(0.5)


def test_stages_of_larger_deals_last_longer_and_overload_stretches_them():
    p = Params()
    assert stage_days_mean(p, 4 * p.deal_value_median, 0.5) > 1.5 * stage_days_mean(p, p.deal_value_median, 0.5)
    assert stage_days_mean(p, p.deal_value_median, 2.0) > stage_days_mean(p, p.deal_value_median, 0.5)


def test_a_deal_meets_the_same_luck_in_every_scenario():
    lead = inbound_lead(u=0.37)
    a, b = Opportunity(lead, 0.6), Opportunity(lead, 0.6)
    assert [a.luck.random() for _ in range(5)] == [b.luck.random() for _ in range(5)]
    assert lead.draws[U_WIN] == 0.37


def test_lost_deals_say_why_and_cycles_grow_with_deal_size():
    leads = sim.run("defined", seed=2).leads
    lost, won = leads[leads["outcome"] == "lost"], leads[leads["outcome"] == "won"]
    assert lost["loss_reason"].notna().all() and set(lost["loss_reason"]) <= set(LOSS_REASONS)
    assert leads.loc[leads["outcome"] != "lost", "loss_reason"].isna().all()
    shares = lost["loss_reason"].value_counts(normalize=True)
    assert 0.3 < shares["no_decision"] < 0.6  # CSO Insights 2016: 44% of deals not won end in no decision
    cycle = won["closed_at"] - won["opportunity_at"]
    assert np.corrcoef(np.log(won["value"]), cycle)[0, 1] > 0.3


def test_no_decision_is_likelier_when_interest_is_low():
    p, lead = Params(), inbound_lead()
    us = np.linspace(0, 1, 201, endpoint=False)
    low = sum(loss_reason(p, lead, 0.1, u) == "no_decision" for u in us)
    high = sum(loss_reason(p, lead, 0.9, u) == "no_decision" for u in us)
    assert low > high
