"""The naive reference of the benchmark: every open lead a Mesa Agent, stepped every calendar day.

How a first agent-based model of this problem would be written: each inbound
inquiry becomes an agent, and every calendar day the model steps every open
lead (``model.agents.shuffle_do("step")``); a lead that closes removes itself,
so the model's cost per lead does not grow with the run. It meets salesim's
arrivals: the same ``Market`` with the same seed and the same calendar (the
warm-up's days, then the measured year's 365 calendar days with their
weekends and holidays), so its measured year receives the very inquiries
salesim's measured year receives (:func:`check_same_arrivals`).

A lead's day, with salesim's default parameters: its intent decays with the
time since the inquiry (salesim's curve); while unreached, on a working day
one attempt reaches it with salesim's reach probability for that wait, and it
closes unreached after ``max_attempts`` failures or once the retry horizon
(``retry_horizon_hours``, 20 h) has passed, as salesim's cadence ends;
reached, it is qualified if its fit clears the inside bar and closes
otherwise; qualified, it is an opportunity that closes (won or lost) with a
chance of 1/``cycle_days`` a day, 72 days on average. It exists only to give
``make bench`` a yardstick: CPU per lead, salesim's over this one's.
"""

from __future__ import annotations

import mesa

from sim.config.levers import derive
from sim.config.scenario import Scenario, load_scenario
from sim.model.clock import HOURS_PER_CALENDAR_DAY, WorkCalendar
from sim.model.market import Market, decay, inbound_channels
from sim.model.streams import Streams

NEW, QUALIFIED = 0, 1


class LeadAgent(mesa.Agent):
    """An inquiry, stepped every calendar day while it is open."""

    def __init__(self, model: NaiveModel, lead) -> None:
        super().__init__(model)
        self.created_at = lead.created_at
        self.fit = lead.fit
        self.peak_intent = lead.intent
        self.intent = lead.intent
        self.attempts = 0
        self.state = NEW

    def step(self) -> None:
        """One day of the lead's life: cool down, maybe be reached and qualified, maybe close."""
        model = self.model
        p = model.params
        waited = model.hour - self.created_at
        self.intent = self.peak_intent * decay(waited, p.decay_scale_hours, p.decay_exponent)
        if self.state == QUALIFIED:
            if self.random.random() < 1.0 / p.cycle_days:
                self.close()  # won or lost
            return
        if model.working:
            reach = p.contact_max * (p.contact_floor + (1 - p.contact_floor) * self.intent / self.peak_intent)
            if self.random.random() < reach:
                if self.fit >= p.inside_threshold:
                    self.state = QUALIFIED
                else:
                    self.close()  # disqualified
                return
            self.attempts += 1
        if self.attempts >= p.max_attempts or waited > p.retry_horizon_hours:
            self.close()  # unreached

    def close(self) -> None:
        """The lead is done: out of the model, so it is stepped no more."""
        self.model.closed += 1
        self.remove()


class NaiveModel(mesa.Model):
    """Inbound inquiries only, each an agent, every open one stepped every calendar day."""

    def __init__(self, scenario: Scenario, seed: int = 1) -> None:
        super().__init__(rng=seed)
        self.params = derive(scenario)
        weights = [t.field_reps for t in scenario.organization.field_teams]
        self.market = Market(self.params, Streams(seed), weights, inbound_channels(scenario.market, self.params))
        self.warmup = scenario.simulation.warmup_days
        self.clock = WorkCalendar(self.warmup + scenario.simulation.days, first_day=-self.warmup)
        self.day = 0  # calendar days simulated, the warm-up included
        self.hour = 0.0
        self.working = False
        self.created = 0  # leads created, the warm-up included
        self.closed = 0
        self.lead_days = 0  # agent steps taken: open leads, day by day
        self.arrivals: list[float] = []  # creation hours of the leads created (to check them against salesim's)

    def step(self) -> None:
        """One calendar day: its inquiries arrive, then every open lead takes its day."""
        self.working = self.clock.working[self.day]
        for lead in self.market.inbound(self.day, self.working, self.created, self.params.sat_start):
            LeadAgent(self, lead)
            self.arrivals.append(lead.created_at)
            self.created += 1
        self.day += 1
        self.hour = self.day * HOURS_PER_CALENDAR_DAY
        self.lead_days += len(self.agents)
        self.agents.shuffle_do("step")

    def warm_up(self) -> NaiveModel:
        """The warm-up's days, as salesim works them before its books open."""
        while self.day < self.warmup:
            self.step()
        return self

    def run_year(self, days: int = 365) -> int:
        """The measured days; returns the leads created in them."""
        before = self.created
        for _ in range(days):
            self.step()
        return self.created - before


def check_same_arrivals(scenario: Scenario, seed: int) -> int:
    """Assert that the naive model's measured year receives salesim's inquiries, hour for hour; return their number."""
    from sim.model.model import SalesOrgModel

    naive = NaiveModel(scenario, seed).warm_up()
    first = naive.created
    naive.run_year(scenario.simulation.days)
    salesim = SalesOrgModel(scenario, seed=seed).run()
    theirs = [lead.created_at for lead in salesim.book.leads[salesim.book.first :] if lead.source == "inbound"]
    assert naive.arrivals[first:] == theirs, "the naive reference's arrivals differ from salesim's"
    return len(theirs)


if __name__ == "__main__":
    defined = load_scenario("defined")
    print(f"{check_same_arrivals(defined, 1):,} inquiries in the measured year, the same in both models")
