"""Inside sales reps: answer inquiries, prospect outbound, qualify against a bar, hand off.

Times are calendar hours since the start; every number comes from
:class:`sim.config.params.Params`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.config.params import DAYS_PER_YEAR
from sim.model.leads import Lead, State
from sim.model.market import Reach
from sim.model.reps import Rep

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.model.services import InsideServices, Queue


TRAINING_EVERY_DAYS = 30  # reps in post are trained once a month (ATD 2021: 60% of firms train at least quarterly)


def session_hours(p: Params) -> float:
    """The hours of one monthly training session for a rep in post (none without a programme)."""
    return p.training_hours_per_year * TRAINING_EVERY_DAYS / DAYS_PER_YEAR * p.training_given


class InsideRep(Rep):
    """An inside sales rep (a seat: when the rep leaves, a new hire fills it).

    Args:
        model: the organization (or any model with ``params``, ``streams``,
            ``outbound_gaps``, ``outbound``, ``new_lead`` and ``handoff``).
        pool: the inside pool whose queue the rep works.

    Attributes:
        queue: the pool the rep works in.
        own_bar: the rep's idea of a qualified lead, before pay bends it.
        noise: standard deviation of the rep's reading of a prospect's fit.
        knowledge: product knowledge 0-1 (practice and training, :meth:`levels`).
        skill: selling skill 0-1 (practice and training).
        days_employed: days since hire (drives ramp-up).
        active: False while the seat is vacant after an attrition.
        handed_off: qualified leads handed to the field so far.
        quits: reps who left this seat so far.
    """

    model: InsideServices
    ATTEMPT_STREAM = "inside.extra_attempts"
    # the random streams inside reps own: who is hired (tenure mix, bar), who quits, and tries past the prospect's own
    STREAMS = ("org.inside_tenure", "org.inside_bar", "org.inside_quit", ATTEMPT_STREAM)
    TALLIES = (*Rep.TALLIES, "handed_off", "quits", "hires", "credited", "days_in_seat")

    def __init__(self, model: InsideServices, pool: Queue, days_employed: float | None = None) -> None:
        super().__init__(model)
        self.params = model.params
        self.queue = pool
        self.active = True
        self.rehire_day: float = 0  # the day the seat's next hire starts (inf: the seat is closed)
        self.handed_off = 0
        self.quits = 0
        self.hires = 0  # replacements hired into this seat so far
        if days_employed is None:  # a seat of the organization as it stands: a rep at the tenure mix
            days_employed = model.streams["org.inside_tenure"].exponential(model.params.inside_tenure_days)
        self.hire(days_employed=days_employed)

    # ----------------------------------------------------------- staffing
    def hire(self, days_employed: float = 0.0) -> None:
        """Fill the seat with a rep trained as the scenario says."""
        p = self.model.params
        self.active = True
        self.days_employed = days_employed
        self.credited = 0  # what this rep (since hired) is credited on the plan's metric
        self.days_in_seat = 0  # days this rep has worked here (the quota is prorated to them)
        self.bar_z = self.model.streams["org.inside_bar"].standard_normal()  # where this rep's bar sits in the spread
        self.own_bar = min(1.0, max(0.0, p.inside_threshold + p.inside_threshold_sd * self.bar_z))
        # what training added above practice (knowledge, skill): the onboarding course, then a rep who has been
        # here a while has had their monthly sessions and forgotten between them
        self.gain_knowledge = self.gain_skill = 0.0
        self.practice = self.practised()  # as of the last weekly update (keep_up)
        self.knowledge, self.skill = self.levels()
        self.train(p.onboarding_training_hours * p.training_given)
        for _ in range(int(days_employed // TRAINING_EVERY_DAYS)):
            self.keep_up(TRAINING_EVERY_DAYS)
            self.train(session_hours(p))
        self.noise_learnt = 1.0  # what the field's feedback has sharpened the rep's reading of fit by
        self._derive(p)
        self.next_outbound = self.model.outbound_gaps.next() / self.outbound_rate  # prospecting hours to the next
        self.start_day()

    def _derive(self, p: Params) -> None:
        """What the rep brings, from their knowledge and skill now: reach, reading of fit, outbound pace."""
        self.params = p
        self.knowledge, self.skill = self.levels()
        self.reach = Reach(p, self.skill)
        self.base_noise = p.inside_fit_noise * (1 - p.knowledge_noise_cut * self.knowledge)
        self.noise = self.base_noise * self.noise_learnt  # what feedback taught them stays learnt
        self.outbound_rate = max(
            1e-12, p.outbound_conversations_per_hour * (1 + p.skill_contact_gain * (self.skill - 0.5))
        )

    def refresh(self, old: Params, new: Params) -> None:
        """New levers reach the rep in post (``timeline`` set:), each with its transition.

        Reach, fit reading and outbound pace follow at once (what training and feedback
        have taught them is kept; a new training programme reaches them session by session);
        the bar (its mean and spread) is a habit the organization moves step by step
        (:meth:`SalesOrgModel.adopt`).
        The time to the next outbound conversation is memoryless: rescaled to the new pace.
        """
        rate = self.outbound_rate
        self._derive(new)
        self.next_outbound *= rate / self.outbound_rate

    # ----------------------------------------------------------- training
    def practised(self) -> tuple[float, float]:
        """Knowledge and skill practice alone has brought the rep to.

        From a new hire's towards ``practice_level`` (and what the host organization teaches on
        the job) over the ramp (``inside_ramp_days``, a time constant).
        """
        p = self.model.params
        settled = 1.0 - math.exp(-self.days_employed / p.inside_ramp_days)
        knowledge = p.inside_hire_level + (p.practice_level + p.host_knowledge - p.inside_hire_level) * settled
        skill = p.inside_hire_level + (p.practice_level + p.host_skill - p.inside_hire_level) * settled
        return knowledge, skill

    def levels(self) -> tuple[float, float]:
        """Product knowledge and selling skill now, 0-1: practice, plus what training added and is not forgotten."""
        knowledge, skill = self.practice
        return (
            min(1.0, max(0.0, knowledge + self.gain_knowledge)),
            min(1.0, max(0.0, skill + self.gain_skill)),
        )

    def train(self, hours: float) -> None:
        """A training session of ``hours``: each topic closes part of the rep's gap to mastery (a learning curve).

        The hours split between the product and selling (``training_product_share``); each is worth
        as much as its trainer teaches it well; ``training_learning_hours`` of a topic taught well
        close 63% of the gap.
        """
        if hours <= 0:
            return
        p = self.model.params
        on_product = hours * p.training_product_share * p.training_product_quality
        on_selling = hours * (1.0 - p.training_product_share) * p.training_selling_quality
        knowledge, skill = self.levels()
        base_k, base_s = self.practice
        learn = p.training_learning_hours
        self.gain_knowledge = 1.0 - (1.0 - knowledge) * math.exp(-on_product / learn) - base_k
        self.gain_skill = 1.0 - (1.0 - skill) * math.exp(-on_selling / learn) - base_s

    def settle(self) -> None:
        """What the rep knows and can do now reaches their reach, reading of fit and outbound pace."""
        rate = self.outbound_rate
        self._derive(self.model.params)
        self.next_outbound *= rate / self.outbound_rate

    def keep_up(self, days: float) -> None:
        """``days`` pass: what training added fades (half-life ``training_half_life_days``), practice grows."""
        fade = 0.5 ** (days / self.model.params.training_half_life_days)
        self.gain_knowledge *= fade
        self.gain_skill *= fade
        self.practice = self.practised()

    def quit_or_stay(self, day: int) -> None:
        """Leave with a daily hazard of 1 / tenure; the seat stays empty while hiring."""
        p = self.model.params
        u = self.model.streams["org.inside_quit"].random()  # drawn every day: keeps the stream aligned
        if self.active and u < 1.0 / p.inside_tenure_days:
            self.model.inside_tenures.append((self.credited, self.days_in_seat))
            self.active = False
            self.rehire_day = day + int(p.hiring_days)
            self.quits += 1
        elif not self.active and day >= self.rehire_day:
            self.hire()
            self.hires += 1

    def close_seat(self) -> None:
        """The seat is closed for good (``timeline`` exit): its rep, if any, leaves and nobody is hired."""
        if self.active:
            self.model.inside_tenures.append((self.credited, self.days_in_seat))
            self.active = False
        self.rehire_day = math.inf

    @property
    def closed(self) -> bool:
        """The seat was closed (nobody will be hired into it)."""
        return self.rehire_day == math.inf

    @property
    def bar(self) -> float:
        """Qualification threshold in use: own bar bent by pay and reporting line."""
        return self.own_bar + self.model.params.inside_bar_shift

    def own(self, lead: Lead) -> None:
        """The lead is this inside rep's from the first attempt."""
        lead.inside_rep = self.unique_id

    def read_fit(self, lead: Lead) -> float:
        """The rep's reading of fit: training and feedback make it sharper."""
        return self.fit_reading(lead, self.noise)

    def start_day(self) -> None:
        """Set today's pace: elapsed hours per hour of work (admin time, ramp-up)."""
        p = self.model.params
        ramp = min(1.0, p.inside_ramp_floor + (1 - p.inside_ramp_floor) * self.days_employed / p.inside_ramp_days)
        self.pace = 1.0 / (p.inside_hours_share * ramp * self.model.productivity())

    # ----------------------------------------------------------- the work
    def attempt(self, lead: Lead, t: float) -> float:
        """Try to reach an inbound prospect; return the time the rep is free again."""
        p = self.params
        k = lead.attempts
        since, u = self.book_attempt(lead, t)
        fresh = self.model.attentive_hours(lead, t)
        if u < self.reach.at(fresh):
            lead.contacted_at = t
            return self.converse(lead, t, *self.hear_out(lead, since, fresh))
        again = self.queue.hours.after(t, p.retry_gap_hours * p.retry_gap_growth**k)
        if k + 1 >= p.max_attempts or again - lead.created_at > p.retry_horizon_hours:
            # the cadence ends: six tries, or the day after the inquiry, when more dials stop paying
            self.model.release(lead, State.UNREACHED, t)
        else:
            self.queue.retry(lead, again)
        return t + p.attempt_hours * self.pace

    def territory(self) -> int | None:
        """The team whose territory the rep prospects (None: any, for a shared pool)."""
        teams = self.queue.teams
        return teams[0] if len(teams) == 1 else None

    def prospect(self, t: float, hours: float) -> float:
        """Outbound: cold outreach for ``hours``; each conversation becomes a lead."""
        # Conversations arrive as a Poisson process in prospecting hours: the rep
        # carries the prospecting time left until the next one across blocks.
        # The rate is on a fresh list; the market's fresh share thins it (Accounts).
        end = t + hours * self.pace
        share = max(self.model.accounts.work(hours), 1e-12)
        fresh_hours = hours * share
        times = []
        while self.next_outbound <= fresh_hours:
            times.append(t + self.next_outbound / share * self.pace)
            self.next_outbound += self.model.outbound_gaps.next() / self.outbound_rate
        self.next_outbound -= fresh_hours
        for at in times:
            lead = self.model.new_lead("outbound", self.model.outbound, at, team=self.territory())
            lead.inside_rep = self.unique_id
            end = self.converse(lead, end, lead.intent, lead.intent)  # not shopping: no rival, full attention
        return end

    def converse(self, lead: Lead, t: float, interest_now: float, need_now: float) -> float:
        """A real conversation: the prospect meets the rep's knowledge, then qualify.

        ``interest_now`` decides whether they talk; ``need_now`` is what the deal is made of.
        """
        p = self.model.params
        lead.feel(p.sat_knowledge * (self.knowledge - 0.5))
        if not self.agrees_to_talk(lead, interest_now, t, need_now):
            return t + p.conversation_hours * p.decline_share * self.pace
        return self.qualify(lead, t, need_now)

    def qualify(self, lead: Lead, t: float, interest_now: float) -> float:
        """Judge fit against the bar; hand off a qualified lead."""
        p = self.model.params
        done = t + p.conversation_hours * self.pace
        if not self.fits(lead):
            return done
        lead.qualified_at = done
        lead.state = State.QUALIFIED
        lead.intent_at_handoff = interest_now
        rules = self.model.handoff_rules
        if rules.warm:
            done += rules.inside_hours * self.pace
        if self.model.handoff(lead, done):
            self.handed_off += 1
            if self.model.inside_pay.counts_handoffs:
                self.credited += 1  # the plan's metric: leads handed off
        else:
            lead.feel(p.sat_dropped)  # told a specialist would call; nobody is in the field to keep it
        return done

    def learn(self, field_bars: list[float]) -> None:
        """Feedback from the field: move toward the field's bar, read fit better."""
        p = self.model.params
        keep = (1 - p.learning_rate) ** len(field_bars)
        if field_bars:
            target = sum(field_bars) / len(field_bars)
            self.own_bar = target + (self.own_bar - target) * keep
        floor = p.learning_noise_floor
        self.noise_learnt = floor + (self.noise_learnt - floor) * keep
        self.noise = self.base_noise * self.noise_learnt
