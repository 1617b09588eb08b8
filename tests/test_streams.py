"""Random streams named per decision: the same name and seed give the same numbers, whatever else is drawn."""

import copy
import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.model.streams import Streams, name_key

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz._", min_size=1, max_size=24)


@given(seed=st.integers(0, 2**63 - 1), name=NAMES, others=st.lists(NAMES, max_size=5))
def test_a_decisions_numbers_do_not_depend_on_other_decisions(seed, name, others):
    alone = Streams(seed)[name].random(4)
    crowded = Streams(seed)
    for other in others:  # other decisions made first, and drawing
        crowded[other].random(3)
    assert np.array_equal(crowded[name].random(4), alone) or name in others


def test_names_and_seeds_give_different_streams():
    assert not np.array_equal(Streams(1)["a"].random(3), Streams(1)["b"].random(3))
    assert not np.array_equal(Streams(1)["a"].random(3), Streams(2)["a"].random(3))
    assert name_key("field.ignore") == name_key("field.ignore") != name_key("field.dispute")


def test_streams_pickle_and_copy_mid_run():
    streams = Streams(7)
    streams["x"].random(5)
    for twin in (pickle.loads(pickle.dumps(streams)), copy.deepcopy(streams)):
        assert twin.seed == 7
        assert np.array_equal(twin["x"].random(3), copy.deepcopy(streams)["x"].random(3))
        assert np.array_equal(twin["new"].random(2), Streams(7)["new"].random(2))


def test_a_lever_that_adds_draws_leaves_the_market_alone():
    """Warm handoffs and an acceptance stage draw more of the field's decisions; the market stays the same."""
    cols = ["created_at", "value", "fit", "team"]
    a = sim.run("misaligned", seed=5, days=30).leads
    b = sim.run("misaligned", seed=5, days=30, overrides=["handoff.acceptance_stage=true"]).leads
    ia, ib = (x[(x["source"] == "inbound") & ~x["in_flight"]][cols].reset_index(drop=True) for x in (a, b))
    assert len(ia) > 500 and ia.equals(ib)


def test_a_stream_no_component_declared_is_refused():
    """A misspelt stream name fails at once instead of silently drawing from a new, independent stream."""
    import pickle

    import pytest

    from sim.config.scenario import load_scenario
    from sim.model.model import SalesOrgModel
    from sim.model.streams import UndeclaredStream

    model = SalesOrgModel(load_scenario("aligned", ["simulation.warmup_days=0"]))
    assert model.streams["market.arrival_times"] is model.streams["market.arrival_times"]
    with pytest.raises(UndeclaredStream, match=r"market\.arival_times"):
        model.streams["market.arival_times"]
    with pytest.raises(UndeclaredStream):
        pickle.loads(pickle.dumps(model.streams))["nobody.owns_this"]


def test_every_stream_used_in_the_model_is_declared_once_and_every_declared_one_is_used():
    import ast
    from pathlib import Path

    from sim.model.model import declared_streams

    declared = declared_streams()
    assert len(declared) == len(set(declared))  # one owner each
    used = set()
    for path in Path("sim/model").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            is_stream = isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("streams")
            if is_stream and isinstance(node.slice, ast.Constant):
                used.add(node.slice.value)
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "ATTEMPT_STREAM" for t in node.targets):
                used.add(node.value.value)
    assert used - {""} == set(declared)  # "" is Rep.ATTEMPT_STREAM, which each kind of rep sets
