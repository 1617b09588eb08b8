"""An inside sales pool: its queue of inquiries and its working day.

A pool is the inside reps serving one or more field teams (one shared pool,
or one dedicated pool per team). Inquiries become visible in the queue some
time after they arrive (routing through the lead systems); reps take the
oldest due item whenever they look, and do outbound prospecting in blocks
in between, looking at the queue after each block. That is how a response
delay of minutes or hours arises, in continuous time; reps work business hours.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.config.params import HOURS_PER_DAY, Params
from sim.model import policies
from sim.model.clock import DAY_OPENS, HOURS_PER_CALENDAR_DAY, WorkCalendar
from sim.model.leads import U_ROUTE, Lead, State

if TYPE_CHECKING:
    from sim.model.inside import InsideRep
    from sim.model.services import PoolServices

# Width of the inside queue's waiting buckets: a speed setting, not a behaviour. It
# must be a power of two (1, 0.5, 2, ...), so that slot boundaries are exact floats
# and an item due on a boundary lands in the bucket the horizon reaches.
SLOT_HOURS = 1.0


class InsidePool:
    """Inside reps sharing one queue of inquiries and retries.

    Args:
        model: the model.
        teams: indices of the field teams this pool serves.
    """

    def __init__(self, model: PoolServices, teams: list[int], team_sizes: list[int]) -> None:
        self.model = model
        self.teams = teams
        # A shared pool under two managers serves the biggest team's inquiries first
        # (its manager pushes hardest); a smaller team waits only while the queue is
        # busy, so the gap between teams comes from contention, not a set delay.
        sizes = sorted({team_sizes[i] for i in teams}, reverse=True)  # teams of one size share a rank
        self.size_rank = {i: sizes.index(team_sizes[i]) for i in teams} if len(sizes) > 1 else None
        self.reps: list[InsideRep] = []
        self.adopt(model.params)
        # Items due before the horizon (the end of the hour being worked) sit in a
        # heap; later ones wait in hourly buckets and join the heap when the
        # clock reaches their hour, so the heap stays small in big organizations
        # (the order of work is (due, seq) either way).
        self._queue: list[tuple[float, int, Lead]] = []
        self._later: dict[int, list[tuple[float, int, Lead]]] = {}
        self._horizon = 0.0
        self._queued = 0  # booking order among equal due times (a plain counter: copyable)
        # Under a work order other than oldest first, due items wait here, ranked (see _take_ranked).
        self._ready: list[tuple[tuple[float, ...], int, float, Lead]] = []
        self._rank = self._ranking(self.work_order)

    def adopt(self, params: Params) -> None:
        """Work under these levers: the team's hours (``inside.coverage``) and whose inquiries come first."""
        self.team_rank = self.size_rank if params.team_priority else None
        self.work_order = policies.work_order(params)
        # the team's own hours: routing and retry gaps count only while it works (inside.coverage)
        self.coverage = cover = policies.coverage(params, DAY_OPENS, HOURS_PER_DAY)
        model = self.model
        self.hours = (
            model.clock
            if cover.business_hours
            else WorkCalendar(model.clock_days, cover.opens, cover.window, first_day=-model.warmup)
        )  # the pool's reps take up new levers themselves (InsideRep.refresh)

    def __len__(self) -> int:
        return len(self._queue) + len(self._ready) + sum(map(len, self._later.values()))

    def _put(self, lead: Lead, due: float) -> None:
        self._queued += 1
        item = (due, self._queued, lead)
        if due < self._horizon:
            heapq.heappush(self._queue, item)
        elif (bucket := self._later.get(slot := int(due // SLOT_HOURS))) is not None:
            bucket.append(item)
        else:
            self._later[slot] = [item]

    def _advance(self, t: float) -> float:
        """Move the horizon past ``t``, bringing the buckets it passes into the heap."""
        queue, later = self._queue, self._later
        horizon = self._horizon
        while horizon <= t:
            for item in later.pop(int(horizon // SLOT_HOURS), ()):
                heapq.heappush(queue, item)
            horizon += SLOT_HOURS
        self._horizon = horizon
        return horizon

    def receive(self, lead: Lead) -> None:
        """A new inquiry: it shows up in the queue after a routing delay.

        Where marketing's automation passes inquiries to the sales CRM in batches
        (``crm_sync_hours`` > 0, a company input) it first waits for the next batch;
        then an exponential pickup with mean ``lead_routing_hours`` (the
        notification, the assignment rules). Neither depends on the structure.
        """
        p = self.model.params
        at = lead.created_at
        if p.crm_sync_hours > 0:  # the inquiry waits in marketing's system for the next batch to sales' CRM
            synced = math.ceil(self.hours.business_time(at) / p.crm_sync_hours) * p.crm_sync_hours
            at = max(at, self.hours.calendar_time(synced))
        delay = -p.lead_routing_hours * math.log1p(-lead.draws[U_ROUTE])
        self._put(lead, self.hours.after(at, delay))

    retry = _put  # a prospect not yet reached goes back in the queue for a later try

    def _abandon(self, lead: Lead, t: float) -> None:
        """A never-tried inquiry went stale in the queue: nobody ever called."""
        lead.feel(self.model.params.sat_never_called)
        self.model.release(lead, State.UNREACHED, t)

    def work_day(self, day: int) -> None:
        """Run one working day of every active rep, in continuous time.

        Reps are taken in the order they become free; each either works the next
        inquiry or retry in the team's work order (see :meth:`_take_oldest` and
        :meth:`_take_ranked`), or prospects for a block.
        """
        p = self.model.params
        starts = self._shift_starts(day)
        start = min(starts, default=self.model.clock.opens(day))
        block = p.prospecting_block_hours
        order = self.work_order
        if order.fifo and self._swamped(start, p):  # a dead backlog: the freshest inquiries first today
            order = policies.NewestFirst()
        if order.fifo and self.team_rank is None:
            self._unrank()
            take = self._take_oldest
        else:
            self._sweep(start)
            self._rank = self._ranking(order)
            take = self._take_ranked
        horizon = self._advance(start)
        reps = self.reps
        free = [(starts[i], i) for i, rep in enumerate(reps) if rep.active]
        ends = [t + HOURS_PER_DAY for t in starts]
        heapq.heapify(free)
        # The hot loop of a run (about 60,000 turns a year in the default
        # organization, over a million in a large one): names are local and the
        # free rep is replaced in place.
        while free:
            t, i = free[0]
            if t >= horizon:
                horizon = self._advance(t)
            lead = take(t)
            if lead is not None:
                t = reps[i].attempt(lead, t)
            else:
                t = reps[i].prospect(t, min(block, ends[i] - t))
            if t < ends[i]:
                heapq.heapreplace(free, (t, i))
            else:
                heapq.heappop(free)

    def _swamped(self, t: float, p: Params) -> bool:
        """The oldest item waiting has waited longer than ``swamped_backlog_hours`` of the team's hours.

        A team that works oldest first does so while it keeps up; when the backlog is days
        old, reps call the inquiries that came in today before the ones nobody will answer
        any more (assumption: nobody calls a three-day-old inquiry before a fresh one).
        """
        # the queue's heap is ordered by due time; ranked items are not: look at all of them (once a day)
        oldest = min([*(q[0] for q in self._queue[:1]), *(due for _, _, due, _ in self._ready)], default=None)
        if oldest is None or oldest > t:
            return False
        return self.hours.business_time(t) - self.hours.business_time(oldest) > p.swamped_backlog_hours

    def _unrank(self) -> None:
        """Items ranked on a swamped day go back to the queue in the order they fall due."""
        for _, seq, due, lead in self._ready:
            heapq.heappush(self._queue, (due, seq, lead))
        self._ready = []

    def _shift_starts(self, day: int) -> list[float]:
        """When each rep's eight hours start today, by the team's coverage (``inside.coverage``).

        ``business_hours``: everyone 09:00-17:00. ``extended``: shifts staggered
        evenly so the team covers 07:00-21:00. ``follow_the_sun``: reps in other
        time zones cover the whole weekday, 00:00-24:00. Weekends and holidays
        stay uncovered (a follow-the-sun team covers 24x5).
        """
        n = len(self.reps)
        opens, window = self.coverage.opens, self.coverage.window
        base = day * HOURS_PER_CALENDAR_DAY + opens
        spread = window - HOURS_PER_DAY
        if n == 1 or spread <= 0:
            return [base + spread / 2] * n
        return [base + spread * i / (n - 1) for i in range(n)]

    def _take_oldest(self, t: float) -> Lead | None:
        """Oldest first: the item due earliest; a never-tried inquiry past ``abandon_hours`` is dropped."""
        queue, abandon = self._queue, self.model.params.abandon_hours
        while queue and queue[0][0] <= t:
            lead = heapq.heappop(queue)[2]
            if lead.first_attempt_at is None and t - lead.created_at > abandon:
                self._abandon(lead, t)
            else:
                return lead
        return None

    def _ranking(self, order: policies.WorkOrder) -> Callable[[Lead, float], tuple[float, ...]]:
        """The sort key of due items: the work order's, behind the team's rank when one team comes first."""
        key = order.key
        ranks = self.team_rank
        if ranks is None:
            return key
        return lambda lead, due: (ranks[lead.team], *key(lead, due))

    def _take_ranked(self, t: float) -> Lead | None:
        """Due items move into a heap ranked by the work order (and the team's priority, if any).

        An item left waiting there too long is dropped (:meth:`_stale`): it may
        never reach the top.
        """
        queue, ready, rank = self._queue, self._ready, self._rank
        while queue and queue[0][0] <= t:
            due, seq, lead = heapq.heappop(queue)
            heapq.heappush(ready, (rank(lead, due), seq, due, lead))
        abandon = self.model.params.abandon_hours
        while ready:
            _, _, due, lead = heapq.heappop(ready)
            if self._stale(lead, due, t, abandon):
                self._give_up(lead, t)
            else:
                return lead
        return None

    @staticmethod
    def _stale(lead: Lead, due: float, t: float, abandon: float) -> bool:
        """A never-tried inquiry past ``abandon_hours`` since it came in, a retry past its due time."""
        if lead.first_attempt_at is None:
            return t - lead.created_at > abandon
        return t - due > abandon

    def _give_up(self, lead: Lead, t: float) -> None:
        if lead.first_attempt_at is None:
            self._abandon(lead, t)
        else:
            self.model.release(lead, State.UNREACHED, t)  # tried, never reached, and nobody tried again

    def _sweep(self, t: float) -> None:
        """Drop what has waited too long among the ranked items (they may never reach the top)."""
        abandon = self.model.params.abandon_hours
        keep = []
        for item in self._ready:
            _, _, due, lead = item
            if self._stale(lead, due, t, abandon):
                self._give_up(lead, t)
            else:
                keep.append(item)
        if len(keep) < len(self._ready):
            heapq.heapify(keep)
            self._ready = keep
