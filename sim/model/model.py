"""SalesOrgModel: an inside sales team and field sales teams working one market.

Inbound inquiries arrive around the clock; inside reps answer them
(fast or slow), prospect outbound, qualify against their bar and hand
qualified leads to field reps, who accept, reject or ignore them, meet the
prospects, and work multi-stage opportunities to a win or a loss. Field reps
prospect for themselves when they lack support or trust. The management
levers of the scenario act only through the behaviour parameters in
:mod:`sim.config.levers`.

One Mesa step is one calendar day; within it, time runs continuously in
calendar hours (``day * 24`` to ``day * 24 + 24``), and reps work business
hours on working days (sim/model/clock.py).
"""

from __future__ import annotations

import math
import time
from typing import Any

import mesa
import numpy as np
from mesa.time import Schedule

from sim.config.levers import derive
from sim.config.params import DAYS_PER_YEAR, QUARTER_DAYS, Params
from sim.config.registry import REORG_KEYS
from sim.config.scenario import (
    NOT_LEVERS,
    Move,
    Scenario,
    change_days,
    lever_leaves,
    scenario_on,
    scenario_to_dict,
    validate,
)
from sim.model import policies
from sim.model.calendar import Calendar
from sim.model.clock import HOURS_PER_CALENDAR_DAY, WorkCalendar
from sim.model.customers import Customers
from sim.model.field import FieldRep
from sim.model.inside import InsideRep
from sim.model.leads import U_RIVAL, Lead, LeadBook, State
from sim.model.market import Accounts, Exponentials, Market, ProspectFactory, inbound_channels, rival_arrival
from sim.model.nurture import Nurture
from sim.model.pools import InsidePool
from sim.model.reps import reset_tallies
from sim.model.streams import Streams

# a leaving field rep's leads in these states go to a teammate (field-only inquiries not yet
# answered, handoffs not yet reviewed, first meetings booked, open deals)
REASSIGNED_STATES = frozenset({State.NEW, State.ATTEMPTING, State.HANDED_OFF, State.ACCEPTED, State.OPPORTUNITY})
# during the warm-up, every four weeks the prospect list is set to the share the last four
# weeks' outreach would leave fresh in the long run (Accounts.settle): its natural pace is a year
SETTLE_DAYS = 28
QUARTER_STARTS = QUARTER_DAYS  # days of the year the quota quarters start: 1 January, April, July, October
DAYS_OF_YEAR = 365


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


class SalesOrgModel(mesa.Model):
    """A B2B sales organization under one scenario's management levers.

    Args:
        scenario: the validated scenario (levers, headcounts, market).
        seed: root seed; defaults to ``scenario.simulation.seed``.
        params: behaviour parameters; defaults to ``derive(scenario)``.
        collect: record the daily table (off only to measure its cost).

    Attributes:
        params: the behaviour parameters in force.
        book: every lead of the run.
        day: calendar days simulated so far.
        clock: the working calendar (business hours, weekends, holidays).
        revenue: dollars won so far.
        cost_of_sales: salaries and commissions paid so far.
    """

    def __init__(
        self, scenario: Scenario, seed: int | None = None, params: Params | None = None, collect: bool = True
    ) -> None:
        seed = scenario.simulation.seed if seed is None else seed
        super().__init__(rng=np.random.default_rng(seed))
        self.config = scenario
        self.levers = scenario  # the levers in effect (timeline set: changes them on their day)
        # [working days left, bar step, trust step, bar-spread step] of habits still moving
        self.habits: list[list[float]] = []
        self.reorgs = 0  # re-organizations so far (each costs reps part of their productivity)
        self.reorg_day = 0.0
        self.changes_today = ""  # what changed today, for the daily table
        self.change_log: list[tuple[int, list[str]]] = []  # (measured day, keys changed)
        self.seed = seed
        self.params = params or derive(scenario)
        self.streams = Streams(seed, declared_streams())
        self.book = LeadBook()
        self.calendar = Calendar()
        self.warmup = scenario.simulation.warmup_days  # days worked before the books open
        self.clock_days = self.warmup + scenario.simulation.days
        self.clock = WorkCalendar(self.clock_days, first_day=-self.warmup)
        self.day = 0  # days simulated, the warm-up included
        self.measuring = False  # the books are open (the warm-up is over)
        self.revenue = 0.0
        self.salaries = 0.0
        self.commissions = 0.0
        self.reassigned = 0  # open leads and deals moved to a teammate when their field rep left or moved
        self.field_tenures: list[tuple[float, int]] = []  # (revenue closed, days in post) of field reps who left
        self.inside_tenures: list[tuple[float, int]] = []  # (credited on the plan's metric, days) of inside reps
        self.manager_cost = 0.0  # first-line managers and department heads (in salaries)
        self.inquiries = 0  # new inbound inquiries (what marketing pays for)
        self.marketing_cost = 0.0  # what marketing has paid for them, in dollars (each its channel's cost)
        self.tooling_cost = 0.0  # CRM and sales tools of the reps in post
        self.collect = collect
        self._feedback: dict[int, list[float]] = {}
        p = self.params
        self.router = policies.make_router(p, len(scenario.organization.field_teams))
        self.inside_pay = policies.inside_pay_plan(p)
        self.field_pay = policies.field_pay_plan(p)
        self.feedback = policies.feedback_loop(p)
        self.handoff_rules = policies.handoff(p)
        self.nurture = Nurture(self)
        self.customers = Customers(self)
        self.team_names = [t.name for t in scenario.organization.field_teams]
        self.outbound_gaps = Exponentials(self.streams["inside.outbound_gaps"])
        self.field_gaps = Exponentials(self.streams["field.prospecting_gaps"])
        self._build_organization(scenario)
        weights = [t.field_reps for t in scenario.organization.field_teams]
        self.market = Market(self.params, self.streams, weights, inbound_channels(scenario.market, p))
        self.accounts = Accounts(p)
        shapes = prospect_shapes(p)
        self.outbound = ProspectFactory(self.streams["prospects.outbound"], p, *shapes["outbound"])
        self.recycled = ProspectFactory(self.streams["prospects.recycled"], p, *shapes["recycled"])
        self.field_sourced = ProspectFactory(self.streams["prospects.field"], p, *shapes["field_sourced"])
        every = self.feedback.interval_days
        self._meetings = every is not None
        if every is not None:
            self.schedule_recurring(self.hold_feedback_meeting, Schedule(interval=every, start=every + 0.5))
        self.datacollector = mesa.DataCollector(model_reporters=_DAILY_REPORTERS)
        if self.warmup == 0:
            self.open_books()

    # The random streams the organization itself owns (its components declare theirs: Market, InsideRep, ...).
    STREAMS = (
        "inside.outbound_gaps", "field.prospecting_gaps", "prospects.outbound", "prospects.recycled",
        "prospects.field", "prospects.territory", "org.pipeline", "field.reassign", "feedback.word_of_mouth",
    )  # fmt: skip

    # Running totals of the organization, zeroed when the books open.
    TALLIES = (
        "revenue", "salaries", "commissions", "reassigned", "field_tenures", "inside_tenures",
        "manager_cost", "inquiries", "marketing_cost", "tooling_cost",
    )  # fmt: skip

    def open_books(self) -> None:
        """The warm-up is over: every running total starts from zero, the organization as it stands.

        The reps keep their tenure, skills, trust and bars, the open leads and
        deals stay in flight, the prospect list stays as worn as it is; only the
        books (revenue, costs, counts, quota credit) start again.
        """
        if self.config.pipeline is not None:
            self.take_over_pipeline(self.config.pipeline)
        reset_tallies(self)
        for rep in self.inside_reps + self.field_reps:
            reset_tallies(rep)
        reset_tallies(self.nurture)
        self.book.open_books(self.day * HOURS_PER_CALENDAR_DAY)
        self.measuring = True

    def take_over_pipeline(self, path: str) -> None:
        """Start from a company's open pipeline (``pipeline:``, written by ``salesim fit`` from its export).

        The deals in flight after the warm-up become the export's open opportunities: as many
        (the warm-up's extra deals are closed in a pipeline review before the books open; the
        missing ones are opened, with the least-loaded reps in post, at the stage their age
        reaches), and with the export's amounts. The table has a row per open opportunity:
        ``amount`` and ``age_days`` (since it was opened, at the export's date).
        """
        import pandas as pd

        table = pd.read_parquet(path)
        rng = self.streams["org.pipeline"]
        rows = table.iloc[rng.permutation(len(table))].reset_index(drop=True)
        now = self.day * HOURS_PER_CALENDAR_DAY
        open_deals = [lead for lead in self.book if lead.state is State.OPPORTUNITY]
        for lead in open_deals[len(rows) :]:  # more deals in flight than the company has: reviewed out
            lead.loss_reason = "pipeline review"
            self.field_rep_by_id[lead.field_rep].lose_deal(lead, now)
        reps = [rep for rep in self.field_reps if rep.in_post]
        stages = max(1, int(self.params.stages))
        for i, row in rows.iterrows():
            if i < len(open_deals):
                lead = open_deals[i]
            elif reps:
                rep = min(reps, key=lambda r: (r.open_opps, r.unique_id))
                lead = self.new_lead("field", self.field_sourced, now, team=rep.team)
                lead.field_rep = rep.unique_id
                rep.open_opportunity(lead, now, lead.intent)
                age = float(row["age_days"])
                lead.open_deal.stage = min(stages - 1, int(age / (self.params.cycle_days / stages)))
                lead.created_at = lead.contacted_at = lead.first_attempt_at = lead.opportunity_at = now - age * 24
            else:
                break  # nobody in the field to own it
            lead.value = float(row["amount"])

    # ------------------------------------------------------------ wiring
    def _build_organization(self, scenario: Scenario) -> None:
        org = scenario.organization
        weights = [t.field_reps for t in org.field_teams]
        self.field_reps: list[FieldRep] = []
        self.field_by_team: list[list[FieldRep]] = []
        for i, team in enumerate(org.field_teams):
            reps = [FieldRep(self, i) for _ in range(team.field_reps)]
            self.field_by_team.append(reps)
            self.field_reps.extend(reps)
        if org.inside_shared_across_teams:
            self.pools = [InsidePool(self, list(range(len(weights))), weights)]
            seats = [org.inside_reps]
        else:
            self.pools = [InsidePool(self, [i], weights) for i in range(len(weights))]
            seats = split_headcount(org.inside_reps, weights)
        self.pool_of_team = [0] * len(weights)
        for pool_index, (pool, n) in enumerate(zip(self.pools, seats, strict=True)):
            pool.reps = [InsideRep(self, pool) for _ in range(n)]
            for served in pool.teams:
                self.pool_of_team[served] = pool_index
        self.field_rep_by_id = {rep.unique_id: rep for rep in self.field_reps}  # seats, refilled
        self.inside_reps = [rep for pool in self.pools for rep in pool.reps]
        self._inside_by_id = {rep.unique_id: rep for rep in self.inside_reps}  # seats are refilled, never replaced
        self._staffed()
        for day in change_days(scenario):
            self.schedule_event(self.apply_timeline, at=self.warmup + day + 0.5)  # before that day's work

    def _staffed(self) -> None:
        """Which teams have inside reps to support them, and the first-line managers the seats need."""
        self.team_supported = [bool(self.pools[self.pool_of_team[i]].reps) for i in range(len(self.field_by_team))]
        span = self.params.reps_per_manager
        inside = sum(not rep.closed for rep in self.inside_reps)
        field = sum(not rep.closed for rep in self.field_reps)
        self.managers = math.ceil(inside / span) + math.ceil(field / span)

    def apply_timeline(self) -> None:
        """Today's changes (``timeline:``), before the day's work: levers, hires, exits and moves.

        A hire opens a seat with a new rep on their first day (onboarding, then the
        ramp; paid and recruited from today). An exit closes a seat for good: a
        vacant seat first (the hire is called off), else the newest rep's (last in,
        first out), whose book goes to teammates as a leaver's does. A move: :meth:`move`.
        The daily table's ``change`` column names each.
        """
        today = self.day - self.warmup
        notes = []
        levers = scenario_on(self.config, today)
        if levers is not self.levers and levers != self.levers:
            self.adopt(levers, today)
        for change in self.config.timeline:
            if change.day != today or change.set is not None:
                continue
            if change.move is not None:
                self.move(change.move)
                notes.append(f"move {change.move.from_team}->{change.move.to}: {change.move.field_reps} field reps")
                continue
            sign, who = change.staffing
            reps = ", ".join(
                f"{n} {kind} reps" for kind, n in (("field", who.field_reps), ("inside", who.inside_reps)) if n
            )
            notes.append(f"{'hire' if sign > 0 else 'exit'}{f' {who.team}' if who.team else ''}: {reps}")
            team = self.team_names.index(who.team) if who.team is not None else 0
            pool = self.pools[self.pool_of_team[team]]
            if sign > 0:
                for _ in range(who.field_reps):
                    rep = FieldRep(self, team, days_employed=0.0)
                    rep.hires += 1
                    self.field_by_team[team].append(rep)
                    self.field_reps.append(rep)
                    self.field_rep_by_id[rep.unique_id] = rep
                for _ in range(who.inside_reps):
                    rep = InsideRep(self, pool, days_employed=0.0)
                    rep.hires += 1
                    pool.reps.append(rep)
                    self.inside_reps.append(rep)
                    self._inside_by_id[rep.unique_id] = rep
            else:
                for seats, n in ((self.field_by_team[team], who.field_reps), (pool.reps, who.inside_reps)):
                    for _ in range(n):
                        open_seats = [rep for rep in seats if not rep.closed]
                        min(open_seats, key=lambda r: (r.active, r.days_employed, r.unique_id)).close_seat()
        self.changes_today = "; ".join(filter(None, [self.changes_today, *notes]))
        self._staffed()

    def plan(self, entries: list[dict[str, Any]]) -> None:
        """Add dated changes while the organization runs (the dashboard's "Apply now").

        The entries are ``timeline`` entries as a file writes them; the timeline they join is
        validated as a file's is (a bad entry raises :class:`ScenarioError` and changes
        nothing), and each new change day gets its event, so a change applied today acts
        before the next day's work, with the transition a dated change has.
        """
        data = scenario_to_dict(self.config)
        data["timeline"] = [*data["timeline"], *entries]
        config = validate(data, source=f"{self.config.name} (changes applied while running)")
        known = set(change_days(self.config))
        self.config = config
        for day in change_days(config):
            if day not in known:
                self.schedule_event(self.apply_timeline, at=self.warmup + day + 0.5)

    def move(self, move: Move) -> None:
        """Field reps change teams (``timeline`` move): vacancies first, then the lightest books.

        A manager moves the seats that cost least to move: an open requisition moves with
        nothing to hand over; a rep in post leaves their open leads and deals with their old
        team (reassigned as a leaver's are, with the same loss where the notes do not carry),
        and loses part of their ramp in the new territory (:meth:`FieldRep.move_to`).
        """
        source, target = self.team_names.index(move.from_team), self.team_names.index(move.to)
        seats = [rep for rep in self.field_by_team[source] if not rep.closed]
        seats.sort(key=lambda r: (r.active, r.open_opps + r.pending + r.booked, r.unique_id))
        for rep in seats[: move.field_reps]:
            if rep.active:
                self.reassign(rep)
                rep.move_to(target)
            else:
                rep.team = target  # the open requisition moves; the hire starts in the new team
            self.field_by_team[source].remove(rep)
            self.field_by_team[target].append(rep)

    REORG_KEYS = REORG_KEYS  # changes of these are a re-organization (the lever registry says which)

    def adopt(self, levers: Scenario, today: int) -> None:
        """The organization works under new levers from today (a ``timeline`` ``set:`` in effect).

        The behaviour parameters and the policies follow at once; what people carry changes as
        it does in a real organization: each rep's bar and the field's trust move towards their
        new levels over ``habit_days`` working days, and a re-organization (structure,
        management, reporting line) costs every rep ``reorg_ramp_loss`` of their productivity,
        recovered over ``reorg_recovery_days``. (Pay plans take effect from the next pay
        period: :func:`sim.config.scenario.effective_day` has already timed them.)
        """
        old, new = self.params, derive(levers)
        changed = [k for k, a, b in _lever_pairs(self.levers, levers) if a != b]
        self.levers, self.params = levers, new
        self.router = policies.make_router(new, len(self.team_names))
        self.inside_pay = policies.inside_pay_plan(new)
        self.field_pay = policies.field_pay_plan(new)
        had_meetings = self.feedback.interval_days is not None or self._meetings
        self.feedback = policies.feedback_loop(new)
        self.handoff_rules = policies.handoff(new)
        self.market.adopt(new, inbound_channels(levers.market, new))
        self.accounts.refresh(new)
        self.nurture.refresh(new)
        for pool in self.pools:
            pool.adopt(new)
        for name, (fit, intent) in prospect_shapes(new).items():
            factory = getattr(self, name)
            factory.params, factory.fit, factory.intent = new, fit, intent
        for rep in self.agents:  # every rep the model has, hired or not yet: no hand-kept list
            rep.refresh(old, new)
        if self.feedback.interval_days is not None and not had_meetings:
            every = self.feedback.interval_days
            self.schedule_recurring(self.hold_feedback_meeting, Schedule(interval=every, start=self.day + every + 0.5))
            self._meetings = True
        bar, trust = new.inside_threshold - old.inside_threshold, new.initial_trust - old.initial_trust
        spread = new.inside_threshold_sd - old.inside_threshold_sd
        if bar or trust or spread:
            days = new.habit_days
            self.habits.append([days, bar / days, trust / days, spread / days])
        if any(k in self.REORG_KEYS for k in changed):
            self.reorgs += 1
            self.reorg_day = float(self.day)
        self.changes_today = "; ".join(f"{k}={_plain(v)}" for k, _, v in _lever_pairs(self.levers, levers)
                                       if k in changed) or self.changes_today  # fmt: skip
        self.change_log.append((today, changed))

    def productivity(self) -> float:
        """The share of their productivity reps have today: below 1 after a re-organization, until they recover."""
        if self.reorgs == 0:
            return 1.0
        p = self.params
        left = 1.0 - (self.day - self.reorg_day) / p.reorg_recovery_days
        return 1.0 - p.reorg_ramp_loss * max(0.0, left)

    def _keep_habits(self) -> None:
        """A working day of the habits still moving: bars and trust a step towards their new levels."""
        for habit in self.habits:
            days, bar, trust, spread = habit
            for rep in self.inside_reps:  # each towards their own place in the new spread of bars
                rep.own_bar = min(1.0, max(0.0, rep.own_bar + bar + spread * rep.bar_z))
            for rep in self.field_reps:
                rep.trust = min(1.0, max(0.0, rep.trust + trust))
            habit[0] = days - 1
        self.habits = [h for h in self.habits if h[0] > 0]

    # ------------------------------------------------------------ the day
    def step(self) -> None:
        """One calendar day: staffing, inquiries around the clock; on a working day inside and field work; pay."""
        day = self.day
        end = (day + 1) * HOURS_PER_CALENDAR_DAY
        working = self.clock.working[day]
        if (day - self.warmup) % DAYS_OF_YEAR in QUARTER_STARTS:
            for rep in self.field_reps:
                rep.quarter_sold = 0.0  # a new quarter, a fresh quota
        for rep in self.inside_reps:
            rep.quit_or_stay(day)
            rep.start_day()
        for rep in self.field_reps:
            if rep.quit_or_stay(day):
                self.reassign(rep)
        self._receive_inquiries(day)
        if working:
            if self.habits:
                self._keep_habits()
            for pool in self.pools:
                pool.work_day(day)
            for rep in self.field_reps:
                rep.prospect(day)
        self.calendar.run_until(end)
        if self.feedback.daily:
            self.hold_feedback_meeting()  # continuous loop, or word of mouth in one team
        self._pay_salaries()
        self.accounts.rest_day()
        for rep in self.inside_reps:
            rep.days_employed += 1
            rep.days_in_seat += rep.active
        for rep in self.field_reps:
            rep.days_employed += 1
            rep.days_selling += rep.in_post
        self.day += 1
        if not self.measuring:
            if self.day % SETTLE_DAYS == 0:
                self.accounts.settle(SETTLE_DAYS)  # the list as years of this outreach leave it
            if self.day == self.warmup:
                self.open_books()
        elif self.collect:
            self.datacollector.collect(self)
        self.changes_today = ""

    def quarter_end(self, t: float) -> float:
        """The calendar hour at which the quarter holding hour ``t`` ends (quarters of the measured calendar)."""
        day = int(t // HOURS_PER_CALENDAR_DAY)
        into = (day - self.warmup) % DAYS_OF_YEAR
        next_start = next(q for q in (*QUARTER_STARTS, DAYS_OF_YEAR) if q > into)
        return (day - into + next_start) * HOURS_PER_CALENDAR_DAY

    def _receive_inquiries(self, day: int) -> None:
        volume = 1.0
        p = self.params
        if p.reputation_effect > 0 and len(self.book) >= p.reputation_min_leads:
            recent = self.book.leads[-int(p.reputation_window) :]
            mean_sat = sum(lead.satisfaction for lead in recent) / len(recent)
            volume = 1.0 - p.reputation_effect * max(0.0, p.sat_start - mean_sat) / p.sat_start
        for lead in self.market.inbound(day, self.clock.working[day], self.book.next_id(), p.sat_start, volume):
            self.book.add(lead)
            self.inquiries += 1
            self.marketing_cost += self.market.channels[lead.channel].cost  # what its channel charges
            self.inquire(lead)

    def inquire(self, lead: Lead) -> None:
        """An inquiry goes to the inside pool of its territory, or, without one, to a field rep."""
        pool = self.pools[self.pool_of_team[lead.team]]
        if pool.reps:
            pool.receive(lead)
            return
        rep = self._route(lead)
        if rep is None:
            return  # nobody at all to answer: stays new
        rep.pending += 1  # the router sees the inquiry as load at once
        lead.field_rep = rep.unique_id
        self.calendar.add(self.clock.after(lead.created_at, rep.inquiry_delay()), rep.respond, lead)

    def release(self, lead: Lead, state: State, at: float) -> None:
        """A lead leaves the funnel (rejected, lapsed, unreached): nurture may bring it back."""
        lead.close(state)
        self.nurture.enrol(lead, at)

    def rival_at(self, lead: Lead) -> float:
        """Hours after this inquiry when another vendor first answers it (``math.inf``: never).

        Other vendors answer as the audited firms did (:data:`sim.model.market.FIRM_RESPONSE`,
        measured on inquiries sent in business hours), counting from when they open:
        an inquiry sent at night is a race that starts in the morning.
        """
        delay = rival_arrival(lead.draws[U_RIVAL], self.params.competitors)
        return self.clock.next_open(lead.created_at) - lead.created_at + delay

    def recycle(self, old: Lead, at: float) -> Lead:
        """A nurtured prospect inquires again: a new lead with the old one's fit, deal, territory and feelings."""
        _, _, intent, draws = self.recycled.one()  # a new buying moment: fresh intent and own draws
        lead = Lead(self.book.next_id(), "recycled", old.team, at, old.value, old.fit, intent, draws, old.satisfaction)
        lead.recycled_from = old.lead_id
        lead.channel = old.channel  # the same prospect: credited to the channel that first brought them
        lead.earlier_contacts = old.earlier_contacts + old.attempts
        lead.first_seen = old.first_seen
        self.book.add(lead)
        self.inquire(lead)
        return lead

    def _pay_salaries(self) -> None:
        p = self.params
        active_inside = sum(rep.active for rep in self.inside_reps)
        active_field = sum(rep.active for rep in self.field_reps)
        yearly = active_inside * p.inside_salary + active_field * p.field_salary
        leaders = self.managers * p.manager_salary + p.department_heads * p.head_salary
        self.salaries += (yearly + leaders) / DAYS_PER_YEAR
        self.manager_cost += leaders / DAYS_PER_YEAR
        self.tooling_cost += (active_inside + active_field) * p.tooling_per_rep / DAYS_PER_YEAR

    # ------------------------------------------------------------ leads
    def new_lead(self, source: str, factory: ProspectFactory, at: float, team: int | None) -> Lead:
        """A prospect a rep has just found, in ``team``'s territory: the lead starts in conversation.

        Inbound inquiries are created by the :class:`Market` instead, and wait for a first attempt.
        """
        value, fit, intent, draws = factory.one()
        if team is None:
            u = self.streams["prospects.territory"].random()  # a shared pool prospects any team's territory
            team = int(np.searchsorted(self.market.team_cdf, u, side="right"))
            team = min(team, len(self.team_names) - 1)
        lead = Lead(
            self.book.next_id(), source, team, at, value, fit, intent, draws, self.params.sat_start,
        )  # fmt: skip
        lead.first_attempt_at = lead.contacted_at = at
        lead.attempts = 1
        return self.book.add(lead)

    def _route(self, lead: Lead) -> FieldRep | None:
        """Pick the field rep for a lead by the routing rule among the reps in post (see docs/MODEL.md).

        With nobody in post anywhere (every seat empty or in training), the team's seats
        take it and the manager covers them, as with a leaver's book; None only without
        any field seat.
        """
        team = self.field_by_team[lead.team]
        reps = [r for r in team if r.in_post] or [r for r in self.field_reps if r.in_post] or team or self.field_reps
        return self.router.pick(lead, reps) if reps else None

    def reassign(self, leaver: FieldRep) -> None:
        """A field rep left: their open leads and deals go to the freest teammate in post.

        The prospect meets somebody new mid-deal: unless the notes carry the
        context (``notes_completeness``), they are asked the same questions again
        (``sat_repeat``; the deal then wins less, ``win_repeat``). That is the loss
        Shi et al. 2017 measure when a rep's customers are reassigned (docs/MODEL.md,
        "Field attrition"). With nobody in post, the seat keeps its book and the
        manager covers it until the new hire starts.
        """
        team = [r for r in self.field_by_team[leaver.team] if r.in_post and r is not leaver]
        heirs = team or [r for r in self.field_reps if r.in_post and r is not leaver]
        if not heirs:
            return
        p = self.params
        luck = self.streams["field.reassign"]
        for lead in self.book.measured():  # leads closed in the warm-up can hold nothing open
            if lead.field_rep != leaver.unique_id or lead.state not in REASSIGNED_STATES:
                continue
            # the freest for their experience: a rep still ramping takes less of a leaver's book
            heir = min(heirs, key=lambda r: ((r.open_opps + r.pending + r.booked) / r.ramp, r.unique_id))
            lead.field_rep = heir.unique_id
            self.reassigned += 1
            if lead.state is State.OPPORTUNITY:
                leaver.open_opps -= 1
                heir.open_opps += 1
                if luck.random() > p.notes_completeness and not lead.repeated:
                    lead.repeated = True
                    lead.feel(p.sat_repeat)
            elif lead.state is State.ACCEPTED:
                leaver.booked -= 1
                heir.booked += 1
            else:  # handed off and not yet reviewed, or a field-only inquiry not yet answered
                leaver.pending -= 1
                heir.pending += 1

    def handoff(self, lead: Lead, at: float) -> bool:
        """Pass a qualified lead to a field rep; False if nobody is in the field."""
        rep = self._route(lead)
        if rep is None:
            return False
        lead.handed_off_at = at
        lead.field_rep = rep.unique_id
        lead.state = State.HANDED_OFF
        rep.pending += 1
        self.commissions += self.inside_pay.on_handoff(lead)
        self.calendar.add(self.clock.after(at, rep.review_delay(lead)), rep.review, lead)
        return True

    def record_feedback(self, lead: Lead, field_bar: float) -> None:
        """Note the field's verdict on an inside rep's lead, if feedback flows."""
        if lead.inside_rep < 0:
            return
        loop = self.feedback
        if loop.formal or self.streams["feedback.word_of_mouth"].random() < loop.informal:
            self._feedback.setdefault(lead.inside_rep, []).append(field_bar)

    def hold_feedback_meeting(self) -> None:
        """Field tells inside what it made of their leads; inside reps learn."""
        if not self._feedback:
            return
        for rep_id, bars in self._feedback.items():
            rep = self._inside_by_id[rep_id]
            if rep.active:
                rep.learn(bars)
        self.market.tune_scoring(sum(len(bars) for bars in self._feedback.values()))
        self._feedback.clear()

    def on_opportunity(self, lead: Lead) -> None:
        """Book what an opportunity pays the inside rep whose lead it was, and credit it to their quota."""
        self.commissions += self.inside_pay.on_opportunity(lead)
        if lead.inside_rep >= 0 and not self.inside_pay.counts_handoffs:
            rep = self._inside_by_id[lead.inside_rep]
            if rep.active:
                rep.credited += 1  # the plan's metric: opportunities from their leads

    def on_won(self, lead: Lead, quota_left: float = math.inf) -> None:
        """Book a won deal's revenue and the commissions it pays (accelerated past the rep's quarterly quota)."""
        self.revenue += lead.revenue
        self.commissions += self.field_pay.on_won(lead, quota_left)
        self.commissions += self.inside_pay.on_won(lead)

    # ------------------------------------------------------------ reading
    # Totals of the reps' own tallies.
    @property
    def attempts(self) -> int:
        """Tries to reach a prospect so far, by any rep."""
        return sum(r.attempts for r in self.inside_reps) + sum(r.attempts for r in self.field_reps)

    @property
    def handoffs(self) -> int:
        """Qualified leads handed to the field so far."""
        return sum(r.handed_off for r in self.inside_reps)

    @property
    def inside_quits(self) -> int:
        """Inside reps who have left so far."""
        return sum(r.quits for r in self.inside_reps)

    @property
    def field_quits(self) -> int:
        """Field reps who have left so far."""
        return sum(r.quits for r in self.field_reps)

    @property
    def opportunities(self) -> int:
        """Opportunities opened so far."""
        return sum(r.opportunities for r in self.field_reps)

    @property
    def deals_won(self) -> int:
        """Deals won so far."""
        return sum(r.won for r in self.field_reps)

    @property
    def field_hours_wasted(self) -> float:
        """Field hours spent on leads that came to nothing."""
        return sum(r.hours_wasted for r in self.field_reps)

    @property
    def cost_of_sales(self) -> float:
        """What the sales organization has cost so far, in dollars: salaries, commissions, tools and hiring."""
        return self.salaries + self.commissions + self.tooling_cost + self.hiring_cost

    @property
    def pipeline_value(self) -> float:
        """The open pipeline weighted by each deal's chance to win from where it stands, in dollars of revenue."""
        total = 0.0
        for lead in self.book.measured():  # leads closed in the warm-up can hold nothing open
            if lead.state is State.OPPORTUNITY:
                rep = self.field_rep_by_id[lead.field_rep]
                total += lead.value * (1 - lead.discount) * lead.open_deal.win_chance(rep, lead)
        return total

    @property
    def hiring_cost(self) -> float:
        """What filling the seats of reps who left has cost so far, in dollars."""
        p = self.params
        inside = sum(r.hires for r in self.inside_reps) * p.inside_hiring_cost
        return inside + sum(r.hires for r in self.field_reps) * p.field_hiring_cost

    def mean_inside_bar_gap(self) -> float:
        """Mean distance between inside reps' bars and the mean field bar."""
        active = [rep for rep in self.inside_reps if rep.active]
        if not active or not self.field_reps:
            return float("nan")
        field_bar = sum(r.bar for r in self.field_reps) / len(self.field_reps)
        return sum(abs(rep.bar - field_bar) for rep in active) / len(active)

    def mean_trust(self) -> float:
        """Mean trust of field reps in inside-sourced leads."""
        if not self.field_reps:
            return float("nan")
        return sum(r.trust for r in self.field_reps) / len(self.field_reps)

    def warm_up(self, deadline: float | None = None) -> SalesOrgModel:
        """Work through the warm-up (``simulation.warmup_days``) if it is not over; the books then open."""
        while not self.measuring:
            self._within(deadline)
            self.step()
        return self

    def run(self, days: int | None = None, time_limit: float | None = None) -> SalesOrgModel:
        """Warm up, then simulate ``days`` measured days (default: the scenario's length).

        Args:
            days: measured days to simulate.
            time_limit: wall-clock seconds the run may take (checked each day); past it,
                :class:`RunTimeLimit` (the runner records it as a failed run).
        """
        self.time_limit = time_limit
        deadline = None if time_limit is None else time.monotonic() + time_limit
        self.warm_up(deadline)
        days = self.config.simulation.days if days is None else days
        for _ in range(days):
            self._within(deadline)
            self.step()
        return self

    def _within(self, deadline: float | None) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise RunTimeLimit(
                f"the run passed its time limit of {self.time_limit:g} s on day {self.day} of "
                f"{self.warmup + self.config.simulation.days} (warm-up included); its parameters may make it too slow"
            )


def declared_streams() -> tuple[str, ...]:
    """Every random stream a run may draw from: what the organization and each of its components declare."""
    owners = (SalesOrgModel, Market, InsideRep, FieldRep, Nurture)
    return tuple(name for owner in owners for name in owner.STREAMS)


class RunTimeLimit(RuntimeError):
    """A run took longer than its wall-clock limit (a failed run, not a hang)."""


def prospect_shapes(p: Params) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """Fit and intent (Beta shapes) of the prospects reps find, by the model's factory: built and re-derived alike."""
    return {
        "outbound": ((p.outbound_fit_a, p.outbound_fit_b), (p.outbound_intent_a, p.outbound_intent_b)),
        "recycled": ((p.fit_a, p.fit_b), (p.intent_a, p.intent_b)),
        "field_sourced": ((p.field_fit_a, p.field_fit_b), (p.field_intent_a, p.field_intent_b)),
    }


def _lever_pairs(a: Scenario, b: Scenario) -> list[tuple[str, object, object]]:
    """(dotted key, value in ``a``, value in ``b``) of every lever of either scenario."""
    skip = (*NOT_LEVERS, "timeline")  # the levers in effect, whatever is still to come
    x, y = lever_leaves(scenario_to_dict(a), skip), lever_leaves(scenario_to_dict(b), skip)
    return [(k, x.get(k), y.get(k)) for k in sorted(set(x) | set(y))]


def _plain(value: object) -> str:
    return str(value).replace("_", " ") if not isinstance(value, float) else f"{value:g}"


_DAILY_REPORTERS = {
    "day": lambda m: m.day - m.warmup,  # measured days (1 is the first day after the warm-up)
    "leads_created": lambda m: m.book.created - m.nurture.returned,  # new prospects
    "leads_recycled": lambda m: m.nurture.returned,
    "handed_off": "handoffs",
    "opportunities": "opportunities",
    "deals_won": "deals_won",
    "revenue": "revenue",
    "cost_of_sales": "cost_of_sales",
    "open_opportunities": lambda m: sum(r.open_opps for r in m.field_reps),
    "inside_queue": lambda m: sum(len(pool) for pool in m.pools),
    "inside_seats": lambda m: sum(not r.closed for r in m.inside_reps),
    "inside_reps_active": lambda m: sum(r.active for r in m.inside_reps),
    "inside_quits": "inside_quits",
    "field_seats": lambda m: sum(not r.closed for r in m.field_reps),
    "field_reps_in_post": lambda m: sum(r.in_post for r in m.field_reps),
    "field_ramp": lambda m: (
        sum(r.ramp for r in m.field_reps if r.in_post) / max(1, sum(r.in_post for r in m.field_reps))
    ),
    "field_quits": "field_quits",
    "inside_bar_gap": SalesOrgModel.mean_inside_bar_gap,
    "field_trust": SalesOrgModel.mean_trust,
    "field_hours_wasted": "field_hours_wasted",
    "change": "changes_today",  # the levers that changed that day (timeline set:), else empty
}
