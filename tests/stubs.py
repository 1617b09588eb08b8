"""A small stand-in for the organization, so a test can drive one rep without a whole model."""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.config.params import Params
from sim.model import policies
from sim.model.calendar import Calendar
from sim.model.leads import N_DRAWS, Lead
from sim.model.market import Accounts, Exponentials
from sim.model.streams import Streams


class ClockStub:
    """A working calendar that never closes: business hours are calendar hours."""

    working = [True] * 10_000

    def after(self, t: float, hours: float) -> float:
        return t + hours

    def business_time(self, t: float) -> float:
        return t

    def opens(self, day: int) -> float:
        return day * 24.0


class StubQueue:
    """An inside pool's queue that only remembers what was put back and when."""

    def __init__(self, teams: tuple[int, ...] = (0,)) -> None:
        self.teams = list(teams)
        self.retries: list[tuple[int, float]] = []
        self.hours = ClockStub()

    def retry(self, lead: Lead, due: float) -> None:
        self.retries.append((lead.lead_id, due))


class StubModel(mesa.Model):
    """What a rep asks of its organization: parameters, streams, policies, a calendar and the handoff."""

    def __init__(self, params: Params | None = None, seed: int = 1) -> None:
        super().__init__(rng=np.random.default_rng(seed))
        self.params = params or Params()
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

    def productivity(self) -> float:
        """No re-organization here: reps work at their full ramp."""
        return 1.0

    def rival_at(self, lead: Lead) -> float:
        return math.inf  # no other vendor answers: the stub's prospects wait for us

    def release(self, lead: Lead, state, at: float) -> None:
        lead.close(state)

    def handoff(self, lead: Lead, at: float) -> bool:
        lead.handed_off_at = at
        self.handed_off.append(lead)
        return True

    def record_feedback(self, lead: Lead, bar: float) -> None:
        self.feedback.append((lead.lead_id, bar))

    def on_opportunity(self, lead: Lead) -> None:
        pass

    def on_won(self, lead: Lead) -> None:
        pass


def inbound_lead(lead_id: int = 0, created_at: float = 0.0, fit: float = 0.6, intent: float = 0.6, u: float = 0.5):
    """An inbound prospect whose own draws are all ``u``."""
    return Lead(lead_id, "inbound", 0, created_at, 30_000.0, fit, intent, [u] * N_DRAWS, 50.0)
