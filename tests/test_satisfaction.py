"""What prospects feel comes from what happens to them, not from the levers' names."""

import math
from typing import Literal, get_args, get_origin

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import sim
from sim.config.params import Params
from sim.config.scenario import Scenario
from sim.experiments.stats import paired_difference
from sim.model.inside import InsideRep
from sim.model.reps import response_feeling
from tests.stubs import StubModel, StubQueue, inbound_lead

N = 6


def _satisfaction(*overrides: str, scenario: str = "aligned"):
    # an 8-week warm-up: what prospects feel within the window is the subject, not the steady state
    warm = "simulation.warmup_days=56"
    return sim.replicate(scenario, n=N, seed=3, days=150, overrides=[warm, *overrides], workers=1)[
        "prospect_satisfaction"
    ]


def test_a_longer_sla_never_pleases_prospects_more():
    """The prospect hears a promise, not the SLA: a longer SLA only means longer waits."""
    by_sla = {h: _satisfaction(f"handoff.sla_hours={h}") for h in (4, 48, 500)}
    mean, low, high = paired_difference(by_sla[48], by_sla[4])
    assert high < 0, f"SLA 48 h against 4 h: {mean:+.2f} [{low:+.2f}, {high:+.2f}]"  # a tight SLA hurries reviews
    # beyond the reps' own pace an SLA changes little; it must never please more
    mean, low, high = paired_difference(by_sla[500], by_sla[48])
    assert low <= 0, f"SLA 500 h against 48 h: {mean:+.2f} [{low:+.2f}, {high:+.2f}]"


def test_a_company_with_nobody_to_sell_does_not_please_prospects_more():
    nobody = _satisfaction("organization.field_teams=[{name: solo, field_reps: 0}]")
    served = _satisfaction()
    mean, low, high = paired_difference(nobody, served)
    assert high < 0, f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"


def test_an_ignored_lead_ends_less_satisfied_than_a_rejected_one():
    leads = sim.run("misaligned", seed=2, days=150).leads
    by_outcome = leads.groupby("outcome")["satisfaction"].mean()
    assert by_outcome["ignored"] < by_outcome["rejected"]


@given(st.floats(0, 2000), st.floats(0, 2000))
def test_a_longer_wait_for_the_first_answer_never_feels_better(a, b):
    p = Params()
    shorter, longer = sorted((a, b))
    assert response_feeling(longer, p) <= response_feeling(shorter, p)
    assert p.sat_slow_response <= response_feeling(longer, p) <= p.sat_fast_response


def _choices() -> dict[str, list[str]]:
    """Every lever a scenario sets by choice (a named option or yes/no), read from the schema."""
    levers = {}
    for section, field in Scenario.model_fields.items():
        for key, info in getattr(field.annotation, "model_fields", {}).items():
            if get_origin(info.annotation) is Literal:
                levers[f"{section}.{key}"] = [str(c) for c in get_args(info.annotation)]
            elif info.annotation is bool:
                levers[f"{section}.{key}"] = ["true", "false"]
    return levers


LEVERS = _choices()


@settings(max_examples=12, deadline=None)
@given(st.fixed_dictionaries({key: st.sampled_from(choices) for key, choices in LEVERS.items()}))
def test_no_lever_adds_a_constant_to_what_prospects_feel(choice):
    """Whatever the levers, a prospect we tried and never reached feels the wait for that first
    try and each try past the few a prospect takes in stride, nothing else; one nobody ever
    called feels exactly that: a lever that added points to every lead (or took them) would show here."""
    assume(choice["inside.work_order"] != "score_first" or choice["qualification.scoring"] != "none")  # invalid
    overrides = [f"{key}={value}" for key, value in choice.items()]
    result = sim.run("aligned", seed=5, days=40, overrides=overrides)
    p = Params()  # no lever sets a satisfaction parameter (sim/config/levers.py)
    leads = result.leads[result.leads["source"] == "inbound"]
    unreached = leads[(leads["outcome"] == "unreached") & leads["contacted_at"].isna()]
    tried = unreached[unreached["attempts"] > 0]

    def felt(first: float, created: float, attempts: int) -> float:
        sat = min(100.0, max(0.0, p.sat_start + response_feeling(first - created, p)))
        for _ in range(max(0, attempts - int(p.chase_free_attempts))):
            sat = min(100.0, max(0.0, sat + p.sat_chased))
        return sat

    expected = [
        felt(first, created, attempts)
        for first, created, attempts in zip(
            tried["first_attempt_at"], tried["created_at"], tried["attempts"], strict=True
        )
    ]
    assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(tried["satisfaction"], expected, strict=True))
    never = unreached[unreached["attempts"] == 0]["satisfaction"]
    assert (never == p.sat_start + p.sat_never_called).all()
    assert len(tried) + len(never) > 0  # the property was checked on somebody


def test_a_prospect_chased_past_a_few_tries_feels_pressed():
    """The same unreachable prospect, the same six tries: only how many a prospect takes in stride differs."""
    felt = {}
    for free in (3.0, 6.0):
        p = Params(contact_max=0.0, max_attempts=6.0, retry_horizon_hours=1000.0, chase_free_attempts=free)
        rep = InsideRep(StubModel(p), StubQueue())
        lead = inbound_lead()
        for k in range(6):
            rep.attempt(lead, float(k))
        felt[free] = lead.satisfaction
    assert felt[3.0] == pytest.approx(felt[6.0] + 3 * Params().sat_chased)


def test_a_longer_cadence_annoys_the_prospects_it_never_reaches():
    """Each try past the first few is felt as being chased: those a long cadence never reaches end less
    satisfied than under a short one (those it does reach may end happier: persistence pays)."""

    def unreached(*overrides: str) -> float:
        warm = "simulation.warmup_days=56"
        leads = pd.concat([sim.run("aligned", seed=s, days=120, overrides=[warm, *overrides]).leads for s in (3, 4)])
        never = leads[(leads["source"] == "inbound") & leads["contacted_at"].isna() & (leads["attempts"] > 0)]
        return float(never["satisfaction"].mean())

    assert unreached("behavior.max_attempts=10", "behavior.retry_horizon_hours=240") < unreached(
        "behavior.max_attempts=3"
    )
