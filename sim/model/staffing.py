"""Staffing as a component: seats opened and closed, managers, what the people cost, habits and re-organizations.

Hires and exits come from the timeline; attrition and replacement are the reps'
own (:meth:`InsideRep.quit_or_stay`, :meth:`FieldRep.quit_or_stay`). This
component keeps what the organization pays its people (salaries, first-line
managers and department heads, tools, recruiting), the leavers' records for
attainment, and the two slow transitions a change of levers brings: habits
(bars and trust moving step by step) and re-organizations (productivity lost
and recovered).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.config.params import DAYS_PER_YEAR
from sim.model.component import Component

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.config.scenario import Staffing as StaffingChange
    from sim.model.field_teams import FieldTeams
    from sim.model.inside_team import InsideTeam


class Staffing(Component):
    """The organization's people as a cost and as a changing whole.

    Args:
        params: the behaviour parameters in force.
        inside: the inside team.
        field: the field teams.

    Attributes:
        managers: first-line managers the open seats need (``reps_per_manager`` each).
        team_supported: whether each field team has inside reps to support it.
        habits: ``[working days left, bar step, trust step, bar-spread step]`` of habits still moving.
        reorgs: re-organizations so far (each costs reps part of their productivity).
        salaries, manager_cost, tooling_cost: paid so far, in dollars (managers' and heads' pay in salaries).
        field_tenures: (revenue closed, days in post) of field reps who left.
        inside_tenures: (credited on the plan's metric, days in seat) of inside reps who left.
    """

    TALLIES = ("salaries", "manager_cost", "tooling_cost", "field_tenures", "inside_tenures")
    KPIS = (
        "cost_of_sales", "salaries", "manager_cost", "tooling_cost", "hiring_cost", "profit", "roi", "margin",
        "operating_profit", "cac", "cac_payback_months", "sales_cost_per_revenue",
    )  # fmt: skip
    PARAMS = (
        "reps_per_manager", "inside_salary", "field_salary", "manager_salary", "department_heads", "head_salary",
        "tooling_per_rep", "inside_hiring_cost", "field_hiring_cost", "habit_days", "reorg_ramp_loss",
        "reorg_recovery_days", "inside_threshold", "inside_threshold_sd", "initial_trust",
    )  # fmt: skip

    def __init__(self, params: Params, inside: InsideTeam, field: FieldTeams) -> None:
        self.params, self.inside, self.field = params, inside, field
        self.habits: list[list[float]] = []
        self.reorgs = 0
        self.reorg_day = 0.0
        self.salaries = 0.0
        self.manager_cost = 0.0
        self.tooling_cost = 0.0
        self.field_tenures: list[tuple[float, int]] = []
        self.inside_tenures: list[tuple[float, int]] = []
        self.managers = 0
        self.team_supported: list[bool] = []

    def staffed(self) -> None:
        """Which teams have inside reps to support them, and the first-line managers the seats need."""
        self.team_supported = self.inside.supported
        span = self.params.reps_per_manager
        self.managers = math.ceil(self.inside.seats_open / span) + math.ceil(self.field.seats_open / span)

    def refresh(self, old: Params, new: Params) -> None:
        """Habits: each inside bar (mean and spread) and the field's trust start moving towards their new levels."""
        self.params = new
        bar, trust = new.inside_threshold - old.inside_threshold, new.initial_trust - old.initial_trust
        spread = new.inside_threshold_sd - old.inside_threshold_sd
        if bar or trust or spread:
            days = new.habit_days
            self.habits.append([days, bar / days, trust / days, spread / days])

    def change(self, team: int, change: StaffingChange, sign: int) -> None:
        """A ``timeline`` hire (``sign`` 1) or exit (-1) in ``team``'s territory.

        A hire opens a seat with a new rep on their first day (onboarding, then the ramp;
        paid and recruited from today). An exit closes a seat for good: a vacant seat
        first (the hire is called off), else the newest rep's (last in, first out), whose
        book goes to teammates as a leaver's does.
        """
        if sign > 0:
            self.field.hire(team, change.field_reps)
            self.inside.hire(team, change.inside_reps)
            return
        pool = self.inside.pool_of(team)
        for seats, n in ((self.field.by_team[team], change.field_reps), (pool.reps, change.inside_reps)):
            for _ in range(n):
                open_seats = [rep for rep in seats if not rep.closed]
                min(open_seats, key=lambda r: (r.active, r.days_employed, r.unique_id)).close_seat()

    def reorganize(self, day: int) -> None:
        """A change of structure, management or reporting line: every rep loses part of their productivity."""
        self.reorgs += 1
        self.reorg_day = float(day)

    def productivity(self, day: int) -> float:
        """The share of their productivity reps have on ``day``: below 1 after a re-organization, until they recover."""
        if self.reorgs == 0:
            return 1.0
        p = self.params
        left = 1.0 - (day - self.reorg_day) / p.reorg_recovery_days
        return 1.0 - p.reorg_ramp_loss * max(0.0, left)

    def keep_habits(self) -> None:
        """A working day of the habits still moving: bars and trust a step towards their new levels."""
        for habit in self.habits:
            days, bar, trust, spread = habit
            self.inside.move_bars(bar, spread)
            self.field.move_trust(trust)
            habit[0] = days - 1
        self.habits = [h for h in self.habits if h[0] > 0]

    def pay_salaries(self) -> None:
        """A day's pay of the reps at work, their managers and heads, and their tools."""
        p = self.params
        active_inside, active_field = self.inside.active, self.field.active
        yearly = active_inside * p.inside_salary + active_field * p.field_salary
        leaders = self.managers * p.manager_salary + p.department_heads * p.head_salary
        self.salaries += (yearly + leaders) / DAYS_PER_YEAR
        self.manager_cost += leaders / DAYS_PER_YEAR
        self.tooling_cost += (active_inside + active_field) * p.tooling_per_rep / DAYS_PER_YEAR

    @property
    def hiring_cost(self) -> float:
        """What filling the seats of reps who left has cost so far, in dollars."""
        p = self.params
        inside = sum(r.hires for r in self.inside.reps) * p.inside_hiring_cost
        return inside + sum(r.hires for r in self.field.reps) * p.field_hiring_cost
