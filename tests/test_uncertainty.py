"""The uncertainty mode: a comparison repeated over assumption sets drawn from the plausible ranges."""

import json
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim.config.params import PARAM_INFO
from sim.config.scenario import load_scenario
from sim.experiments.compare import ExperimentError
from sim.experiments.uncertainty import check_uncertainty, draw_sets, drawn_parameters, uncertainty

SHORT = ["simulation.warmup_days=28", "simulation.days=60"]


def _arms(*extra: str):
    return [load_scenario("misaligned", SHORT), load_scenario("aligned", [*SHORT, *extra])]


def test_collapsed_ranges_reproduce_the_noise_only_comparison():
    study = uncertainty(_arms(), sets=3, n=3, seed=4, scale=0.0, workers=2)
    noise = sim.compare(_arms(), n=3, seed=4, workers=2).table.set_index(["scenario", "kpi"])
    table = study.table.set_index(["scenario", "kpi"])
    for k in ("revenue", "profit", "prospect_satisfaction"):
        row = table.loc[("aligned", k)]
        assert row["median"] == pytest.approx(noise.loc[("aligned", k), "delta"])
        assert row["p10"] == pytest.approx(row["p90"])  # every set is the default: no spread


@pytest.mark.parametrize("kpi", ["revenue", "prospect_satisfaction"])
def test_wider_ranges_never_narrow_the_spread_of_the_gain(kpi):
    """The same Latin-hypercube points, a fifth of the way from the default and all the way (ten sets:
    at 60 days a set's gain still carries noise, so the ranges differ by 5x rather than 2x)."""
    widths = []
    for scale in (0.0, 0.2, 1.0):
        table = uncertainty(_arms(), sets=10, n=1, seed=4, scale=scale, workers=2).table.set_index(["scenario", "kpi"])
        row = table.loc[("aligned", kpi)]
        widths.append(row["p90"] - row["p10"])
    assert widths[0] == pytest.approx(0.0) and widths[0] < widths[1] < widths[2]


def test_the_draw_covers_each_range_and_keeps_the_users_own_values():
    arms = _arms("behavior.contact_max=0.7")
    params = drawn_parameters(arms)
    names = {p.name for p in params}
    assert "contact_max" not in names  # the scenario sets it: the user's value, never drawn
    assert all(PARAM_INFO[n].low is not None and not PARAM_INFO[n].derived for n in names)
    sets = draw_sets(params, 50, seed=1)
    for p in params:
        col = sets[p.name]
        assert col.min() >= p.low - 1e-12 and col.max() <= p.high + 1e-12
        # a Latin hypercube: one draw in each of the 50 strata of the range
        strata = np.floor((col - p.low) / (p.high - p.low) * 50).clip(0, 49)
        assert len(set(strata)) == 50 or p.high == p.low
    half = draw_sets(params, 50, seed=1, scale=0.5)
    defaults = np.array([p.default for p in params])
    assert np.allclose(half[[p.name for p in params]].to_numpy(), (defaults + sets.iloc[:, 1:].to_numpy()) / 2)


def test_the_manifest_holds_the_seeds_and_every_set():
    study = uncertainty(_arms(), sets=2, n=1, seed=4, workers=1)
    doc = json.loads(json.dumps(study.manifest()))["uncertainty"]
    assert doc["replication_seeds"] == study.seeds and len(doc["assumption_sets"]) == 2
    assert set(doc["assumption_sets"][0]) == {"set", *(p.name for p in drawn_parameters(study.scenarios))}


@pytest.mark.parametrize(("sets", "n", "scale"), [(1, 3, 1.0), (3, 0, 1.0), (3, 3, 1.5), (3, 3, -0.1)])
def test_a_study_that_cannot_be_run_is_refused(sets, n, scale):
    with pytest.raises(ExperimentError):
        check_uncertainty(sets, n, scale)


@pytest.mark.parametrize("args", [["--uncertainty", "1"], ["--uncertainty", "3", "--range-scale", "2"]])
def test_bad_uncertainty_options_are_one_line_and_exit_2(tmp_path, args):
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", "misaligned", "aligned", "-n", "2", *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
