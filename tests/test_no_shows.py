"""First meetings that fail (issue 31, item 6): prospects who do not show, and most of them book again."""

import numpy as np
import pytest

import sim
from sim.config.params import Params
from sim.experiments.runs import replication_seeds
from sim.model.field import FieldRep
from sim.model.leads import Lead, State
from tests.stubs import StubModel, inbound_lead

WEEK = 7 * 24.0


def _lead(source: str = "inbound", u: float = 0.5) -> Lead:
    lead = inbound_lead(u=u)
    lead.source = source
    lead.qualified_at = 0.0
    return lead


def test_the_chance_of_a_no_show_follows_where_the_meeting_came_from_and_how_long_it_waited():
    p = Params()
    rep = FieldRep(StubModel(p), 0)
    assert rep.no_show_chance(_lead("inbound"), 0.0) == pytest.approx(p.no_show_inbound)
    assert rep.no_show_chance(_lead("outbound"), 0.0) == pytest.approx(p.no_show_cold)
    assert rep.no_show_chance(_lead("field"), 0.0) == pytest.approx(p.no_show_cold)
    assert rep.no_show_chance(_lead("referral"), 0.0) == pytest.approx(p.no_show_referral)
    lead = _lead()
    assert rep.no_show_chance(lead, 2 * WEEK) > rep.no_show_chance(lead, WEEK) > rep.no_show_chance(lead, 0.0)
    odds = p.no_show_inbound / (1 - p.no_show_inbound) * p.no_show_weekly_odds
    assert rep.no_show_chance(lead, WEEK) == pytest.approx(odds / (1 + odds))
    lead.handed_off_at = 0.0
    warm = FieldRep(StubModel(Params(handoff_mode="warm")), 0)
    assert warm.no_show_chance(lead, WEEK) < rep.no_show_chance(lead, WEEK)  # introduced live: more come


def test_a_prospect_who_does_not_show_wastes_the_preparation_and_most_book_again_once():
    p = Params()
    rep = FieldRep(StubModel(p), 0)
    lead = _lead(u=0.01)  # the prospect's own draw: below any chance of a no-show
    rep.accept(lead, 0.0)
    rep.meet(lead, 10.0)
    assert lead.no_shows == 1 and rep.no_shows == 1 and rep.meetings == 1
    assert rep.hours_wasted == pytest.approx(p.meeting_prep_hours)
    rebooked = p.reschedule_share > (0.01 * 104729.0) % 1.0
    assert rep.booked == (1 if rebooked else 0)
    assert (lead.state is State.ACCEPTED) == rebooked and lead.followed_up_at == 10.0


def test_a_second_no_show_is_the_last():
    rep = FieldRep(StubModel(Params(no_show_inbound=0.99, reschedule_share=1.0)), 0)
    lead = _lead(u=0.5)
    rep.accept(lead, 0.0)
    rep.meet(lead, 10.0)
    assert lead.no_shows == 1 and rep.booked == 1  # booked again
    rep.meet(lead, 40.0)
    assert lead.no_shows == 2 and rep.booked == 0 and lead.state is State.LAPSED
    assert lead.followed_up_at == 10.0  # the follow-up was the first meeting


def test_no_shows_sit_in_the_published_range_and_a_warm_introduction_cuts_them():
    """Vendor data (SOURCES Q13b): 15-30% of inbound meetings and 25-35% of cold outbound meetings missed."""
    shorter = "simulation.warmup_days=56"
    seeds = [int(s) for s in replication_seeds(8, 2)]

    def missed(mode: str) -> np.ndarray:
        runs = [sim.run("aligned", seed=s, overrides=[shorter, f"handoff.mode={mode}"]) for s in seeds]
        return np.array([r.summary["meeting_no_show_share"] for r in runs])

    share = {mode: missed(mode) for mode in ("cold", "warm")}
    assert 0.18 <= share["cold"].mean() <= 0.32, share
    assert (share["warm"] < share["cold"]).all(), share
