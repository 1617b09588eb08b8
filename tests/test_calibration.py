import json
from pathlib import Path

import numpy as np
import pytest

from sim.config.params import Params
from sim.experiments.calibration import FACTS, check
from sim.model.market import decay

BASELINE = json.loads((Path(__file__).parent / "baseline" / "calibration.json").read_text())


@pytest.fixture(scope="module")
def validation():
    return check(n=3, seed=1, workers=1)  # the settings of scripts/refresh_baseline.py, in this process


def test_no_fact_that_was_inside_falls_outside(validation):
    table = validation.table.set_index("key")
    regressed = [key for key, was in BASELINE.items() if was["inside"] and not table.loc[key, "inside"]]
    assert not regressed, f"facts no longer reproduced: {regressed}\n{table.loc[regressed].to_string()}"


def test_every_fact_is_checked_and_sourced(validation):
    assert set(validation.table["key"]) == {f.key for f in FACTS} == set(BASELINE)
    # a row of docs/FACTS.md, or a figure collected in docs/SOURCES.md
    assert validation.table["source"].str.contains(r"\[(?:FACTS|SOURCES) ").all()


def test_the_core_response_facts_hold(validation):
    table = validation.table.set_index("key")
    for key in ("qualify_1h_vs_1_2h", "qualify_1h_vs_24h", "win_rate", "cycle_days"):
        assert table.loc[key, "inside"], key
    shares = validation.qualified_by_delay
    assert shares[0] > shares[1] > shares[2] >= shares[3]


def test_decay_is_monotone_and_starts_at_one(validation):
    p = Params()
    hours = np.linspace(0, 40, 200)
    g = np.array([decay(h, p.decay_scale_hours, p.decay_exponent) for h in hours])
    assert g[0] == 1.0 and (np.diff(g) < 0).all() and g[-1] > 0
    assert validation.table.set_index("key").loc["reach_5_vs_30_min", "model"] > 1.0


def test_nothing_counts_as_inside_that_is_outside_its_band_and_the_roles_are_reported_apart(validation):
    table = validation.table
    inside = table[table["status"] == "inside"]
    assert ((inside["model"] >= inside["low"]) & (inside["model"] <= inside["high"])).all()
    outside = table[table["status"] == "outside"]
    assert not ((outside["model"] >= outside["low"]) & (outside["model"] <= outside["high"])).any()
    shares = validation.shares()
    assert set(shares) == {"fit", "holdout"} and all(counted > 0 for _, counted in shares.values())
    apart = table[~table["status"].isin(["inside", "outside"])]
    assert apart["inside"].isna().all()  # never counted either way


def test_an_infinite_ratio_is_outside_and_a_fact_not_like_with_like_is_neither():
    from sim.experiments.calibration import verdict

    more_than_60 = next(f for f in FACTS if f.key == "qualify_1h_vs_24h")
    assert verdict(more_than_60, 136.0) is True
    assert verdict(more_than_60, np.inf) is False  # "no late lead ever qualified" is not "> 60x"
    assert verdict(more_than_60, 12.0) is False
    assert verdict(more_than_60, 5000.0) is False  # the band fails above too
    growth = next(f for f in FACTS if f.key == "aligned_revenue_gain")
    assert verdict(growth, 0.24) is None and growth.note
