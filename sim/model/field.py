"""Field sales reps: review handed-off leads, meet prospects, work opportunities, prospect for themselves.

Times are calendar hours since the start; every number comes from
:class:`sim.config.params.Params`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from sim.config.params import DAYS_PER_WEEK, DAYS_PER_YEAR, HOURS_PER_DAY, Params
from sim.model import policies
from sim.model.clock import HOURS_PER_CALENDAR_DAY
from sim.model.leads import U_DISCOUNT, U_OPP, U_REPEAT, U_REVIEW, U_SHOW, Lead, State
from sim.model.market import logistic, reach_probability, waiting_interest
from sim.model.opportunity import Opportunity, loss_reason
from sim.model.reps import Rep, logit
from sim.model.services import FieldServices

NEED_TAPER = 0.2  # share of the pipeline target over which a rep eases off prospecting
QUARTERS = 4  # quota periods a year: the annual quota is split by quarter
JUDGED_DAYS = 30  # a rep in post less than this share of a quarter is not judged on it
PACE_PRIOR_DAYS = 90.0  # a rep judges their pace on their record blended with a quarter at the quota's pace
COLD_SOURCES = frozenset({"outbound", "field"})  # meetings booked by cold outreach (no_show_cold)

# How long field reps take to ramp: 27% under 3 months, 38% in 3-6, 28% in 6-12, 7% over 12
# (Bridge Group 2024, second-hand; FACTS 3): (upper end in days, share), uniform within each band.
RAMP_SPREAD = ((91.0, 0.27), (183.0, 0.38), (365.0, 0.28), (548.0, 0.07))


def ramp_days(u: float) -> float:
    """A new hire's ramp in days from a uniform draw ``u``: the inverse of :data:`RAMP_SPREAD`."""
    low, cumulative = 0.0, 0.0
    for high, share in RAMP_SPREAD:
        if u < cumulative + share:
            return low + (high - low) * (u - cumulative) / share
        low, cumulative = high, cumulative + share
    return RAMP_SPREAD[-1][0]


def _worked_by_owner(event: Callable[[FieldRep, Lead, float], None]) -> Callable[[FieldRep, Lead, float], None]:
    """A calendar event of a lead runs on the rep who owns the lead when it fires.

    Events are booked on a seat; if the seat's rep left meanwhile, the lead went to a
    teammate (:meth:`SalesOrgModel.reassign`), and the event passes to them.
    """

    @functools.wraps(event)
    def run(self: FieldRep, lead: Lead, t: float) -> None:
        owner = self if lead.field_rep == self.unique_id else self.model.field_rep_by_id[lead.field_rep]
        event(owner, lead, t)

    return run


class FieldRep(Rep):
    """A field sales rep: reviews handed-off leads, meets prospects, closes deals.

    Args:
        model: the organization.
        team: index of the rep's field team.

    Attributes:
        team: index of the rep's field team.
        bar: the fit the rep wants before spending time on a lead.
        trust: belief 0-1 that an inside-sourced lead is worth it.
        skill: selling skill 0-1.
        open_opps: opportunities currently open.
        pending: leads handed to the rep and not yet reviewed, and inquiries routed to the rep
            and not yet answered (the load a router sees besides open opportunities).
        opportunities: opportunities opened so far.
        won: deals won so far.
        hours_wasted: hours spent on leads that came to nothing (misfits, lapses, rejections).
        hours_load: the hours the work asked for (deals, reviews, first meetings and their
            preparation, answers) as a share of the selling hours, averaged over the last
            ``hours_load_memory_days`` working days.
    """

    model: FieldServices
    ATTEMPT_STREAM = "field.extra_attempts"
    # the random streams field reps own: who is hired (tenure mix, bar, skill, ramp), who quits, and their decisions
    STREAMS = (
        "org.field_tenure", "org.field_bar", "org.field_skill", "org.field_ramp", "org.field_quit", ATTEMPT_STREAM,
        "field.dispute", "field.ignore", "field.inquiry_delay", "field.response_delay", "field.review_reading",
    )  # fmt: skip
    TALLIES = (
        *Rep.TALLIES, "quits", "hires", "opportunities", "won", "returned", "hours_wasted", "reviews",
        "reviews_on_time", "hours_available", "hours_used", "days_worked", "days_overbooked", "sold", "days_selling",
        "meetings", "no_shows",
    )  # fmt: skip

    def __init__(self, model: FieldServices, team: int, days_employed: float | None = None) -> None:
        super().__init__(model)
        p = model.params
        self.team = team
        self.open_opps = 0
        self.pending = 0
        self.booked = 0  # accepted leads whose first meeting is still to come
        self.quits = 0  # reps who left this seat so far
        self.hires = 0  # replacements hired into this seat so far
        self.rehire_day: float = 0  # the day the seat's next hire starts (inf: the seat is closed)
        if days_employed is None:
            # the organization has been selling for years: the reps in post are at their tenure mix
            tenure = DAYS_PER_YEAR / max(p.field_attrition, 1e-12)  # mean days in the job
            days_employed = model.streams["org.field_tenure"].standard_exponential() * tenure
        self.hire(days_employed=days_employed)
        self.opportunities = 0
        self.won = 0
        self.returned = 0  # good leads handed back to nurture for want of capacity
        self.hours_wasted = 0.0
        self.reviews = 0  # handed-off leads reviewed
        self.reviews_on_time = 0  # of which within the SLA (business hours since the handoff)
        self.hours_available = 0.0  # selling hours the rep had, day by day
        self.hours_used = 0.0  # of which spent (reviews, answers, meetings, opportunities, prospecting)
        self.days_worked = 0
        self.days_overbooked = 0  # days whose work asked for more than the selling hours
        self.meetings = 0  # first meetings the rep went to (held or not)
        self.no_shows = 0  # of which the prospect did not come to

    # ----------------------------------------------------------- staffing
    def hire(self, days_employed: float = 0.0) -> None:
        """Fill the seat: a new rep with a bar, a skill and a ramp of their own, and the initial trust."""
        p = self.model.params
        streams = self.model.streams
        self.active = True
        self.days_employed = days_employed
        self.bar_z = streams["org.field_bar"].standard_normal()  # where this rep sits in the spread of bars
        self.skill_z = streams["org.field_skill"].standard_normal()  # and of skills
        self._derive(p)
        self.ramp_days = max(1.0, ramp_days(streams["org.field_ramp"].random()))
        self.ramp_behind = 0.0  # days of the ramp to make up again after a move to another team
        self.trust = p.initial_trust
        self.sold = 0.0  # revenue this rep (since hired, or since the books opened) has closed
        self.quarter_sold = 0.0  # of which this quarter (the quota and the accelerator are quarterly)
        self.quarter_days = 0  # days in post this quarter
        self.standing: float | None = None  # attainment over the last quarters once ramped, as the manager sees it
        self.days_selling = 0  # days this rep has been in post since then (the quota is prorated to them)
        self.busy_today = 0.0  # hours spent today on reviews, answers and meetings
        self.hours_load = 0.0  # hours the work asks for as a share of the selling hours, over the last week or so
        self.next_field_lead = self.model.field_gaps.next() / max(p.field_leads_per_hour, 1e-12)  # prospecting hours

    def _derive(self, p: Params) -> None:
        """The rep's bar and full skill under the levers in force, from their place in each spread."""
        self._bar = min(1.0, max(0.0, p.field_threshold + p.field_threshold_sd * self.bar_z))
        self.full_skill = min(1.0, max(0.0, p.field_skill + p.field_skill_sd * self.skill_z))
        # the open opportunities the quota asks for: pipeline_coverage quarters' quota at the market's mean deal
        mean_deal = p.deal_value_median * math.exp(p.deal_value_sigma**2 / 2)
        self.pipeline_wanted = p.pipeline_coverage * p.field_quota / QUARTERS / max(mean_deal, 1e-9)
        # what the next dollar sold pays below and above quota (a deal at the market's mean, typical discount),
        # and the spread of a quarter's sales: a sum of lognormal deals, variance = sales x E[X^2] / E[X]
        self.marginal_rates = policies.field_pay_plan(p).marginal(mean_deal, p.discount_mean)
        self.deal_spread = mean_deal * math.exp(p.deal_value_sigma**2)

    def refresh(self, old: Params, new: Params) -> None:
        """New levers reach the rep in post (``timeline`` set:), each with its transition.

        The bar and the skill follow at once; trust is a habit the organization moves step by
        step (:meth:`SalesOrgModel.adopt`). The prospecting time to the next lead of their own
        is memoryless: rescaled to the new pace.
        """
        self._derive(new)
        self.next_field_lead *= max(old.field_leads_per_hour, 1e-12) / max(new.field_leads_per_hour, 1e-12)

    def end_quarter(self) -> None:
        """A quarter closes: a ramped rep's attainment in it joins their standing; a fresh quota starts.

        The standing weighs the last quarter as much as all before it (a manager remembers about
        two quarters). A rep in post for less than a month of the quarter, or still ramping, is not
        judged on it.
        """
        p = self.model.params
        days = self.quarter_days
        if days >= JUDGED_DAYS and self.days_employed >= self.ramp_days + p.field_onboarding_days:
            quota = p.field_quota / QUARTERS * days / (DAYS_PER_YEAR / QUARTERS)
            attained = self.quarter_sold / quota if quota > 0 else 1.0
            self.standing = attained if self.standing is None else (self.standing + attained) / 2
        self.quarter_sold = 0.0
        self.quarter_days = 0

    def attrition_multiple(self) -> float:
        """How much likelier than a typical rep this rep is to leave, from their standing against quota.

        Reps below quota earn less and quit more; reps far above are paid to stay. The odds
        move by ``attrition_attainment_slope`` (log) per unit of attainment below
        ``attrition_reference_attainment``, the typical ramped rep's, whose voluntary hazard is
        ``field_attrition``. A rep below ``pip_attainment`` of the field's median standing (managers
        judge reps against their peers) is also on a performance plan, which ``pip_exit_share`` leave
        within two quarters (docs/MODEL.md, "Pay and effort").
        """
        if self.standing is None:
            return 1.0
        p = self.model.params
        standing = min(2.0, max(0.0, self.standing))
        voluntary = math.exp(p.attrition_attainment_slope * (p.attrition_reference_attainment - standing))
        typical = self.model.typical_standing()
        if typical is None or standing >= p.pip_attainment * typical or p.field_attrition <= 0:
            return voluntary
        # on a performance plan: pip_exit_share leave within two quarters, on top of those who quit
        managed_out = -math.log(max(1e-12, 1.0 - p.pip_exit_share)) / (DAYS_PER_YEAR / 2)
        return voluntary + managed_out * DAYS_PER_YEAR / p.field_attrition

    def quit_or_stay(self, day: int) -> bool:
        """Leave with a daily hazard of ``field_attrition`` / 365 x standing; the seat stays empty while hiring.

        Returns True on the day the rep leaves (the organization reassigns their book).
        """
        p = self.model.params
        u = self.model.streams["org.field_quit"].random()  # drawn every day: keeps the stream aligned
        if self.active and u < p.field_attrition / DAYS_PER_YEAR * self.attrition_multiple():
            self.model.field_tenures.append((self.sold, self.days_selling))  # the leaver's year, for attainment
            self.active = False
            self.rehire_day = day + int(p.field_hiring_days)
            self.quits += 1
            return True
        if not self.active and day >= self.rehire_day:
            self.hire()
            self.hires += 1
        return False

    def close_seat(self) -> None:
        """The seat is closed for good (``timeline`` exit): its rep, if any, leaves and nobody is hired."""
        if self.active:
            self.model.field_tenures.append((self.sold, self.days_selling))
            self.active = False
            self.model.reassign(self)
        self.rehire_day = math.inf

    def move_to(self, team: int) -> None:
        """Join another team (``timeline`` move): new accounts and a new manager cost part of the ramp.

        The rep keeps their skill, trust and quota credit; their open book stays with the old team
        (:meth:`SalesOrgModel.reassign`, before the move). They lose ``move_ramp_loss`` of the
        ramp's progress and make it up at their own ramp's pace.
        """
        progress = min(1.0, (self.days_employed - self.ramp_behind) / self.ramp_days)
        kept = progress * (1.0 - self.model.params.move_ramp_loss)
        self.ramp_behind = self.days_employed - kept * self.ramp_days
        self.team = team

    @property
    def closed(self) -> bool:
        """The seat was closed (nobody will be hired into it)."""
        return self.rehire_day == math.inf

    @property
    def in_post(self) -> bool:
        """Taking leads and selling: hired, and through onboarding (``field_onboarding_days``)."""
        return self.active and self.days_employed >= self.model.params.field_onboarding_days

    @property
    def ramp(self) -> float:
        """How far into the job the rep is: ``field_ramp_floor`` on the first day, 1 after their ramp."""
        floor = self.model.params.field_ramp_floor
        ramp = floor + (1.0 - floor) * min(1.0, (self.days_employed - self.ramp_behind) / self.ramp_days)
        return ramp * self.model.productivity()  # a re-organization costs part of it for a while

    @property
    def skill(self) -> float:
        """Selling skill now: a new hire sells at the ramp's share of their skill."""
        return self.full_skill * self.ramp

    @property
    def bar(self) -> float:
        """The fit the rep wants before spending time on a lead."""
        return self._bar

    @property
    def load(self) -> float:
        """How stretched the rep is: open opportunities against what the rep can work well, or hours against the week.

        The larger of the two: a book of ``field_capacity`` deals, or days whose
        reviews, first meetings and deal work ask for more than the selling hours
        (:attr:`hours_load`; a rep short of hours squeezes the deals, whose calendar
        items cannot wait).
        """
        return max(self.open_opps / self.model.params.field_capacity, self.hours_load)

    def own(self, lead: Lead) -> None:
        """The lead is this field rep's from the first attempt."""
        lead.field_rep = self.unique_id

    def read_fit(self, lead: Lead) -> float:
        """The rep's reading of fit in a conversation with the prospect."""
        return self.fit_reading(lead, self.model.params.field_fit_noise)

    # ----------------------------------------------------- inbound handling
    def response_delay(self) -> float:
        """Hours until a busy field rep gets round to a lead from inside (no SLA): distrust slows it."""
        p = self.model.params
        mean = p.followup_hours * (p.load_delay_base + self.load) * (p.distrust_delay - self.trust)
        return float(self.model.streams["field.response_delay"].exponential(mean))

    def inquiry_delay(self) -> float:
        """Hours until a busy field rep answers (or tries again) an inquiry of their own territory.

        The prospect asked the rep's company directly: the rep's trust in the inside
        team's leads has nothing to do with it, only the rep's load.
        """
        p = self.model.params
        mean = p.followup_hours * (p.load_delay_base + self.load) * p.inquiry_response_factor
        return float(self.model.streams["field.inquiry_delay"].exponential(mean))

    def review_delay(self, lead: Lead) -> float:
        """Working hours from handoff to the rep's decision: the rep's own pace, hurried by the SLA.

        A rep who would get to the lead within the SLA anyway does (the SLA slows
        nobody down). A rep who would be late meets the deadline with probability
        ``sla_pressure`` (how hard the manager enforces it) divided by
        ``load_delay_base + load``, so a rep over capacity misses more; a hurried
        review lands in the last ``sla_deadline_share`` of the window (work done
        as the deadline nears). Otherwise the lead waits the rep's own time, past
        the deadline.
        """
        p = self.model.params
        natural = self.response_delay()
        if natural <= p.sla_hours:
            return natural
        u = lead.draws[U_REVIEW]
        hurry = p.sla_pressure / (p.load_delay_base + self.load)
        if u < hurry:
            return p.sla_hours * (1.0 - p.sla_deadline_share * u / hurry)
        return natural

    @_worked_by_owner
    def respond(self, lead: Lead, t: float) -> None:
        """Answer an inquiry that no inside rep covers (field-only territory).

        The inquiry counts in the rep's load (``pending``) until it is answered or given up.
        """
        p = self.model.params
        if lead.attempts == 0 and self._leaves_untried(lead):
            self.pending -= 1
            lead.feel(p.sat_never_called)
            lead.close(State.IGNORED)  # never tried: the black hole of marketing's leads
            return
        since, u = self.book_attempt(lead, t)
        fresh = self.model.attentive_hours(lead, t)
        self.busy_today += p.attempt_hours
        if u < reach_probability(fresh, p, self.skill):
            self.pending -= 1
            self.busy_today += p.conversation_hours
            lead.contacted_at = t
            interest_now, need_now = self.hear_out(lead, since, fresh)
            if self.agrees_to_talk(lead, interest_now, t, need_now) and self.fits(lead):
                lead.qualified_at = t
                lead.intent_at_handoff = need_now
                self.take_if_room(lead, t, self.read_fit(lead))
        elif lead.attempts >= p.field_max_attempts:
            self.pending -= 1
            self.model.release(lead, State.UNREACHED, t)
        else:
            self.model.calendar.add(self.model.clock.after(t, self.inquiry_delay()), self.respond, lead)

    def _leaves_untried(self, lead: Lead) -> bool:
        """A field rep who answers inquiries glances at the form first; one that looks poor may never be called.

        Sales reps do not pursue most marketing leads (Sabnis et al. 2013: 70% across four B2B
        firms, more so when busy and when the leads look unqualified), so a field that answers
        inquiries itself leaves some untried, as ``ignore_propensity`` and its load leave handed-off
        leads lying: only those whose form reads below the rep's bar, with the chance
        ``ignore_propensity * (load_delay_base + load)``. Decided by the prospect's own draws.
        """
        if self.read_fit(lead) >= self.bar:
            return False
        return lead.draws[U_REVIEW] < self._lying_chance()

    def _lying_chance(self) -> float:
        """The chance the rep leaves a lead they doubt lying: ``ignore_propensity``, more when busy."""
        p = self.model.params
        return p.ignore_propensity * (p.load_delay_base + self.load)

    # --------------------------------------------------------- the handoff
    @_worked_by_owner
    def review(self, lead: Lead, t: float) -> None:
        """Look at a handed-off lead: accept, reject back to inside, or ignore it."""
        p = self.model.params
        rules = self.model.handoff_rules
        streams = self.model.streams
        self.pending -= 1
        clock = self.model.clock
        handed = lead.handed_off_at if lead.handed_off_at is not None else t  # a reviewed lead was handed off
        waited = clock.business_time(t) - clock.business_time(handed)  # working hours since the handoff
        self._feel_the_wait(lead, waited)
        self.reviews += 1
        self.reviews_on_time += waited <= p.sla_hours + 1e-9
        self.busy_today += p.review_hours
        reading = lead.fit + rules.review_noise * streams["field.review_reading"].standard_normal()
        good = reading >= self.bar
        # experience moves trust, but a shared team keeps giving the benefit of the doubt
        target = (1 - p.trust_prior_weight) * good + p.trust_prior_weight * p.initial_trust
        self.trust += p.trust_learning * (target - self.trust)
        self.model.record_feedback(lead, self.bar)
        # a doubted or unwanted lead may just be left lying; an acceptance stage
        # (a decision is due) makes that rare, see levers.IGNORE
        doubt = 1.0 if not good else (1.0 - self.trust)
        p_ignore = self._lying_chance() * doubt
        p_ignore *= self.model.router.ignore_factor(lead)  # cherry-picking leaves small deals on the board
        if streams["field.ignore"].random() < p_ignore:
            lead.feel(p.sat_dropped)
            lead.close(State.IGNORED)
            self.hours_wasted += p.review_hours
        elif good or (rules.acceptance_stage and self._overruled(lead)):
            self.take_if_room(lead, t, reading)
        else:
            self._reject(lead, t)
            self.hours_wasted += p.review_hours

    def _feel_the_wait(self, lead: Lead, waited: float) -> None:
        """The prospect was told a specialist would be in touch: each working day beyond that promise costs.

        ``waited`` is the working hours since the handoff. The promise is what the
        prospect hears (``promise_hours``), not the SLA the company writes for
        itself, which the prospect never sees: a longer SLA only means longer waits.
        """
        p = self.model.params
        late_days = (waited - p.promise_hours) / HOURS_PER_DAY
        if late_days > 0:
            lead.feel(p.sat_late_per_day * late_days)

    def _overruled(self, lead: Lead) -> bool:
        """A manager settles a disputed rejection: a truly fitting lead is taken."""
        p = self.model.params
        disputed = self.model.streams["field.dispute"].random() < p.conflict_resolution
        return disputed and lead.fit >= self.bar

    def _reject(self, lead: Lead, t: float) -> None:
        lead.feel(self.model.params.sat_rejected)
        self.model.release(lead, State.REJECTED, t)

    @property
    def fullness(self) -> float:
        """Commitments (open opportunities and booked first meetings) as a share of what the rep can work well."""
        return (self.open_opps + self.booked) / self.model.params.field_capacity

    def has_room(self, lead: Lead, reading: float) -> bool:
        """Triage: under capacity every wanted lead is taken; over it, only what looks best.

        Over capacity (a full book, or weeks short of hours) the rep's bar rises
        with the overload, and a large deal
        looks better than a small one of the same fit (the rep's reading of fit
        plus ``triage_value_weight`` per log of the deal's size against the median).
        """
        p = self.model.params
        overload = max(self.fullness + 1.0 / p.field_capacity, self.hours_load) - 1.0  # with this lead taken
        if overload <= 0.0:
            return True
        worth = reading + p.triage_value_weight * math.log(lead.value / p.deal_value_median)
        return worth >= self.bar + p.triage_slope * overload

    def take_if_room(self, lead: Lead, t: float, reading: float) -> None:
        """Accept a wanted lead if there is room for it, else hand it back to nurture."""
        if self.has_room(lead, reading):
            self.accept(lead, t)
        else:
            self.returned += 1
            self._reject(lead, t)  # "not now": back to nurture, as far as the prospect can tell rejected

    def accept(self, lead: Lead, t: float) -> None:
        """Take the lead and book a first meeting (the one booked at the handoff, if it is still ahead)."""
        self.booked += 1
        lead.accepted_at = t
        lead.field_rep = self.unique_id
        lead.state = State.ACCEPTED
        booked = lead.meeting_at
        meeting = booked if booked is not None and booked >= t else self.next_meeting_slot(t)
        self.model.calendar.add(meeting, self.meet, lead)

    def next_meeting_slot(self, t: float) -> float:
        """When the rep's calendar has room for a first meeting booked at ``t``: later the busier they are."""
        p = self.model.params
        return self.model.clock.after(t, p.meeting_lead_hours * (p.load_delay_base + self.load))

    # --------------------------------------------------------- the selling
    @_worked_by_owner
    def meet(self, lead: Lead, t: float) -> None:
        """First meeting: does the prospect still care, and is there an opportunity?"""
        p = self.model.params
        if lead.followed_up_at is None:
            lead.followed_up_at = t  # the field's follow-up: the first meeting it went to
        self.booked -= 1
        self.meetings += 1
        if self._stood_up(lead, t):
            return
        hours = p.meeting_prep_hours + p.meeting_hours  # the rep reads up on the account, then meets
        self.busy_today += hours
        start = lead.qualified_at if lead.qualified_at is not None else lead.created_at
        intent_now = waiting_interest(lead.intent_at_handoff, t - start, p)
        if intent_now < p.lapse_intent:
            self.model.release(lead, State.LAPSED, t)
            self.hours_wasted += hours
            return
        if lead.handed_off_at is not None and lead.draws[U_REPEAT] > p.notes_completeness:
            lead.repeated = True  # the field rep asks the same questions again
            lead.feel(p.sat_repeat)
        score = logit(p.opp_base) + p.opp_fit_slope * (lead.fit - 0.5) + p.opp_intent_slope * (intent_now - 0.5)
        if lead.draws[U_OPP] >= logistic(score):
            lead.feel(p.sat_disqualified)
            lead.close(State.DISQUALIFIED)
            self.hours_wasted += hours
            return
        self.open_opportunity(lead, t, intent_now)

    def no_show_chance(self, lead: Lead, t: float) -> float:
        """The chance the prospect does not come to a first meeting at ``t``.

        By where the meeting came from (an inquiry, cold outreach, a referral), lower after a
        live introduction (a warm handoff), and higher the longer since the prospect agreed to
        talk (qualification, or the booking of a meeting the rep found): interest cools and other
        work arrives (each week multiplies the odds by ``no_show_weekly_odds``).
        """
        p = self.model.params
        source = lead.source
        base = (
            p.no_show_cold
            if source in COLD_SOURCES
            else p.no_show_referral
            if source == "referral"
            else p.no_show_inbound
        )
        if base <= 0:
            return 0.0
        if base >= 1:
            return 1.0
        odds = base / (1 - base)
        if lead.handed_off_at is not None and self.model.handoff_rules.warm:
            odds *= p.no_show_warm_odds
        agreed = lead.qualified_at if lead.qualified_at is not None else (lead.accepted_at or lead.created_at)
        odds *= math.pow(p.no_show_weekly_odds, max(0.0, t - agreed) / (7 * HOURS_PER_CALENDAR_DAY))
        return float(odds / (1 + odds))

    def _stood_up(self, lead: Lead, t: float) -> bool:
        """The prospect does not come: the rep prepared for nothing; most book again, once.

        The prospect's own draw decides (common random numbers); a second appointment and the
        choice to book again use uniforms derived from it.
        """
        p = self.model.params
        u = lead.draws[U_SHOW]
        if lead.no_shows:
            u = (u * 7919.0) % 1.0  # the second appointment's own chance
        if u >= self.no_show_chance(lead, t):
            return False
        lead.no_shows += 1
        self.no_shows += 1
        self.busy_today += p.meeting_prep_hours  # read up on the account for a meeting that did not happen
        self.hours_wasted += p.meeting_prep_hours
        if lead.no_shows == 1 and (u * 104729.0) % 1.0 < p.reschedule_share:
            self.booked += 1
            self.model.calendar.add(self.next_meeting_slot(t), self.meet, lead)
            return True
        self.model.release(lead, State.LAPSED, t)  # gone quiet: nurture, where there is one
        return True

    def open_opportunity(self, lead: Lead, t: float, intent_now: float) -> None:
        """Start a multi-stage opportunity; its outcome and close date follow."""
        p = self.model.params
        lead.opportunity_at = t
        lead.state = State.OPPORTUNITY
        self.open_opps += 1
        self.opportunities += 1
        self.model.on_opportunity(lead)
        lead.discount = 2 * p.discount_mean * lead.draws[U_DISCOUNT]
        lead.deal = Opportunity(lead, intent_now)
        self._book_stage(lead, t)

    def _book_stage(self, lead: Lead, t: float) -> None:
        """Book the end of the deal's current stage; the signature of the last may be pulled into the quarter."""
        deal = lead.open_deal
        end = t + deal.stage_length(self, lead)
        if deal.stage == max(1, int(self.model.params.stages)) - 1:
            end = self.pull_in(lead, t, end)
        self.model.calendar.add(end, self.end_stage, lead)

    def quota_pressure(self) -> float:
        """How far the open opportunities fall short of the pipeline the quota asks for, 0-1.

        A rep wants ``pipeline_coverage`` times the quarter's quota in open deals; at the
        market's mean deal that is a number of opportunities. With all of it open there is no
        pressure; with none, full pressure: the rep prospects whatever inside sends.
        """
        wanted = self.pipeline_wanted
        return 0.0 if wanted <= 0 else min(1.0, max(0.0, 1.0 - self.open_opps / wanted))

    def quota_chance(self, t: float) -> float:
        """The rep's own odds of making this quarter's quota, judged at hour ``t`` from their pace.

        The pace is what the rep has sold a day in post, blended with PACE_PRIOR_DAYS at the
        quota's pace (a new rep expects to make it); the sales still to come before the quarter
        ends are a sum of deals, normal to the rep's eye. Behind with little time left, the odds
        fall to 0; past the quota they are 1.
        """
        p = self.model.params
        need = p.field_quota / QUARTERS - self.quarter_sold
        if need <= 0:
            return 1.0
        days_left = max(0.0, (self.model.quarter_end(t) - t) / HOURS_PER_CALENDAR_DAY)
        pace = (self.sold + PACE_PRIOR_DAYS * p.field_quota / DAYS_PER_YEAR) / (self.days_selling + PACE_PRIOR_DAYS)
        expected = pace * days_left
        if expected <= 0:
            return 0.0
        z = (expected - need) / math.sqrt(expected * self.deal_spread)
        return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))

    def pay_effort(self, t: float) -> float:
        """How hard the pay plan makes the rep prospect: 1 at the typical plan's marginal rate.

        Effort follows what the next dollar sold is expected to pay (the base rate, or the
        accelerated rate past quota, weighted by the odds of getting there this quarter) with
        the elasticity ``effort_elasticity`` (docs/MODEL.md, "Pay and effort"): an accelerator
        spurs reps who can see their quota; a quota out of reach late in the quarter does not;
        a rep past quota on an accelerated plan works hardest (Chung, Steenburgh & Sudhir 2014).
        """
        p = self.model.params
        below, above = self.marginal_rates
        rate = below + (above - below) * self.quota_chance(t) if above != below else below
        return float((rate / max(p.effort_reference_rate, 1e-12)) ** p.effort_elasticity)

    @property
    def quota_left(self) -> float:
        """Revenue the rep still has to close this quarter to make its quota (``field_quota`` / 4)."""
        return self.model.params.field_quota / QUARTERS - self.quarter_sold

    def pull_in(self, lead: Lead, t: float, end: float) -> float:
        """When the deal will be signed: at ``end``, or before the quarter ends if the plan pays for it.

        A deal whose signature would fall just after the quarter's end (within
        ``pull_in_window_days``) can be pulled into it: the buyer signs by the last
        working day of the quarter for ``pull_in_discount`` off the price per 30 days
        of hurry. The rep offers it when the commission now, accelerated past this
        quarter's quota and on the lower price, beats the commission next quarter,
        at full price against a fresh quota (Larkin 2014; Oyer 1998). Under a plan
        without an accelerator, or for a rep far from quota, it never pays.
        """
        p = self.model.params
        model = self.model
        quarter_end = model.quarter_end(t)
        if end <= quarter_end or end - quarter_end > p.pull_in_window_days * HOURS_PER_CALENDAR_DAY:
            return end
        deadline = model.clock.calendar_time(model.clock.business_time(quarter_end))  # the quarter's last working hour
        if deadline <= t:
            return end
        extra = min(p.pull_in_discount * (end - deadline) / (30 * HOURS_PER_CALENDAR_DAY), 1.0 - lead.discount)
        plan = model.field_pay
        price = lead.value * (1 - lead.discount)
        now = plan.pay(price - lead.value * extra, lead.value, self.quota_left)
        later = plan.pay(price, lead.value, p.field_quota / QUARTERS)
        if now <= later:
            return end
        lead.discount += extra
        lead.pull_in = extra
        return deadline

    @_worked_by_owner
    def end_stage(self, lead: Lead, t: float) -> None:
        """A stage of the deal ends: the prospect moves on (or signs, after the last), or the deal is lost."""
        if lead.state is not State.OPPORTUNITY:
            return  # closed meanwhile (a pipeline review at the start of a run from a company's pipeline)
        deal = lead.open_deal
        if not deal.passes(self, lead):
            lead.loss_reason = loss_reason(self.model.params, lead, deal.intent, deal.luck.random())
            self.lose_deal(lead, t)
            return
        deal.stage += 1
        if deal.stage >= max(1, int(self.model.params.stages)):
            self.close_deal(lead, t)
        else:
            self._book_stage(lead, t)

    def close_deal(self, lead: Lead, t: float) -> None:
        """The prospect signs."""
        self.open_opps -= 1
        self.won += 1
        lead.revenue = lead.value * (1 - lead.discount)
        quota_left = self.quota_left
        self.sold += lead.revenue
        self.quarter_sold += lead.revenue
        self.model.customers.sign(lead, t)  # as the buying experience left them, before the joy of signing
        lead.feel(self.model.params.sat_won)
        lead.close(State.WON, t)
        self.model.on_won(lead, quota_left)

    def lose_deal(self, lead: Lead, t: float) -> None:
        """The prospect walks away at some stage."""
        self.open_opps -= 1
        lead.feel(self.model.params.sat_lost)
        lead.close(State.LOST, t)

    def prospect(self, day: int) -> None:
        """Self-source leads with the selling time left, more so when unsupported (a vacant seat does nothing)."""
        p = self.model.params
        if not self.in_post:  # a vacant seat (its book went to teammates), or a new hire in training
            self.busy_today = 0.0
            return
        busy = self.open_opps * p.opp_hours_per_day + self.busy_today
        self.busy_today = 0.0
        available = p.field_selling_hours_week / DAYS_PER_WEEK
        # the pay plan sets how hard the rep works the free time, and how far past the nominal
        # selling hours a spurred-on rep goes, for deals and prospecting alike (pay_effort)
        effort = self.pay_effort(self.model.clock.opens(day))
        stretched = available * (1.0 + min(p.effort_stretch_max, max(0.0, effort - 1.0)))
        # the deals feel a shortage of hours over the last few days, not one busy afternoon
        memory = 1.0 / p.hours_load_memory_days
        self.hours_load += memory * (busy / stretched - self.hours_load)
        self.days_worked += 1
        self.days_overbooked += busy > available
        free = max(0.0, available - busy)
        room = max(0.0, stretched - busy)
        # a rep short of the pipeline they aim for spends the free selling time finding more,
        # easing off over the last fifth of the target
        need = min(1.0, max(0.0, (p.pipeline_target - self.open_opps) / (NEED_TAPER * p.pipeline_target)))
        supported = self.model.team_supported[self.team]
        # an unsupported rep prospects to fill the pipeline; a supported one less, unless distrustful
        # or short of the pipeline their quota needs (quota pressure: the quota moves effort)
        support = p.self_prospect_when_supported + (1 - p.self_prospect_when_supported) * (1 - self.trust)
        support += (1 - support) * self.quota_pressure()
        drive = need * (support if supported else 1.0)
        # Self-sourced meetings arrive as a Poisson process in prospecting hours; the
        # hours spent today are spread over the working day.
        hours = min(room, free * drive * effort)
        self.hours_available += available
        self.hours_used += min(available, busy + hours)
        # the rate is on a fresh list; the market's fresh share thins it (Accounts), and a new
        # hire who does not know the territory yet finds fewer meetings an hour (the ramp)
        fresh_hours = hours * self.model.accounts.work(hours) * self.ramp if hours > 0 else 0.0
        found = []
        while self.next_field_lead <= fresh_hours:
            found.append(self.next_field_lead / fresh_hours)
            self.next_field_lead += self.model.field_gaps.next() / p.field_leads_per_hour
        self.next_field_lead -= fresh_hours
        for share in found:
            at = self.model.clock.opens(day) + share * HOURS_PER_DAY
            lead = self.model.new_lead("field", self.model.field_sourced, at, team=self.team)
            self.accept(lead, at)
