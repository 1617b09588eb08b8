"""What reps and components may ask of the organization: its services as typed interfaces.

A rep does not reach into :class:`~sim.model.model.SalesOrgModel`; it uses the
services below (as Starsim's modules use the sim they are given). The model
provides all of them; a test's stand-in (``tests/stubs.py``) provides the ones
its rep uses, and the type checker keeps both honest: a method renamed or given
another argument in the model and not in an interface fails ``make test``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.model.calendar import Calendar
    from sim.model.clock import WorkCalendar
    from sim.model.customers import Customers
    from sim.model.field import FieldRep
    from sim.model.leads import Lead, State
    from sim.model.market import Accounts, Exponentials, ProspectFactory
    from sim.model.policies import FieldPlan, Handoff, PayPlan, Router
    from sim.model.streams import Streams


class Core(Protocol):
    """What every part of the organization reads: the levers in force, the random streams, the calendars."""

    params: Params
    streams: Streams
    calendar: Calendar
    clock: WorkCalendar
    measuring: bool


class Funnel(Core, Protocol):
    """What any rep does with a lead: let it go, see a rival's answer, find new prospects."""

    accounts: Accounts

    def release(self, lead: Lead, state: State, at: float) -> None:
        """A lead leaves the funnel (rejected, lapsed, unreached): nurture may bring it back."""
        ...

    def rival_at(self, lead: Lead) -> float:
        """Hours after the inquiry when another vendor first answers it."""
        ...

    def new_lead(self, source: str, factory: ProspectFactory, at: float, team: int | None) -> Lead:
        """A prospect a rep has just found, in ``team``'s territory."""
        ...

    def productivity(self) -> float:
        """The share of their productivity reps have today (below 1 after a re-organization)."""
        ...


class InsideServices(Funnel, Protocol):
    """What an inside rep uses: the handoff, the pay plan, outbound prospects, the leavers' record."""

    handoff_rules: Handoff
    inside_pay: PayPlan
    outbound: ProspectFactory
    outbound_gaps: Exponentials
    inside_tenures: list[tuple[float, int]]

    def handoff(self, lead: Lead, at: float) -> bool:
        """Pass a qualified lead to a field rep; False if nobody is in the field."""
        ...


class FieldServices(Funnel, Protocol):
    """What a field rep uses: routing and teammates, pay, feedback, customers, the quarter."""

    handoff_rules: Handoff
    field_pay: FieldPlan
    router: Router
    customers: Customers
    field_gaps: Exponentials
    field_sourced: ProspectFactory
    field_rep_by_id: dict[int, FieldRep]
    field_tenures: list[tuple[float, int]]
    team_supported: list[bool]

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


class PoolServices(Funnel, Protocol):
    """What an inside pool uses besides a rep's services: the run's length and its warm-up."""

    clock_days: int
    warmup: int


class NurtureServices(Core, Protocol):
    """What nurture uses: the recycling of a prospect who inquires again."""

    def recycle(self, old: Lead, at: float) -> Lead:
        """A nurtured prospect inquires again: a new lead with the old one's history."""
        ...


Action = Callable[["Lead", float], None]
