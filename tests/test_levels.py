"""Levels a VP of Sales takes for granted (issue 30): demand pays in every organization, the field's
profit peaks where published SDR:AE ratios sit, one team acts through behaviour, and the calibrated
defaults land inside the published ranges.

The full-size curves are `make test-all`'s (marked slow); `make test` keeps a reduced sibling of each.
"""

import itertools

import numpy as np
import pytest

import sim
from sim.config.levers import derive
from sim.experiments import calibration_measures as m
from sim.experiments.calibration_facts import BY_KEY
from sim.experiments.runs import resolve
from sim.experiments.stats import mean_ci, paired_difference

BUILT_INS = (
    "misaligned", "defined", "aligned", "integrated", "field_only", "marketing_owned", "sales_owned",
    "shared_inside_team",
)  # fmt: skip
VOLUMES = (0, 40, 80, 160, 320)  # 0 to 8x the default 40 inquiries a working day


def _runs(scenario: str, *overrides: str, n: int, seed: int = 21):
    return sim.replicate(scenario, n=n, seed=seed, overrides=list(overrides), workers=1)


def _inbound_curve(scenario: str, n: int, volumes=VOLUMES, *extra: str):
    return {v: _runs(scenario, *extra, f"market.inbound_leads_per_day={v}", n=n) for v in volumes}


def _check_demand_pays(scenario: str, curve: dict) -> None:
    """Revenue never falls with more inquiries and an inquiry adds first-year gross margin; in `aligned` and
    `integrated` it adds more than marketing paid for it (in `defined` and `marketing_owned` about as much,
    in `misaligned` about half: findings, docs/MODEL.md)."""
    volumes = sorted(curve)
    for lower, higher in itertools.pairwise(volumes):
        mean, low, high = paired_difference(curve[higher]["revenue"], curve[lower]["revenue"])
        assert high > 0, f"{scenario}: {higher}/day earns less than {lower}/day: {mean:,.0f} [{low:,.0f}, {high:,.0f}]"
    base, default = curve[volumes[0]], curve[40]
    extra_margin = (default["margin"] - base["margin"]).mean()
    inquiries = (default["leads_created"] - base["leads_created"]).mean()
    if scenario == "field_only":
        # no team answers within an SLA: field reps answer late and the inquiries displace their own
        # prospecting, which books as many meetings an hour since session 12's calibration (about -$0.70
        # of first-year margin an inquiry at n=4); revenue never falls (above), the margin is not asked
        return
    assert extra_margin / inquiries > 0, f"{scenario}: an inquiry adds no first-year margin"
    if scenario in ("aligned", "integrated"):
        paid = default["marketing_cost"].mean() / inquiries
        assert extra_margin / inquiries > paid, f"{scenario}: ${extra_margin / inquiries:,.0f} of margin an inquiry"


# shared_inside_team's flooded field (30 AEs behind one inside pool earned less at 320 inquiries a day than at
# 160 at issue 30's release) no longer loses money at session 12's defaults: its strict xfail passed, removed.


@pytest.mark.slow
@pytest.mark.parametrize("scenario", BUILT_INS)
def test_more_inquiries_never_lower_revenue_in_any_built_in(scenario):
    _check_demand_pays(scenario, _inbound_curve(scenario, n=4))


@pytest.mark.slow
def test_more_inquiries_never_lower_revenue_reduced():
    """make test: two organizations, three volumes, three pairs after an 8-week warm-up."""
    for scenario in ("misaligned", "aligned"):
        _check_demand_pays(scenario, _inbound_curve(scenario, 3, (0, 40, 160), "simulation.warmup_days=56"))


def _field(reps: int) -> str:
    return f"organization.field_teams=[{{name: all, field_reps: {reps}}}]"


@pytest.mark.slow
def test_operating_profit_peaks_within_the_published_sdr_to_ae_ratios():
    """With 8 SDRs, operating profit is highest with 12-35 AEs: 1 SDR to 1.5-4.4 AEs (FACTS 3), not at
    the smallest or the largest field tried."""
    sizes = (4, 8, 12, 20, 28, 36, 48)
    profit = {k: _runs("aligned", _field(k), "organization.inside_reps=8", n=4)["operating_profit"] for k in sizes}
    best = max(sizes, key=lambda k: profit[k].mean())
    assert 12 <= best <= 35, {k: round(v.mean()) for k, v in profit.items()}
    assert profit[best].mean() > profit[sizes[0]].mean() and profit[best].mean() > profit[sizes[-1]].mean()


def test_the_routing_delay_is_the_companys_not_the_structures():
    """One team or two, an inquiry reaches a rep as fast: routing and CRM batches are company inputs."""
    two = derive(resolve("aligned", None, ()))
    one = derive(resolve("aligned", None, ("organization.structure=one_team",)))
    assert (one.lead_routing_hours, one.crm_sync_hours) == (two.lead_routing_hours, two.crm_sync_hours)
    assert one.shared_calendar == 1.0 and two.shared_calendar == 0.0
    runs = {s: sim.run("aligned", seed=4, days=90, overrides=o).summary for s, o in
            (("two", []), ("one", ["organization.structure=one_team"]))}  # fmt: skip
    gap = abs(runs["one"]["median_response_hours"] - runs["two"]["median_response_hours"])
    assert gap < 0.1  # hours: the same pickup, the same reps


# The statistics a fast run can check at the defaults (one organization run, three seeds); the full
# check of every fitted and held-out statistic is `salesim check-calibration` (make test-all runs it).
# (revenue, deals and open opportunities per AE are outside: the field is still short of supply, docs/MODEL.md;
# the S&M cost per $1 of new revenue sits at its band's top edge since issue 31's calibration, 1.11 [0.99, 1.23]
# in check-calibration -n 3 and 1.22 on seeds 1-3, so three runs cannot tell it from 1.2: the full check has it)
FAST_FACTS = ("inquiry_to_mql", "never_contacted", "inquiry_to_won", "cycle_days")


def test_the_defaults_land_inside_the_published_levels():
    values = {key: [] for key in FAST_FACTS}
    for seed in (1, 2, 3):
        result = sim.run("defined", seed=seed)
        for key in FAST_FACTS:
            values[key].append(m.safely(BY_KEY[key].measure, result))
    for key in FAST_FACTS:
        fact = BY_KEY[key]
        mean, _, _ = mean_ci(np.asarray(values[key]))
        assert fact.inside(mean), f"{key}: {mean:.4g} outside {fact.low:g}-{fact.high:g} ({fact.published})"


@pytest.mark.slow
def test_one_team_acts_through_behaviour_with_the_routing_delay_equal():
    """aligned -> one team, routing the same: revenue rises, and switching off the shared calendar loses
    part of it (scripts/one_team.py prints the whole table). Measured at n=10 after session 12's
    calibration: +$820k [+510k, +1.13M]; the calendar carries about 85%; the shared record's part is not
    told apart from zero at n=10 (+$83k [-101k, +267k]), trust and informal feedback none."""
    one = ["organization.structure=one_team"]
    two_teams = _runs("aligned", n=10)["revenue"]
    one_team = _runs("aligned", *one, n=10)["revenue"]
    _, low, _ = paired_difference(one_team, two_teams)
    assert low > 0
    without = _runs("aligned", *one, "behavior.shared_calendar=0", n=10)["revenue"]
    _, low, _ = paired_difference(one_team, without)
    assert low > 0  # the calendar carries part of the effect


def test_a_field_that_answers_inquiries_itself_leaves_some_never_tried():
    """Where the organization's practice leaves them: a busy field rep who answers inquiries glances at
    the form and never calls some that look poor (Sabnis et al. 2013: reps pursue few marketing leads);
    secret shoppers found 42% of web inquiries never called, HBR 23% of firms never answering. An inside
    team that works every inquiry leaves almost none."""
    never = {}
    for scenario in ("field_only", "aligned"):
        leads = sim.run(scenario, seed=5, overrides=["simulation.warmup_days=56"]).leads
        asked = leads[(leads["source"] == "inbound") & (leads["created_at"] >= 0)]
        never[scenario] = asked["first_attempt_at"].isna().mean()
    assert 0.15 <= never["field_only"] <= 0.45, never
    assert never["aligned"] < 0.02, never
