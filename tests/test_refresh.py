"""A dated change (timeline set:) reaches every component and every rep, with its transition.

For every behaviour parameter: changed on day d, after the delay its transition kind
allows, (1) nothing in the organization still holds the old parameters, and (2) what
each rep and each component worked out from them (a rep's training, reach, fit reading,
outbound pace, bar and skill; the market's prospects, scoring and hours; the prospect
list; nurture's rates; the policies) is what the new parameters give: the same as an
organization that had the new value from the start.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import typing

import pytest

from sim.config.params import PARAM_INFO, Params
from sim.config.scenario import FIXED_KEYS, effective_day, load_scenario
from sim.model.field import FieldRep
from sim.model.inside import InsideRep
from sim.model.leads import Lead, LeadBook
from sim.model.market import Reach
from sim.model.model import SalesOrgModel

SMALL = [
    "simulation.warmup_days=0",
    "organization.inside_reps=2",
    "organization.field_teams=[{name: east, field_reps: 2}, {name: west, field_reps: 1}]",
    "organization.inside_shared_across_teams=false",
    "market.inbound_leads_per_day=8",
]
CHANGE_DAY = 2
STATE = ("turn",)  # what a policy keeps as it works (whose turn it is), not what it derives from parameters


def _key(name: str) -> str:
    info = PARAM_INFO[name]
    return info.key if info.key is not None else f"behavior.{name}"


def _changeable() -> list[str]:
    """Every parameter a dated change may set (keys fixed for the run excluded)."""
    out = []
    for name in PARAM_INFO:
        key = _key(name)
        if any(key == f or key.startswith(f"{f}.") for f in FIXED_KEYS):
            continue
        out.append(name)
    return out


def _other_value(name: str, base: Params) -> object:
    """A value of ``name`` different from ``base``'s, inside its bounds (a choice: another choice)."""
    info, now = PARAM_INFO[name], getattr(base, name)
    if isinstance(now, bool):
        return not now
    if info.kind == "choice":
        hints = typing.get_type_hints(Params)
        choices = typing.get_args(hints[name])
        return next(c for c in choices if c != now)
    lo = max(info.bounds[0], info.low if info.low is not None else -math.inf)
    hi = min(info.bounds[1], info.high if info.high is not None else math.inf)
    candidate = hi if now < (lo + hi) / 2 else lo
    if candidate == now or float(candidate) != candidate or abs(candidate) > 1e6:
        candidate = now * 1.5 if now else (lo + hi) / 2
    candidate = min(max(candidate, info.bounds[0]), info.bounds[1])
    integer = isinstance(now, int) or (info.key is not None and float(now).is_integer() and info.unit == "count")
    return int(candidate) if integer else float(candidate)


def _yaml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _stale_params(model: SalesOrgModel) -> list[str]:
    """Where anything the model reaches still holds a ``Params`` other than the one in force."""
    found, seen = [], set()
    todo: list[tuple[str, object, int]] = [("model", model, 0)]
    while todo:
        path, obj, depth = todo.pop()
        if id(obj) in seen or isinstance(obj, Lead | LeadBook | str | int | float | bytes) or depth > 4:
            continue
        seen.add(id(obj))
        if isinstance(obj, Params):
            if obj is not model.params:
                found.append(path)
            continue
        if isinstance(obj, list | tuple | set):
            todo.extend((f"{path}[{i}]", x, depth + 1) for i, x in enumerate(obj))
        elif isinstance(obj, dict):
            todo.extend((f"{path}[{k!r}]", x, depth + 1) for k, x in obj.items())
        elif type(obj).__module__.startswith("sim."):
            names = getattr(obj, "__dict__", {}) or {s: getattr(obj, s, None) for s in getattr(obj, "__slots__", ())}
            todo.extend((f"{path}.{k}", v, depth + 1) for k, v in names.items() if k != "model")
    return found


def _derived(rep: InsideRep | FieldRep) -> dict[str, object]:
    """What a rep worked out from the parameters (not what they learnt or drew)."""
    if isinstance(rep, InsideRep):
        reach = rep.reach
        return {
            "knowledge": rep.knowledge, "skill": rep.skill, "base_noise": rep.base_noise,
            "outbound_rate": rep.outbound_rate, "reach": [getattr(reach, s) for s in reach.__slots__],
        }  # fmt: skip
    return {"bar": rep.bar, "full_skill": rep.full_skill}


def _rederived(rep: InsideRep | FieldRep, params: Params) -> dict[str, object]:
    fresh = copy.copy(rep)
    fresh._derive(params)
    return _derived(fresh)


def _components(model: SalesOrgModel) -> dict[str, object]:
    """What the organization's components worked out from the parameters, comparable across models."""
    m = model.market
    return {
        "prospects": [(f.fit, f.intent) for f in (m.prospects, model.outbound, model.recycled, model.field_sourced)],
        "arrivals": (m.workday_share, m.weekend_day_share, repr(m.workday_cdf), repr(m.weekend_cdf), m.mixed),
        "accounts": (model.accounts.total, model.accounts.touches, model.accounts.rest),
        "nurture": (model.nurture.returns_per_day, model.nurture.losses_per_day),
        "pools": [(type(p.hours).__name__, list(p.hours.working[:30]), p.team_rank) for p in model.pools],
        "policies": [
            (type(x).__name__, sorted((k, repr(v)) for k, v in vars(x).items() if k not in STATE))
            for x in (model.router, model.inside_pay, model.field_pay, model.feedback, model.handoff_rules)
            if hasattr(x, "__dict__")
        ],
    }


def _run_to(model: SalesOrgModel, day: int) -> SalesOrgModel:
    while model.day <= day:
        model.step()
    return model


@pytest.mark.parametrize("name", _changeable())
def test_a_dated_change_reaches_every_component_and_every_rep(name):
    base = load_scenario("aligned", SMALL)
    params = SalesOrgModel(base).params
    value = _other_value(name, params)
    key = _key(name)
    changed = load_scenario("aligned", [*SMALL, f"timeline=[{{day: {CHANGE_DAY}, set: {{{key}: {_yaml(value)}}}}}]"])
    day = effective_day(CHANGE_DAY, key)
    model = _run_to(SalesOrgModel(changed, seed=1), day)
    assert getattr(model.params, name) == value, f"{key}={value} not in force on day {day}"
    assert _stale_params(model) == [], f"{key}: still holding the old parameters"
    for rep in model.agents:
        assert _derived(rep) == _rederived(rep, model.params), f"{key}: rep {rep.unique_id} acts on the old value"
    from_start = SalesOrgModel(load_scenario("aligned", [*SMALL, f"{key}={_yaml(value)}"]), seed=1)
    assert _components(model) == _components(from_start), f"{key}: a component acts on the old value"


def test_what_reps_in_post_were_given_at_hire_changes_with_the_lever():
    """The issue's probe: after day 10 every inside rep reaches prospects with the new peak."""
    key, value = "behavior.contact_max", 0.5
    base = load_scenario("misaligned", SMALL)
    changed = load_scenario("misaligned", [*SMALL, f"timeline=[{{day: 10, set: {{{key}: {value}}}}}]"])
    before = _run_to(SalesOrgModel(changed, seed=2), 9)
    peaks = [rep.reach.peak for rep in before.inside_reps]
    after = _run_to(before, 11)
    assert [rep.reach.peak for rep in after.inside_reps] != peaks
    # each rep reaches prospects as the new peak and their own skill now say (skill moves with practice)
    assert [rep.reach.peak for rep in after.inside_reps] == [
        Reach(after.params, rep.skill).peak for rep in after.inside_reps
    ]
    assert SalesOrgModel(base).params != after.params


def test_a_new_training_programme_reaches_the_reps_in_post_at_their_next_session():
    """Training is something that happens to reps (issue 31): a joint programme from day 10 changes
    nothing on day 11 and has taught the reps in post more selling by the first session after it."""
    changed = load_scenario("misaligned", [*SMALL, "timeline=[{day: 10, set: {training.owner: joint}}]"])
    same = load_scenario("misaligned", SMALL)
    early = (_run_to(SalesOrgModel(changed, seed=2), 11), _run_to(SalesOrgModel(same, seed=2), 11))
    assert [r.skill for r in early[0].inside_reps] == [r.skill for r in early[1].inside_reps]
    later = (_run_to(early[0], 32), _run_to(early[1], 32))  # a session on day 30
    assert all(a.skill > b.skill for a, b in zip(later[0].inside_reps, later[1].inside_reps, strict=True))


def test_habits_move_reps_in_post_step_by_step_and_new_hires_start_there():
    """A new qualification standard (a habit): bars move by equal steps over habit_days working days."""
    changed = load_scenario("misaligned", [*SMALL, "timeline=[{day: 5, set: {qualification.standard_set_by: joint}}]"])
    model = _run_to(SalesOrgModel(changed, seed=3), 5)
    old, new = SalesOrgModel(load_scenario("misaligned", SMALL)).params, model.params
    bars = [rep.own_bar for rep in model.inside_reps]
    _run_to(model, 5 + 2 * int(new.habit_days))  # habit_days working days have passed
    step, spread = new.inside_threshold - old.inside_threshold, new.inside_threshold_sd - old.inside_threshold_sd
    assert step and spread
    stayed = [
        (rep, bar) for rep, bar in zip(model.inside_reps, bars, strict=True) if rep.days_in_seat > 2 * new.habit_days
    ]
    assert stayed  # the same reps all along (misaligned has no feedback to move their bars besides)
    for rep, bar in stayed:
        assert rep.own_bar - bar == pytest.approx(step + spread * rep.bar_z, abs=1e-9)
    assert dataclasses.replace(new) == new
