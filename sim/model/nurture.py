"""Nurture: leads the funnel let go (rejected, lapsed, unreached) may come back as inquiries.

Under ``nurture.mode`` ``basic`` (periodic emails) or ``active`` (scored,
multi-touch programmes) a released lead returns, with its history, at a
monthly rate, unless the prospect buys elsewhere first (a competing monthly
rate). The two rates make a lead's fate: the time to the first of the two
events is exponential with their sum, and it comes back with probability
``return / (return + loss)``. Sources and ranges: docs/SOURCES.md Q3
(MarketingSherpa 2012: 73% of leads are not sales-ready at first contact;
CMO Council / BPM Forum: 73% of firms have no process to requalify leads;
SiriusDecisions, second-hand: up to 80% of discarded leads buy from someone
within two years). Under ``none`` nothing comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.params import DAYS_PER_YEAR, Params
from sim.model import policies
from sim.model.clock import HOURS_PER_CALENDAR_DAY
from sim.model.leads import Lead
from sim.model.market import Exponentials, Uniforms

if TYPE_CHECKING:
    from sim.model.services import NurtureServices

DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class Nurture:
    """The nurture programme of one organization.

    Args:
        model: the organization (its parameters, streams, calendar and ``recycle``).

    Attributes:
        returns_per_day: chance a nurtured lead comes back on a day.
        losses_per_day: chance it buys elsewhere on a day.
        enrolled: leads taken into nurture so far.
        returned: of which came back as new inquiries so far.
    """

    TALLIES = ("enrolled", "returned")  # zeroed when the books open
    STREAMS = ("nurture.fate", "nurture.return")  # the random streams it owns

    def __init__(self, model: NurtureServices) -> None:
        self.model = model
        self.refresh(model.params)
        self.gaps = Exponentials(model.streams["nurture.fate"])  # time to the first of return or loss
        self.fates = Uniforms(model.streams["nurture.return"])  # which of the two it is
        self.enrolled = 0
        self.returned = 0  # leads that came back as new inquiries

    def refresh(self, p: Params) -> None:
        """Work under these levers: how often a nurtured lead comes back, or buys elsewhere, a day."""
        self.returns_per_day = policies.nurture_returns(p) / DAYS_PER_MONTH
        self.losses_per_day = p.nurture_loss_per_month / DAYS_PER_MONTH

    def enrol(self, lead: Lead, at: float) -> None:
        """Take a released lead into nurture; book its return if it is to come back."""
        if self.returns_per_day <= 0:
            return
        self.enrolled += 1
        total = self.returns_per_day + self.losses_per_day
        days = self.gaps.next() / total
        if self.fates.next() < self.returns_per_day / total:
            self.model.calendar.add(at + days * HOURS_PER_CALENDAR_DAY, self.come_back, lead)

    def come_back(self, lead: Lead, at: float) -> None:
        """The prospect answers a nurture touch: a new inquiry, with the old lead's history."""
        self.returned += 1
        self.model.recycle(lead, at)
