import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiments.calibration_measures import in_business_hours
from sim.measure.summary import response_qualification
from tests.invariants import check_run

BASELINE = Path(__file__).parent / "baseline" / "aligned_seed7.json"


@pytest.fixture(scope="module")
def misaligned_year():
    return sim.run("misaligned", seed=3)


@pytest.mark.parametrize("name", ["misaligned", "aligned", "integrated", "field_only", "shared_inside_team"])
def test_invariants_hold_for_builtins(name):
    check_run(sim.run(name, seed=2, days=120))


def test_every_lead_ends_in_one_state(misaligned_year):
    check_run(misaligned_year)
    counts = misaligned_year.leads["outcome"].value_counts()
    summary, in_flight = misaligned_year.summary, int(misaligned_year.leads["in_flight"].sum())
    assert counts.sum() == summary["leads_created"] + summary["leads_recycled"] + in_flight
    # the misaligned organization shows its symptoms: leads dropped in the black hole
    assert counts["ignored"] > 0 and counts["rejected"] > 0


def test_same_seed_same_numbers():
    a = sim.run("aligned", seed=11, days=60)
    b = sim.run("aligned", seed=11, days=60)
    assert json.dumps(a.summary) == json.dumps(b.summary)
    assert a.leads.equals(b.leads)


def test_different_seed_different_numbers():
    a = sim.run("aligned", seed=11, days=60)
    b = sim.run("aligned", seed=12, days=60)
    assert a.summary != b.summary


def test_scenarios_with_same_seed_meet_the_same_market():
    a = sim.run("misaligned", seed=5, days=40).leads
    b = sim.run("integrated", seed=5, days=40).leads
    cols = ["created_at", "value", "fit", "team"]
    # the inquiries of the run (the leads in flight from the warm-up are where each organization left them)
    ia = a[(a["source"] == "inbound") & ~a["in_flight"]][cols].reset_index(drop=True)
    ib = b[(b["source"] == "inbound") & ~b["in_flight"]][cols].reset_index(drop=True)
    assert len(ia) > 1000
    assert ia.equals(ib)


def test_response_time_effect_matches_oldroyd(tmp_path):
    """Within 1 h ~7x as likely to qualify as 1-2 h; >60x vs a working day later (FACTS 1)."""
    overrides = ["behavior.lead_routing_hours=3", "behavior.crm_sync_hours=0.01", "organization.inside_reps=30"]
    # three runs pooled: a working day late, about 2,000 leads of which a handful qualify
    # inquiries sent in business hours, as the audits send theirs (an evening inquiry called next morning
    # has not waited fifteen of its sender's working hours: the prospect's attentive clock)
    leads = pd.concat([sim.run("aligned", seed=s, overrides=overrides).leads for s in (1, 2, 3)])
    leads = leads[in_business_hours(leads["created_at"].to_numpy(dtype=float)) & ~leads["in_flight"]]
    table = response_qualification(leads, bins=(0, 1, 2, 24, np.inf))["qualified_share"].to_numpy()
    assert 4.0 <= table[0] / table[1] <= 12.0  # HBR 2011: ~7x "even an hour later"
    assert table[0] > table[1] > table[2] > table[3] > 0  # steadily worse with delay; late leads rarely, not never
    # HBR 2011: over 60 times vs 24 h+. The late bucket holds a handful of qualified leads, so a pool of three
    # seeds measures 52-60x here and check-calibration's pool 99x (session 12); the calibration fits the band
    # (60-400) on all its replications; what three seeds can check is the order of magnitude
    assert table[0] / table[3] > 40.0


def test_faster_routing_qualifies_more_inbound_leads():
    slow = sim.run("aligned", seed=4, days=120, overrides=["behavior.lead_routing_hours=4"])
    fast = sim.run("aligned", seed=4, days=120, overrides=["behavior.lead_routing_hours=0.2"])

    def inbound_qualified(r):
        inbound = r.leads[r.leads["source"] == "inbound"]
        return inbound["qualified_at"].notna().sum()

    assert inbound_qualified(fast) > 1.5 * inbound_qualified(slow)
    assert fast.summary["median_response_hours"] < slow.summary["median_response_hours"]


def test_daily_table_has_one_row_per_day():
    res = sim.run("aligned", seed=1, days=33)
    assert len(res.daily) == 33
    assert list(res.daily["day"]) == list(range(1, 34))
    assert res.daily["revenue"].is_monotonic_increasing


def test_regression_baseline():
    """A fixed-seed run; refresh deliberately with `make baseline` when the model changes."""
    expected = json.loads(BASELINE.read_text())
    actual = json.loads(json.dumps(sim.run("aligned", seed=7).summary))
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, rel=1e-9, nan_ok=True), key
