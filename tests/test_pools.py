"""The inside queue and the per-lead draws: the speed-ups must not change who is served when."""

import copy
import heapq
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.params import Params
from sim.experiments.runs import resolve
from sim.model.leads import N_DRAWS, Lead
from sim.model.market import ProspectFactory
from sim.model.model import SalesOrgModel
from sim.model.pools import SLOT_HOURS, InsidePool

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


@settings(max_examples=60, deadline=None)
@given(slots=st.integers(0, 500), before=st.integers(0, 3))
def test_an_item_due_on_a_slot_boundary_is_served_by_a_look_at_that_moment(slots, before):
    """Slot boundaries are exact floats (SLOT_HOURS is a power of two): nothing due at t waits past a look at t."""
    pool = _pool()
    due = slots * SLOT_HOURS
    pool._advance(max(0.0, due - before * SLOT_HOURS))  # the horizon may already be past, or still before it
    pool.retry(_lead(0), due)
    if due >= pool._horizon:
        pool._advance(due)
    assert pool._queue and pool._queue[0][0] <= due


def test_a_model_copied_mid_run_goes_on_identically():
    """Leads' draw views travel as lists when a model is copied or pickled; the numbers stay."""
    model = SalesOrgModel(resolve("aligned", 60, ()), seed=3)
    for _ in range(30):
        model.step()
    twin = copy.deepcopy(model)
    for _ in range(30):
        model.step()
        twin.step()
    frame = model.book.to_frame(model.team_names)
    pd.testing.assert_frame_equal(frame, twin.book.to_frame(twin.team_names), check_exact=True)
    book = pickle.loads(pickle.dumps(model.book))
    pd.testing.assert_frame_equal(frame, book.to_frame(model.team_names), check_exact=True)


SETTLE = """
import gc
from sim.experiments.runner import settle_process
cycle = [];  cycle.append(cycle); del cycle  # garbage: must be collected, not frozen
settle_process()
frozen = gc.get_freeze_count()
keep = [[i] for i in range(1000)]
settle_process()  # a second call must not freeze objects created since (they could leak)
print(frozen, gc.get_freeze_count(), gc.collect())
"""


def test_settle_process_collects_then_freezes_once():
    # in a process of its own: freezing the test session's objects would keep them forever
    out = subprocess.run([sys.executable, "-c", SETTLE], capture_output=True, text=True, check=True)
    first, second, found = map(int, out.stdout.split())
    assert first > 0 and second == first and found == 0
