"""Live monitors of a running organization: KPIs as they stand, without building the lead log.

The dashboard reads these each simulated day; the definitions are those of
:func:`sim.measure.summary.summarize` (the tests check they agree).
"""

from __future__ import annotations

import math
import statistics
from typing import Any

from sim.model.leads import FINAL_STATES, Lead, State
from sim.model.model import SalesOrgModel

FUNNEL = {  # lead timestamp -> funnel stage; "created" and "won" are added
    "contacted_at": "contacted",
    "qualified_at": "qualified",
    "handed_off_at": "handed off",
    "accepted_at": "accepted",
    "opportunity_at": "opportunity",
}
STAGES = ("created", *FUNNEL.values(), "won")
# The drawn funnel, as the report's: the inbound, outbound and recycled leads the inside team works that
# were created while the books are open, by the stage each has reached (a cohort: monotone, as a stage
# needs the one before)
INSIDE_FUNNEL = {stamp: f"inside_{stamp}" for stamp in ("created_at", *FUNNEL, "won")}


class Monitor:
    """The live monitors and the funnel of one organization, kept up to date cheaply.

    Same definitions as :func:`sim.measure.summary.summarize` (checked by the tests), without
    building the lead frame: a lead in a final state never changes again, so it is
    tallied once; only open and new leads are looked at each day.
    """

    def __init__(self, org: SalesOrgModel) -> None:
        self.org = org
        book = org.book  # the books are open: the log starts with the leads in flight
        self.start = book.start_hour  # events before this hour belong to the warm-up
        self.seen = book.first  # leads of the book already taken in
        self.open: list[Lead] = list(book.in_flight)
        self.final = self._zero()
        # prospects back from nurture: their earlier lead no longer counts in satisfaction
        # (summary.latest_rows); a lead's id is its place in the book
        self.superseded = 0
        self.superseded_satisfaction = 0.0

    @staticmethod
    def _zero() -> dict[str, Any]:
        tally = dict(n=0, new=0, satisfaction=0.0, won=0, lost=0, ignored=0, delays=[]) | dict.fromkeys(FUNNEL, 0)
        return tally | dict.fromkeys(INSIDE_FUNNEL.values(), 0)

    def _add(self, tally: dict[str, Any], lead: Lead) -> None:
        start = self.start
        new = lead.created_at >= start  # not in flight from the warm-up
        if lead.first_seen >= start:  # a prospect who came in while the books were open (summary.prospects)
            tally["n"] += 1
            tally["satisfaction"] += lead.satisfaction
        tally["new"] += new and lead.source != "recycled"  # a lead back from nurture is no new prospect
        state = lead.state
        tally["won"] += state is State.WON
        tally["lost"] += state is State.LOST
        tally["ignored"] += state is State.IGNORED
        if new and lead.source == "inbound" and lead.first_attempt_at is not None:
            tally["delays"].append(lead.first_attempt_at - lead.created_at)
        for stamp in FUNNEL:
            at = getattr(lead, stamp)
            if at is not None and at >= start:
                tally[stamp] += 1
        if lead.accepted_at is not None and lead.accepted_at >= start and lead.handed_off_at is None:
            tally["accepted_at"] -= 1  # self-sourced by the field: "accepted" counts handoffs only
        if new and lead.source != "field":  # the funnel drawn: the run's leads the inside team works
            for stamp, key in INSIDE_FUNNEL.items():  # through every stage so far (the field's own answers left out)
                if not (state is State.WON if stamp == "won" else getattr(lead, stamp) is not None):
                    break
                tally[key] += 1

    def update(self) -> dict[str, Any]:
        """Take in the day's changes; the monitors and funnel as they stand."""
        book = self.org.book.leads
        still_open = []
        live = self._zero()
        new = book[self.seen :]
        for lead in new:
            if lead.recycled_from >= 0 and lead.first_seen >= self.start:  # its earlier lead was counted
                self.superseded += 1
                self.superseded_satisfaction += book[lead.recycled_from].satisfaction
        for lead in [*self.open, *new]:
            if lead.state in FINAL_STATES:
                self._add(self.final, lead)
            else:
                self._add(live, lead)
                still_open.append(lead)
        self.open, self.seen = still_open, len(book)
        total = {k: v + live[k] for k, v in self.final.items() if k != "delays"}
        delays = self.final["delays"] + live["delays"]
        n, won, closed, cost = total["n"], total["won"], total["won"] + total["lost"], self.org.cost_of_sales
        funnel = {label: total[INSIDE_FUNNEL[stamp]] for stamp, label in zip(INSIDE_FUNNEL, STAGES, strict=True)}
        return {
            "revenue": self.org.revenue,
            "deals_won": won,
            "win_rate": won / closed if closed else math.nan,
            "leads_ignored": total["ignored"],
            "median_response_hours": statistics.median(delays) if delays else math.nan,
            "prospect_satisfaction": (total["satisfaction"] - self.superseded_satisfaction) / prospects
            if (prospects := n - self.superseded)
            else math.nan,
            "roi": (self.org.revenue - cost) / cost if cost else math.nan,
            "customers": len(self.org.customers.active),
            "recurring_revenue": self.org.customers.recurring_revenue,
            "funnel": funnel,
        }
