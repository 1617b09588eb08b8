"""ABC-SMC (sim/experiments/abc.py) on toy simulators whose posteriors are known."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiments.abc import Prior, abc_smc, regression_adjust, scales

PRIOR = Prior(("a", "b", "nuisance"), np.array([0.0, 0.0, 0.0]), np.array([10.0, 10.0, 1.0]))
NOISE = 0.3


def toy(thetas: np.ndarray, generation: int) -> np.ndarray:
    """Statistics: a and b seen with noise; the nuisance parameter leaves no trace (not identifiable)."""
    rng = np.random.default_rng([generation, len(thetas), int(thetas.sum() * 1e6) % 2**32])
    return thetas[:, :2] + NOISE * rng.standard_normal((len(thetas), 2))


def test_the_posterior_covers_the_truth_narrows_what_the_data_identify_and_not_the_rest():
    truth = np.array([3.0, 7.0])
    fit = abc_smc(toy, truth, PRIOR, population=200, budget=3000, seed=1)
    post = fit[-1].particles
    low, high = np.quantile(post, [0.05, 0.95], axis=0)
    assert np.all((low[:2] <= truth) & (truth <= high[:2])), (low, high)
    assert np.all(high[:2] - low[:2] < 0.15 * 10), "the data pin a and b down"
    assert high[2] - low[2] > 0.6, "the nuisance parameter keeps (most of) its prior width"
    assert [g.tolerance for g in fit[1:]] == sorted((g.tolerance for g in fit[1:]), reverse=True)
    assert sum(g.simulations for g in fit) <= 3000


def test_a_fit_resumed_from_its_finished_generations_is_the_fit_run_at_once():
    whole = abc_smc(toy, np.array([3.0, 7.0]), PRIOR, population=50, budget=400, seed=4)
    half = abc_smc(toy, np.array([3.0, 7.0]), PRIOR, population=50, budget=200, seed=4)
    resumed = abc_smc(toy, np.array([3.0, 7.0]), PRIOR, population=50, budget=400, seed=4, done=half)
    assert len(resumed) == len(whole) > len(half)
    assert np.array_equal(resumed[-1].particles, whole[-1].particles)


def test_failed_runs_are_never_accepted():
    def flaky(thetas, generation):
        stats = toy(thetas, generation)
        stats[thetas[:, 0] > 5] = np.nan  # runs with a > 5 fail
        return stats

    fit = abc_smc(flaky, np.array([4.0, 7.0]), PRIOR, population=60, budget=400, seed=2)
    assert np.all(fit[-1].particles[:, 0] <= 5) and np.all(np.isfinite(fit[-1].distances))


@given(st.integers(10, 600), st.integers(4, 100), st.floats(0.1, 0.9))
@settings(max_examples=25, deadline=None)
def test_the_budget_is_never_exceeded(budget, population, keep):
    fit = abc_smc(toy, np.array([3.0, 7.0]), PRIOR, population=population, budget=max(budget, population), keep=keep)
    assert sum(g.simulations for g in fit) <= max(budget, population)


def test_scales_are_positive_even_for_a_constant_statistic():
    stats = np.column_stack([np.ones(10), np.arange(10.0), np.full(10, np.nan)])
    assert np.all(scales(stats) > 0) and scales(stats)[1] == pytest.approx(1.4826 * 2.5)


def test_the_regression_adjustment_narrows_towards_the_truth_and_leaves_the_nuisance_alone():
    truth = np.array([3.0, 7.0])
    fit = abc_smc(toy, truth, PRIOR, population=150, budget=700, seed=3)
    last = fit[-1]
    adjusted = regression_adjust(last.particles, last.stats, truth, PRIOR)
    assert np.all(np.abs(np.median(adjusted[:, :2], axis=0) - truth) < 0.25)
    assert np.all(np.std(adjusted[:, :2], axis=0) < np.std(last.particles[:, :2], axis=0))
    assert np.std(adjusted[:, 2]) > 0.8 * np.std(last.particles[:, 2])
    assert PRIOR.allows(adjusted).all()


def test_too_few_distinct_particles_are_not_adjusted():
    """Nine distinct runs cannot fit seven slopes: adjusting would collapse the posterior onto one point."""
    rng = np.random.default_rng(0)
    particles = np.repeat(PRIOR.sample(rng, 9), 4, axis=0)
    stats = np.repeat(rng.random((9, 7)), 4, axis=0)
    assert np.array_equal(regression_adjust(particles, stats, np.full(7, 0.5), PRIOR), particles)
