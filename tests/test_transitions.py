"""Levers changed on a given day (timeline set:): the days before untouched, the change and its transition after."""

import subprocess
import sys

import numpy as np
import pytest

import sim
from sim.config.levers import derive
from sim.config.scenario import ScenarioError, effective_day, load_scenario, next_pay_period
from sim.model.model import SalesOrgModel

SHORT = ["simulation.warmup_days=28"]


def _timeline(*entries: str) -> str:
    return "timeline=[" + ", ".join(entries) + "]"


def _model(*overrides: str, scenario: str = "misaligned", seed: int = 3) -> SalesOrgModel:
    return SalesOrgModel(load_scenario(scenario, [*SHORT, *overrides]), seed=seed).warm_up()


def test_a_change_leaves_the_days_before_it_untouched_and_shows_after_it():
    warm = _timeline("{day: 60, set: {handoff.mode: warm, handoff.sla_hours: 4, handoff.sla_enforced: true}}")
    base = sim.run("misaligned", seed=4, days=150, overrides=SHORT)
    changed = sim.run("misaligned", seed=4, days=150, overrides=[*SHORT, warm])
    before = slice(0, 60)
    a, b = base.daily.drop(columns="change").iloc[before], changed.daily.drop(columns="change").iloc[before]
    assert a.equals(b)  # same seed: the same 60 days, to the last lead
    assert changed.daily["change"].iloc[60].startswith("handoff.mode=warm")
    assert (changed.daily["change"].iloc[:60] == "").all()
    # after the day, handed-off leads come with the notes a warm handoff carries: fewer repeated questions
    day = 60 * 24.0

    def repeats(result):
        after = result.leads[(result.leads["handed_off_at"] >= day) & result.leads["followed_up_at"].notna()]
        return after["repeated_questions"].mean()

    assert repeats(changed) < repeats(base) - 0.1


def test_a_reversed_change_restores_the_old_levers_and_costs_its_transition_twice():
    there = "{day: 20, set: {organization.structure: one_team}}"
    back = "{day: 80, set: {organization.structure: two_teams}}"
    model = _model(_timeline(there, back))
    base = derive(model.config)
    productivity = []
    for _ in range(120):
        model.step()
        productivity.append(model.productivity())
    assert model.params == base  # the old behaviour parameters
    assert model.reorgs == 2
    dips = [i for i in range(1, len(productivity)) if productivity[i] < productivity[i - 1] - 0.01]
    assert len(dips) == 2 and min(productivity) == pytest.approx(1 - base.reorg_ramp_loss, abs=0.02)
    assert productivity[-1] > productivity[85]  # recovering


def test_habits_move_towards_a_new_standard_gradually():
    model = _model(_timeline("{day: 10, set: {qualification.standard_set_by: joint}}"))
    old, new = derive(model.config), derive(load_scenario("misaligned", ["qualification.standard_set_by=joint"]))
    target = new.inside_threshold - old.inside_threshold
    start = np.mean([r.own_bar for r in model.inside_reps])
    for _ in range(10):
        model.step()
    means = []
    for _ in range(120):
        model.step()
        means.append(np.mean([r.own_bar for r in model.inside_reps]) - start)
    assert target != 0
    # a week on, part of the way; a quarter on, most of it (rehires and feedback move bars too)
    assert 0 < means[7] / target < 0.3
    assert means[-1] / target > 0.7


def test_a_new_pay_plan_starts_with_the_next_pay_period():
    assert next_pay_period(100) == 181 and next_pay_period(181) == 181 and next_pay_period(300) == 365
    assert effective_day(100, "compensation.inside") == 181 and effective_day(100, "handoff.sla_hours") == 100
    model = _model(_timeline("{day: 100, set: {compensation.inside: per_opportunity}}"))
    seen = {}
    for day in range(200):
        model.step()
        seen[day] = model.params.inside_pay
    assert seen[150] == "per_lead" and seen[185] == "per_opportunity"


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ("{day: 5, set: {organization.inside_reps: 3}}", "use hire: or exit:"),
        ("{day: 5, set: {handoff.sla_hours: -4}}", "handoff.sla_hours"),
        ("{day: 5, set: {handoff.slah: 4}}", "did you mean 'sla_hours'"),
        ("{day: 400, set: {handoff.sla_hours: 4}}", "not within the run"),
    ],
)
def test_a_bad_change_is_one_clear_line(entry, needle, tmp_path):
    with pytest.raises(ScenarioError, match=needle):
        load_scenario("misaligned", [_timeline(entry)])
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", "misaligned", "--set", _timeline(entry)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_the_breakeven_day_is_when_the_change_is_ahead_for_good():
    from types import SimpleNamespace

    from sim.experiments.compare import breakeven_days

    days = np.arange(1, 11)
    base = np.zeros((3, 10))
    ahead = np.vstack([days - 4.5, days - 20.0, days * 0 + 1.0])  # ahead from day 5; never; always
    both = SimpleNamespace(names=["base", "changed"], profit={"base": base, "changed": ahead})
    assert np.array_equal(breakeven_days(both, "changed"), [5.0, np.nan, 1.0], equal_nan=True)
    dip = np.array([[1.0, -1.0, 2.0, -0.5, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]])  # behind again on day 4
    assert breakeven_days(SimpleNamespace(names=["b", "c"], profit={"b": base[:1], "c": dip}), "c")[0] == 5.0


def test_the_builtin_reorg_ends_as_aligned():
    from sim.config.scenario import scenario_on
    from sim.experiments.compare import lever_differences

    reorg = load_scenario("reorg")

    def levers(a, b):
        return [d for d in lever_differences(a, b) if d[0] != "timeline"]

    assert levers(scenario_on(reorg, 400), load_scenario("aligned", ["simulation.days=730"])) == []
    assert levers(scenario_on(reorg, 89), load_scenario("misaligned", ["simulation.days=730"])) == []


def test_a_change_of_the_market_or_of_the_inside_teams_hours_takes_effect_on_its_day():
    """Every lever a set: may change acts from its day: the market's volume and the hours inside sales covers."""
    day = 45
    busier = _timeline(f"{{day: {day}, set: {{market.inbound_leads_per_day: 120}}}}")
    longer = _timeline(f"{{day: {day}, set: {{inside.coverage: follow_the_sun}}}}")
    base, more, covered = (
        sim.run("aligned", seed=2, days=90, overrides=[*SHORT, *extra]).leads for extra in ([], [busier], [longer])
    )

    def inbound_a_day(leads, first, last):
        inbound = leads[(leads["source"] == "inbound") & ~leads["in_flight"]]
        return inbound["created_at"].between(first * 24, last * 24, inclusive="left").sum() / (last - first)

    assert inbound_a_day(more, 0, day) == inbound_a_day(base, 0, day)
    assert inbound_a_day(more, day, 90) > 2 * inbound_a_day(base, day, 90)

    def night_response(leads, first, last):
        inbound = leads[(leads["source"] == "inbound") & leads["created_at"].between(first * 24, last * 24)]
        night = inbound[(inbound["created_at"] % 24 >= 20) | (inbound["created_at"] % 24 < 6)]
        return (night["first_attempt_at"] - night["created_at"]).median()

    assert night_response(covered, 0, day) == night_response(base, 0, day)
    assert night_response(covered, day, 90) < 0.5 * night_response(base, day, 90)
