"""A calendar of the reps' own appointments inside the working day.

Mesa's event list schedules the model's coarse rhythm (the day, feedback
meetings); the many small appointments of individual leads (a field review,
a first meeting, a deal closing) sit here instead, because Mesa events take
no arguments and each of these belongs to one lead.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any


class Calendar:
    """Appointments ``(time, action, subject)`` run in time order, ties in booking order.

    The subject is what the appointment is about: a lead, or a customer's anniversary.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[Any, float], None], Any]] = []
        self._booked = 0  # a plain counter, not itertools.count: a model can be copied and pickled

    def add[T](self, at: float, action: Callable[[T, float], None], subject: T) -> None:
        """Book ``action(subject, at)``."""
        self._booked += 1
        heapq.heappush(self._heap, (at, self._booked, action, subject))

    def run_until(self, end: float) -> None:
        """Run every appointment before ``end``, including those booked meanwhile."""
        heap = self._heap
        while heap and heap[0][0] < end:
            at, _, action, lead = heapq.heappop(heap)
            action(lead, at)

    def __len__(self) -> int:
        return len(self._heap)
