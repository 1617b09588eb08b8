"""A small stand-in for the organization, so a test can drive one rep without a whole model.

The stand-in provides the services of :mod:`sim.model.services` that reps use; the
conformance functions at the end make the type checker (``make test``) compare it
with those interfaces, so the stub and the model cannot drift apart unseen.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.config.params import Params
from sim.model import policies
from sim.model.calendar import Calendar
from sim.model.customers import Customers
from sim.model.field import FieldRep
from sim.model.leads import N_DRAWS, Lead, LeadBook, State
from sim.model.market import Accounts, Exponentials, ProspectFactory
from sim.model.services import FieldServices, InsideServices, Queue
from sim.model.streams import Streams


class ClockStub:
    """A working calendar that never closes: business hours are calendar hours."""

    working = [True] * 10_000

    def after(self, t: float, business_hours: float) -> float:
        return t + business_hours

    def business_time(self, t: float) -> float:
        return t

    def calendar_time(self, b: float) -> float:
        return b

    def opens(self, day: int) -> float:
        return day * 24.0

    def next_open(self, t: float) -> float:
        return t


class StubQueue:
    """An inside pool's queue that only remembers what was put back and when."""

    def __init__(self, teams: tuple[int, ...] = (0,)) -> None:
        self.teams = list(teams)
        self.retries: list[tuple[int, float]] = []
        self.hours = ClockStub()

    def retry(self, lead: Lead, at: float) -> None:
        self.retries.append((lead.lead_id, at))


class StubModel(mesa.Model):
    """What a rep asks of its organization: parameters, streams, policies, a calendar and the handoff."""

    def __init__(self, params: Params | None = None, seed: int = 1) -> None:
        super().__init__(rng=np.random.default_rng(seed))
        # the stub's company has no installed base: its customers are the deals its reps win
        self.params = (params or Params()).replace(installed_base_arr=0.0)
        self.streams = Streams(seed)
        self.outbound_gaps = self.field_gaps = Exponentials(self.streams["gaps"])
        self.calendar = Calendar()
        self.router = policies.make_router(self.params, 1)
        self.handoff_rules = policies.handoff(self.params)
        self.inside_pay = policies.inside_pay_plan(self.params)
        self.field_pay = policies.field_pay_plan(self.params)
        self.handed_off: list[Lead] = []
        self.feedback: list[tuple[int, float]] = []
        self.team_supported = [True]
        self.accounts = Accounts(self.params)
        self.clock = ClockStub()
        self.book = LeadBook()
        self.day = 0
        self.measuring = True
        p = self.params
        self.outbound = ProspectFactory(self.streams["outbound"], p, (p.fit_a, p.fit_b), (p.intent_a, p.intent_b))
        self.field_sourced = self.referred = self.outbound
        self.customers = Customers(self)
        self.field_rep_by_id: dict[int, FieldRep] = {}
        self.inside_tenures: list[tuple[float, int]] = []
        self.field_tenures: list[tuple[float, int]] = []

    def productivity(self) -> float:
        """No re-organization here: reps work at their full ramp."""
        return 1.0

    def rival_at(self, lead: Lead) -> float:
        return math.inf  # no other vendor answers: the stub's prospects wait for us

    def refer(self, at: float, u: float) -> None:
        """The stub has no field teams to refer to."""

    def attentive_hours(self, lead: Lead, t: float) -> float:
        return t - lead.created_at  # the stub's prospects count every hour as a working hour

    def release(self, lead: Lead, state: State, at: float) -> None:
        lead.close(state)

    def new_lead(self, source: str, factory: ProspectFactory, at: float, team: int | None) -> Lead:
        value, fit, intent, draws = factory.one()
        lead = Lead(self.book.next_id(), source, team or 0, at, value, fit, intent, draws, self.params.sat_start)
        lead.first_attempt_at = lead.contacted_at = at
        lead.attempts = 1
        return self.book.add(lead)

    def handoff(self, lead: Lead, at: float) -> bool:
        lead.handed_off_at = at
        self.handed_off.append(lead)
        return True

    def record_feedback(self, lead: Lead, field_bar: float) -> None:
        self.feedback.append((lead.lead_id, field_bar))

    def reassign(self, leaver: FieldRep) -> None:
        pass  # one rep, nobody to hand a book to

    def on_opportunity(self, lead: Lead) -> None:
        pass

    def on_won(self, lead: Lead, quota_left: float = math.inf) -> None:
        pass

    def quarter_end(self, t: float) -> float:
        return math.inf  # no quarters here

    def typical_standing(self) -> float | None:
        return None  # nobody judged here


def inbound_lead(
    lead_id: int = 0, created_at: float = 0.0, fit: float = 0.6, intent: float = 0.6, u: float = 0.5
) -> Lead:
    """An inbound prospect whose own draws are all ``u``."""
    return Lead(lead_id, "inbound", 0, created_at, 30_000.0, fit, intent, [u] * N_DRAWS, 50.0)


# What the type checker compares: the stub offers every service an inside or a field rep uses.
def _inside_services(stub: StubModel) -> InsideServices:
    return stub


def _field_services(stub: StubModel) -> FieldServices:
    return stub


def _queue(stub: StubQueue) -> Queue:
    return stub
