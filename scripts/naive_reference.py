"""The naive reference of the benchmark: every lead a Mesa Agent, stepped every day.

Same inbound arrivals as salesim's default market (the same Market and seed),
but each lead is an agent that the model steps every day for the whole run
(decaying its intent, maybe being reached), as a first agent-based model of
this problem would be written. It exists only to give the benchmark a
machine-independent yardstick: leads simulated per second, salesim / naive.
"""

import mesa

from sim.config.params import Params
from sim.model.clock import is_working_day
from sim.model.market import Market, decay
from sim.model.streams import Streams


class LeadAgent(mesa.Agent):
    """A prospect stepped every day whether anything happens to it or not."""

    def __init__(self, model, lead):
        super().__init__(model)
        self.lead = lead
        self.intent = lead.intent
        self.state = "new"

    def step(self):
        p = self.model.params
        waited = self.model.hour - self.lead.created_at
        self.intent = self.lead.intent * decay(waited, p.decay_scale_hours, p.decay_exponent)
        if self.state == "new" and self.random.random() < 0.3 * self.intent:
            self.state = "contacted"


class NaiveModel(mesa.Model):
    """Inbound leads only, each an agent, all stepped daily."""

    def __init__(self, days: int = 250, seed: int = 1, inbound: float = 40.0):
        super().__init__(rng=seed)
        self.params = Params(inbound_per_day=inbound)
        self.market = Market(self.params, Streams(seed), [10, 10])
        self.days = days
        self.day = 0
        self.hour = 0.0
        self.created = 0

    def step(self):
        for lead in self.market.inbound(self.day, is_working_day(self.day), self.created, 50.0):
            LeadAgent(self, lead)
            self.created += 1
        self.hour = (self.day + 1) * 8.0
        self.agents.shuffle_do("step")
        self.day += 1


def run(days: int = 250, seed: int = 1) -> int:
    """Run the naive model; return the number of leads simulated."""
    model = NaiveModel(days, seed)
    for _ in range(days):
        model.step()
    return model.created


if __name__ == "__main__":
    print(run())
