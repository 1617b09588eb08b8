"""The uncertainty mode: a comparison repeated over assumption sets drawn from the plausible ranges."""

import json
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim.config.params import PARAM_INFO
from sim.config.scenario import ScenarioError, load_scenario
from sim.experiments.compare import ExperimentError
from sim.experiments.uncertainty import (
    check_uncertainty,
    draw_sets,
    drawn_parameters,
    posterior_draws,
    uncertainty,
    with_assumptions,
)

SHORT = ["simulation.warmup_days=28", "simulation.days=60"]


def _arms(*extra: str):
    return [load_scenario("misaligned", SHORT), load_scenario("aligned", [*SHORT, *extra])]


def test_collapsed_ranges_reproduce_the_noise_only_comparison():
    study = uncertainty(_arms(), sets=3, n=3, seed=4, scale=0.0, workers=1)
    noise = sim.compare(_arms(), n=3, seed=4, workers=1).table.set_index(["scenario", "kpi"])
    table = study.table.set_index(["scenario", "kpi"])
    for k in ("revenue", "profit", "prospect_satisfaction"):
        row = table.loc[("aligned", k)]
        assert row["median"] == pytest.approx(noise.loc[("aligned", k), "delta"])
        assert row["p10"] == pytest.approx(row["p90"])  # every set is the default: no spread


@pytest.mark.slow
def test_wider_ranges_widen_the_spread_of_the_gain():
    """The same Latin-hypercube points a tenth of the way from the default and all the way (sixteen
    sets of one 60-day run). Satisfaction, whose noise is small, widens several times. Revenue is not
    asked: a 60-day revenue gain is mostly noise, and since the calibrated parameters' ranges are their
    posterior's 90% bands the assumptions move it little (p10-p90 $167k at a tenth, $164k in full)."""
    widths = {}
    for scale in (0.1, 1.0):
        table = uncertainty(_arms(), sets=16, n=1, seed=4, scale=scale, workers=1).table.set_index(["scenario", "kpi"])
        row = table.loc[("aligned", "prospect_satisfaction")]
        widths[scale] = row["p90"] - row["p10"]
    assert widths[1.0] > 2.0 * widths[0.1]  # 2.48x at session 12's ranges (noise is most of a tenth's spread)


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
    names = [p.name for p in params]
    half = draw_sets(params, 50, seed=1, scale=0.5)
    defaults = np.array([p.default for p in params])
    assert np.allclose(half[names].to_numpy(), (defaults + sets[names].to_numpy()) / 2)
    # the market too: inquiries a day from half to twice the scenario's, deals from 0.75x to 1.33x
    assert 0.5 <= sets["market_volume"].min() < 0.6 and 1.9 < sets["market_volume"].max() <= 2.0
    busy = with_assumptions(arms[0], {"market_volume": 2.0, "market_deal_size": 1.0}, "a busy market")
    assert busy.market.inbound_leads_per_day == 2 * arms[0].market.inbound_leads_per_day


def test_the_manifest_holds_the_seeds_and_every_set():
    study = uncertainty(_arms(), sets=2, n=1, seed=4, workers=1)
    doc = json.loads(json.dumps(study.manifest()))["uncertainty"]
    assert doc["replication_seeds"] == study.seeds and len(doc["assumption_sets"]) == 2
    drawn = {"set", *(p.name for p in drawn_parameters(study.scenarios)), "market_volume", "market_deal_size"}
    assert set(doc["assumption_sets"][0]) == drawn


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


def test_explain_under_uncertainty_gives_each_lever_and_the_interaction_per_set():
    from sim.experiments.compare import ExplainStudy
    from sim.experiments.uncertainty import lever_uncertainty

    base, target = load_scenario("defined", SHORT), load_scenario("aligned", SHORT)
    explained = ExplainStudy.of(base, target, n=2, days=None)
    study = uncertainty(explained.arms, sets=2, n=1, seed=3, workers=1)
    table = lever_uncertainty(study, explained.levers)
    levers = {key for key, _, _ in explained.levers}
    assert set(table["lever"]) == levers | {"all levers together", "interaction"}
    # per set, the interaction is what the levers alone leave of the total
    g = study.gains[study.gains["kpi"] == "profit"].pivot(index="set", columns="scenario", values="gain")
    inter = g[target.name] - g[[a.name for a in explained.switched]].sum(axis=1)
    row = table[(table["lever"] == "interaction") & (table["kpi"] == "profit")].iloc[0]
    assert row["median"] == pytest.approx(float(np.median(inter)))


def test_pure_noise_is_rarely_ranked_beyond_the_bound():
    """With 140 assumptions and no relation, the top |rho| of a 20-set study passes the bound in about
    5% of studies (Bonferroni), where 2/sqrt(N) would pass it in almost all."""
    from scipy.stats import rankdata

    from sim.experiments.uncertainty import noise_bound

    rng = np.random.default_rng(7)
    sets, m, studies = 20, 140, 300
    bound = noise_bound(sets, m)
    assert 0.75 < bound < 0.9 and noise_bound(100, m) < 0.4
    passed = naive = 0
    for _ in range(studies):
        x = rankdata(rng.random((sets, m)), axis=0)
        g = rankdata(rng.random(sets))
        rho = np.corrcoef(np.column_stack([g, x]), rowvar=False)[0, 1:]
        passed += np.abs(rho).max() > bound
        naive += np.abs(rho).max() > 2 / np.sqrt(sets)
    assert passed / studies < 0.1 and naive / studies > 0.9


def _fitted(tmp_path, draws):
    """A fitted company as salesim fit leaves it: a scenario beside its posterior, and a what-if on it."""
    import pandas as pd

    pd.DataFrame(draws).to_parquet(tmp_path / "posterior.parquet")
    medians = {k: float(np.median(v)) for k, v in draws.items()}
    (tmp_path / "fitted.yaml").write_text(
        "name: fitted\nextends: defined\nposterior: posterior.parquet\n"
        f"behavior: {json.dumps(medians)}\nsimulation: {{days: 30, warmup_days: 14}}\n"
    )
    (tmp_path / "whatif.yaml").write_text("name: whatif\nextends: fitted.yaml\nhandoff: {mode: warm}\n")
    return tmp_path / "fitted.yaml", tmp_path / "whatif.yaml"


def test_a_what_if_on_a_fitted_company_draws_the_fitted_parameters_from_the_posterior(tmp_path, monkeypatch):
    draws = {"win_logit": [-2.0, -1.5, -1.0, -0.5], "cycle_days": [40.0, 60.0, 80.0, 100.0]}
    fitted, whatif = _fitted(tmp_path, draws)
    monkeypatch.chdir(tmp_path.parent)  # the posterior is found beside the file that names it
    arms = [load_scenario(fitted), load_scenario(whatif)]
    assert arms[1].posterior == str(tmp_path / "posterior.parquet")
    picked = posterior_draws(arms, 12, seed=3)
    assert list(picked.columns) == ["posterior:win_logit", "posterior:cycle_days"]
    pairs = set(zip(draws["win_logit"], draws["cycle_days"], strict=True))
    assert set(map(tuple, picked.to_numpy())) <= pairs, "a draw keeps its parameters together (jointly)"
    drawn = with_assumptions(arms[1], picked.iloc[0].to_dict(), "set 0")
    assert drawn.behavior["win_logit"] == picked.iloc[0]["posterior:win_logit"]  # not the fitted median
    assert drawn.handoff.mode == "warm"
    generic = with_assumptions(load_scenario("aligned"), picked.iloc[0].to_dict(), "set 0")
    assert "win_logit" not in generic.behavior, "an arm not fitted to the posterior keeps its own parameters"
    study = uncertainty([fitted, whatif], sets=3, n=1, seed=2, workers=1)
    assert {"posterior:win_logit", "posterior:cycle_days"} <= set(study.sets.columns)
    assert "posterior" in study.manifest()["uncertainty"]["method"]


def test_a_broken_posterior_is_one_clear_error(tmp_path):
    fitted, _ = _fitted(tmp_path, {"win_logit": [-1.0, -1.2]})
    (tmp_path / "posterior.parquet").write_text("not parquet")
    with pytest.raises(ExperimentError, match="cannot read the posterior"):
        posterior_draws([load_scenario(fitted)], 3, seed=1)
    (tmp_path / "posterior.parquet").unlink()
    with pytest.raises(ScenarioError, match=r"posterior: .* is not a file"):
        load_scenario(fitted)
