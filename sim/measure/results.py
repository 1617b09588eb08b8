"""What a KPI is computed from: a run's lead log and its organization, with the pieces several KPIs share.

Every KPI's computation (:mod:`sim.measure.kpis`) is a function of one :class:`Results`:
the lead frame, the reps' tallies and the model's books. The summary of a finished run
asks it for every KPI; the dashboard's monitors ask a :class:`Results` of the leads in
view for theirs, so both compute a KPI the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.params import DAYS_PER_YEAR
from sim.measure import funnel
from sim.measure.kpis import KPI_NAMES, kpi

if TYPE_CHECKING:
    from sim.model.model import SalesOrgModel

QUOTA_MIN_DAYS = 91  # a rep is judged on quota after a quarter in post


def attainment(tenures: list[tuple[float, int]], quota: float) -> np.ndarray:
    """Each rep's credit over their quota prorated to their days, for reps a quarter in post or more."""
    kept = [(credited, days) for credited, days in tenures if days >= QUOTA_MIN_DAYS]
    if not kept or quota <= 0:
        return np.array([])
    return np.array([credited / (quota * days / DAYS_PER_YEAR) for credited, days in kept])


class Results:
    """A run's results as the KPIs read them; each KPI is computed once, when first asked for.

    Args:
        leads: the lead log (one row per lead, columns of ``LeadBook.to_frame``), or the
            rows of the leads a monitor has in view.
        model: the organization: its books (revenue, costs, customers) and its reps' tallies
            (None: only the KPIs of the lead log can be asked for, e.g. of one team's leads).
        known: KPI values given rather than computed (a test's hand-made case).

    Attributes:
        leads: the lead frame.
        model: the organization.
    """

    def __init__(
        self, leads: pd.DataFrame, model: SalesOrgModel | None = None, known: Mapping[str, float] | None = None
    ) -> None:
        self.leads = leads
        self.model = model
        self._values: dict[str, float] = dict(known or {})

    def __getitem__(self, name: str) -> float:
        """The KPI ``name``, computed by its registry entry (KeyError for an unknown one)."""
        if name not in self._values:
            self._values[name] = kpi(name).compute(self)
        return self._values[name]

    def summary(self) -> dict[str, float]:
        """Every KPI, in the registry's order (summary.json)."""
        return {name: self[name] for name in KPI_NAMES}

    # ----------------------------------------------------------- the lead log

    @functools.cached_property
    def outcome(self) -> pd.Series:
        """Each lead's state at the end (its name: "won", "lost", "ignored"...)."""
        return self.leads["outcome"]

    @functools.cached_property
    def created(self) -> pd.DataFrame:
        """The leads created while the books were open."""
        return funnel.new_leads(self.leads)

    @functools.cached_property
    def inquiries(self) -> pd.DataFrame:
        """The inquiries whose response is timed (:func:`sim.measure.funnel.inquiries`)."""
        return funnel.inquiries(self.leads)

    @functools.cached_property
    def delays(self) -> pd.Series:
        """Each timed inquiry's response delay in calendar hours (NaN: never attempted)."""
        return funnel.response_delays(self.inquiries)

    @functools.cached_property
    def responses(self) -> pd.Series:
        """The response delays of the inquiries attempted."""
        return self.delays.dropna()

    @functools.cached_property
    def prospects(self) -> pd.DataFrame:
        """Each prospect who came in while the books were open, once, as they stand at the end."""
        return funnel.prospects(self.leads)

    @functools.cached_property
    def won(self) -> pd.Series:
        """Whether each lead ended as a won deal."""
        return self.outcome == "won"

    def happened(self, stamp: str) -> pd.Series:
        """Whether each lead's event ``stamp`` happened while the books were open."""
        return funnel.happened(self.leads, stamp)

    def count(self, stamp: str) -> int:
        """Leads whose event ``stamp`` happened while the books were open."""
        return int(self.happened(stamp).sum())

    def ended(self, state: str) -> int:
        """Leads that ended in ``state`` (won, lost, rejected...)."""
        return int((self.outcome == state).sum())

    # ----------------------------------------------------------- the reps' tallies

    @functools.cached_property
    def field_attainment(self) -> np.ndarray:
        """Each field rep's revenue over their prorated quota (a quarter or more in post, leavers included)."""
        reps = [(r.sold, r.days_selling) for r in self.model.field_reps if r.active]
        return attainment(self.model.field_tenures + reps, self.model.params.field_quota)

    @functools.cached_property
    def inside_attainment(self) -> np.ndarray:
        """Each inside rep's credit on their plan's metric over their prorated quota (as the field's)."""
        reps = [(r.credited, r.days_in_seat) for r in self.model.inside_reps if r.active]
        return attainment(self.model.inside_tenures + reps, self.model.params.inside_quota)
