"""Pay: the inside and field plans, what they pay as leads move, quotas by quarter.

The plans themselves are policies (:mod:`sim.model.policies`); this component
books what they pay and the revenue that pays for it, and keeps the quarter a
field rep's quota and accelerator count in.
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

from sim.config.params import QUARTER_DAYS
from sim.model import policies
from sim.model.clock import HOURS_PER_CALENDAR_DAY
from sim.model.component import Component

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sim.config.params import Params
    from sim.model.field import FieldRep
    from sim.model.leads import Lead

QUARTER_STARTS = QUARTER_DAYS  # days of the year the quota quarters start: 1 January, April, July, October
DAYS_OF_YEAR = 365


class Pay(Component):
    """The pay plans in force and what they have paid.

    Args:
        params: the behaviour parameters in force.
        warmup: days worked before the books open (quarters count from the first measured day).

    Attributes:
        inside_pay: the inside reps' plan (``compensation.inside``).
        field_pay: the field reps' plan (``compensation.field``).
        revenue: dollars won so far.
        commissions: commissions paid so far, both teams.
    """

    PARAMS = (
        "inside_pay", "field_pay", "pay_per_lead", "pay_per_opportunity", "inside_revenue_rate", "hybrid_share",
        "field_variable_pay", "field_quota", "discount_mean", "accelerator", "cost_of_goods",
    )  # fmt: skip
    TALLIES = ("revenue", "commissions")
    KPIS = ("revenue", "commissions", "quota_attainment_share", "median_quota_attainment")

    def __init__(self, params: Params, warmup: int) -> None:
        self.warmup = warmup
        self.typical_standing: float | None = None  # the field's median standing, judged at each quarter's end
        self.revenue = 0.0
        self.commissions = 0.0
        self.refresh(params, params)

    def refresh(self, old: Params, new: Params) -> None:
        """The plans the levers name (a new plan is already timed to the next pay period)."""
        self.inside_pay = policies.inside_pay_plan(new)
        self.field_pay = policies.field_pay_plan(new)

    def new_quarter(self, day: int, field_reps: Sequence[FieldRep]) -> None:
        """On a quarter's first day every field rep starts a fresh quota."""
        if (day - self.warmup) % DAYS_OF_YEAR in QUARTER_STARTS:
            for rep in field_reps:
                rep.end_quarter()
            judged = [rep.standing for rep in field_reps if rep.active and rep.standing is not None]
            self.typical_standing = statistics.median(judged) if judged else None

    def quarter_end(self, t: float) -> float:
        """The calendar hour at which the quarter holding hour ``t`` ends (quarters of the measured calendar)."""
        day = int(t // HOURS_PER_CALENDAR_DAY)
        into = (day - self.warmup) % DAYS_OF_YEAR
        next_start = next(q for q in (*QUARTER_STARTS, DAYS_OF_YEAR) if q > into)
        return (day - into + next_start) * HOURS_PER_CALENDAR_DAY

    def on_handoff(self, lead: Lead) -> None:
        """Book what a handoff pays the inside rep."""
        self.commissions += self.inside_pay.on_handoff(lead)

    def on_opportunity(self, lead: Lead) -> None:
        """Book what an opportunity pays the inside rep whose lead it was."""
        self.commissions += self.inside_pay.on_opportunity(lead)

    def on_won(self, lead: Lead, quota_left: float = math.inf) -> None:
        """Book a won deal's revenue and the commissions it pays (accelerated past the rep's quarterly quota)."""
        self.revenue += lead.revenue
        self.commissions += self.field_pay.on_won(lead, quota_left)
        self.commissions += self.inside_pay.on_won(lead)
