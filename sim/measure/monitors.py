"""Live monitors of a running organization: KPIs as they stand, computed as the summary computes them.

The dashboard reads these each simulated day. A monitor asks the registry's computations
(:mod:`sim.measure.kpis`) for :data:`~sim.measure.kpis.MONITOR_KPIS` on the lead log as it
stands, and counts the funnel drawn as the runs' digest does (:func:`sim.measure.funnel.inside_funnel`).
It keeps that log cheaply: a lead in a final state never changes again, so its row is made
once; only the open leads' rows are made again each day. The log holds the columns the
funnel, the response delay, the outcomes and satisfaction are read from, made as
``LeadBook.to_frame`` makes them (the tests check the monitors equal the summary's values).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.measure.funnel import inside_funnel
from sim.measure.kpis import MONITOR_KPIS
from sim.measure.results import Results
from sim.model.funnel import INSIDE_STAGES
from sim.model.funnel import STAGES as EVERY_STAGE
from sim.model.leads import FINAL_STATES, SOURCES, Lead, State
from sim.model.model import SalesOrgModel

STAGES = tuple(s.label for s in INSIDE_STAGES)  # the funnel drawn (the dashboard's bars), by stage
STAMPS = tuple(s.stamp for s in EVERY_STAGE)  # the log's columns of hours: every stage's stamp
SOURCE_CODES = {source: code for code, source in enumerate(SOURCES)}
STATE_CODES = {state: code for code, state in enumerate(State)}


class Monitor:
    """The live monitors and the funnel of one organization, kept up to date cheaply.

    Args:
        org: the organization, its books open (after the warm-up).
    """

    def __init__(self, org: SalesOrgModel) -> None:
        self.org = org
        book = org.book
        self.start = book.start_hour  # the log's hours count from here (the warm-up's are negative)
        self.seen = book.first  # leads of the book already taken in
        self.open: list[Lead] = list(book.in_flight)  # the log starts with the leads in flight
        self.final = self._rows([])  # the columns of the leads in a final state, made once
        self.categories = {  # the log's categorical columns, coded as the lead log codes them
            "source": pd.CategoricalDtype(SOURCES),
            "team": pd.CategoricalDtype(org.team_names),
            "outcome": pd.CategoricalDtype([s.value for s in State]),
        }

    def _rows(self, leads: list[Lead]) -> dict[str, np.ndarray]:
        """These leads' columns of the lead log (as ``LeadBook.to_frame`` makes them)."""
        start = self.start

        def hours(name: str) -> np.ndarray:
            return (
                np.array([np.nan if (v := getattr(lead, name)) is None else v for lead in leads], dtype=float) - start
            )

        return {
            "lead_id": np.array([lead.lead_id for lead in leads], dtype=np.int64),
            "source": np.array([SOURCE_CODES[lead.source] for lead in leads], dtype=np.int8),
            "team": np.array([lead.team for lead in leads], dtype=np.int16),
            **{stamp: hours(stamp) for stamp in STAMPS},
            "outcome": np.array([STATE_CODES[lead.state] for lead in leads], dtype=np.int8),
            "satisfaction": np.array([lead.satisfaction for lead in leads], dtype=float),
            "recycled_from": np.array([lead.recycled_from for lead in leads], dtype=np.int64),
            "in_flight": np.array([lead.created_at < start for lead in leads], dtype=bool),
            "prospect_since": hours("first_seen"),
        }

    def log(self) -> pd.DataFrame:
        """The lead log as it stands, in its order, taking in the day's changes."""
        book = self.org.book.leads
        leads = [*self.open, *book[self.seen :]]
        self.seen = len(book)
        self.open = [lead for lead in leads if lead.state not in FINAL_STATES]
        done = [lead for lead in leads if lead.state in FINAL_STATES]
        if done:
            rows = self._rows(done)
            self.final = {name: np.concatenate([column, rows[name]]) for name, column in self.final.items()}
        now = self._rows(self.open)
        columns = {name: np.concatenate([column, now[name]]) for name, column in self.final.items()}
        order = np.argsort(columns["lead_id"], kind="stable")  # the log's order: sums add up as the summary's
        log = {name: column[order] for name, column in columns.items()}
        for name, dtype in self.categories.items():
            log[name] = pd.Categorical.from_codes(log[name], dtype=dtype, validate=False)
        return pd.DataFrame(log)

    def update(self) -> dict[str, Any]:
        """Take in the day's changes; the monitors and the funnel as they stand."""
        results = Results(self.log(), self.org)
        funnel = dict(zip(STAGES, inside_funnel(results.leads), strict=True))
        return {name: results[name] for name in MONITOR_KPIS} | {"funnel": funnel}
