"""A component of the organization, the way Starsim builds a ``Sim`` from modules.

:class:`~sim.model.model.SalesOrgModel` composes components (the market, the
inside team, the field teams, handoff and feedback, pay, staffing, the
timeline, nurture, customers) and runs the clock; each component owns its part
of the organization's state and declares, up front:

- ``PARAMS``: the behaviour parameters its code (and its reps' code) reads;
- ``STREAMS``: the random streams it owns (a name nobody declared is refused);
- ``TALLIES``: its running totals, zeroed when the books open;
- ``KPIS``: the KPIs its numbers feed (their computations are registered in
  :mod:`sim.measure.kpis`);
- ``refresh(old, new)``: how a change of levers during the run (a ``timeline``
  ``set:``) reaches it, with the transition each parameter declares
  (``Params`` metadata: immediate or habit; pay plans and re-organizations are
  timed by the lever registry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sim.model.reps import reset_tallies

if TYPE_CHECKING:
    from sim.config.params import Params


class Component:
    """One part of the organization: what it reads, draws and counts, and how a change reaches it."""

    PARAMS: ClassVar[tuple[str, ...]] = ()
    STREAMS: ClassVar[tuple[str, ...]] = ()
    TALLIES: ClassVar[tuple[str, ...]] = ()
    KPIS: ClassVar[tuple[str, ...]] = ()

    def refresh(self, old: Params, new: Params) -> None:
        """Work under new parameters from today (``timeline`` set:); by default nothing is cached."""

    def open_books(self) -> None:
        """The warm-up is over: the component's running totals start from zero."""
        reset_tallies(self)
