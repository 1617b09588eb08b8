"""The inside queue and the per-lead draws: the speed-ups must not change who is served when."""

import gc
import heapq

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiment import resolve, settle_process
from sim.leads import N_DRAWS, Lead
from sim.levers import Params
from sim.market import ProspectFactory
from sim.model import SalesOrgModel
from sim.pools import SLOT_HOURS, InsidePool

HOURS = st.floats(min_value=0.0, max_value=60.0, allow_nan=False)


def _pool() -> InsidePool:
    model = SalesOrgModel(resolve("aligned", 10, ()), seed=1)
    return InsidePool(model, [0], [1])


def _lead(i: int) -> Lead:
    return Lead(i, "inbound", 0, 0.0, 1.0, 0.5, 0.5, [0.5] * N_DRAWS, 50.0)


@settings(max_examples=60, deadline=None)
@given(dues=st.lists(HOURS, max_size=80), looks=st.lists(HOURS, min_size=1, max_size=30))
def test_queue_serves_every_due_item_oldest_first(dues, looks):
    """Whatever the hourly buckets hold, a rep looking at t gets the oldest item due by t."""
    pool = _pool()
    leads = [_lead(i) for i in range(len(dues))]
    for lead, due in zip(leads, dues, strict=True):
        pool.retry(lead, due)
    served = []
    for t in sorted(looks):
        if t >= pool._horizon:
            pool._advance(t)
        while pool._queue and pool._queue[0][0] <= t:
            served.append(heapq.heappop(pool._queue)[2].lead_id)
    last = max(looks)
    # (due, id) is the order of (due, booking): leads were booked in id order
    expected = [i for due, i in sorted((due, i) for i, due in enumerate(dues)) if due <= last]
    assert served == expected
    assert len(pool) == len(dues) - len(served)  # nothing lost, nothing served twice


def test_queue_horizon_moves_by_whole_slots():
    pool = _pool()
    pool._advance(2.5)
    assert pool._horizon == 3 * SLOT_HOURS
    pool.retry(_lead(0), 2.9)  # before the horizon: straight into the heap
    pool.retry(_lead(1), 3.0)  # at the horizon: waits in its bucket
    assert len(pool._queue) == 1 and len(pool) == 2


def test_prospect_draws_are_the_generators_rows():
    """Per-lead draws are views of one block: the same numbers as rng.random((n, N_DRAWS))."""
    factory = ProspectFactory(np.random.default_rng(5), Params(), (2.0, 2.0), (2.0, 2.0))
    _, _, _, draws = factory.draw(7)
    reference = np.random.default_rng(5)
    reference.standard_normal(7), reference.beta(2.0, 2.0, size=7), reference.beta(2.0, 2.0, size=7)
    rows = reference.random((7, N_DRAWS))
    assert [list(d) for d in draws] == rows.tolist()
    assert all(isinstance(d[3], float) for d in draws)


def test_settle_process_freezes_once():
    settle_process()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    keep = [[i] for i in range(1000)]
    settle_process()  # a second call must not freeze objects created since (they could leak)
    assert gc.get_freeze_count() == frozen
    assert len(keep) == 1000
