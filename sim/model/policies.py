"""Management policies as objects: who gets a lead, what pay rewards, how feedback flows, how leads pass.

A scenario names each policy (``handoff.routing: least_loaded``,
``compensation.inside: hybrid``, ...); :func:`build` turns the names in
:class:`~sim.config.params.Params` into these objects once, and the model and
its reps ask them what to do. Adding a policy is a class here and a name in
the scenario schema; nothing else decodes a choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from sim.config.params import Params

if TYPE_CHECKING:
    from sim.model.field import FieldRep
    from sim.model.leads import Lead


# ---------------------------------------------------------------- routing


class Router:
    """Picks the field rep who gets a lead among a team's reps (``handoff.routing``)."""

    def pick(self, lead: Lead, reps: Sequence[FieldRep]) -> FieldRep:
        """The rep who gets ``lead``; ``reps`` is never empty."""
        raise NotImplementedError

    def ignore_factor(self, lead: Lead) -> float:
        """How much likelier than usual a doubted lead is to be left lying (1: as usual)."""
        return 1.0


class RoundRobin(Router):
    """Each team's leads go to its reps in turn."""

    def __init__(self, n_teams: int) -> None:
        self.turn = [0] * n_teams

    def pick(self, lead: Lead, reps: Sequence[FieldRep]) -> FieldRep:
        """The next rep in the team's rotation."""
        i = self.turn[lead.team] % len(reps)
        self.turn[lead.team] += 1
        return reps[i]


class LeastLoaded(Router):
    """The rep with the fewest open opportunities and unreviewed leads takes the lead."""

    def pick(self, lead: Lead, reps: Sequence[FieldRep]) -> FieldRep:
        """The freest rep (ties: the earliest hired)."""
        return min(reps, key=lambda r: (r.open_opps + r.pending, r.unique_id))


class Territory(Router):
    """Each account belongs to one rep (a fixed hash of the account)."""

    def pick(self, lead: Lead, reps: Sequence[FieldRep]) -> FieldRep:
        """The account owner."""
        return reps[lead.lead_id * 2654435761 % 2**32 % len(reps)]


class CherryPick(LeastLoaded):
    """Leads sit on a board; the freest rep takes one and small deals are left lying.

    Args:
        params: ``cherry_pick_small`` and ``cherry_pick_large`` scale the chance
            that a doubted lead below / above the median deal size is ignored;
            ``deal_value_median`` is the line between the two.
    """

    def __init__(self, params: Params) -> None:
        self.median = params.deal_value_median
        self.small = params.cherry_pick_small
        self.large = params.cherry_pick_large

    def ignore_factor(self, lead: Lead) -> float:
        """Small deals are left on the board, large ones snapped up."""
        return self.small if lead.value < self.median else self.large


def make_router(params: Params, n_teams: int) -> Router:
    """The router the scenario names."""
    match params.routing:
        case "round_robin":
            return RoundRobin(n_teams)
        case "least_loaded":
            return LeastLoaded()
        case "territory":
            return Territory()
        case "cherry_pick":
            return CherryPick(params)
    raise ValueError(f"unknown routing {params.routing!r}")


# ---------------------------------------------------------------- pay


class PayPlan(Protocol):
    """What a plan pays, in dollars, at each moment of a lead's life (0 where it pays nothing).

    ``counts_handoffs`` is the plan's quota metric: qualified leads handed off (True) or
    opportunities from the rep's leads (False).
    """

    @property
    def counts_handoffs(self) -> bool:
        """The rep's quota counts leads handed off (else opportunities from their leads)."""
        ...

    def on_handoff(self, lead: Lead) -> float:
        """Pay when an inside rep hands a qualified lead to the field."""
        ...

    def on_opportunity(self, lead: Lead) -> float:
        """Pay when a lead becomes an opportunity."""
        ...

    def on_won(self, lead: Lead) -> float:
        """Pay when the deal is won (``lead.revenue`` is booked)."""
        ...


class _Plan:
    """A plan that pays nothing unless a subclass says otherwise; its quota counts opportunities."""

    counts_handoffs: ClassVar[bool] = False

    def on_handoff(self, lead: Lead) -> float:
        """Pay at the handoff."""
        return 0.0

    def on_opportunity(self, lead: Lead) -> float:
        """Pay at the opportunity."""
        return 0.0

    def on_won(self, lead: Lead) -> float:
        """Pay at the win."""
        return 0.0


@dataclass(frozen=True)
class PerLead(_Plan):
    """Inside reps paid per qualified lead handed off (quantity); their quota counts handoffs."""

    counts_handoffs: ClassVar[bool] = True
    rate: float

    def on_handoff(self, lead: Lead) -> float:
        """A fixed amount per lead handed off."""
        return self.rate


@dataclass(frozen=True)
class PerOpportunity(_Plan):
    """Inside reps paid per opportunity their leads become (TOPO 2016: 53% of plans, FACTS 3)."""

    rate: float

    def on_opportunity(self, lead: Lead) -> float:
        """A fixed amount per opportunity from an inside rep's lead."""
        return self.rate if lead.inside_rep >= 0 else 0.0


@dataclass(frozen=True)
class InsideRevenueShare(_Plan):
    """Inside reps paid a share of the revenue their leads bring."""

    rate: float

    def on_won(self, lead: Lead) -> float:
        """A share of the won revenue of an inside rep's lead."""
        return self.rate * lead.revenue if lead.inside_rep >= 0 else 0.0


@dataclass(frozen=True)
class Combined:
    """A plan made of weighted parts, e.g. hybrid = half per opportunity + half revenue share."""

    parts: tuple[tuple[float, PayPlan], ...]

    @property
    def counts_handoffs(self) -> bool:
        """The quota counts handoffs only if every part's does."""
        return all(plan.counts_handoffs for _, plan in self.parts)

    def on_handoff(self, lead: Lead) -> float:
        """The weighted sum of the parts' handoff pay."""
        return sum(weight * plan.on_handoff(lead) for weight, plan in self.parts)

    def on_opportunity(self, lead: Lead) -> float:
        """The weighted sum of the parts' opportunity pay."""
        return sum(weight * plan.on_opportunity(lead) for weight, plan in self.parts)

    def on_won(self, lead: Lead) -> float:
        """The weighted sum of the parts' pay on the win."""
        return sum(weight * plan.on_won(lead) for weight, plan in self.parts)


@dataclass(frozen=True)
class FieldPlan:
    """A field rep's commission: a base rate, and ``accelerator`` times it on revenue above the quarter's quota.

    Attributes:
        rate: the commission rate on the plan's base (revenue, or margin).
        accelerator: the multiple of the rate paid on the part of a deal above the rep's
            quota for the quarter (1: no accelerator).
        cost_of_goods: share of list value that is cost (a margin plan pays on what is left).
        on_margin: the base is margin (revenue less the cost of goods at list value), not revenue.
    """

    rate: float
    accelerator: float
    cost_of_goods: float = 0.0
    on_margin: bool = False

    def pay(self, revenue: float, value: float, quota_left: float) -> float:
        """Commission on a deal of ``revenue`` (list ``value``) closed with ``quota_left`` dollars still to make."""
        base = max(0.0, revenue - self.cost_of_goods * value) if self.on_margin else revenue
        above = max(0.0, revenue - max(0.0, quota_left)) / revenue if revenue > 0 else 0.0  # share past quota
        return self.rate * base * (1.0 + (self.accelerator - 1.0) * above)

    def marginal(self, value: float, discount: float) -> tuple[float, float]:
        """What one more dollar of revenue pays, below and above the quarter's quota, on a deal of list ``value``."""
        revenue = value * (1.0 - discount)
        if revenue <= 0:
            return 0.0, 0.0
        below = self.pay(revenue, value, math.inf) / revenue
        return below, below * self.accelerator

    def on_handoff(self, lead: Lead) -> float:
        """Nothing at the handoff."""
        return 0.0

    def on_opportunity(self, lead: Lead) -> float:
        """Nothing at the opportunity."""
        return 0.0

    def on_won(self, lead: Lead, quota_left: float = math.inf) -> float:
        """Commission on the won deal, accelerated past quota (``quota_left``: what the rep still had to make)."""
        return self.pay(lead.revenue, lead.value, quota_left)


def inside_pay_plan(params: Params) -> PayPlan:
    """The inside reps' plan the scenario names (``compensation.inside``)."""
    per_opportunity = PerOpportunity(params.pay_per_opportunity)
    revenue = InsideRevenueShare(params.inside_revenue_rate)
    match params.inside_pay:
        case "per_lead":
            return PerLead(params.pay_per_lead)
        case "per_opportunity":
            return per_opportunity
        case "revenue":
            return revenue
        case "hybrid":
            share = params.hybrid_share
            return Combined(((share, per_opportunity), (share, revenue)))
    raise ValueError(f"unknown inside pay plan {params.inside_pay!r}")


# no plan pays more than this share of what a deal brings in, however low the quota (a quota of 0)
MAX_COMMISSION_RATE = 0.5


def field_pay_plan(params: Params) -> FieldPlan:
    """The field reps' plan the scenario names (``compensation.field``), its rate set from the quota.

    Comp designers set the commission rate so that a rep at 100% of quota earns the variable
    pay of their on-target earnings: the rate is ``field_variable_pay`` over the quota in the
    plan's own base. On revenue that is variable pay / quota; on margin, variable pay over the
    margin a quota's worth of revenue leaves at the plan's typical discount. A higher quota is
    a lower rate, so the quota moves pay, and with it effort (:meth:`FieldRep.pay_effort`).
    """
    quota = params.field_quota
    match params.field_pay:
        case "revenue":
            return FieldPlan(_rate(params.field_variable_pay, quota), params.accelerator)
        case "margin":
            margin_share = max(1e-9, 1.0 - params.cost_of_goods / max(1e-9, 1.0 - params.discount_mean))
            rate = _rate(params.field_variable_pay, quota * margin_share)
            return FieldPlan(rate, params.accelerator, params.cost_of_goods, on_margin=True)
    raise ValueError(f"unknown field pay plan {params.field_pay!r}")


def _rate(variable_pay: float, base: float) -> float:
    """The commission rate that pays ``variable_pay`` on ``base`` dollars, at most MAX_COMMISSION_RATE."""
    return MAX_COMMISSION_RATE if base <= variable_pay / MAX_COMMISSION_RATE else variable_pay / base


# ---------------------------------------------------------------- feedback


@dataclass(frozen=True)
class FeedbackLoop:
    """How the field's verdicts on inside's leads reach the inside reps (``feedback.mode``).

    Attributes:
        formal: every verdict is passed on (a periodic or continuous loop).
        interval_days: days between feedback meetings of a periodic loop (None: no meetings).
        daily: verdicts are learned at the end of every day (a continuous loop, or
            word of mouth in one team).
        informal: share of verdicts passed on by word of mouth without a formal loop.
    """

    formal: bool
    interval_days: float | None
    daily: bool
    informal: float


def feedback_loop(params: Params) -> FeedbackLoop:
    """The feedback loop the scenario names, with the word of mouth its structure allows."""
    informal = params.informal_feedback
    return FeedbackLoop(
        formal=params.feedback != "none",
        interval_days=params.feedback_interval_days if params.feedback == "periodic" else None,
        daily=params.feedback == "continuous" or informal > 0,
        informal=informal,
    )


# ---------------------------------------------------------------- the handoff


@dataclass(frozen=True)
class Handoff:
    """How a qualified lead passes to the field (``handoff.mode`` and ``handoff.acceptance_stage``).

    Attributes:
        warm: a call with both reps passes the context (inside spends ``inside_hours`` on it).
        inside_hours: inside time the handoff takes (0 for a cold handoff: a CRM record).
        review_noise: s.d. of the field's reading of fit from what was passed on.
        acceptance_stage: the field must accept or reject each lead (a decision is due, and
            a manager may settle a disputed rejection).
        one_calendar: the inside rep books the first meeting in the field rep's calendar during
            the qualifying call (one team); the field rep reviews the record before it.
    """

    warm: bool
    inside_hours: float
    review_noise: float
    acceptance_stage: bool
    one_calendar: bool = False


def handoff(params: Params) -> Handoff:
    """The handoff the scenario names."""
    warm = params.handoff_mode == "warm"
    return Handoff(
        warm=warm,
        inside_hours=params.warm_handoff_hours if warm else 0.0,
        review_noise=params.field_fit_noise * (1 - params.warm_noise_cut) if warm else params.field_fit_noise,
        acceptance_stage=params.acceptance_stage,
        one_calendar=params.shared_calendar > 0,
    )


# ---------------------------------------------------------------- the inside team's work


class WorkOrder:
    """Which due inquiry or retry an inside rep takes next (``inside.work_order``).

    Attributes:
        fifo: the order is the order items fall due (the pool then needs no ranking).
    """

    fifo: ClassVar[bool] = False

    @staticmethod
    def key(lead: Lead, due: float) -> tuple[float, float]:
        """The sort key of a due item: lower goes first."""
        raise NotImplementedError


class OldestFirst(WorkOrder):
    """The item due earliest first (first in, first out)."""

    fifo = True

    @staticmethod
    def key(lead: Lead, due: float) -> tuple[float, float]:
        """The item due earliest."""
        return (due, 0.0)


class NewestFirst(WorkOrder):
    """The latest inquiry first: a fresh inquirer is likelier to answer."""

    @staticmethod
    def key(lead: Lead, due: float) -> tuple[float, float]:
        """The latest inquiry first."""
        return (-lead.created_at, 0.0)


class ScoreFirst(WorkOrder):
    """The best-scored lead first, then the latest."""

    @staticmethod
    def key(lead: Lead, due: float) -> tuple[float, float]:
        """The best score first, then the latest."""
        return (-(lead.score if lead.score is not None else 0.0), -lead.created_at)


def work_order(params: Params) -> WorkOrder:
    """The work order the scenario names."""
    match params.work_order:
        case "oldest_first":
            return OldestFirst()
        case "newest_first":
            return NewestFirst()
        case "score_first":
            return ScoreFirst()
    raise ValueError(f"unknown work order {params.work_order!r}")


@dataclass(frozen=True)
class Coverage:
    """The inside team's working hours (``inside.coverage``).

    Attributes:
        opens: the hour of the day the team's first shift starts.
        window: hours a working day the team covers (shifts staggered across it).
        business_hours: the team works the company's business hours (the run's own calendar).
    """

    opens: float
    window: float
    business_hours: bool


def coverage(params: Params, day_opens: float, day_hours: float) -> Coverage:
    """The hours the scenario names: business hours (``day_opens`` for ``day_hours``), extended, or round the clock."""
    match params.coverage:
        case "business_hours":
            return Coverage(day_opens, day_hours, business_hours=True)
        case "extended":
            return Coverage(7.0, 14.0, business_hours=False)
        case "follow_the_sun":
            return Coverage(0.0, 24.0, business_hours=False)
    raise ValueError(f"unknown coverage {params.coverage!r}")


# ---------------------------------------------------------------- scoring and nurture


@dataclass(frozen=True)
class LeadScoring:
    """How leads are scored before the first call (``qualification.scoring``).

    Attributes:
        scores: leads get a score at all.
        noise: the score's noise before the field's verdicts tune it.
    """

    scores: bool
    noise: float


def lead_scoring(params: Params) -> LeadScoring:
    """The scoring the scenario names: none, hand-made rules, or a predictive model."""
    match params.scoring:
        case "none":
            return LeadScoring(False, params.score_noise_rules)
        case "rules":
            return LeadScoring(True, params.score_noise_rules)
        case "predictive":
            return LeadScoring(True, params.score_noise_predictive)
    raise ValueError(f"unknown lead scoring {params.scoring!r}")


def nurture_returns(params: Params) -> float:
    """Share of nurtured leads that come back a month under the programme the scenario names."""
    match params.nurture:
        case "none":
            return 0.0
        case "basic":
            return params.nurture_return_basic
        case "active":
            return params.nurture_return_active
    raise ValueError(f"unknown nurture programme {params.nurture!r}")
