"""The market: who inquires, when, what they are worth, and how fast they cool.

Pure functions for the response-time decay (so they can be tested and
plotted in docs/MODEL.md) and a :class:`Market` that creates each day's
inbound prospects from its own random streams. Two scenarios run with the
same seed therefore meet the same prospects at the same moments.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import betainc, betaincinv

from sim.config.params import Params
from sim.model.clock import HOURS_PER_CALENDAR_DAY
from sim.model.leads import N_DRAWS, Lead
from sim.model.policies import lead_scoring
from sim.model.streams import Streams

if TYPE_CHECKING:
    from sim.config.registry import Market as MarketSection


def decay(hours: float, scale: float, exponent: float) -> float:
    """Share of a prospect's responsiveness left ``hours`` after the inquiry.

    ``g(t) = (1 + t / scale) ** -exponent``: steep in the first hour, then a
    long tail, the shape reported by Oldroyd et al. (HBR 2011, FACTS 1).
    """
    decayed: float = (1.0 + max(hours, 0.0) / scale) ** -exponent  # a float: the base is positive
    return decayed


def reach_probability(hours: float, params: Params, selling_skill: float) -> float:
    """Chance that one attempt ``hours`` after the inquiry reaches the prospect."""
    return Reach(params, selling_skill).at(hours)


class Reach:
    """:func:`reach_probability` of one rep, its constants worked out once (the inner loop's form).

    ``min(1, contact_max * skill * (floor + (1 - floor) * g(t)))`` with ``g`` the
    decay and ``skill = 1 + skill_contact_gain * (selling_skill - 0.5)``.
    """

    __slots__ = ("floor", "peak", "rest", "scale", "slope")

    def __init__(self, params: Params, selling_skill: float) -> None:
        self.peak = params.contact_max * (1.0 + params.skill_contact_gain * (selling_skill - 0.5))
        self.floor = params.contact_floor
        self.rest = 1 - params.contact_floor
        self.scale = params.decay_scale_hours
        self.slope = -params.decay_exponent

    def at(self, hours: float) -> float:
        """Chance that one attempt ``hours`` after the inquiry reaches the prospect."""
        g = (1.0 + (hours if hours > 0.0 else 0.0) / self.scale) ** self.slope
        p = self.peak * (self.floor + self.rest * g)
        return p if p < 1.0 else 1.0


# How fast firms answer a web inquiry: 37% within 1 h, 53% within 24 h, 77% within
# 30 days, the rest never (Oldroyd et al., HBR 2011, 2,241 US firms; FACTS 1). The
# prospect's other vendors answer like these firms. Between the points the share is
# linear in time in the first hour and in log time after: linear in ``_axis(hours)``.
FIRM_RESPONSE = ((0.0, 0.0), (1.0, 0.37), (24.0, 0.53), (720.0, 0.77))


def _axis(hours: float) -> float:
    """Time on the axis where the firms' answer share is piecewise linear: hours, then 1 + ln(hours)."""
    return hours if hours <= 1.0 else 1.0 + math.log(hours)


def _from_axis(x: float) -> float:
    return x if x <= 1.0 else math.exp(x - 1.0)


_AXIS = tuple(_axis(t) for t, _ in FIRM_RESPONSE)
_ANSWERED = tuple(f for _, f in FIRM_RESPONSE)


def rival_arrival(u: float, competitors: float) -> float:
    """Hours after the inquiry when the first of ``competitors`` other vendors reaches the prospect.

    ``u`` is the prospect's own uniform draw; each vendor answers as the firms
    of :data:`FIRM_RESPONSE` do. ``math.inf``: no other vendor ever answers.
    The inverse of :func:`rival_share`.
    """
    if competitors <= 0:
        return math.inf
    share = 1.0 - (1.0 - u) ** (1.0 / competitors)  # the first answer's quantile among one firm's
    i = bisect_left(_ANSWERED, share)
    if i >= len(_ANSWERED):
        return math.inf
    if i == 0:
        return 0.0
    x0, x1, f0, f1 = _AXIS[i - 1], _AXIS[i], _ANSWERED[i - 1], _ANSWERED[i]
    return _from_axis(x0 + (x1 - x0) * (share - f0) / (f1 - f0))


def rival_share(hours: float, competitors: float) -> float:
    """Chance that another vendor has answered within ``hours`` of the inquiry."""
    if competitors <= 0:
        return 0.0
    x = _axis(max(hours, 0.0))
    i = bisect_left(_AXIS, x)
    if i >= len(_AXIS):
        one = _ANSWERED[-1]
    elif i == 0:
        one = 0.0
    else:
        x0, x1, f0, f1 = _AXIS[i - 1], _AXIS[i], _ANSWERED[i - 1], _ANSWERED[i]
        one = f0 + (f1 - f0) * (x - x0) / (x1 - x0)
    none_answered: float = (1.0 - one) ** competitors  # a float: the base is in [0, 1]
    return 1.0 - none_answered


def cooled(intent: float, hours: float, params: Params) -> float:
    """Interest left after ``hours`` without a word from us: it halves every ``wait_decay_hours``."""
    kept: float = 0.5 ** (max(hours, 0.0) / params.wait_decay_hours)  # a float: the base is positive
    return intent * kept


def need(intent: float, hours: float, params: Params, rival_at: float = math.inf) -> float:
    """What is left of a prospect's need for us ``hours`` after the inquiry: what a deal is made of.

    The need cools slowly (:func:`cooled`) and drops to ``second_place_interest`` of
    itself once another vendor has answered first (``rival_at`` hours after the
    inquiry), because most inquirers buy from the first vendor to answer.
    """
    left = cooled(intent, hours, params)
    return left * params.second_place_interest if hours > rival_at else left


def attention(hours: float, params: Params) -> float:
    """Share of an inquirer's attention left ``hours`` after the inquiry.

    It moves on within the hour, down to the share ``need_floor`` that a real need keeps.
    """
    floor = params.need_floor
    return floor + (1.0 - floor) * decay(hours, params.decay_scale_hours, params.decay_exponent)


def interest(intent: float, hours: float, params: Params, rival_at: float = math.inf) -> float:
    """A prospect's willingness to talk to us now, ``hours`` after the inquiry.

    The need (:func:`need`) times the inquirer's :func:`attention`. Attention decides
    whether they talk now; the need decides the deal.
    """
    return need(intent, hours, params, rival_at) * attention(hours, params)


def agree_probability(interest_now: float, params: Params) -> float:
    """Chance that a reached prospect agrees to talk about buying."""
    return min(1.0, interest_now / params.agree_interest)


def qualify_probability(hours: float, params: Params, selling_skill: float = 0.5, intent: float = 0.6) -> float:
    """Chance that one attempt ``hours`` after the inquiry reaches the prospect and they agree to talk.

    The response curve as the published studies see it (reach x agreement), for a
    typical rep (skill 0.5) and inquirer (intent 0.6, the mean of the market),
    averaged over whether another vendor got there first.
    """
    first = rival_share(hours, params.competitors)
    agree = (1 - first) * agree_probability(interest(intent, hours, params), params) + first * agree_probability(
        interest(intent, hours, params, rival_at=0.0), params
    )
    return reach_probability(hours, params, selling_skill) * agree


def waiting_interest(intent: float, hours: float, params: Params) -> float:
    """Interest of a qualified prospect after waiting ``hours`` for the field."""
    return cooled(intent, hours, params)


class Batched:
    """Draws of one kind from a generator, fetched in batches of 1024 (one numpy call, not 1024).

    Subclasses name the generator's method in ``KIND``.
    """

    KIND = ""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._buffer: list[float] = []

    def next(self) -> float:
        """The next draw."""
        if not self._buffer:
            self._buffer = getattr(self.rng, self.KIND)(size=1024).tolist()
            self._buffer.reverse()
        return self._buffer.pop()


class Exponentials(Batched):
    """Unit-mean exponential draws."""

    KIND = "exponential"


class Uniforms(Batched):
    """Uniform draws on [0, 1)."""

    KIND = "random"


def logistic(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


class ProspectFactory:
    """Draws prospects' attributes in batches from a stream of its own.

    Args:
        rng: the generator of this source of prospects.
        params: behaviour parameters (deal size, fit and intent distributions).
        fit: Beta shape (a, b) of true fit.
        intent: Beta shape (a, b) of buying intent.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        params: Params,
        fit: tuple[float, float],
        intent: tuple[float, float],
    ) -> None:
        self.rng = rng
        self.params = params
        self.fit = fit
        self.intent = intent
        self._buffer: list[tuple[float, float, float, memoryview]] = []

    BATCH = 256  # prospects drawn per numpy call by :meth:`one`

    def __getstate__(self) -> dict[str, object]:
        """For pickling and copying: buffered draws (views of a block) travel as lists."""
        state = self.__dict__.copy()
        state["_buffer"] = [(value, fit, intent, list(draws)) for value, fit, intent, draws in self._buffer]
        return state

    def one(self) -> tuple[float, float, float, memoryview]:
        """Value, fit, intent and uniform draws of the next prospect (drawn in batches)."""
        if not self._buffer:
            values, fits, intents, draws = self.draw(self.BATCH)
            self._buffer = list(zip(values, fits, intents, draws, strict=True))
            self._buffer.reverse()
        return self._buffer.pop()

    def draw(self, n: int) -> tuple[list[float], list[float], list[float], list[memoryview]]:
        """Values, fits, intents and per-lead uniform draws of ``n`` prospects.

        Each prospect's draws are a view of its row in one block of ``n`` rows:
        indexing a view gives a Python float, and no float object is kept per
        draw (a lead that closes never reads most of them).
        """
        rng, p = self.rng, self.params
        values = p.deal_value_median * np.exp(p.deal_value_sigma * rng.standard_normal(n))
        fits = rng.beta(*self.fit, size=n)
        intents = rng.beta(*self.intent, size=n)
        block = memoryview(rng.random(n * N_DRAWS))  # the same numbers as rng.random((n, N_DRAWS)), row by row
        draws = [block[i : i + N_DRAWS] for i in range(0, n * N_DRAWS, N_DRAWS)]
        return values.tolist(), fits.tolist(), intents.tolist(), draws


def _hour_cdf(weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(cumulative share, hour) points of a day's arrival profile, for ``np.interp``."""
    total = sum(weights) or 1.0
    return np.concatenate([[0.0], np.cumsum(weights) / total]), np.arange(25, dtype=float)


@dataclass(frozen=True)
class Channel:
    """A source of inbound inquiries: its share of them, what each costs marketing, who it brings.

    Attributes:
        name: as the scenario names it (the lead log's ``channel``).
        share: of the market's inquiries.
        cost: what marketing pays for one of its inquiries, in dollars.
        fit, intent: Beta shapes (a, b) of its inquirers' fit and intent (the market's unless it sets a mean).
    """

    name: str
    share: float
    cost: float
    fit: tuple[float, float]
    intent: tuple[float, float]


def _shape(mean: float | None, market: tuple[float, float]) -> tuple[float, float]:
    """A Beta shape with ``mean`` and the market's concentration (the market's shape when no mean is set)."""
    if mean is None:
        return market
    total = market[0] + market[1]
    return mean * total, (1.0 - mean) * total


def inbound_channels(market: MarketSection, p: Params) -> list[Channel]:
    """The scenario's inbound channels (one, ``inbound``, at ``cost_per_inquiry`` when it names none)."""
    fit, intent = (p.fit_a, p.fit_b), (p.intent_a, p.intent_b)
    if not market.channels:
        return [Channel("inbound", 1.0, p.cost_per_inquiry, fit, intent)]
    return [
        Channel(
            c.name,
            c.share,
            p.cost_per_inquiry if c.cost_per_inquiry is None else c.cost_per_inquiry,
            _shape(c.fit_mean, fit),
            _shape(c.intent_mean, intent),
        )
        for c in market.channels
    ]


def requantile(x: np.ndarray, frm: tuple[float, float], to: tuple[float, float]) -> np.ndarray:
    """Move Beta(``frm``) draws to Beta(``to``) at the same quantile: the same prospect, from another channel."""
    if frm == to:
        return x
    moved: np.ndarray = betaincinv(to[0], to[1], betainc(frm[0], frm[1], x))  # scipy is untyped
    return moved


class Market:
    """Inbound inquiries: a Poisson number a day, at uniform times in the day.

    Territories are drawn in proportion to each field team's headcount (equal
    shares when nobody is in the field). Arrivals are drawn at the full rate
    and thinned by reputation with each prospect's own draw, so the market
    stays common across scenarios.

    Each inquiry comes through one of the scenario's channels (drawn by their
    shares); a channel that brings fitter or keener inquirers moves each
    prospect's draws to its own distribution at the same quantile, so channel
    mixes share their prospects' luck.

    Args:
        params: behaviour parameters.
        streams: the run's named random streams.
        team_weights: relative size of each team's territory.
        channels: where inquiries come from (default: one channel at ``cost_per_inquiry``).
    """

    # the random streams the market owns: when, where and through which channel inquiries come, who they are
    STREAMS = (
        "market.arrival_count", "market.arrival_times", "market.territory", "market.reputation", "market.channel",
        "prospects.inbound", "prospects.score",
    )  # fmt: skip

    def __init__(
        self, params: Params, streams: Streams, team_weights: Sequence[float], channels: list[Channel] | None = None
    ) -> None:
        self.params = params
        market = ((params.fit_a, params.fit_b), (params.intent_a, params.intent_b))
        self.channels = channels or [Channel("inbound", 1.0, params.cost_per_inquiry, *market)]
        self.channel_cdf = np.cumsum([c.share for c in self.channels])
        self.channel_cdf[-1] = 1.0
        self.channel_stream = streams["market.channel"]
        # inquiries pass through channels only where they differ (else the default market, draw for draw)
        self.mixed = len(self.channels) > 1 or any((c.fit, c.intent) != market for c in self.channels)
        self.count = streams["market.arrival_count"]
        self.times = streams["market.arrival_times"]
        self.territories = streams["market.territory"]
        self.reputation = streams["market.reputation"]
        self.scoring = streams["prospects.score"]
        self.scoring_policy = lead_scoring(params)
        self.score_noise = self.scoring_policy.noise
        total = float(sum(team_weights))
        n = len(team_weights)
        self.team_cdf = np.cumsum([w / total if total else 1.0 / n for w in team_weights])
        self.team_cdf[-1] = 1.0
        self._arrival_profile(params)
        self.prospects = ProspectFactory(
            streams["prospects.inbound"],
            params,
            (params.fit_a, params.fit_b),
            (params.intent_a, params.intent_b),
        )

    def adopt(self, params: Params, channels: list[Channel]) -> None:
        """New levers from today (``timeline`` set:): volume, arrival hours, deal sizes, prices, score."""
        old, self.params = self.params, params
        factory = self.prospects
        market = ((params.fit_a, params.fit_b), (params.intent_a, params.intent_b))
        factory.params, (factory.fit, factory.intent) = params, market
        self.channels = channels  # the same channels (fixed for the run), each at its price now
        self.mixed = len(channels) > 1 or any((c.fit, c.intent) != market for c in channels)
        scoring = self.scoring_policy = lead_scoring(params)
        if scoring != lead_scoring(old):  # a new way of scoring starts untuned; else the tuning stays
            self.score_noise = scoring.noise
        self._arrival_profile(params)

    def expected(self, workday: bool) -> float:
        """The mean number of inquiries a day of this kind brings (what marketing's spend buys)."""
        return 5 * self.params.inbound_per_day * (self.workday_share if workday else self.weekend_day_share)

    def spend(self, workday: bool) -> list[float]:
        """What each channel's budget costs on a day of this kind: its share of the day's inquiries at its price.

        Marketing buys inquiries by spending on channels (a campaign, a search budget), not by
        paying for each inquiry that arrives: the bill does not fall when fewer come.
        """
        mean = self.expected(workday)
        return [mean * c.share * c.cost for c in self.channels]

    def inbound(
        self, day: int, workday: bool, next_id: int, sat_start: float, volume_factor: float = 1.0
    ) -> list[Lead]:
        """The inbound leads of calendar day ``day`` (a working day or not), in order of arrival (around the clock)."""
        mean = self.expected(workday)
        n = int(self.count.poisson(mean)) if mean > 0 else 0
        if n == 0:
            return []
        hours = np.interp(np.sort(self.times.random(n)), *(self.workday_cdf if workday else self.weekend_cdf))
        times = (hours + day * HOURS_PER_CALENDAR_DAY).tolist()
        last_team = len(self.team_cdf) - 1
        teams = np.minimum(np.searchsorted(self.team_cdf, self.territories.random(n), side="right"), last_team).tolist()
        keep = (self.reputation.random(n) < volume_factor).tolist()
        values, fits, intents, draws = self.prospects.draw(n)
        channels = [0] * n
        if self.mixed:
            channels, fits, intents = self._through_channels(fits, intents)
        scores = self.score(fits, intents)
        leads: list[Lead] = []
        for i in range(n):
            if keep[i]:
                lead_id = next_id + len(leads)
                lead = Lead(lead_id, "inbound", teams[i], times[i], values[i], fits[i], intents[i], draws[i], sat_start)
                lead.channel = channels[i]
                if scores is not None:
                    lead.score = scores[i]
                leads.append(lead)
        return leads

    def _through_channels(self, fits: list[float], intents: list[float]) -> tuple[list[int], list[float], list[float]]:
        """Each inquiry's channel, and its prospect's fit and intent as that channel's inquirers have them."""
        n = len(fits)
        last = len(self.channels) - 1
        which = np.minimum(np.searchsorted(self.channel_cdf, self.channel_stream.random(n), side="right"), last)
        fit, intent = np.asarray(fits), np.asarray(intents)
        market_fit, market_intent = self.prospects.fit, self.prospects.intent
        for k, channel in enumerate(self.channels):
            mine = which == k
            if mine.any():
                fit[mine] = requantile(fit[mine], market_fit, channel.fit)
                intent[mine] = requantile(intent[mine], market_intent, channel.intent)
        return which.tolist(), fit.tolist(), intent.tolist()

    def _arrival_profile(self, p: Params) -> None:
        """When in the week inquiries arrive: hour weights from docs/SOURCES.md Q4.

        Weekdays 08-18 hold ``1 - after_hours_share`` of the week; weekends
        (and holidays) ``weekend_share``; the rest of the weekday hours split as
        Q4 proposes: evenings 18-22 15 parts, 07-08 3 parts, nights 22-07 5 parts.
        Within an hour, arrivals are uniform: each day's times invert a
        piecewise-linear distribution function.
        """
        off = max(0.0, p.after_hours_share - p.weekend_share)
        day, evening, early, night = (
            (1 - p.after_hours_share) / 50,
            off * 15 / 23 / 20,
            off * 3 / 23 / 5,
            off * 5 / 23 / 45,
        )
        weekday = [night] * 7 + [early] + [day] * 10 + [evening] * 4 + [night] * 2
        weekend = [p.weekend_share / 48] * 24
        self.workday_share = sum(weekday)  # of the week's volume, on one working day
        self.weekend_day_share = p.weekend_share / 2
        self.workday_cdf = _hour_cdf(weekday)
        self.weekend_cdf = _hour_cdf(weekend)

    def score(self, fits: list[float], intents: list[float]) -> list[float] | None:
        """Lead scores from what is observable before the first call (None where leads are not scored).

        The score mixes fit and intent, blurred by the scoring's noise: a
        predictive model fitted to the CRM's history ranks better than hand-made
        rules, and both get better as the field's verdicts re-tune them
        (:meth:`tune_scoring`).
        """
        if not self.scoring_policy.scores:
            return None
        z = self.scoring.standard_normal(len(fits))
        scores: list[float] = (0.5 * np.asarray(fits) + 0.5 * np.asarray(intents) + self.score_noise * z).tolist()
        return scores

    def tune_scoring(self, verdicts: int) -> None:
        """Re-tune the lead score on ``verdicts`` more of the field's verdicts on scored leads.

        Each verdict moves the score's noise ``score_learning_rate`` of the way to
        ``score_noise_tuned``, the best a score from the form and the pages read can
        do: marketing re-weights its rules (or re-fits its model) on what the field
        said of the leads, which it only hears where a feedback loop passes it on.
        """
        p = self.params
        floor = min(p.score_noise_tuned, self.score_noise)
        self.score_noise = floor + (self.score_noise - floor) * (1.0 - p.score_learning_rate) ** verdicts


class Accounts:
    """The accounts reps can prospect: a finite market that outreach wears out.

    ``fresh`` accounts have not been approached lately. A prospecting hour
    approaches ``touches_per_prospecting_hour`` accounts at random; a fresh one
    can turn into a conversation (the prospecting rates are rates on a fresh
    list) and then rests, a rested one yields nothing. Rested accounts become
    fresh again after ``account_rest_days`` on average (their next budget year).
    So the yield of an hour is the base rate times the fresh share, and a team
    that only prospects works through its list: outreach has diminishing returns,
    inquiries do not draw on it. One list for the whole market, shared by inside
    outbound and field self-prospecting.

    Args:
        params: behaviour parameters (``addressable_accounts`` is the market's size).
    """

    __slots__ = ("fresh", "rest", "total", "touches", "worked")

    def __init__(self, params: Params) -> None:
        self.total = params.addressable_accounts
        self.fresh = self.total
        self.touches = params.touches_per_prospecting_hour
        self.rest = params.account_rest_days
        self.worked = 0.0  # prospecting hours since the last settle()

    def refresh(self, params: Params) -> None:
        """New levers from today (``timeline`` set:): the market's size and pace; the fresh share stays."""
        share = self.share
        self.total = params.addressable_accounts
        self.fresh = share * self.total
        self.touches = params.touches_per_prospecting_hour
        self.rest = params.account_rest_days

    @property
    def share(self) -> float:
        """Share of the market fresh for outreach now."""
        return self.fresh / self.total

    def work(self, hours: float) -> float:
        """Spend ``hours`` prospecting; return the fresh share they met (the yield factor)."""
        share = self.share
        # hours x touches approaches at random: the expected fresh ones they meet, worn out
        self.fresh *= math.exp(-hours * self.touches / self.total)
        self.worked += hours
        return share

    def settle(self, days: float) -> None:
        """Set the fresh share to where the last ``days`` days' outreach would hold it in the long run.

        The list wears out at the outreach's pace and recovers over ``account_rest_days``
        (a year): left alone, a warm-up would need years to reach the balance where as
        many accounts come to rest each day as come back, ``fresh / total = 1 / (rest (1 - e) + e)``
        with ``e = exp(-H touches / total)`` for ``H`` prospecting hours a day. The warm-up
        sets it there (Law 2015, ch. 9, on a slow initial transient: start the state near
        its steady value).
        """
        kept = math.exp(-self.worked / days * self.touches / self.total)  # share of fresh accounts a day leaves fresh
        self.fresh = self.total / (self.rest * (1.0 - kept) + kept)
        self.worked = 0.0

    def rest_day(self) -> None:
        """One day passes: rested accounts come back at rate 1 / ``account_rest_days``."""
        self.fresh += (self.total - self.fresh) / self.rest
