"""What every rep does, inside or field: try to reach a prospect, talk, and judge the fit.

:class:`Rep` is the Mesa agent both kinds of rep share (as Mesa's wolf-sheep
example shares an ``Animal``): booking an attempt, the prospect's verdict on
how fast somebody got back to them, the conversation in which a reached
prospect agrees to talk or not, and the judgement of fit against the rep's
bar. :class:`sim.model.inside.InsideRep` and :class:`sim.model.field.FieldRep`
add their own work. Each rep keeps its own tallies; the model sums them.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import mesa

from sim.model.leads import INQUIRIES, N_ATTEMPT_DRAWS, U_AGREE, U_NOISE, Lead, State
from sim.model.market import agree_probability, attention, need

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.model.services import Funnel

_STD_NORMAL = NormalDist()


def normal(u: float) -> float:
    """Standard normal quantile of a uniform draw (kept off the edges)."""
    return _STD_NORMAL.inv_cdf(min(max(u, 1e-12), 1 - 1e-12))


def logit(p: float) -> float:
    """The log-odds of a probability (kept off 0 and 1)."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def response_feeling(delay_hours: float, params: Params) -> float:
    """The prospect's verdict on how fast somebody got back to them, in satisfaction points.

    ``sat_fast_response`` for an immediate answer, falling by equal steps per doubling
    of the wait (in units of ``fast_response_hours``, the hour they hoped for) to
    ``sat_slow_response`` at ``slow_response_hours``, and no lower: a wait is felt in
    proportion, not by the minute, and past a day it is simply slow.
    """
    fast = params.fast_response_hours  # both hours are bounded above zero (Params)
    felt = min(1.0, math.log2(1.0 + max(delay_hours, 0.0) / fast) / math.log2(1.0 + params.slow_response_hours / fast))
    return params.sat_fast_response + (params.sat_slow_response - params.sat_fast_response) * felt


def feel_response(lead: Lead, delay_hours: float, params: Params) -> None:
    """The prospect feels the wait for the first answer (:func:`response_feeling`)."""
    lead.feel(response_feeling(delay_hours, params))


def reset_tallies(owner: Any) -> None:
    """Zero the running totals named in ``owner.TALLIES`` (numbers to 0, lists emptied): the books open."""
    for name in owner.TALLIES:
        setattr(owner, name, type(getattr(owner, name))())


class Rep(mesa.Agent):
    """A sales rep of either team.

    Subclasses say whose the lead becomes at the first attempt (:meth:`own`),
    which random stream serves attempts beyond the prospect's own draws
    (``ATTEMPT_STREAM``), how the rep reads fit (:meth:`read_fit`) and its bar.

    Attributes:
        attempts: tries to reach a prospect so far.
    """

    model: Funnel  # the services of the organization a rep uses (sim/model/services.py)
    ATTEMPT_STREAM = ""  # named stream for attempts past the prospect's own N_ATTEMPT_DRAWS
    TALLIES: tuple[str, ...] = ("attempts",)  # running totals, zeroed when the books open (reset_tallies)

    def __init__(self, model: Funnel) -> None:
        super().__init__(model)
        self.attempts = 0

    @property
    def bar(self) -> float:
        """The fit this rep wants before going on with a lead."""
        raise NotImplementedError

    def own(self, lead: Lead) -> None:
        """Record that the lead is this rep's (at the first attempt)."""
        raise NotImplementedError

    def read_fit(self, lead: Lead) -> float:
        """The rep's noisy reading of a prospect's fit."""
        raise NotImplementedError

    def book_attempt(self, lead: Lead, t: float) -> tuple[float, float]:
        """Book one try to reach a prospect at ``t``; the first try stamps the lead and its owner.

        The first try is where the prospect feels the wait; each try past
        ``chase_free_attempts`` is felt as being chased (``sat_chased``).

        Returns:
            Hours since the inquiry, and the prospect's own draw for this try.
        """
        k = lead.attempts
        lead.attempts = k + 1
        self.attempts += 1
        if lead.first_attempt_at is None:
            lead.first_attempt_at = t
            self.own(lead)
            lead.state = State.ATTEMPTING
            feel_response(lead, t - lead.created_at, self.model.params)
        elif k >= self.model.params.chase_free_attempts:
            lead.feel(self.model.params.sat_chased)  # chased: one more missed call, one more voicemail
        u = lead.draws[k] if k < N_ATTEMPT_DRAWS else self.model.streams[self.ATTEMPT_STREAM].random()
        return t - lead.created_at, u

    def hear_out(self, lead: Lead, since: float, fresh: float) -> tuple[float, float]:
        """A reached inquirer, ``since`` calendar hours after the inquiry: willingness to talk now, and need.

        The need is what is left once it cooled and, maybe, a rival answered first (on the
        calendar); the willingness is the need times the attention still on it after ``fresh``
        hours of the prospect's own day (:meth:`MarketPlace.attentive_hours`).
        """
        p = self.model.params
        need_now = need(lead.intent, since, p, self.model.rival_at(lead))
        return need_now * attention(fresh, p), need_now

    def agrees_to_talk(self, lead: Lead, interest_now: float, t: float, need_now: float) -> bool:
        """A reached prospect talks about buying, or says no (the lead closes).

        ``interest_now`` is their willingness to talk now; ``need_now`` what is left
        of their need. A prospect whose need has fallen below ``lapse_intent`` has
        moved on and says no whatever their own draw: nobody hands on a lead that is
        already gone.
        """
        p = self.model.params
        if need_now < p.lapse_intent or lead.draws[U_AGREE] >= agree_probability(interest_now, p):
            # an inquirer who no longer cares has lapsed (nurture may bring them back); a cold prospect says no
            if lead.source in INQUIRIES:
                self.model.release(lead, State.LAPSED, t)
            else:
                lead.close(State.DISQUALIFIED)
            return False
        return True

    def fits(self, lead: Lead) -> bool:
        """Judge the prospect's fit against the rep's bar; a misfit is let go (the lead closes)."""
        if self.read_fit(lead) < self.bar:
            lead.feel(self.model.params.sat_disqualified)
            lead.close(State.DISQUALIFIED)
            return False
        return True

    @staticmethod
    def fit_reading(lead: Lead, noise: float) -> float:
        """True fit plus ``noise`` times the prospect's own normal draw."""
        return lead.fit + noise * normal(lead.draws[U_NOISE])
