"""What reps and components may ask of the organization: its services as typed interfaces.

A rep or a component does not reach into :class:`~sim.model.model.SalesOrgModel`;
it uses the services below (as Starsim's modules use the sim they are given).
The model provides all of them; a test's stand-in (``tests/stubs.py``) provides
the ones its rep uses, and the type checker keeps both honest: a method renamed
or given another argument in the model and not in an interface fails
``make test``. Members are read-only properties, so the model may hold them or
pass them on from its components.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.model.calendar import Calendar
    from sim.model.customers import Customers
    from sim.model.field import FieldRep
    from sim.model.field_teams import FieldTeams
    from sim.model.inside_team import InsideTeam
    from sim.model.leads import Lead, LeadBook, State
    from sim.model.market import Accounts, Exponentials, Market, ProspectFactory
    from sim.model.pay import Pay
    from sim.model.policies import FieldPlan, Handoff, PayPlan, Router
    from sim.model.staffing import Staffing
    from sim.model.streams import Streams


class Clock(Protocol):
    """The working calendar as reps use it (:class:`~sim.model.clock.WorkCalendar`)."""

    @property
    def working(self) -> Sequence[bool]:
        """Whether each day of the run is a working day."""
        ...

    def after(self, t: float, business_hours: float) -> float:
        """The calendar time ``business_hours`` of work after ``t``."""
        ...

    def business_time(self, t: float) -> float:
        """Business hours from the start of the run to calendar time ``t``."""
        ...

    def calendar_time(self, b: float) -> float:
        """The calendar time at which ``b`` business hours have passed."""
        ...

    def opens(self, day: int) -> float:
        """Calendar time the working day ``day`` opens."""
        ...

    def next_open(self, t: float) -> float:
        """``t`` in business hours, else the moment the next working day opens."""
        ...


class Queue(Protocol):
    """The inside pool as its reps use it: the territories it serves, its hours, retries put back."""

    @property
    def teams(self) -> list[int]:
        """The field teams whose territories the pool serves."""
        ...

    @property
    def hours(self) -> Clock:
        """The team's working hours (retry gaps count only while it works)."""
        ...

    def retry(self, lead: Lead, at: float) -> None:
        """Put a lead back for another try at ``at``."""
        ...


class Core(Protocol):
    """What every part of the organization reads: the levers in force, the random streams, the calendars."""

    @property
    def params(self) -> Params:
        """The behaviour parameters in force."""
        ...

    @property
    def streams(self) -> Streams:
        """The run's random streams."""
        ...

    @property
    def calendar(self) -> Calendar:
        """The reps' appointments."""
        ...

    @property
    def clock(self) -> Clock:
        """The working calendar (business hours, weekends, holidays)."""
        ...

    @property
    def measuring(self) -> bool:
        """The books are open (the warm-up is over)."""
        ...

    @property
    def book(self) -> LeadBook:
        """Every lead of the run."""
        ...

    @property
    def day(self) -> int:
        """Calendar days simulated so far, the warm-up included."""
        ...


class Funnel(Core, Protocol):
    """What any rep does with a lead: let it go, see a rival's answer, find new prospects."""

    @property
    def accounts(self) -> Accounts:
        """The prospect list outbound and field prospecting wear out."""
        ...

    def release(self, lead: Lead, state: State, at: float) -> None:
        """A lead leaves the funnel (rejected, lapsed, unreached): nurture may bring it back."""
        ...

    def rival_at(self, lead: Lead) -> float:
        """Hours after the inquiry when another vendor first answers it."""
        ...

    def attentive_hours(self, lead: Lead, t: float) -> float:
        """Hours of the inquirer's own attention that have passed between the inquiry and ``t``."""
        ...

    def new_lead(self, source: str, factory: ProspectFactory, at: float, team: int | None) -> Lead:
        """A prospect a rep has just found, in ``team``'s territory."""
        ...

    def productivity(self) -> float:
        """The share of their productivity reps have today (below 1 after a re-organization)."""
        ...


class InsideServices(Funnel, Protocol):
    """What an inside rep uses: the handoff, the pay plan, outbound prospects, the leavers' record."""

    @property
    def handoff_rules(self) -> Handoff:
        """How a qualified lead passes to the field."""
        ...

    @property
    def inside_pay(self) -> PayPlan:
        """The inside reps' pay plan."""
        ...

    @property
    def outbound(self) -> ProspectFactory:
        """The prospects outbound finds."""
        ...

    @property
    def outbound_gaps(self) -> Exponentials:
        """Gaps between outbound conversations."""
        ...

    @property
    def inside_tenures(self) -> list[tuple[float, int]]:
        """The record of inside reps who left."""
        ...

    def handoff(self, lead: Lead, at: float) -> bool:
        """Pass a qualified lead to a field rep; False if nobody is in the field."""
        ...


class FieldServices(Funnel, Protocol):
    """What a field rep uses: routing and teammates, pay, feedback, customers, the quarter."""

    @property
    def handoff_rules(self) -> Handoff:
        """How a qualified lead passes to the field."""
        ...

    @property
    def field_pay(self) -> FieldPlan:
        """The field reps' pay plan."""
        ...

    @property
    def router(self) -> Router:
        """Who gets a lead."""
        ...

    @property
    def customers(self) -> Customers:
        """The installed base won deals join."""
        ...

    @property
    def field_gaps(self) -> Exponentials:
        """Gaps between the leads a rep finds prospecting."""
        ...

    @property
    def field_sourced(self) -> ProspectFactory:
        """The prospects field reps find."""
        ...

    @property
    def referred(self) -> ProspectFactory:
        """The prospects customers refer."""
        ...

    @property
    def field_rep_by_id(self) -> dict[int, FieldRep]:
        """Field seat by Mesa id."""
        ...

    @property
    def field_tenures(self) -> list[tuple[float, int]]:
        """The record of field reps who left."""
        ...

    @property
    def team_supported(self) -> list[bool]:
        """Whether each field team has inside reps to support it."""
        ...

    def reassign(self, leaver: FieldRep) -> None:
        """A field rep left: their open leads and deals go to teammates."""
        ...

    def record_feedback(self, lead: Lead, field_bar: float) -> None:
        """Note the field's verdict on an inside rep's lead."""
        ...

    def on_opportunity(self, lead: Lead) -> None:
        """Book what an opportunity pays the inside rep whose lead it was."""
        ...

    def on_won(self, lead: Lead, quota_left: float = ...) -> None:
        """Book a won deal's revenue and commissions."""
        ...

    def quarter_end(self, t: float) -> float:
        """The calendar hour at which the quarter holding hour ``t`` ends."""
        ...

    def typical_standing(self) -> float | None:
        """The median standing against quota of the field's judged reps (None before any quarter judged)."""
        ...


class PoolServices(InsideServices, Protocol):
    """What the inside team and its pools use besides a rep's services: the run's length and its warm-up."""

    @property
    def clock_days(self) -> int:
        """Calendar days of the whole run, the warm-up included."""
        ...

    @property
    def warmup(self) -> int:
        """Days worked before the books open."""
        ...


class CustomerServices(Core, Protocol):
    """What the customers use: a referral reaches the field."""

    def refer(self, at: float, u: float) -> None:
        """A customer's introduction at ``at``: a first meeting for a field rep (``u`` picks the team)."""
        ...


class NurtureServices(Core, Protocol):
    """What nurture uses: the recycling of a prospect who inquires again."""

    def recycle(self, old: Lead, at: float) -> Lead:
        """A nurtured prospect inquires again: a new lead with the old one's history."""
        ...


class Scheduler(Protocol):
    """Mesa's event list, as components use it."""

    def schedule_event(self, function: Callable[[], Any], *, at: float) -> Any:
        """Run ``function`` once at time ``at``."""
        ...

    def schedule_recurring(self, function: Callable[[], Any], schedule: Any) -> Any:
        """Run ``function`` on a recurring schedule."""
        ...


class HandoffServices(Core, Scheduler, Protocol):
    """What handoff and feedback use: the teams, pay, the market's score."""

    @property
    def field_teams(self) -> FieldTeams:
        """The field teams (routing)."""
        ...

    @property
    def inside_team(self) -> InsideTeam:
        """The inside team (who learns from feedback)."""
        ...

    @property
    def pay(self) -> Pay:
        """What handoffs pay."""
        ...

    @property
    def market(self) -> Market:
        """The inbound market (its lead score is re-tuned)."""
        ...


class TimelineServices(Scheduler, Protocol):
    """What the timeline uses: the clock's day, the teams, staffing, and a way to put new levers in force."""

    @property
    def day(self) -> int:
        """Calendar days simulated so far, the warm-up included."""
        ...

    @property
    def warmup(self) -> int:
        """Days worked before the books open."""
        ...

    @property
    def field_teams(self) -> FieldTeams:
        """The field teams (moves)."""
        ...

    @property
    def staffing(self) -> Staffing:
        """Hires, exits, re-organizations."""
        ...

    def use(self, params: Params) -> None:
        """Put new behaviour parameters in force: every component takes them up."""
        ...
