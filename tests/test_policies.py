"""The policies a scenario names: each does what its name says, and hybrid pay is a combination."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.config.params import Params
from sim.model import policies
from tests.stubs import inbound_lead


def _won_lead(revenue: float, value: float, inside_rep: int = 3):
    lead = inbound_lead()
    lead.revenue, lead.value, lead.inside_rep = revenue, value, inside_rep
    return lead


@given(revenue=st.floats(0, 1e7), share=st.floats(0, 1))
def test_hybrid_pays_its_share_of_each_part(revenue, share):
    p = Params(inside_pay="hybrid", hybrid_share=share)
    hybrid = policies.inside_pay_plan(p)
    per_opp = policies.inside_pay_plan(p.replace(inside_pay="per_opportunity"))
    rev = policies.inside_pay_plan(p.replace(inside_pay="revenue"))
    lead = _won_lead(revenue, revenue)
    assert hybrid.on_opportunity(lead) == pytest.approx(share * per_opp.on_opportunity(lead))
    assert hybrid.on_won(lead) == pytest.approx(share * rev.on_won(lead))
    assert hybrid.on_handoff(lead) == 0.0


def test_each_inside_plan_pays_at_its_own_moment():
    p, lead = Params(), _won_lead(10_000.0, 12_000.0)
    moments = {}
    for name in ("per_lead", "per_opportunity", "revenue"):
        plan = policies.inside_pay_plan(p.replace(inside_pay=name))
        moments[name] = [plan.on_handoff(lead) > 0, plan.on_opportunity(lead) > 0, plan.on_won(lead) > 0]
    assert moments == {
        "per_lead": [True, False, False],
        "per_opportunity": [False, True, False],
        "revenue": [False, False, True],
    }
    field_sourced = _won_lead(10_000.0, 12_000.0, inside_rep=-1)  # no inside rep: inside earns nothing
    for name in ("per_opportunity", "revenue", "hybrid"):
        plan = policies.inside_pay_plan(p.replace(inside_pay=name))
        assert plan.on_opportunity(field_sourced) == plan.on_won(field_sourced) == 0.0


def test_margin_pay_never_pays_for_a_deal_sold_below_cost():
    plan = policies.field_pay_plan(Params(field_pay="margin", cost_of_goods=0.5))
    assert plan.on_won(_won_lead(revenue=4_000.0, value=10_000.0)) == 0.0
    assert plan.on_won(_won_lead(revenue=9_000.0, value=10_000.0)) > 0.0


class _Rep:
    def __init__(self, uid: int, load: int) -> None:
        self.unique_id, self.open_opps, self.pending = uid, load, 0


def test_routers():
    reps = [_Rep(1, 5), _Rep(2, 1), _Rep(3, 1)]
    lead = inbound_lead()
    rr = policies.make_router(Params(routing="round_robin"), 1)
    assert [rr.pick(lead, reps).unique_id for _ in range(4)] == [1, 2, 3, 1]
    assert policies.make_router(Params(routing="least_loaded"), 1).pick(lead, reps).unique_id == 2
    territory = policies.make_router(Params(routing="territory"), 1)
    assert len({territory.pick(lead, reps).unique_id for _ in range(5)}) == 1  # an account keeps its owner
    cherry = policies.make_router(Params(routing="cherry_pick"), 1)
    small, large = inbound_lead(), inbound_lead()
    small.value, large.value = 1_000.0, 1e6
    assert cherry.ignore_factor(small) > 1.0 > cherry.ignore_factor(large)


def test_feedback_loops():
    assert not policies.feedback_loop(Params(feedback="none")).formal
    periodic = policies.feedback_loop(Params(feedback="periodic", feedback_interval_days=5))
    assert periodic.formal and periodic.interval_days == 5 and not periodic.daily
    assert policies.feedback_loop(Params(feedback="continuous")).daily
    assert policies.feedback_loop(Params(feedback="none", informal_feedback=0.4)).daily  # word of mouth


def test_a_warm_handoff_costs_inside_time_and_sharpens_the_fields_reading():
    warm, cold = policies.handoff(Params(handoff_mode="warm")), policies.handoff(Params(handoff_mode="cold"))
    assert warm.inside_hours > 0 == cold.inside_hours
    assert warm.review_noise < cold.review_noise


def test_no_model_module_decodes_a_choice_but_policies():
    """A choice (work order, coverage, nurture, scoring, pay plans, routing, ...) is read in policies.py only."""
    import ast
    import typing
    from pathlib import Path

    from sim.config.params import PARAM_INFO, Params

    hints = typing.get_type_hints(Params)
    choices = {n for n, info in PARAM_INFO.items() if info.kind == "choice" and typing.get_args(hints[n])}
    found = []
    for path in sorted(Path("sim/model").glob("*.py")):
        if path.name == "policies.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in choices and _is_params(node.value):
                found.append(f"{path}:{node.lineno} reads {ast.unparse(node)}")
    assert choices >= {"work_order", "coverage", "nurture", "scoring", "inside_pay", "field_pay", "routing"}
    assert found == []


def _is_params(node) -> bool:
    """``p``, ``params``, ``old``, ``new`` or ``<anything>.params``: the behaviour parameters."""
    import ast

    return (isinstance(node, ast.Name) and node.id in {"p", "params", "old", "new"}) or (
        isinstance(node, ast.Attribute) and node.attr == "params"
    )
