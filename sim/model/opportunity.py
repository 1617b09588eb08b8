"""The opportunity as a process: stages whose length grows with deal size, each passed or lost.

An opportunity passes ``stages`` stages (discovery, solution, proposal,
negotiation). At the end of each, the prospect moves on with probability
``logistic(x) ** (1 / stages)``, where ``x`` is the deal's win logit *as it
stands then*: fit, remaining intent, the rep's skill, repeated questions, the
bounded discount and the rep's attention (the overload of their book at that
moment). Were nothing to change during the deal, the chance to pass every
stage would be ``logistic(x)``, the calibrated win probability (FACTS 2: win
rates 17-26%); an overloaded rep now loses deals they already hold. A stage
lasts ``gamma(stage_days_shape)`` days with mean
``cycle_days / stages * (value / deal_value_median) ** cycle_size_elasticity``,
stretched by the rep's overload; a lost deal says why (no decision,
competitor, price). The stage draws (lengths, outcomes, reasons) are the
prospect's own (a generator seeded from their win draw), so a deal meets the
same luck in every scenario.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sim.config.params import Params
from sim.model.clock import HOURS_PER_CALENDAR_DAY
from sim.model.leads import U_WIN, Lead
from sim.model.market import logistic

if TYPE_CHECKING:
    from sim.model.field import FieldRep

LOSS_REASONS = ("no_decision", "competitor", "price")


def win_logit(p: Params, lead: Lead, intent: float, skill: float, load: float) -> float:
    """The deal's win logit now: fit, remaining intent, skill, repeated questions, discount, attention."""
    return (
        p.win_logit
        + p.win_fit * (lead.fit - 0.5)
        + p.win_intent * (intent - 0.5)
        + p.win_skill * (skill - 0.5)
        - p.win_repeat * lead.repeated
        + p.win_discount * lead.discount
        - p.win_overload * max(0.0, load - 1.0)
    )


def stage_days_mean(p: Params, value: float, load: float) -> float:
    """Mean length of one stage in calendar days: longer for larger deals, stretched by overload."""
    n_stages = max(1, int(p.stages))
    size = (value / p.deal_value_median) ** p.cycle_size_elasticity
    days: float = p.cycle_days / n_stages * size * (1.0 + min(1.0, max(0.0, load - 1.0)))  # at most twice as long
    return days


def loss_reason(p: Params, lead: Lead, intent: float, u: float) -> str:
    """Why a deal is lost: no decision is likelier when interest is low, price when the discount was small.

    Shares around CSO Insights 2016 (of deals not won: 44% no decision, 56% to a
    competitor; docs/SOURCES.md Q6), with about a quarter of the competitive
    losses put down to price.
    """
    no_decision = min(0.9, max(0.1, p.loss_no_decision_share * (1.5 - intent)))
    if u < no_decision:
        return "no_decision"
    bounded = min(1.0, lead.discount / max(2 * p.discount_mean, 1e-9))  # the discount as a share of its range
    price = (1 - no_decision) * p.loss_price_share * (1.5 - bounded)
    return "price" if u < no_decision + price else "competitor"


class Opportunity:
    """The stages of one deal, worked by one field rep (kept on the lead while it is open)."""

    __slots__ = ("intent", "luck", "stage")

    def __init__(self, lead: Lead, intent: float) -> None:
        self.stage = 0
        self.intent = intent  # the prospect's interest when the deal opened
        self.luck = random.Random(lead.draws[U_WIN])  # the prospect's own stage draws

    def stage_length(self, rep: FieldRep, lead: Lead) -> float:
        """Calendar hours the current stage takes."""
        p = rep.model.params
        mean = stage_days_mean(p, lead.value, rep.load)
        return self.luck.gammavariate(p.stage_days_shape, mean / p.stage_days_shape) * HOURS_PER_CALENDAR_DAY

    def passes(self, rep: FieldRep, lead: Lead) -> bool:
        """Does the prospect move on past the stage now ending?"""
        return self.luck.random() < self.stage_chance(rep, lead)

    def stage_chance(self, rep: FieldRep, lead: Lead) -> float:
        """The chance to pass one stage, as the deal stands now."""
        p = rep.model.params
        chance: float = logistic(win_logit(p, lead, self.intent, rep.skill, rep.load)) ** (1.0 / max(1, int(p.stages)))
        return chance

    def win_chance(self, rep: FieldRep, lead: Lead) -> float:
        """The chance to pass every stage still ahead, as the deal stands now (for the weighted pipeline)."""
        return self.stage_chance(rep, lead) ** (max(1, int(rep.model.params.stages)) - self.stage)
