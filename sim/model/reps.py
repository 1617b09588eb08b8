"""The two kinds of rep: inside reps find and qualify leads, field reps sell.

Each rep is a Mesa agent whose behaviour is a handful of short methods named
after what the rep does (``attempt``, ``converse``, ``qualify``, ``review``,
``meet``, ``close_deal``, ``prospect``). Times are working hours since the
start; every number comes from :class:`sim.config.params.Params`.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

import mesa

from sim.config.params import HOURS_PER_DAY
from sim.model.leads import (
    N_ATTEMPT_DRAWS,
    U_AGREE,
    U_DISCOUNT,
    U_NOISE,
    U_OPP,
    U_REPEAT,
    U_REVIEW,
    U_STAGE,
    U_WIN,
    Lead,
    State,
)
from sim.model.market import Reach, agree_probability, interest, logistic, reach_probability, waiting_interest

if TYPE_CHECKING:
    from sim.model.model import SalesOrgModel

_STD_NORMAL = NormalDist()


def _normal(u: float) -> float:
    """Standard normal quantile of a uniform draw (kept off the edges)."""
    return _STD_NORMAL.inv_cdf(min(max(u, 1e-12), 1 - 1e-12))


def record_attempt(rep: mesa.Agent, lead: Lead, t: float, owner: str, stream: str) -> tuple[float, float]:
    """Book one try to reach a prospect at ``t``; the first try stamps the lead and its owner.

    Returns:
        Hours since the inquiry, and the prospect's own draw for this try.
    """
    model = rep.model
    k = lead.attempts
    lead.attempts = k + 1
    model.attempts += 1
    if lead.first_attempt_at is None:
        lead.first_attempt_at = t
        setattr(lead, owner, rep.unique_id)
        lead.state = State.ATTEMPTING
        model.feel_response(lead, t - lead.created_at)
    u = lead.draws[k] if k < N_ATTEMPT_DRAWS else model.streams[stream].random()
    return t - lead.created_at, u


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


class InsideRep(mesa.Agent):
    """An inside sales rep: answers inquiries, prospects, qualifies, hands off.

    Attributes:
        pool: index of the inside pool the rep works in.
        own_bar: the rep's idea of a qualified lead, before pay bends it.
        noise: standard deviation of the rep's reading of a prospect's fit.
        knowledge: product knowledge 0-1 (training).
        skill: selling skill 0-1 (training).
        days_employed: working days since hire (drives ramp-up).
        active: False while the seat is vacant after an attrition.
    """

    def __init__(self, model: SalesOrgModel, pool: int) -> None:
        super().__init__(model)
        self.params = model.params
        self.pool = pool
        self.queue = model.pools[pool]
        self.active = True
        self.rehire_day = 0
        self.hires = 1
        self.qualified = 0
        self.handed_off = 0
        self.hire(days_employed=model.streams["org"].exponential(model.params.inside_tenure_days))

    # ----------------------------------------------------------- staffing
    def hire(self, days_employed: float = 0.0) -> None:
        """Fill the seat with a rep trained as the scenario says."""
        p = self.model.params
        self.active = True
        self.days_employed = days_employed
        spread = p.inside_threshold_sd * self.model.streams["org"].standard_normal()
        self.own_bar = min(1.0, max(0.0, p.inside_threshold + spread))
        self.knowledge = p.product_knowledge
        self.skill = p.selling_skill
        self.reach = Reach(p, self.skill)
        self.noise = p.inside_fit_noise * (1 - p.knowledge_noise_cut * self.knowledge)
        self.base_noise = self.noise
        self.outbound_rate = max(
            1e-12, p.outbound_conversations_per_hour * (1 + p.skill_contact_gain * (self.skill - 0.5))
        )
        self.next_outbound = self.model.outbound_gaps.next() / self.outbound_rate  # prospecting hours to the next
        self.start_day()

    def quit_or_stay(self, day: int) -> None:
        """Leave with a daily hazard of 1 / tenure; the seat stays empty while hiring."""
        p = self.model.params
        u = self.model.streams["org"].random()  # drawn every day: keeps the stream aligned
        if self.active and u < 1.0 / p.inside_tenure_days:
            self.active = False
            self.rehire_day = day + int(p.hiring_days)
            self.model.inside_quits += 1
        elif not self.active and day >= self.rehire_day:
            self.hires += 1
            self.hire()

    @property
    def bar(self) -> float:
        """Qualification threshold in use: own bar bent by pay and reporting line."""
        return self.own_bar + self.model.params.inside_bar_shift

    def start_day(self) -> None:
        """Set today's pace: elapsed hours per hour of work (admin time, ramp-up)."""
        p = self.model.params
        ramp = min(1.0, p.inside_ramp_floor + (1 - p.inside_ramp_floor) * self.days_employed / p.inside_ramp_days)
        self.pace = 1.0 / (p.inside_hours_share * ramp)

    # ----------------------------------------------------------- the work
    def attempt(self, lead: Lead, t: float) -> float:
        """Try to reach an inbound prospect; return the time the rep is free again."""
        p = self.params
        k = lead.attempts
        since, u = record_attempt(self, lead, t, "inside_rep", "inside")
        if u < self.reach.at(since):
            lead.contacted_at = t
            return self.converse(lead, t, interest(lead.intent, since, p))
        if k + 1 >= p.max_attempts:
            lead.close(State.UNREACHED)
        else:
            self.queue.retry(lead, t + p.retry_gap_hours * p.retry_gap_growth**k)
        return t + p.attempt_hours * self.pace

    def territory(self) -> int | None:
        """The team whose territory the rep prospects (None: any, for a shared pool)."""
        teams = self.model.pools[self.pool].teams
        return teams[0] if len(teams) == 1 else None

    def prospect(self, t: float, hours: float) -> float:
        """Outbound: cold outreach for ``hours``; each conversation becomes a lead."""
        # Conversations arrive as a Poisson process in prospecting hours: the rep
        # carries the prospecting time left until the next one across blocks.
        end = t + hours * self.pace
        times = []
        while self.next_outbound <= hours:
            times.append(t + self.next_outbound * self.pace)
            self.next_outbound += self.model.outbound_gaps.next() / self.outbound_rate
        self.next_outbound -= hours
        for at in times:
            lead = self.model.new_lead("outbound", self.model.outbound, at, team=self.territory())
            lead.inside_rep = self.unique_id
            end = self.converse(lead, end, lead.intent)
        return end

    def converse(self, lead: Lead, t: float, interest_now: float) -> float:
        """A real conversation: the prospect meets the rep's knowledge, then qualify."""
        p = self.model.params
        lead.feel(p.sat_knowledge * (self.knowledge - 0.5))
        if lead.draws[U_AGREE] >= agree_probability(interest_now, p):
            # an inquirer who no longer cares has lapsed; a cold prospect just says no
            lead.close(State.LAPSED if lead.source == "inbound" else State.DISQUALIFIED)
            return t + p.conversation_hours * p.decline_share * self.pace
        return self.qualify(lead, t, interest_now)

    def read_fit(self, lead: Lead) -> float:
        """The rep's noisy reading of a prospect's fit."""
        return lead.fit + self.noise * _normal(lead.draws[U_NOISE])

    def qualify(self, lead: Lead, t: float, interest_now: float) -> float:
        """Judge fit against the bar; hand off a qualified lead."""
        p = self.model.params
        done = t + p.conversation_hours * self.pace
        if self.read_fit(lead) < self.bar:
            lead.feel(p.sat_disqualified)
            lead.close(State.DISQUALIFIED)
            return done
        lead.qualified_at = done
        lead.state = State.QUALIFIED
        lead.intent_at_handoff = max(interest_now, p.lapse_intent)
        self.qualified += 1
        if p.warm_handoff:
            done += p.warm_handoff_hours * self.pace
        if self.model.handoff(lead, done):
            self.handed_off += 1
        return done

    def learn(self, field_bars: list[float]) -> None:
        """Feedback from the field: move toward the field's bar, read fit better."""
        p = self.model.params
        keep = (1 - p.learning_rate) ** len(field_bars)
        if field_bars:
            target = sum(field_bars) / len(field_bars)
            self.own_bar = target + (self.own_bar - target) * keep
        floor = self.base_noise * p.learning_noise_floor
        self.noise = floor + (self.noise - floor) * keep


class FieldRep(mesa.Agent):
    """A field sales rep: reviews handed-off leads, meets prospects, closes deals.

    Attributes:
        team: index of the rep's field team.
        bar: the fit the rep wants before spending time on a lead.
        trust: belief 0-1 that an inside-sourced lead is worth it.
        skill: selling skill 0-1.
        open_opps: opportunities currently open.
    """

    def __init__(self, model: SalesOrgModel, team: int) -> None:
        super().__init__(model)
        p = model.params
        rng = model.streams["org"]
        self.team = team
        self.bar = min(1.0, max(0.0, p.field_threshold + p.field_threshold_sd * rng.standard_normal()))
        self.trust = p.initial_trust
        self.skill = min(1.0, max(0.0, p.field_skill + p.field_skill_sd * rng.standard_normal()))
        self.open_opps = 0
        self.pending = 0  # handed off to this rep, not yet reviewed
        self.busy_today = 0.0  # hours spent today on reviews, answers and meetings
        self.next_field_lead = model.field_gaps.next() / max(p.field_leads_per_hour, 1e-12)  # prospecting hours
        self.revenue = 0.0

    @property
    def load(self) -> float:
        """Open opportunities as a share of what the rep can work well."""
        return self.open_opps / self.model.params.field_capacity

    # ----------------------------------------------------- inbound handling
    def response_delay(self) -> float:
        """Hours until a busy field rep gets round to something (no SLA)."""
        p = self.model.params
        mean = p.followup_hours * (p.load_delay_base + self.load) * (p.distrust_delay - self.trust)
        return float(self.model.streams["field"].exponential(mean))

    def review_delay(self, lead: Lead) -> float:
        """Hours from handoff to the rep's decision: within the SLA if complied with."""
        p = self.model.params
        u = lead.draws[U_REVIEW]
        if u < p.sla_compliance:
            return p.sla_hours * u / p.sla_compliance
        return p.sla_hours * p.late_review_floor + self.response_delay()

    def respond(self, lead: Lead, t: float) -> None:
        """Answer an inquiry that no inside rep covers (field-only territory)."""
        p = self.model.params
        since, u = record_attempt(self, lead, t, "field_rep", "field")
        self.busy_today += p.attempt_hours
        if u < reach_probability(since, p, self.skill):
            self.busy_today += p.conversation_hours
            lead.contacted_at = t
            interest_now = interest(lead.intent, since, p)
            if lead.draws[U_AGREE] >= agree_probability(interest_now, p):
                lead.close(State.LAPSED)
            elif lead.fit + p.field_fit_noise * _normal(lead.draws[U_NOISE]) < self.bar:
                lead.feel(p.sat_disqualified)
                lead.close(State.DISQUALIFIED)
            else:
                lead.qualified_at = t
                lead.intent_at_handoff = max(interest_now, p.lapse_intent)
                self.accept(lead, t)
        elif lead.attempts >= p.field_max_attempts:
            lead.close(State.UNREACHED)
        else:
            self.model.calendar.add(t + self.response_delay(), self.respond, lead)

    # --------------------------------------------------------- the handoff
    def review(self, lead: Lead, t: float) -> None:
        """Look at a handed-off lead: accept, reject back to inside, or ignore it."""
        p = self.model.params
        rng = self.model.streams["field"]
        self.pending -= 1
        self.busy_today += p.review_hours
        noise = p.field_fit_noise * (1 - p.warm_noise_cut * p.warm_handoff)
        good = lead.fit + noise * rng.standard_normal() >= self.bar
        # experience moves trust, but a shared team keeps giving the benefit of the doubt
        target = (1 - p.trust_prior_weight) * good + p.trust_prior_weight * p.initial_trust
        self.trust += p.trust_learning * (target - self.trust)
        self.model.record_feedback(lead, self.bar)
        # a doubted or unwanted lead may just be left lying; an acceptance stage
        # (a decision is due) makes that rare, see levers.IGNORE
        doubt = 1.0 if not good else (1.0 - self.trust)
        p_ignore = p.ignore_propensity * doubt * (p.load_delay_base + self.load)
        if p.routing_kind == 3:  # cherry-picking: small deals are left on the board
            small = lead.value < p.deal_value_median
            p_ignore *= p.cherry_pick_small if small else p.cherry_pick_large
        if rng.random() < p_ignore:
            lead.feel(p.sat_dropped)
            lead.close(State.IGNORED)
            self.model.field_hours_wasted += p.review_hours
        elif good or (p.acceptance_stage and self._overruled(lead)):
            self.accept(lead, t)
        else:
            self._reject(lead)
            self.model.field_hours_wasted += p.review_hours

    def _overruled(self, lead: Lead) -> bool:
        """A manager settles a disputed rejection: a truly fitting lead is taken."""
        p = self.model.params
        disputed = self.model.streams["field"].random() < p.conflict_resolution
        return disputed and lead.fit >= self.bar

    def _reject(self, lead: Lead) -> None:
        lead.feel(self.model.params.sat_rejected)
        lead.close(State.REJECTED)

    def accept(self, lead: Lead, t: float) -> None:
        """Take the lead and book a first meeting."""
        p = self.model.params
        lead.accepted_at = t
        lead.field_rep = self.unique_id
        lead.state = State.ACCEPTED
        if lead.handed_off_at is not None:
            late_days = (t - lead.handed_off_at - p.sla_hours) / HOURS_PER_DAY
            if late_days > 0:
                lead.feel(p.sat_late_per_day * late_days)
        self.model.calendar.add(t + p.meeting_lead_hours * (p.load_delay_base + self.load), self.meet, lead)

    # --------------------------------------------------------- the selling
    def meet(self, lead: Lead, t: float) -> None:
        """First meeting: does the prospect still care, and is there an opportunity?"""
        p = self.model.params
        lead.followed_up_at = t
        self.busy_today += p.meeting_hours
        start = lead.qualified_at if lead.qualified_at is not None else lead.created_at
        intent_now = waiting_interest(lead.intent_at_handoff, t - start, p)
        if intent_now < p.lapse_intent:
            lead.close(State.LAPSED)
            self.model.field_hours_wasted += p.meeting_hours
            return
        if lead.handed_off_at is not None and lead.draws[U_REPEAT] > p.notes_completeness:
            lead.repeated = True  # the field rep asks the same questions again
            lead.feel(p.sat_repeat)
        score = _logit(p.opp_base) + p.opp_fit_slope * (lead.fit - 0.5) + p.opp_intent_slope * (intent_now - 0.5)
        if lead.draws[U_OPP] >= logistic(score):
            lead.feel(p.sat_disqualified)
            lead.close(State.DISQUALIFIED)
            self.model.field_hours_wasted += p.meeting_hours
            return
        self.open_opportunity(lead, t, intent_now)

    def open_opportunity(self, lead: Lead, t: float, intent_now: float) -> None:
        """Start a multi-stage opportunity; its outcome and close date follow."""
        p = self.model.params
        lead.opportunity_at = t
        lead.state = State.OPPORTUNITY
        self.open_opps += 1
        self.model.on_opportunity(lead)
        lead.discount = 2 * p.discount_mean * lead.draws[U_DISCOUNT]
        x = (
            p.win_logit
            + p.win_fit * (lead.fit - 0.5)
            + p.win_intent * (intent_now - 0.5)
            + p.win_skill * (self.skill - 0.5)
            - p.win_repeat * lead.repeated
            + p.win_discount * lead.discount
            - p.win_overload * max(0.0, self.load - 1.0)
        )
        won = lead.draws[U_WIN] < logistic(x)
        n_stages = max(1, int(p.stages))
        reached = n_stages if won else 1 + int(lead.draws[U_STAGE] * n_stages)
        days = self.model.streams["field"].gamma(2.0, p.cycle_days / n_stages / 2.0, size=reached)
        close_at = t + float(days.sum()) * HOURS_PER_DAY
        self.model.calendar.add(close_at, self.close_deal if won else self.lose_deal, lead)

    def close_deal(self, lead: Lead, t: float) -> None:
        """The prospect signs."""
        p = self.model.params
        self.open_opps -= 1
        lead.revenue = lead.value * (1 - lead.discount)
        self.revenue += lead.revenue
        lead.feel(p.sat_won)
        lead.close(State.WON, t)
        self.model.on_won(lead)

    def lose_deal(self, lead: Lead, t: float) -> None:
        """The prospect walks away at some stage."""
        self.open_opps -= 1
        lead.feel(self.model.params.sat_lost)
        lead.close(State.LOST, t)

    def prospect(self, day: int) -> None:
        """Self-source leads with the selling time left, more so when unsupported."""
        p = self.model.params
        busy = self.open_opps * p.opp_hours_per_day + self.busy_today
        self.busy_today = 0.0
        free = max(0.0, HOURS_PER_DAY * p.inside_hours_share - busy)
        need = max(0.0, 1.0 - self.open_opps / p.pipeline_target)
        supported = self.model.team_supported[self.team]
        # an unsupported rep prospects to fill the pipeline; a supported one less, unless distrustful
        support = p.self_prospect_when_supported + (1 - p.self_prospect_when_supported) * (1 - self.trust)
        drive = need * (support if supported else 1.0)
        # Self-sourced meetings arrive as a Poisson process in prospecting hours; the
        # hours spent today are spread over the working day.
        hours = free * drive
        found = []
        while self.next_field_lead <= hours:
            found.append(self.next_field_lead / hours)
            self.next_field_lead += self.model.field_gaps.next() / p.field_leads_per_hour
        self.next_field_lead -= hours
        for share in found:
            at = (day + share) * HOURS_PER_DAY
            lead = self.model.new_lead("field", self.model.field_sourced, at, team=self.team)
            self.accept(lead, at)
