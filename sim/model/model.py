"""SalesOrgModel: an inside sales team and field sales teams working one market.

Inbound inquiries arrive around the clock; inside reps answer them (fast or
slow), prospect outbound, qualify against their bar and hand qualified leads to
field reps, who accept, reject or ignore them, meet the prospects, and work
multi-stage opportunities to a win or a loss. Field reps prospect for themselves
when they lack support or trust. The management levers of the scenario act only
through the behaviour parameters in :mod:`sim.config.levers`.

The model is built from components, as a Starsim ``Sim`` is built from modules
(:mod:`sim.model.component`): the market, the inside team, the field teams,
handoff and feedback, pay, staffing, the timeline, nurture and customers. It
composes them, runs the clock and passes the services reps use on to the
component that provides each (:mod:`sim.model.services`); it holds no business
logic of its own.

One Mesa step is one calendar day; within it, time runs continuously in
calendar hours (``day * 24`` to ``day * 24 + 24``), and reps work business
hours on working days (sim/model/clock.py).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.config.levers import derive
from sim.model.calendar import Calendar
from sim.model.clock import HOURS_PER_CALENDAR_DAY, WorkCalendar
from sim.model.component import Component
from sim.model.customers import Customers
from sim.model.field_teams import FieldTeams
from sim.model.handoff import HandoffFeedback
from sim.model.inside_team import InsideTeam, split_headcount
from sim.model.leads import LeadBook
from sim.model.marketplace import MarketPlace, prospect_shapes
from sim.model.nurture import Nurture
from sim.model.pay import Pay
from sim.model.reps import reset_tallies
from sim.model.staffing import Staffing
from sim.model.streams import Streams
from sim.model.timeline import Timeline

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.config.scenario import Move, Scenario
    from sim.model.field import FieldRep
    from sim.model.inside import InsideRep
    from sim.model.leads import Lead, State
    from sim.model.market import Accounts, Exponentials, Market, ProspectFactory
    from sim.model.policies import FeedbackLoop, FieldPlan, Handoff, PayPlan, Router
    from sim.model.pools import InsidePool

__all__ = ["COMPONENTS", "RunTimeLimit", "SalesOrgModel", "declared_streams", "prospect_shapes", "split_headcount"]

# during the warm-up, every four weeks the prospect list is set to the share the last four
# weeks' outreach would leave fresh in the long run (Accounts.settle): its natural pace is a year
SETTLE_DAYS = 28

# The organization's components, in the order the day runs them (and a change refreshes them).
COMPONENTS: tuple[type[Component], ...] = (
    MarketPlace, FieldTeams, InsideTeam, HandoffFeedback, Pay, Staffing, Timeline, Nurture, Customers,
)  # fmt: skip


def declared_streams() -> tuple[str, ...]:
    """Every random stream a run may draw from: what each component declares."""
    return tuple(name for component in COMPONENTS for name in component.STREAMS)


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
        components: the organization's parts (see :data:`COMPONENTS`).
    """

    def __init__(
        self, scenario: Scenario, seed: int | None = None, params: Params | None = None, collect: bool = True
    ) -> None:
        seed = scenario.simulation.seed if seed is None else seed
        super().__init__(rng=np.random.default_rng(seed))
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
        self.collect = collect
        org = scenario.organization
        self.pay = Pay(self.params, self.warmup)
        self.timeline = Timeline(self, scenario)
        self.handoff_feedback = HandoffFeedback(self, len(org.field_teams))
        self.nurture = Nurture(self)
        self.customers = Customers(self)
        self.inside_team = InsideTeam(self, org)
        self.field_teams = FieldTeams(self, org)
        self.staffing = Staffing(self.params, self.inside_team, self.field_teams)
        self.field_teams.staff()
        self.inside_team.staff()
        self.staffing.staffed()
        self.timeline.schedule()
        weights = [t.field_reps for t in org.field_teams]
        self.marketplace = MarketPlace(self.params, self.streams, scenario.market, weights, self.book, self.clock)
        self.handoff_feedback.schedule_meetings(0.0)
        self.components: list[Component] = [
            self.marketplace, self.field_teams, self.inside_team, self.handoff_feedback, self.pay, self.staffing,
            self.timeline, self.nurture, self.customers,
        ]  # fmt: skip
        self.datacollector = mesa.DataCollector(model_reporters=_DAILY_REPORTERS)
        if self.warmup == 0:
            self.open_books()

    # ------------------------------------------------------------ the run
    def open_books(self) -> None:
        """The warm-up is over: every running total starts from zero, the organization as it stands.

        The reps keep their tenure, skills, trust and bars, the open leads and
        deals stay in flight, the prospect list stays as worn as it is; only the
        books (revenue, costs, counts, quota credit) start again.
        """
        if self.config.pipeline is not None:
            self.field_teams.take_over_pipeline(self.config.pipeline)
        for component in self.components:
            component.open_books()
        for rep in self.inside_reps + self.field_reps:
            reset_tallies(rep)
        self.book.open_books(self.day * HOURS_PER_CALENDAR_DAY)
        self.measuring = True

    def use(self, params: Params) -> None:
        """Put new behaviour parameters in force (a ``timeline`` set:): every component takes them up."""
        old, self.params = self.params, params
        for component in self.components:
            component.refresh(old, params)

    def step(self) -> None:
        """One calendar day: staffing, inquiries around the clock; on a working day inside and field work; pay."""
        day = self.day
        end = (day + 1) * HOURS_PER_CALENDAR_DAY
        self.pay.new_quarter(day, self.field_reps)
        self.inside_team.start_day(day)
        self.field_teams.start_day(day)
        self.marketplace.receive(day, self.inquire)
        if self.clock.working[day]:
            if self.staffing.habits:
                self.staffing.keep_habits()
            self.inside_team.work_day(day)
            self.field_teams.prospect(day)
            self.customers.refer(day)
        self.calendar.run_until(end)
        self.handoff_feedback.end_of_day()
        self.staffing.pay_salaries()
        self.accounts.rest_day()
        self.inside_team.end_day()
        self.field_teams.end_day()
        self.day += 1
        if not self.measuring:
            if self.day % SETTLE_DAYS == 0:
                self.accounts.settle(SETTLE_DAYS)  # the list as years of this outreach leave it
            if self.day == self.warmup:
                self.open_books()
        elif self.collect:
            self.datacollector.collect(self)
        self.timeline.changes_today = ""

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

    # ------------------------------------------------------------ services reps use (sim/model/services.py)
    def inquire(self, lead: Lead) -> None:
        """An inquiry goes to the inside pool of its territory, or, without one, to a field rep."""
        pool = self.inside_team.pool_of(lead.team)
        if pool.reps:
            pool.receive(lead)
        else:
            self.field_teams.answer(lead)

    def release(self, lead: Lead, state: State, at: float) -> None:
        """A lead leaves the funnel (rejected, lapsed, unreached): nurture may bring it back."""
        lead.close(state)
        self.nurture.enrol(lead, at)

    def recycle(self, old: Lead, at: float) -> Lead:
        """A nurtured prospect inquires again: a new lead with the old one's fit, deal, territory and feelings."""
        lead = self.marketplace.recycle(old, at)
        self.inquire(lead)
        return lead

    def rival_at(self, lead: Lead) -> float:
        """Hours after this inquiry when another vendor first answers it (:meth:`MarketPlace.rival_at`)."""
        return self.marketplace.rival_at(lead)

    def attentive_hours(self, lead: Lead, t: float) -> float:
        """Hours of the inquirer's attention since the inquiry (:meth:`MarketPlace.attentive_hours`)."""
        return self.marketplace.attentive_hours(lead, t)

    def new_lead(self, source: str, factory: ProspectFactory, at: float, team: int | None) -> Lead:
        """A prospect a rep has just found, in ``team``'s territory (:meth:`MarketPlace.new_lead`)."""
        return self.marketplace.new_lead(source, factory, at, team)

    def handoff(self, lead: Lead, at: float) -> bool:
        """Pass a qualified lead to a field rep; False if nobody is in the field."""
        return self.handoff_feedback.handoff(lead, at)

    def record_feedback(self, lead: Lead, field_bar: float) -> None:
        """Note the field's verdict on an inside rep's lead, if feedback flows."""
        self.handoff_feedback.record(lead, field_bar)

    def hold_feedback_meeting(self) -> None:
        """Field tells inside what it made of their leads; inside reps learn."""
        self.handoff_feedback.hold_meeting()

    def on_opportunity(self, lead: Lead) -> None:
        """Book what an opportunity pays the inside rep whose lead it was, and credit it to their quota."""
        self.pay.on_opportunity(lead)
        if not self.pay.inside_pay.counts_handoffs:
            self.inside_team.credit_opportunity(lead)  # the plan's metric: opportunities from their leads

    def on_won(self, lead: Lead, quota_left: float = math.inf) -> None:
        """Book a won deal's revenue and the commissions it pays (accelerated past the rep's quarterly quota)."""
        self.pay.on_won(lead, quota_left)

    def quarter_end(self, t: float) -> float:
        """The calendar hour at which the quarter holding hour ``t`` ends (:meth:`Pay.quarter_end`)."""
        return self.pay.quarter_end(t)

    def typical_standing(self) -> float | None:
        """The median standing against quota of the field's judged reps (:meth:`Pay.new_quarter`)."""
        return self.pay.typical_standing

    def reassign(self, leaver: FieldRep) -> None:
        """A field rep left: their open leads and deals go to the freest teammate in post."""
        self.field_teams.reassign(leaver)

    def move(self, move: Move) -> None:
        """Field reps change teams (``timeline`` move, :meth:`FieldTeams.move`)."""
        self.field_teams.move(move)

    def productivity(self) -> float:
        """The share of their productivity reps have today: below 1 after a re-organization, until they recover."""
        return self.staffing.productivity(self.day)

    def plan(self, entries: list[dict[str, Any]]) -> None:
        """Add dated changes while the organization runs (the dashboard's "Apply now", :meth:`Timeline.plan`)."""
        self.timeline.plan(entries)

    def apply_timeline(self) -> None:
        """Today's dated changes (:meth:`Timeline.apply`)."""
        self.timeline.apply()

    def adopt(self, levers: Scenario, today: int) -> None:
        """The organization works under new levers from today (:meth:`Timeline.adopt`)."""
        self.timeline.adopt(levers, today)

    # ------------------------------------------------------------ what the components hold, by name
    config = property(lambda self: self.timeline.config, doc="The scenario with every dated change.")
    levers = property(lambda self: self.timeline.levers, doc="The scenario as it stands today.")
    changes_today = property(lambda self: self.timeline.changes_today, doc="What changed today.")
    change_log = property(lambda self: self.timeline.change_log, doc="(measured day, keys changed) of each change.")
    REORG_KEYS = Timeline.REORG_KEYS
    recycled = property(lambda self: self.marketplace.recycled, doc="Nurture's returning prospects.")
    marketing_cost = property(lambda self: self.marketplace.marketing_cost, doc="Marketing's cost so far, $.")
    team_names = property(lambda self: self.field_teams.names, doc="The field teams' names.")
    field_by_team = property(lambda self: self.field_teams.by_team, doc="Each team's field seats.")
    reassigned = property(lambda self: self.field_teams.reassigned, doc="Leads and deals moved to a teammate.")
    pipeline_value = property(lambda self: self.field_teams.pipeline_value, doc="The weighted open pipeline, $.")
    revenue = property(lambda self: self.pay.revenue, doc="Dollars won so far.")
    commissions = property(lambda self: self.pay.commissions, doc="Commissions paid so far, $.")
    salaries = property(lambda self: self.staffing.salaries, doc="Salaries paid so far, $.")
    manager_cost = property(lambda self: self.staffing.manager_cost, doc="Managers' and heads' pay so far, $.")
    tooling_cost = property(lambda self: self.staffing.tooling_cost, doc="Tools of the reps in post so far, $.")
    hiring_cost = property(lambda self: self.staffing.hiring_cost, doc="Recruiting of replacements so far, $.")
    reorgs = property(lambda self: self.staffing.reorgs, doc="Re-organizations so far.")

    @property
    def market(self) -> Market:
        """Inbound inquiries by channel and hour."""
        return self.marketplace.market

    @property
    def accounts(self) -> Accounts:
        """The prospect list outbound and field prospecting wear out."""
        return self.marketplace.accounts

    @property
    def outbound(self) -> ProspectFactory:
        """The prospects outbound finds."""
        return self.marketplace.outbound

    @property
    def field_sourced(self) -> ProspectFactory:
        """The prospects field reps find."""
        return self.marketplace.field_sourced

    @property
    def referred(self) -> ProspectFactory:
        """The prospects customers refer."""
        return self.marketplace.referred

    def refer(self, at: float, u: float) -> None:
        """A customer's introduction: a first meeting for a field rep (:meth:`FieldTeams.refer`)."""
        self.field_teams.refer(at, u)

    @property
    def field_reps(self) -> list[FieldRep]:
        """Every field seat, in the order of hire."""
        return self.field_teams.reps

    @property
    def field_rep_by_id(self) -> dict[int, FieldRep]:
        """Field seat by Mesa id."""
        return self.field_teams.by_id

    @property
    def field_gaps(self) -> Exponentials:
        """Gaps between the leads field reps find prospecting."""
        return self.field_teams.gaps

    @property
    def inside_reps(self) -> list[InsideRep]:
        """Every inside seat, in the order of hire."""
        return self.inside_team.reps

    @property
    def pools(self) -> list[InsidePool]:
        """The inside pools."""
        return self.inside_team.pools

    @property
    def outbound_gaps(self) -> Exponentials:
        """Gaps between outbound conversations."""
        return self.inside_team.outbound_gaps

    @property
    def router(self) -> Router:
        """Who gets a lead (``handoff.routing``)."""
        return self.handoff_feedback.router

    @property
    def handoff_rules(self) -> Handoff:
        """How a qualified lead passes to the field."""
        return self.handoff_feedback.rules

    @property
    def feedback(self) -> FeedbackLoop:
        """How the field's verdicts flow back."""
        return self.handoff_feedback.loop

    @property
    def inside_pay(self) -> PayPlan:
        """The inside reps' pay plan."""
        return self.pay.inside_pay

    @property
    def field_pay(self) -> FieldPlan:
        """The field reps' pay plan."""
        return self.pay.field_pay

    @property
    def field_tenures(self) -> list[tuple[float, int]]:
        """(revenue closed, days in post) of field reps who left."""
        return self.staffing.field_tenures

    @property
    def inside_tenures(self) -> list[tuple[float, int]]:
        """(credited, days in seat) of inside reps who left."""
        return self.staffing.inside_tenures

    @property
    def team_supported(self) -> list[bool]:
        """Whether each field team has inside reps to support it."""
        return self.staffing.team_supported

    # ------------------------------------------------------------ reading: totals of the reps' own tallies
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
        cost: float = self.salaries + self.commissions + self.tooling_cost + self.hiring_cost
        return cost

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


class RunTimeLimit(RuntimeError):
    """A run took longer than its wall-clock limit (a failed run, not a hang)."""


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
