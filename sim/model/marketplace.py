"""The market as a component: inquiries arriving, the prospects reps find, the list they work.

It owns the inbound :class:`~sim.model.market.Market`, the shared prospect list
(:class:`~sim.model.market.Accounts`), the prospects reps find by outbound, by
their own prospecting and through nurture (:class:`~sim.model.market.ProspectFactory`),
and what marketing pays for the inquiries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.component import Component
from sim.model.leads import U_RIVAL, Lead
from sim.model.market import Accounts, Market, ProspectFactory, inbound_channels, rival_arrival

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sim.config.params import Params
    from sim.config.registry import Market as MarketSection
    from sim.model.clock import WorkCalendar
    from sim.model.leads import LeadBook
    from sim.model.streams import Streams


def prospect_shapes(p: Params) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """Fit and intent (Beta shapes) of the prospects reps find, by factory: built and re-derived alike."""
    return {
        "outbound": ((p.outbound_fit_a, p.outbound_fit_b), (p.outbound_intent_a, p.outbound_intent_b)),
        "recycled": ((p.fit_a, p.fit_b), (p.intent_a, p.intent_b)),
        "field_sourced": ((p.field_fit_a, p.field_fit_b), (p.field_intent_a, p.field_intent_b)),
        "referred": ((p.referral_fit_a, p.referral_fit_b), (p.referral_intent_a, p.referral_intent_b)),
    }


class MarketPlace(Component):
    """The market the organization works.

    Args:
        params: the behaviour parameters in force.
        streams: the run's random streams.
        section: the scenario's ``market`` (its channels).
        team_weights: relative size of each team's territory.
        book: the run's lead book (new leads are numbered and kept there).
        clock: the working calendar (other vendors answer from when they open).

    Attributes:
        market: inbound inquiries by channel and hour.
        accounts: the prospect list outbound and field prospecting wear out.
        outbound, recycled, field_sourced: the prospects reps find, nurture brings back, the field finds.
        inquiries: new inbound inquiries (what marketing pays for).
        marketing_cost: what marketing has spent on its channels, in dollars (budgets, not a price per arrival).
        channel_spend: the same, channel by channel.
    """

    STREAMS = (
        *Market.STREAMS,
        "prospects.outbound",
        "prospects.recycled",
        "prospects.field",
        "prospects.territory",
        "prospects.referral",
    )
    TALLIES = ("inquiries", "marketing_cost")

    def open_books(self) -> None:
        """The warm-up is over: the tallies and each channel's spend start from zero."""
        super().open_books()
        self.channel_spend = [0.0] * len(self.market.channels)

    KPIS = ("leads_created", "prospect_satisfaction", "share_dissatisfied", "marketing_cost", "cost_per_lead")
    PARAMS = (
        "inbound_per_day", "after_hours_share", "weekend_share", "deal_value_median", "deal_value_sigma",
        "cost_per_inquiry", "fit_a", "fit_b", "intent_a", "intent_b", "outbound_fit_a", "outbound_fit_b",
        "outbound_intent_a", "outbound_intent_b", "referral_fit_a", "referral_fit_b", "referral_intent_a",
        "referral_intent_b", "field_fit_a", "field_fit_b", "field_intent_a", "field_intent_b",
        "scoring", "score_noise_rules", "score_noise_predictive", "score_noise_tuned", "score_learning_rate",
        "reputation_effect", "reputation_window", "reputation_min_leads", "addressable_accounts",
        "touches_per_prospecting_hour", "account_rest_days", "competitors", "sat_start", "agree_interest",
        "contact_floor", "contact_max", "decay_exponent", "decay_scale_hours", "need_floor",
        "second_place_interest", "skill_contact_gain", "wait_decay_hours", "off_hours_attention",
        "answered_attention",
    )  # fmt: skip

    def __init__(
        self,
        params: Params,
        streams: Streams,
        section: MarketSection,
        team_weights: Sequence[float],
        book: LeadBook,
        clock: WorkCalendar,
    ) -> None:
        self.params, self.streams, self.section, self.book, self.clock = params, streams, section, book, clock
        self.market = Market(params, streams, team_weights, inbound_channels(section, params))
        self.accounts = Accounts(params)
        shapes = prospect_shapes(params)
        self.outbound = ProspectFactory(streams["prospects.outbound"], params, *shapes["outbound"])
        self.recycled = ProspectFactory(streams["prospects.recycled"], params, *shapes["recycled"])
        self.field_sourced = ProspectFactory(streams["prospects.field"], params, *shapes["field_sourced"])
        self.referred = ProspectFactory(streams["prospects.referral"], params, *shapes["referred"])
        self.inquiries = 0
        self.marketing_cost = 0.0
        self.channel_spend = [0.0] * len(self.market.channels)

    def refresh(self, old: Params, new: Params) -> None:
        """New levers: volume, hours, deal sizes, prices, scoring, the list's size and pace, the prospects' shapes."""
        self.params = new
        self.market.adopt(new, inbound_channels(self.section, new))
        self.accounts.refresh(new)
        for name, (fit, intent) in prospect_shapes(new).items():
            factory = getattr(self, name)
            factory.params, factory.fit, factory.intent = new, fit, intent

    def receive(self, day: int, inquire: Callable[[Lead], None]) -> None:
        """The day's inbound inquiries, around the clock, fewer where word of poor treatment spread."""
        volume = 1.0
        p = self.params
        book = self.book
        if p.reputation_effect > 0 and len(book) >= p.reputation_min_leads:
            recent = book.leads[-int(p.reputation_window) :]
            mean_sat = sum(lead.satisfaction for lead in recent) / len(recent)
            volume = 1.0 - p.reputation_effect * max(0.0, p.sat_start - mean_sat) / p.sat_start
        workday = self.clock.working[day]
        spend = self.market.spend(workday)  # the channels' budgets for the day, whatever arrives
        self.marketing_cost += sum(spend)
        self.channel_spend = [a + b for a, b in zip(self.channel_spend, spend, strict=True)]
        for lead in self.market.inbound(day, workday, book.next_id(), p.sat_start, volume):
            book.add(lead)
            self.inquiries += 1
            inquire(lead)

    def attentive_hours(self, lead: Lead, t: float) -> float:
        """Hours of the inquirer's own attention spent on other things between the inquiry and ``t``.

        An hour of the working day (09:00-17:00 on working days, the buyer's as the reps')
        counts in full; an hour of the evening, night or weekend counts ``off_hours_attention``
        of one: an inquiry sent at 18:00 and called at 09:15 the next morning finds its sender
        about as ready to talk as one called an hour after sending it during the day, not as
        after fifteen hours of work on other things. Once a first attempt has left a message
        (a voicemail, an email), the prospect knows we answered: their attention fades at
        ``answered_attention`` of the pace until someone reaches them, so persistence pays.
        Reach and attention decay on this clock (:class:`~sim.model.market.Reach`,
        :func:`~sim.model.market.attention`); the need and the rivals run on the calendar.
        """
        first = lead.first_attempt_at
        if first is None or t <= first:
            return self._attentive(lead.created_at, t)
        return self._attentive(lead.created_at, first) + self.params.answered_attention * self._attentive(first, t)

    def _attentive(self, start: float, end: float) -> float:
        """Working hours between ``start`` and ``end``, plus ``off_hours_attention`` of the other hours."""
        working = self.clock.business_time(end) - self.clock.business_time(start)
        return working + self.params.off_hours_attention * (end - start - working)

    def rival_at(self, lead: Lead) -> float:
        """Hours after this inquiry when another vendor first answers it (``math.inf``: never).

        Other vendors answer as the audited firms did (:data:`sim.model.market.FIRM_RESPONSE`,
        measured on inquiries sent in business hours), counting from when they open:
        an inquiry sent at night is a race that starts in the morning.
        """
        delay = rival_arrival(lead.draws[U_RIVAL], self.params.competitors)
        return self.clock.next_open(lead.created_at) - lead.created_at + delay

    def new_lead(self, source: str, factory: ProspectFactory, at: float, team: int | None) -> Lead:
        """A prospect a rep has just found, in ``team``'s territory: the lead starts in conversation.

        Inbound inquiries are created by the :class:`Market` instead, and wait for a first attempt.
        """
        value, fit, intent, draws = factory.one()
        if team is None:
            u = self.streams["prospects.territory"].random()  # a shared pool prospects any team's territory
            team = int(np.searchsorted(self.market.team_cdf, u, side="right"))
            team = min(team, len(self.market.team_cdf) - 1)
        lead = Lead(
            self.book.next_id(), source, team, at, value, fit, intent, draws, self.params.sat_start,
        )  # fmt: skip
        lead.first_attempt_at = lead.contacted_at = at
        lead.attempts = 1
        return self.book.add(lead)

    def recycle(self, old: Lead, at: float) -> Lead:
        """A nurtured prospect inquires again: a new lead with the old one's fit, deal, territory and feelings."""
        _, _, intent, draws = self.recycled.one()  # a new buying moment: fresh intent and own draws
        lead = Lead(self.book.next_id(), "recycled", old.team, at, old.value, old.fit, intent, draws, old.satisfaction)
        lead.recycled_from = old.lead_id
        lead.channel = old.channel  # the same prospect: credited to the channel that first brought them
        lead.earlier_contacts = old.earlier_contacts + old.attempts
        lead.first_seen = old.first_seen
        return self.book.add(lead)
