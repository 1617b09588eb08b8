"""Approximate Bayesian computation by sequential Monte Carlo, within a budget of simulations.

The replenishment ABC-SMC of Drovandi & Pettitt (2011, Biometrics 67(1)): a population of
parameter sets (particles) drawn from the prior is simulated once; each generation then
sets the tolerance at the distance that keeps ``keep`` of the particles, drops the rest,
refills their places by resampling the kept particles, and moves each refilled particle by
Metropolis-Hastings steps of ABC (a Gaussian random walk with twice the kept particles'
covariance, folded back into the prior's box at its edges so the walk stays symmetric,
accepted when its simulation lands within the tolerance). As in the paper, a generation
takes as many steps as make each refill likely to move at least once, given the last
acceptance rate (at most ``most_moves``); the fit stops when the next step would exceed the
budget, or when moves are hardly ever accepted any more (the tolerance has gone as far as the
simulator's noise allows). The particles at the end are an equally weighted sample of the
approximate posterior.

Distances are Euclidean on summary statistics scaled by their spread under the prior (the
median absolute deviation of the first population's statistics, as Prangle 2017 advises
over raw units), so a count and a share weigh alike. The simulator is a function from an
array of parameter sets to an array of statistics (one row each, NaN for a failed run), so
the engine runs on the experiment runner, on any executor, or on a toy model in a test.
Each generation is a :class:`Generation`; handing the finished ones back to :func:`abc_smc`
resumes the fit exactly where it stopped (the random numbers of a generation come from the
seed and the generation's number only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Simulator = Callable[[np.ndarray, int], np.ndarray]  # (parameter sets, generation) -> statistics
Metric = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]  # (statistics, observed, scale) -> distances


@dataclass(frozen=True)
class Prior:
    """Independent uniform priors on a box (a parameter's plausible range).

    Attributes:
        names: the parameters, in column order.
        low: lower ends.
        high: upper ends.
    """

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` parameter sets drawn from the prior."""
        return self.low + (self.high - self.low) * rng.random((n, len(self.names)))

    def reflect(self, thetas: np.ndarray) -> np.ndarray:
        """Fold points outside the box back in, as a mirror would: a random walk stays symmetric and inside."""
        width = self.high - self.low
        folded = np.mod(thetas - self.low, 2 * width)
        return self.low + np.where(folded > width, 2 * width - folded, folded)

    def allows(self, thetas: np.ndarray) -> np.ndarray:
        """Which parameter sets lie inside the box (where the prior's density is not zero)."""
        return np.all((thetas >= self.low) & (thetas <= self.high), axis=1)


@dataclass(frozen=True)
class Generation:
    """One population of the fit.

    Attributes:
        number: 0 for the draws from the prior, then 1, 2, ...
        particles: parameter sets, one row each (equally weighted).
        distances: each particle's distance from the observed statistics.
        tolerance: the largest distance a particle may have (infinite in generation 0).
        simulations: runs spent on this generation.
        acceptance: share of the moves accepted (1 in generation 0).
        stats: each particle's simulated statistics.
    """

    number: int
    particles: np.ndarray
    distances: np.ndarray
    tolerance: float
    simulations: int
    acceptance: float
    stats: np.ndarray


def scales(stats: np.ndarray) -> np.ndarray:
    """The spread of each statistic under the prior: its median absolute deviation (1.4826 x, as a s.d.)."""
    out = np.ones(stats.shape[1])
    for j, column in enumerate(stats.T):
        column = column[np.isfinite(column)]
        if column.size:
            mad = 1.4826 * np.median(np.abs(column - np.median(column)))
            out[j] = mad if mad > 0 else (column.std() or 1.0)  # mostly one value: its s.d.
    return out


def distance(stats: np.ndarray, observed: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Scaled Euclidean distance of each row of statistics from the observed ones (infinite for a failed run)."""
    d = np.sqrt(np.nansum(((stats - observed) / scale) ** 2, axis=1))
    return np.where(np.all(np.isfinite(stats) | np.isnan(observed), axis=1), d, np.inf)


def moves_for(acceptance: float, most: int, certainty: float = 0.99) -> int:
    """MH steps per generation so that a refilled particle moves at least once with ``certainty`` (D&P 2011)."""
    if acceptance >= 1.0:
        return 1
    if acceptance <= 0.0:
        return most
    return int(min(most, max(1, math.ceil(math.log(1 - certainty) / math.log(1 - acceptance)))))


def abc_smc(
    simulate: Simulator,
    observed: np.ndarray,
    prior: Prior,
    *,
    population: int = 100,
    budget: int = 600,
    keep: float = 0.5,
    seed: int = 0,
    done: Sequence[Generation] = (),
    on_generation: Callable[[Generation], None] | None = None,
    min_acceptance: float = 0.02,
    most_moves: int = 3,
    metric: Metric | None = None,
) -> list[Generation]:
    """Fit ``prior``'s parameters to ``observed`` statistics; returns every generation, the posterior last.

    Args:
        simulate: parameter sets (rows) and the generation's number -> statistics (rows, NaN if failed).
        observed: the observed statistics (NaN where the data cannot say; left out of the distance).
        prior: uniform priors on the parameters' plausible ranges.
        population: particles (the posterior sample's size).
        budget: simulations in all (the first population included); the fit stops before exceeding it.
        keep: share of particles kept each generation (the tolerance's quantile).
        seed: the fit's seed (with the generation's number, all its randomness).
        done: generations already finished (resume from the last of them).
        on_generation: called with each new generation (to store it).
        min_acceptance: stop early when fewer moves than this are accepted (the tolerance has gone as far as
            the simulator's noise allows).
        most_moves: MH steps a generation may take (fewer when moves are often accepted).
        metric: the distance of each row of statistics (default :func:`distance`; a range target passes its own).

    Returns:
        The generations, first to last; the last one's particles are the posterior sample.
    """
    observed = np.asarray(observed, dtype=float)
    metric = metric or distance
    out = list(done)
    if not out:
        rng = np.random.default_rng([seed, 0])
        particles = prior.sample(rng, population)
        stats = np.asarray(simulate(particles, 0), dtype=float)
        scale = scales(stats)
        first = Generation(0, particles, metric(stats, observed, scale), math.inf, population, 1.0, stats)
        out.append(first)
        if on_generation:
            on_generation(first)
    scale = scales(out[0].stats)
    refills = population - max(2, round(keep * population))
    spent = sum(g.simulations for g in out)
    last = out[-1]
    while refills > 0 and budget - spent >= refills:
        if last.number > 0 and last.acceptance < min_acceptance:
            break
        moves = min(moves_for(0.5 if last.number == 0 else last.acceptance, most_moves), (budget - spent) // refills)
        last = _next_generation(simulate, observed, prior, scale, last, keep, seed, moves, metric)
        spent += last.simulations
        out.append(last)
        if on_generation:
            on_generation(last)
    return out


def _next_generation(
    simulate: Simulator,
    observed: np.ndarray,
    prior: Prior,
    scale: np.ndarray,
    last: Generation,
    keep: float,
    seed: int,
    moves: int,
    metric: Metric = distance,
) -> Generation:
    """Drop the farthest particles, refill from the kept ones and move the refills by ``moves`` ABC-MH steps."""
    number = last.number + 1
    rng = np.random.default_rng([seed, number])
    n = len(last.particles)
    order = np.argsort(last.distances, kind="stable")
    kept = order[: max(2, round(keep * n))]
    tolerance = float(last.distances[kept[-1]])
    refill = rng.choice(kept, size=n - len(kept), replace=True)
    cov = 2.0 * np.atleast_2d(np.cov(last.particles[kept], rowvar=False))
    cov += np.diag(1e-12 + 1e-9 * (prior.high - prior.low) ** 2)  # never singular
    here, d_here, s_here = last.particles[refill], last.distances[refill], last.stats[refill]
    accepted = 0
    for _ in range(moves):
        steps = rng.multivariate_normal(np.zeros(len(prior.names)), cov, len(refill))
        proposals = prior.reflect(here + steps)
        stats = np.asarray(simulate(proposals, number), dtype=float)
        d = metric(stats, observed, scale)
        moved = d <= tolerance  # uniform prior, symmetric (reflected) walk: the MH ratio is 1 within the tolerance
        here = np.where(moved[:, None], proposals, here)
        d_here = np.where(moved, d, d_here)
        s_here = np.where(moved[:, None], stats, s_here)
        accepted += int(moved.sum())
    return Generation(
        number,
        np.vstack([last.particles[kept], here]),
        np.concatenate([last.distances[kept], d_here]),
        tolerance,
        moves * len(refill),
        accepted / (moves * len(refill)),
        np.vstack([last.stats[kept], s_here]),
    )


PER_SLOPE = 5  # distinct particles the adjustment needs per coefficient it fits


def regression_adjust(particles: np.ndarray, stats: np.ndarray, observed: np.ndarray, prior: Prior) -> np.ndarray:
    """Beaumont, Zhang & Balding's (2002) local-linear adjustment of the final particles.

    Each parameter is regressed on the statistics' distance from the observed ones among
    the particles; each particle is then moved by the fitted slope times its statistics'
    offset, as if its run had landed exactly on the data. That takes out the part of the
    posterior's width that the tolerance left, not the part the data leave. Statistics the
    data do not give, or that do not vary, are left out; the result stays in the prior's box.
    """
    usable = np.isfinite(observed) & np.all(np.isfinite(stats), axis=0) & (np.std(stats, axis=0) > 0)
    distinct = len(np.unique(particles, axis=0))
    if not usable.any() or distinct < PER_SLOPE * (usable.sum() + 1):
        return particles  # too few distinct runs to fit the slopes without fitting their noise
    offsets = stats[:, usable] - observed[usable]
    offsets = offsets / np.std(offsets, axis=0)
    design = np.column_stack([np.ones(len(particles)), offsets])
    slopes, *_ = np.linalg.lstsq(design, particles, rcond=None)
    adjusted = particles - offsets @ slopes[1:]
    return np.clip(adjusted, prior.low, prior.high)
