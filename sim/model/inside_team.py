"""The inside team as a component: its pools, its reps, and where an inquiry goes.

A pool is the inside reps serving one or more field teams (one shared pool, or
one dedicated pool per team, :mod:`sim.model.pools`). The team answers the
inquiries of its territories, prospects outbound and hands qualified leads on;
without inside reps a territory's inquiries go to the field.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model.component import Component
from sim.model.inside import TRAINING_EVERY_DAYS, InsideRep, session_hours
from sim.model.market import Exponentials
from sim.model.pools import InsidePool

CALENDAR_WEEK = 7  # days between updates of what inside reps know

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.config.registry import Organization
    from sim.model.leads import Lead
    from sim.model.services import PoolServices


def split_headcount(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` seats across teams in proportion to ``weights`` (largest remainder)."""
    if total == 0 or not weights:
        return [0] * len(weights)
    wsum = sum(weights) or len(weights)
    shares = [total * (w if sum(weights) else 1) / wsum for w in weights]
    seats = [math.floor(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (seats[i] - shares[i], i))
    for i in order[: total - sum(seats)]:
        seats[i] += 1
    return seats


class InsideTeam(Component):
    """The inside sales reps and their pools.

    Args:
        org: the organization (the services inside reps and pools use).
        section: the scenario's ``organization``.

    Attributes:
        pools: the inside pools (one shared, or one per field team).
        reps: every inside seat, in the order of hire.
        by_id: seat by Mesa id (seats are refilled, never replaced).
        pool_of_team: index of the pool serving each field team.
        outbound_gaps: exponential gaps between outbound conversations (in prospecting hours at rate 1).
    """

    STREAMS = (*InsideRep.STREAMS, "inside.outbound_gaps")
    KPIS = (
        "leads_contacted", "leads_qualified", "leads_handed_off", "median_response_hours",
        "share_responded_within_1h", "team_response_gap_hours", "inside_bar_gap", "inside_quota_attainment_share",
    )  # fmt: skip
    PARAMS = (
        "inside_threshold", "inside_threshold_sd", "inside_bar_shift", "training_given", "training_product_share",
        "training_product_quality", "training_selling_quality", "host_knowledge", "host_skill", "inside_hire_level",
        "practice_level", "onboarding_training_hours", "training_hours_per_year", "training_learning_hours",
        "training_half_life_days",
        "inside_fit_noise", "knowledge_noise_cut", "skill_contact_gain", "outbound_conversations_per_hour",
        "contact_max", "contact_floor", "decay_scale_hours", "decay_exponent", "inside_tenure_days", "hiring_days",
        "inside_ramp_floor", "inside_ramp_days", "inside_hours_share", "retry_gap_hours", "retry_gap_growth",
        "max_attempts", "retry_horizon_hours", "attempt_hours", "conversation_hours", "decline_share",
        "sat_knowledge", "sat_dropped", "learning_rate", "learning_noise_floor", "work_order", "coverage",
        "team_priority", "abandon_hours", "prospecting_block_hours", "lead_routing_hours", "crm_sync_hours",
        "swamped_backlog_hours",
        "sat_never_called", "chase_free_attempts", "fast_response_hours", "lapse_intent",
        "sat_chased", "sat_disqualified", "sat_fast_response", "sat_slow_response", "slow_response_hours",
    )  # fmt: skip

    def __init__(self, org: PoolServices, section: Organization) -> None:
        self.org = org
        weights = [t.field_reps for t in section.field_teams]
        self.outbound_gaps = Exponentials(org.streams["inside.outbound_gaps"])
        if section.inside_shared_across_teams:
            self.pools = [InsidePool(org, list(range(len(weights))), weights)]
            seats = [section.inside_reps]
        else:
            self.pools = [InsidePool(org, [i], weights) for i in range(len(weights))]
            seats = split_headcount(section.inside_reps, weights)
        self.seats = seats  # per pool, filled by staff()
        self.pool_of_team = [0] * len(weights)
        for index, pool in enumerate(self.pools):
            for served in pool.teams:
                self.pool_of_team[served] = index
        self.reps: list[InsideRep] = []
        self.by_id: dict[int, InsideRep] = {}

    def staff(self) -> None:
        """Fill the pools' seats with reps at the organization's tenure mix (once the organization is wired)."""
        for pool, n in zip(self.pools, self.seats, strict=True):
            pool.reps = [InsideRep(self.org, pool) for _ in range(n)]
            self.reps.extend(pool.reps)
        self.by_id = {rep.unique_id: rep for rep in self.reps}

    def hire(self, team: int, n: int) -> None:
        """``n`` new inside reps on their first day, in the pool serving ``team`` (a ``timeline`` hire)."""
        pool = self.pool_of(team)
        for _ in range(n):
            rep = InsideRep(self.org, pool, days_employed=0.0)
            rep.hires += 1
            pool.reps.append(rep)
            self.reps.append(rep)
            self.by_id[rep.unique_id] = rep

    def start_day(self, day: int) -> None:
        """Reps leave or are replaced, and set the day's pace.

        Once a week what they know moves (training fades, practice grows); once a month the
        reps in post have a training session (sim/model/inside.py, Training).
        """
        p = self.org.params
        week, month = day % CALENDAR_WEEK == 0, day % TRAINING_EVERY_DAYS == 0
        for rep in self.reps:
            rep.quit_or_stay(day)
            if rep.active and (week or month):
                if week:
                    rep.keep_up(CALENDAR_WEEK)
                if month:
                    rep.train(session_hours(p))
                rep.settle()
            rep.start_day()

    def work_day(self, day: int) -> None:
        """A working day of every pool: inquiries, retries and outbound prospecting."""
        for pool in self.pools:
            pool.work_day(day)

    def end_day(self) -> None:
        """A day served: tenure grows."""
        for rep in self.reps:
            rep.days_employed += 1
            rep.days_in_seat += rep.active

    def move_bars(self, step: float, spread: float) -> None:
        """A working day of a habit: each bar a step towards its own place in the new spread of bars."""
        for rep in self.reps:
            rep.own_bar = min(1.0, max(0.0, rep.own_bar + step + spread * rep.bar_z))

    def credit_opportunity(self, lead: Lead) -> None:
        """An inside rep's lead became an opportunity: credit it to their quota where the plan counts those."""
        if lead.inside_rep >= 0:
            rep = self.by_id[lead.inside_rep]
            if rep.active:
                rep.credited += 1

    @property
    def supported(self) -> list[bool]:
        """Whether each field team has inside reps to support it."""
        return [bool(self.pool_of(team).reps) for team in range(len(self.pool_of_team))]

    @property
    def seats_open(self) -> int:
        """Inside seats not closed for good (filled or being filled)."""
        return sum(not rep.closed for rep in self.reps)

    @property
    def active(self) -> int:
        """Inside reps at work today (not a vacant seat)."""
        return sum(rep.active for rep in self.reps)

    def refresh(self, old: Params, new: Params) -> None:
        """The pools' hours, work order and priorities; every rep's training, reach, reading and pace."""
        for pool in self.pools:
            pool.adopt(new)
        for rep in self.reps:
            rep.refresh(old, new)

    def pool_of(self, team: int) -> InsidePool:
        """The pool serving ``team``'s territory."""
        return self.pools[self.pool_of_team[team]]
