"""Each candidate judged on several seeds (sim/experiments/abc.py, ``replicates``): the posterior stays the right one.

Averaging a candidate's runs before comparing them with the data would be wrong: the data are one run, not the
mean of two, so a posterior fitted to averages is too narrow by about the square root of the runs averaged.
The pseudo-marginal ABC (Del Moral, Doucet & Jasra 2012) judges a candidate by the share of its runs within the
tolerance instead, and keeps the posterior of one run per candidate. The toy: one statistic, the parameter seen
with unit noise; its exact posterior under the flat prior is a normal of s.d. 1 around the observation.
"""

import numpy as np
import pytest

from sim.experiments.abc import Prior, abc_smc

PRIOR = Prior(("mu",), np.array([-5.0]), np.array([5.0]))


def noisy(thetas: np.ndarray, generation: int) -> np.ndarray:
    rng = np.random.default_rng([generation, len(thetas), int(abs(thetas.sum()) * 1e6) % 2**32])
    return thetas + rng.standard_normal(thetas.shape)


def averaged(thetas: np.ndarray, generation: int) -> np.ndarray:
    """Two runs per candidate, averaged (the wrong way)."""
    return noisy(np.repeat(thetas, 2, axis=0), generation).reshape(len(thetas), 2, 1).mean(axis=1)


def _spread(simulate, replicates: int, seed: int) -> tuple[float, float, int]:
    fit = abc_smc(simulate, np.array([0.0]), PRIOR, population=400, budget=6000 * replicates, seed=seed,
                  replicates=replicates, min_acceptance=0.15, most_moves=5)  # fmt: skip
    x = fit[-1].particles[:, 0]
    assert sum(g.simulations for g in fit) <= 6000 * replicates
    return float(x.mean()), float(x.std()), len(np.unique(x))


@pytest.mark.parametrize("seed", [3, 4])
def test_two_runs_a_candidate_keep_the_posterior_of_one(seed):
    mean, sd, distinct = _spread(noisy, 2, seed)
    assert abs(mean) < 0.2 and 0.85 < sd < 1.2, (mean, sd)  # the exact posterior: mean 0, s.d. 1
    assert distinct > 150  # not a few particles copied over and over
    _, wrong_sd, _ = _spread(averaged, 1, seed)
    assert wrong_sd < 0.8, wrong_sd  # averaging the runs first: too narrow (1 / sqrt(2) = 0.71)


def test_a_replicated_fit_resumed_from_its_generations_is_the_fit_run_at_once():
    kwargs = {"population": 40, "seed": 5, "replicates": 3}
    whole = abc_smc(noisy, np.array([1.0]), PRIOR, budget=900, **kwargs)  # type: ignore[arg-type]
    half = whole[:3]  # a fit stopped after three generations (each stored as it finished)
    resumed = abc_smc(noisy, np.array([1.0]), PRIOR, budget=900, done=half, **kwargs)  # type: ignore[arg-type]
    assert len(resumed) == len(whole) > len(half)
    assert np.array_equal(resumed[-1].particles, whole[-1].particles)
    assert np.array_equal(resumed[-1].run_distances, whole[-1].run_distances)
    assert whole[0].run_stats is not None and whole[0].run_stats.shape == (40, 3, 1)
    with pytest.raises(ValueError, match="judged on 3 run"):
        abc_smc(noisy, np.array([1.0]), PRIOR, budget=900, population=40, seed=5, replicates=2, done=half)


def test_a_candidate_with_a_failed_run_is_judged_on_the_others_and_one_failing_every_run_never_kept():
    def flaky(thetas, generation):
        stats = noisy(thetas, generation)
        stats[thetas[:, 0] > 2] = np.nan  # every run of mu > 2 fails
        return stats

    fit = abc_smc(flaky, np.array([1.5]), PRIOR, population=60, budget=1200, seed=2, replicates=2)
    assert np.all(fit[-1].particles[:, 0] <= 2)
