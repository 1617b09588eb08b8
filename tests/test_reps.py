"""One rep at a time, driven through a stub organization (tests/stubs.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.params import Params
from sim.model.field import FieldRep
from sim.model.inside import InsideRep
from sim.model.leads import State
from tests.stubs import StubModel, StubQueue, inbound_lead


def _inside_rep(**params) -> tuple[InsideRep, StubModel, StubQueue]:
    model = StubModel(Params(**params))
    queue = StubQueue()
    return InsideRep(model, queue), model, queue


def test_the_sixth_failed_attempt_ends_unreached():
    rep, _, queue = _inside_rep(contact_max=0.0, max_attempts=6.0, retry_horizon_hours=1000.0)  # nobody picks up
    lead = inbound_lead()
    t = 0.0
    for k in range(6):
        assert lead.state in (State.NEW, State.ATTEMPTING), k
        rep.attempt(lead, t)
        t += 1.0
    assert lead.state is State.UNREACHED and lead.attempts == 6
    assert len(queue.retries) == 5  # tried again after each of the first five, never after the sixth
    gaps = [due - k for k, (_, due) in enumerate(queue.retries)]
    assert gaps == sorted(gaps) and gaps[0] == pytest.approx(Params().retry_gap_hours)  # each gap longer
    assert rep.attempts == 6 and lead.inside_rep == rep.unique_id


def test_a_reached_fitting_prospect_is_qualified_and_handed_off():
    rep, model, _ = _inside_rep(contact_max=1.0, contact_floor=1.0, agree_interest=0.01)
    rep.own_bar = 0.0  # anything fits
    lead = inbound_lead(fit=0.9, u=0.5)
    free_at = rep.attempt(lead, 0.2)
    assert lead.contacted_at == 0.2 and lead.qualified_at is not None
    assert model.handed_off == [lead] and rep.handed_off == 1
    assert free_at > 0.2  # the conversation took the rep's time


def test_a_misfit_is_disqualified_and_feels_it():
    rep, model, _ = _inside_rep(contact_max=1.0, contact_floor=1.0, agree_interest=0.01)
    rep.own_bar = 1.0  # nothing fits
    lead = inbound_lead(fit=0.3)
    rep.attempt(lead, 0.2)
    assert lead.state is State.DISQUALIFIED and not model.handed_off
    assert lead.satisfaction < 50.0 + Params().sat_fast_response  # the fast answer pleased, the rejection did not


def test_a_field_rep_ignores_doubted_leads_more_when_cherry_picking_small_deals():
    def ignored(routing: str) -> int:
        model = StubModel(Params(routing=routing, ignore_propensity=0.3, field_threshold=0.9, field_threshold_sd=0))
        rep = FieldRep(model, 0)
        count = 0
        for i in range(400):
            lead = inbound_lead(i, fit=0.2)  # a misfit: always doubted
            lead.value = 1_000.0  # a small deal
            lead.handed_off_at = 0.0
            lead.field_rep = rep.unique_id  # the handoff names the rep
            rep.pending += 1
            rep.review(lead, 1.0)
            count += lead.state is State.IGNORED
        return count

    assert ignored("cherry_pick") > 1.5 * ignored("round_robin")


def test_the_cadence_ends_when_more_dials_stop_paying():
    """InsideSales 2007: after about 20 hours every further dial hurts; no retry is booked past it."""
    rep, _, queue = _inside_rep(contact_max=0.0, max_attempts=6.0, retry_horizon_hours=20.0)
    lead = inbound_lead()
    rep.attempt(lead, 0.0)
    assert len(queue.retries) == 1  # 2.5 h later: still inside the cadence
    rep.attempt(lead, 19.0)  # the next gap would end past 20 h
    assert lead.state is State.UNREACHED and len(queue.retries) == 1


@settings(max_examples=40, deadline=None)
@given(st.floats(0.5, 200), st.floats(0.5, 200), st.floats(0, 1), st.integers(0, 40))
def test_a_longer_sla_never_shortens_a_review_and_a_hurried_one_lands_before_the_deadline(a, b, pressure, opps):
    """Same rep, same prospects, same luck: only the SLA differs. The rep's own pace decides; an SLA
    hurries a rep who would be late into the last part of the window, never delays anybody."""
    shorter, longer = sorted((a, b))
    delays = {}
    for sla in (shorter, longer):
        rep = FieldRep(StubModel(Params(sla_hours=sla, sla_pressure=pressure), seed=4), 0)
        rep.open_opps = opps  # the load: a fuller rep misses more deadlines
        delays[sla] = [rep.review_delay(inbound_lead(i, u=(i + 0.5) / 200)) for i in range(200)]
    assert all(s <= g + 1e-9 for s, g in zip(delays[shorter], delays[longer], strict=True))
    if pressure >= Params().load_delay_base and opps == 0:  # an idle rep under firm enforcement keeps every deadline
        assert all(d <= sla + 1e-9 for sla, ds in delays.items() for d in ds)
    if pressure == 0:  # nothing hurries anybody: the SLA changes nothing
        assert delays[shorter] == delays[longer]
