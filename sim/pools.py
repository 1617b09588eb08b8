"""An inside sales pool: its queue of inquiries and its working day.

A pool is the inside reps serving one or more field teams (one shared pool,
or one dedicated pool per team). Inquiries become visible in the queue some
time after they arrive (routing through the lead systems); reps take the
oldest due item whenever they look, and do outbound prospecting in blocks
in between, looking at the queue after each block. That is how a response
delay of minutes or hours arises, in continuous working time.
"""

from __future__ import annotations

import heapq
import math
from itertools import count
from typing import TYPE_CHECKING

from sim.leads import U_ROUTE, Lead, State
from sim.levers import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.agents import InsideRep
    from sim.model import SalesOrgModel


class InsidePool:
    """Inside reps sharing one queue of inquiries and retries.

    Args:
        model: the model.
        teams: indices of the field teams this pool serves.
    """

    def __init__(self, model: SalesOrgModel, teams: list[int], team_sizes: list[int]) -> None:
        self.model = model
        self.teams = teams
        # A shared pool serves the biggest team first: a smaller team's inquiries
        # queue behind by up to shared_priority_hours (contention between teams).
        biggest = max((team_sizes[i] for i in teams), default=0) or 1
        wait = model.params.shared_priority_hours if len(teams) > 1 else 0.0
        self.priority_delay = {i: wait * (1 - team_sizes[i] / biggest) for i in teams}
        self.reps: list[InsideRep] = []
        # Items due today sit in a heap; later ones wait in per-day buckets, so the
        # heap stays small in big organizations (same order: (due, seq) either way).
        self._queue: list[tuple[float, int, Lead]] = []
        self._later: dict[int, list[tuple[float, int, Lead]]] = {}
        self._today_end = 0.0
        self._seq = count()

    def __len__(self) -> int:
        return len(self._queue) + sum(map(len, self._later.values()))

    def _put(self, due: float, lead: Lead) -> None:
        item = (due, next(self._seq), lead)
        if due < self._today_end:
            heapq.heappush(self._queue, item)
        else:
            self._later.setdefault(int(due // HOURS_PER_DAY), []).append(item)

    def receive(self, lead: Lead) -> None:
        """A new inquiry: it shows up in the queue after a routing delay.

        The delay is exponential with the scenario's mean: most inquiries
        route quickly, some wait for a batch or a person to forward them.
        """
        delay = -self.model.params.lead_routing_hours * math.log1p(-lead.draws[U_ROUTE])
        self._put(lead.created_at + delay + self.priority_delay[lead.team], lead)

    def retry(self, lead: Lead, due: float) -> None:
        """Put a prospect not yet reached back in the queue for a later try."""
        self._put(due, lead)

    def _next_due(self, t: float) -> Lead | None:
        """The oldest item due by ``t``; stale never-tried inquiries are dropped."""
        queue, p = self._queue, self.model.params
        while queue and queue[0][0] <= t:
            lead = heapq.heappop(queue)[2]
            if lead.first_attempt_at is None and t - lead.created_at > p.abandon_hours:
                lead.feel(p.sat_never_called)
                lead.close(State.UNREACHED)
                continue
            return lead
        return None

    def work_day(self, day: int) -> None:
        """Run one working day of every active rep, in continuous time.

        Reps are taken in the order they become free; each either works the
        oldest due inquiry or retry, or prospects for a block.
        """
        start = day * HOURS_PER_DAY
        end = start + HOURS_PER_DAY
        self._today_end = end
        for item in self._later.pop(day, ()):
            heapq.heappush(self._queue, item)
        block = self.model.params.prospecting_block_hours
        free = [(start, i) for i, rep in enumerate(self.reps) if rep.active]
        heapq.heapify(free)
        while free:
            t, i = heapq.heappop(free)
            rep = self.reps[i]
            lead = self._next_due(t)
            if lead is not None:
                t = rep.attempt(lead, t)
            else:
                t = rep.prospect(t, min(block, end - t))
            if t < end:
                heapq.heappush(free, (t, i))
