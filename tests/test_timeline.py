"""Hiring plans: ``timeline:`` hires, exits and moves change the organization on their day, and only from then."""

import numpy as np
import pytest

import sim
from sim.config.scenario import ScenarioError, load_scenario
from sim.experiments.runs import replication_seeds
from sim.experiments.stats import paired_difference
from sim.model.model import SalesOrgModel

HIRE_DAY = 60


def _timeline(*entries: str) -> list[str]:
    return [f"timeline=[{', '.join(entries)}]"]


def _hire(day: int = HIRE_DAY, team: str = "east", field: int = 4, inside: int = 0) -> str:
    return f"{{day: {day}, hire: {{team: {team}, field_reps: {field}, inside_reps: {inside}}}}}"


def test_a_hire_raises_capacity_after_its_date_and_cost_from_its_date():
    # nobody leaves the field: who leaves follows standing, which the hires change (issue 31)
    stay = ["behavior.field_attrition=0"]
    base = sim.run("aligned", seed=5, days=150, overrides=stay)
    hired = sim.run("aligned", seed=5, days=150, overrides=[*stay, *_timeline(_hire(inside=2))])
    before = slice(0, HIRE_DAY)  # rows 0..59 are days 1..60: the end of measured days 0..59
    assert base.daily.iloc[before].equals(hired.daily.iloc[before]), "days before the hire must not change"
    on = hired.daily.iloc[HIRE_DAY]
    assert on["field_seats"] == base.daily["field_seats"].iloc[HIRE_DAY] + 4
    assert on["inside_seats"] == base.daily["inside_seats"].iloc[HIRE_DAY] + 2
    # the cost starts on the hire's day: recruiting at once, then pay
    p = sim.derive(load_scenario("aligned"))
    step = on["cost_of_sales"] - hired.daily["cost_of_sales"].iloc[HIRE_DAY - 1]
    base_step = base.daily["cost_of_sales"].iloc[HIRE_DAY] - base.daily["cost_of_sales"].iloc[HIRE_DAY - 1]
    assert step - base_step >= 4 * p.field_hiring_cost + 2 * p.inside_hiring_cost
    # new hires train first, then sell: in post only after onboarding
    onboarded = HIRE_DAY + int(p.field_onboarding_days)
    in_post = hired.daily["field_reps_in_post"] - base.daily["field_reps_in_post"]
    assert (in_post.iloc[HIRE_DAY : onboarded - 1] <= 0).all()
    assert in_post.iloc[onboarded + 5 :].mean() > 3


def test_more_field_reps_hired_sell_more_on_the_same_markets():
    """Paired on common random numbers: eight more field reps from day 0 win more deals within the year.

    Eight, not four: new hires onboard for a month and ramp over months, and the field's supply of leads
    is shared (four added about +0.5 deals on average, within noise)."""
    gains = []
    for seed in replication_seeds(11, 4):
        base = sim.run("aligned", seed=seed).summary
        hired = sim.run("aligned", seed=seed, overrides=_timeline(_hire(day=0, field=8))).summary
        gains.append(hired["deals_won"] - base["deals_won"])
        assert hired["hiring_cost"] > base["hiring_cost"] and hired["salaries"] > base["salaries"]
    assert min(gains) > 0, gains


def test_an_exit_closes_a_vacancy_first_then_the_newest_rep_and_their_book_moves():
    overrides = ["behavior.field_attrition=0.9", "simulation.warmup_days=0", "simulation.days=120"]
    scenario = load_scenario("aligned", [*overrides, *_timeline("{day: 40, exit: {team: west, field_reps: 3}}")])
    model = SalesOrgModel(scenario, seed=4)
    while model.day < 40:
        model.step()
    west = model.field_by_team[1]
    vacant = [r for r in west if not r.active]
    newest = sorted((r for r in west if r.active), key=lambda r: (r.days_employed, r.unique_id))
    expected = (vacant + newest)[:3]
    held = {r.unique_id: sum(lead.field_rep == r.unique_id and lead.state.value == "opportunity" for lead in model.book)
            for r in expected}  # fmt: skip
    reassigned = model.reassigned
    model.step()
    assert [r for r in west if r.closed] == sorted(expected, key=lambda r: west.index(r))
    assert all(not r.active for r in expected)
    assert model.reassigned - reassigned >= sum(held[r.unique_id] for r in expected if r in newest)
    for _ in range(60):
        model.step()
    assert all(not r.active for r in expected), "a closed seat is never refilled"
    assert sum(not r.closed for r in west) == 7


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        (_hire(day=400), "timeline.0.day: 400 is not within the run"),
        (_hire(team="north"), "timeline.0.hire.team: 'north' is not a field team"),
        ("{day: 3, hire: {field_reps: 2}}", "name the team"),
        ("{day: 3, exit: {team: east, field_reps: 11}}", "more reps leave than there are"),
        ("{day: 3}", "exactly one of hire:, exit:, move: or set:"),
        ("{day: 3, move: {from: east, to: north, field_reps: 1}}", "timeline.0.move.to: 'north' is not a field team"),
        ("{day: 3, move: {from: east, to: east, field_reps: 1}}", "a move needs two teams"),
        ("{day: 3, move: {from: east, to: west, field_reps: 11}}", "cannot leave east (it has 10 by day 3)"),
        ("{day: 3, move: {from: east, to: west}}", "timeline.0.move.field_reps"),
        ("{day: 3, hire: {team: east}}", "at least one rep"),
        ("{day: 3, hire: {team: east, field_reps: -1}}", "timeline.0.hire.field_reps"),
        ("{day: 3, hire: {team: east, field_reps: 1}, set: {a: 1}}", "exactly one of hire:, exit:, move: or set:"),
        ("{day: 3, sets: {handoff.sla_hours: 4}}", "timeline.0.sets"),
    ],
)
def test_a_bad_timeline_is_refused_with_its_entry_named(entry, needle):
    with pytest.raises(ScenarioError, match=None) as caught:
        load_scenario("aligned", _timeline(entry))
    assert needle in str(caught.value) and "\n" not in str(caught.value), str(caught.value)


def test_exits_count_the_hires_before_them():
    """Hires then exits on later days: the headcount each exit meets is what the earlier entries left."""
    load_scenario("aligned", _timeline(_hire(day=10, field=5), "{day: 20, exit: {team: east, field_reps: 15}}"))
    with pytest.raises(ScenarioError, match="team east would have -1"):
        load_scenario("aligned", _timeline(_hire(day=30, field=5), "{day: 20, exit: {team: east, field_reps: 11}}"))


MOVE = "{day: 40, move: {from: east, to: west, field_reps: 3}}"


def test_a_move_takes_the_lightest_books_leaves_them_with_the_old_team_and_costs_part_of_the_ramp():
    overrides = ["simulation.warmup_days=56", "simulation.days=365", "behavior.field_attrition=0.01"]
    model = SalesOrgModel(load_scenario("aligned", [*overrides, *_timeline(MOVE)]), seed=4).warm_up()
    while model.day < model.warmup + 40:
        model.step()
    east, west = model.field_by_team
    open_states = ("handed_off", "accepted", "opportunity")

    def book(rep):
        return [lead for lead in model.book if lead.field_rep == rep.unique_id and lead.state.value in open_states]

    seats = sorted((r for r in east if not r.closed), key=lambda r: (r.active, r.open_opps + r.pending + r.booked))
    movers = seats[:3]
    held = [lead for rep in movers for lead in book(rep)]
    ramps = [rep.ramp for rep in movers]
    sizes = len(east), len(west)
    model.step()
    assert [len(east), len(west)] == [sizes[0] - 3, sizes[1] + 3]
    assert all(rep in west and rep.team == 1 for rep in movers)
    assert all(not book(rep) for rep in movers if rep.active), "a mover's open book stays with the old team"
    assert all(model.field_rep_by_id[lead.field_rep] in east for lead in held)
    loss = model.params.move_ramp_loss
    for rep, before in zip(movers, ramps, strict=True):
        if rep.active:
            assert rep.ramp < before, "new accounts and a new manager cost part of the ramp"
            assert rep.ramp >= before - loss * (1 - model.params.field_ramp_floor) - 1e-9
    hires = [rep.hires for rep in movers]
    for _ in range(int(loss * max(rep.ramp_days for rep in movers)) + 2):
        model.step()
    back = [rep.ramp >= before - 1e-9 for rep, before, n in zip(movers, ramps, hires, strict=True) if rep.hires == n]
    assert back and all(back), "they make up the lost ramp at their own pace"


def test_a_move_marks_its_day_and_leaves_the_days_before_untouched():
    base = sim.run("aligned", seed=3, days=80, overrides=["simulation.warmup_days=28"])
    moved = sim.run("aligned", seed=3, days=80, overrides=["simulation.warmup_days=28", *_timeline(MOVE)])
    before = slice(0, 40)
    assert base.daily.drop(columns="change").iloc[before].equals(moved.daily.drop(columns="change").iloc[before])
    assert moved.daily["change"].iloc[40] == "move east->west: 3 field reps"
    assert moved.daily["field_seats"].iloc[41] == base.daily["field_seats"].iloc[41]  # nobody hired or lost


def test_moving_reps_to_the_team_short_of_them_sells_more_moving_them_out_of_balance_sells_less():
    """Capacity follows the leads: west lost 7 of its 10 reps, its territory's inquiries did not fall."""
    short = "{day: 0, exit: {team: west, field_reps: 7}}"
    move = "{day: 30, move: {from: east, to: west, field_reps: 4}}"
    gains = []
    for seed in replication_seeds(2026, 4):
        left = sim.run("aligned", seed=int(seed), overrides=_timeline(short)).summary
        moved = sim.run("aligned", seed=int(seed), overrides=_timeline(short, move)).summary
        gains.append(moved["revenue"] - left["revenue"])
    assert np.mean(gains) > 0 and sum(g > 0 for g in gains) >= 3, gains


@pytest.mark.slow
def test_a_move_out_of_balance_costs_revenue():
    """Three of east's five reps to west, whose five are enough: east's two cannot work its territory.

    (In the default field of twenty, short of leads since issue 30, moving four of east's ten
    costs only the ramp and the reassigned deals, within the noise of six pairs: the six who
    stay absorb east's leads. A field of ten is where balance matters; measured -$0.92M
    [-1.24M, -0.60M] at these six pairs.)"""
    thin = "organization.field_teams=[{name: east, field_reps: 5}, {name: west, field_reps: 5}]"
    move = "{day: 30, move: {from: east, to: west, field_reps: 3}}"
    base, moved = [], []
    for seed in replication_seeds(2026, 6):
        base.append(sim.run("aligned", seed=int(seed), overrides=[thin]).summary["revenue"])
        moved.append(sim.run("aligned", seed=int(seed), overrides=[thin, *_timeline(move)]).summary["revenue"])
    mean, low, high = paired_difference(np.array(moved), np.array(base))
    assert high < 0, (mean, low, high)
