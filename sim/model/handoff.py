"""Handoff and feedback as a component: who gets a qualified lead, how it passes, what comes back.

The routing rule, the handoff's form and the feedback loop are policies
(:mod:`sim.model.policies`); this component passes qualified leads to the field,
collects the field's verdicts on inside's leads and holds the meetings (or the
daily word of mouth) in which inside reps learn from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.time import Schedule

from sim.model import policies
from sim.model.component import Component
from sim.model.leads import Lead, State

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.model.services import HandoffServices


class HandoffFeedback(Component):
    """Routing, the handoff and the feedback loop in force, and the verdicts not yet passed on.

    Args:
        org: the organization (its teams, pay, market, calendar and Mesa's event list).
        teams: the number of field teams (round-robin keeps a turn per team).

    Attributes:
        router: picks the field rep of a lead (``handoff.routing``).
        rules: how a lead passes (``handoff.mode``, ``handoff.acceptance_stage``).
        loop: how verdicts flow back (``feedback.mode``, the structure's word of mouth).
    """

    STREAMS = ("feedback.word_of_mouth",)
    KPIS = (
        "leads_accepted", "leads_rejected", "leads_ignored", "sla_met_share", "median_acceptance_hours",
        "repeat_question_rate",
    )  # fmt: skip
    PARAMS = (
        "routing", "cherry_pick_small", "cherry_pick_large", "handoff_mode", "acceptance_stage",
        "warm_handoff_hours", "field_fit_noise", "warm_noise_cut", "feedback", "feedback_interval_days",
        "informal_feedback", "shared_calendar", "meeting_lead_hours", "load_delay_base",
    )  # fmt: skip

    def __init__(self, org: HandoffServices, teams: int) -> None:
        self.org = org
        self.teams = teams
        self.verdicts: dict[int, list[float]] = {}  # inside rep -> the field's bars on their leads
        self.meetings = False  # periodic meetings are on the calendar
        self._policies(org.params)

    def _policies(self, p: Params) -> None:
        self.router = policies.make_router(p, self.teams)
        self.rules = policies.handoff(p)
        self.loop = policies.feedback_loop(p)

    def schedule_meetings(self, start: float) -> None:
        """Put the periodic feedback meetings on Mesa's calendar from ``start`` (a periodic loop only, once)."""
        every = self.loop.interval_days
        if every is not None and not self.meetings:
            self.org.schedule_recurring(self.hold_meeting, Schedule(interval=every, start=start + every + 0.5))
            self.meetings = True

    def refresh(self, old: Params, new: Params) -> None:
        """The routing rule, the handoff and the loop the new levers name; meetings start if a loop begins."""
        self._policies(new)
        self.schedule_meetings(float(self.org.day))

    def handoff(self, lead: Lead, at: float) -> bool:
        """Pass a qualified lead to a field rep; False if nobody is in the field."""
        org = self.org
        rep = org.field_teams.route(lead)
        if rep is None:
            return False
        lead.handed_off_at = at
        lead.field_rep = rep.unique_id
        lead.state = State.HANDED_OFF
        rep.pending += 1
        org.pay.on_handoff(lead)
        review = org.clock.after(at, rep.review_delay(lead))
        if self.rules.one_calendar:  # booked on the call: the field rep reads the record before the meeting
            lead.meeting_at = rep.next_meeting_slot(at)
            review = min(review, lead.meeting_at)
        org.calendar.add(review, rep.review, lead)
        return True

    def record(self, lead: Lead, field_bar: float) -> None:
        """Note the field's verdict on an inside rep's lead, if feedback flows."""
        if lead.inside_rep < 0:
            return
        loop = self.loop
        if loop.formal or self.org.streams["feedback.word_of_mouth"].random() < loop.informal:
            self.verdicts.setdefault(lead.inside_rep, []).append(field_bar)

    def hold_meeting(self) -> None:
        """Field tells inside what it made of their leads; inside reps learn, the lead score is re-tuned."""
        if not self.verdicts:
            return
        org = self.org
        for rep_id, bars in self.verdicts.items():
            rep = org.inside_team.by_id[rep_id]
            if rep.active:
                rep.learn(bars)
        org.market.tune_scoring(sum(len(bars) for bars in self.verdicts.values()))
        self.verdicts.clear()

    def end_of_day(self) -> None:
        """A continuous loop, or word of mouth in one team, passes the day's verdicts on at its end."""
        if self.loop.daily:
            self.hold_meeting()
