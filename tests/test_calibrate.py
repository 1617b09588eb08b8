"""The calibration engine (sim/experiments/calibrate.py) and its statistics (calibration_facts.py)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.config.params import PARAM_INFO
from sim.experiments.abc import Prior, abc_smc
from sim.experiments.calibrate import CALIBRATED, MEASURED, PRIOR_RANGES, prior_of, range_distance, range_metric
from sim.experiments.calibration_facts import STATISTICS, Statistic, fitted, held_out, measure_all
from sim.experiments.fit import generation_store


def _stat(key: str, low: float, high: float, role: str = "fit", log: bool = False) -> Statistic:
    return Statistic(key, key, "", low, high, "toy [FACTS 1, HBR]", "HBR", role, "", lambda r: 0.0, log=log)


# a toy whose statistics are ranges: x ~ a, y ~ 2b (with noise); bands centred on a = 0.5, b = 0.3
TOY_STATS = (_stat("x", 0.45, 0.55), _stat("y", 0.55, 0.65), _stat("z", 100.0, 200.0, role="holdout"))
TOY_PRIOR = Prior(("a", "b"), np.array([0.0, 0.0]), np.array([1.0, 1.0]))


def toy(thetas: np.ndarray, generation: int) -> np.ndarray:
    rng = np.random.default_rng([generation, len(thetas), int(thetas.sum() * 1e6) % 2**32])
    noise = 0.01 * rng.standard_normal((len(thetas), 2))
    return np.column_stack([thetas[:, 0] + noise[:, 0], 2 * thetas[:, 1] + noise[:, 1], np.full(len(thetas), 1e6)])


def _toy_fit(budget: int = 700, **kwargs):
    return abc_smc(toy, np.full(3, np.nan), TOY_PRIOR, population=60, budget=budget, seed=3,
                   metric=range_metric(TOY_STATS), **kwargs)  # fmt: skip


def test_the_engine_recovers_known_parameters_from_ranges():
    post = _toy_fit()[-1].particles
    low, high = np.quantile(post, [0.05, 0.95], axis=0)
    assert low[0] >= 0.43 and high[0] <= 0.57, (low, high)  # inside the band that pins a down
    assert low[1] >= 0.27 and high[1] <= 0.33, (low, high)
    assert np.median(post[:, 0]) == pytest.approx(0.5, abs=0.03)


def test_a_range_distance_is_zero_inside_and_grows_outside_on_both_sides():
    band = _stat("share", 0.2, 0.4)
    assert band.distance(np.array([0.2, 0.3, 0.4])).tolist() == [0.0, 0.0, 0.0]
    below, far_below, above, far_above = band.distance(np.array([0.1, 0.0, 0.5, 0.8]))
    assert 0 < below < far_below and 0 < above < far_above
    assert below == pytest.approx(0.5) and above == pytest.approx(0.5)  # a band's width counts 1
    ratio = _stat("ratio", 60.0, 400.0, log=True)
    assert ratio.distance(np.array([100.0]))[0] == 0.0
    assert ratio.distance(np.array([30.0]))[0] == pytest.approx(np.log(2) / np.log(400 / 60))
    assert ratio.distance(np.array([800.0]))[0] == pytest.approx(np.log(2) / np.log(400 / 60))
    assert np.isnan(ratio.distance(np.array([np.inf, 0.0, np.nan]))).all()


def test_held_out_statistics_never_enter_the_distance_and_a_failed_run_is_infinitely_far():
    stats = np.array([[0.5, 0.6, 150.0], [0.5, 0.6, 1e9], [0.7, 0.6, 150.0], [np.nan, np.nan, np.nan]])
    d = range_distance(stats, TOY_STATS)
    assert d[0] == d[1] == 0.0 and d[2] > 0 and np.isinf(d[3])
    assert d[2] == pytest.approx(np.sqrt(3.0) * 0.15 / 0.1)  # 1.5 band widths out, HBR weight 3 on its square


def test_every_band_is_finite_on_both_sides_and_the_roles_split_the_facts():
    for stat in STATISTICS:
        assert np.isfinite(stat.low) and np.isfinite(stat.high) and stat.low < stat.high, stat.key
        assert stat.role in ("fit", "holdout") and stat.weight > 0, stat.key
        assert stat.role == "fit" or stat.why, f"{stat.key}: say why it is held out"
    fit, held = {s.key for s in fitted()}, {s.key for s in held_out()}
    assert fit and held and not fit & held
    assert 0.25 <= len(held) / (len(fit) + len(held)) <= 0.5  # roughly a third held out
    assert len({s.key for s in STATISTICS}) == len(STATISTICS)


def test_the_calibrated_parameters_have_a_prior_and_the_quota_is_not_among_them():
    prior = prior_of(CALIBRATED)
    assert "field_quota" not in CALIBRATED
    assert np.all(prior.low < prior.high)
    # fixed priors, not the params table's ranges (after a calibration those are its posterior bands:
    # a re-run taking them as priors would count the facts twice); every default within its prior
    assert set(PRIOR_RANGES) == set(CALIBRATED)
    for name, low, high in zip(CALIBRATED, prior.low, prior.high, strict=True):
        info = PARAM_INFO[name]
        assert low <= info.default <= high and low <= info.low and info.high <= high, name


def test_the_measures_give_nan_not_a_crash_when_the_run_lacks_a_column_or_a_kpi():
    leads = pd.DataFrame(
        {"source": ["inbound", "inbound", "field"], "in_flight": [False, False, False],
         "created_at": [10.0, 20.0, 30.0], "first_attempt_at": [10.5, np.nan, 31.0],
         "qualified_at": [11.0, np.nan, np.nan], "outcome": ["won", "open", "lost"]}
    )  # fmt: skip  # no contacted_at, attempts, handed_off_at, ...
    result = SimpleNamespace(leads=leads, summary={"win_rate": 0.2}, daily=pd.DataFrame({"day": [0]}),
                             scenario=SimpleNamespace(simulation=SimpleNamespace(days=365),
                                                      organization=SimpleNamespace(field_reps=20)))  # fmt: skip
    values = measure_all(result, "organization")
    assert set(values) == {s.key for s in STATISTICS if s.run == "organization"}
    assert values["win_rate"] == 0.2 and values["inquiry_to_mql"] == 0.5
    for key in ("never_contacted", "extra_contacts_from_retries", "mql_to_sal", "quota_attainment",
                "open_opportunities_per_ae", "inside_attrition"):  # fmt: skip
        assert np.isnan(values[key]), key


def test_a_calibration_stopped_and_resumed_from_disk_gives_the_identical_posterior(tmp_path):
    whole = _toy_fit(budget=400)
    save, load = generation_store(tmp_path, "toy")

    def stop_after_two(generation):
        save(generation)
        if generation.number == 1:
            raise KeyboardInterrupt  # the session stops here

    with pytest.raises(KeyboardInterrupt):
        _toy_fit(budget=400, on_generation=stop_after_two)
    assert len(load()) == 2
    resumed = _toy_fit(budget=400, done=load(), on_generation=save)
    assert len(resumed) == len(whole)
    assert np.array_equal(resumed[-1].particles, whole[-1].particles)
    assert np.array_equal(resumed[-1].stats, whole[-1].stats, equal_nan=True)


def test_every_measured_statistic_is_a_column_of_the_posterior_and_the_alignment_gap_is_not():
    keys = [s.key for s in MEASURED]
    assert "aligned_revenue_gain" not in keys and "qualify_1h_vs_24h" in keys and "quota_attainment" in keys


def test_check_calibration_prints_fitted_and_held_out_apart_with_their_shares():
    from sim.present.tables import calibration_table

    rows = [
        ("a", "fit", 0.3, "inside"), ("b", "fit", 0.9, "outside"), ("c", "holdout", 0.5, "inside"),
        ("d", "holdout", np.nan, "not measured"), ("e", "holdout", 0.2, "not comparable"),
    ]  # fmt: skip
    table = pd.DataFrame(
        [{"key": k, "fact": f"fact {k}", "published": "x", "source": "s", "role": role, "model": v,
          "ci_low": v, "ci_high": v, "low": 0.2, "high": 0.4, "status": st, "note": ""}
         for k, role, v, st in rows]
    )  # fmt: skip
    text = calibration_table(table)
    fitted_block, held_block, apart_block = text.split("\n\n")
    assert fitted_block.startswith("Fitted") and "1 of 2 inside" in fitted_block and "(50%)" in fitted_block
    assert held_block.startswith("Held out") and "1 of 1 inside" in held_block and "fact d" not in held_block
    assert "fact d" in apart_block and "fact e" in apart_block and "not measured" in apart_block
    assert "  NO  " in fitted_block and "nan" not in text


@pytest.mark.slow
def test_a_real_calibration_at_a_tiny_budget_writes_its_outputs_and_resumes(tmp_path):
    from sim.experiments.calibrate import calibrate, write_calibration_outputs

    first = calibrate(tmp_path, budget=8, population=4, n=2, seed=5)
    write_calibration_outputs(first, tmp_path)
    for name in ("posterior.parquet", "parameters.csv", "facts.csv", "calibration.md"):
        assert (tmp_path / name).is_file(), name
    again = calibrate(tmp_path, budget=8, population=4, n=2, seed=5)  # everything stored: nothing re-run
    assert np.array_equal(again.draws, first.draws)
    facts = pd.read_csv(tmp_path / "facts.csv")
    assert set(facts["role"]) == {"fit", "holdout"}
    assert not facts.loc[facts["inside"] == "yes"].eval("model < low or model > high").any()
