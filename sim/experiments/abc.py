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

import dataclasses
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
        stats: each particle's simulated statistics (with replicates: one of its runs within the tolerance).
        run_stats: with replicates, every run's statistics (particle x replicate x statistic); else None.
        run_distances: with replicates, every run's distance (particle x replicate); ``distances`` is their
            median, by which particles are ranked; else None.
    """

    number: int
    particles: np.ndarray
    distances: np.ndarray
    tolerance: float
    simulations: int
    acceptance: float
    stats: np.ndarray
    run_stats: np.ndarray | None = None
    run_distances: np.ndarray | None = None

    @property
    def replicates(self) -> int:
        """Runs per particle (seeds it is judged on)."""
        return 1 if self.run_distances is None else int(self.run_distances.shape[1])

    def all_stats(self) -> np.ndarray:
        """Every run's statistics, a row each."""
        return self.stats if self.run_stats is None else self.run_stats.reshape(-1, self.run_stats.shape[2])


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
    replicates: int = 1,
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
        replicates: runs (seeds) each parameter set is judged on. With more than one, the fit is the
            pseudo-marginal ABC of Del Moral, Doucet & Jasra (2012, Statistics and Computing 22(5)): a
            particle's likelihood is the share of its runs within the tolerance, a move is accepted with
            the ratio of the shares, and a particle is kept to the next tolerance with the ratio of its
            shares at the two; the posterior is the same as with one run, but less noisy to reach. The
            budget counts runs, and ``simulate`` gets each parameter set ``replicates`` times in a row.

    Returns:
        The generations, first to last; the last one's particles are the posterior sample.
    """
    observed = np.asarray(observed, dtype=float)
    metric = metric or distance
    out = list(done)
    if not out:
        rng = np.random.default_rng([seed, 0])
        particles = prior.sample(rng, population)
        stats = np.asarray(simulate(np.repeat(particles, replicates, axis=0), 0), dtype=float)
        if replicates == 1:
            first = Generation(0, particles, metric(stats, observed, scales(stats)), math.inf, population, 1.0, stats)
        else:
            runs = stats.reshape(population, replicates, -1)
            first = judged(Generation(0, particles, np.zeros(population), math.inf, population * replicates, 1.0,
                                      runs[:, 0], runs), observed, scales(stats), metric)  # fmt: skip
        out.append(first)
        if on_generation:
            on_generation(first)
    if out[0].replicates != replicates:
        raise ValueError(f"stored generations were judged on {out[0].replicates} run(s) each, not {replicates}")
    scale = scales(out[0].all_stats())
    refills = (population - max(2, round(keep * population))) * replicates  # runs a move of the refills takes
    spent = sum(g.simulations for g in out)
    last = out[-1]
    while refills > 0 and budget - spent >= refills:
        if last.number > 0 and last.acceptance < min_acceptance:
            break
        moves = min(moves_for(0.5 if last.number == 0 else last.acceptance, most_moves), (budget - spent) // refills)
        if replicates == 1:
            last = _next_generation(simulate, observed, prior, scale, last, keep, seed, moves, metric)
        else:
            step = _next_replicated(simulate, observed, prior, scale, last, keep, seed, moves, metric, budget - spent)
            if step is None:
                break
            last = step
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


def judged(g: Generation, observed: np.ndarray, scale: np.ndarray, metric: Metric | None = None) -> Generation:
    """A replicated generation with its runs' distances from ``observed`` (re)computed, and what follows from them.

    Each particle's distance is the median of its runs' (its rank); its statistics are those of its first run
    within the generation's tolerance (every run within an infinite one: the first that did not fail).
    """
    if g.run_stats is None:
        return dataclasses.replace(g, distances=(metric or distance)(g.stats, observed, scale))
    n, k, m = g.run_stats.shape
    run_d = (metric or distance)(g.run_stats.reshape(-1, m), observed, scale).reshape(n, k)
    return dataclasses.replace(g, distances=np.median(run_d, axis=1), run_distances=run_d,
                               stats=_within(g.run_stats, run_d, g.tolerance))  # fmt: skip


def _within(run_stats: np.ndarray, run_d: np.ndarray, tolerance: float) -> np.ndarray:
    """Each particle's first run within the tolerance (else its first run)."""
    ok = (run_d <= tolerance) & np.isfinite(run_d)
    pick = np.where(ok.any(axis=1), ok.argmax(axis=1), 0)
    return run_stats[np.arange(len(run_stats)), pick]


def _share(run_d: np.ndarray, tolerance: float) -> np.ndarray:
    """Each particle's likelihood at a tolerance: the share of its runs within it (a failed run is never)."""
    return ((run_d <= tolerance) & np.isfinite(run_d)).mean(axis=1)


def _tolerance(run_d: np.ndarray, before: np.ndarray, survivors: int) -> float:
    """The smallest tolerance at which ``survivors`` particles are expected to stay (Del Moral et al. 2012).

    A particle stays with its share of runs within the tolerance over its share within the last one; the
    expected survivors grow with the tolerance, which is the smallest run distance that gives enough.
    """
    candidates = np.unique(run_d[np.isfinite(run_d)])
    ratio = np.divide(1.0, before, out=np.zeros(len(before)), where=before > 0)
    low, high = 0, len(candidates) - 1
    if high < 0:
        return math.inf
    while low < high:  # the expected survivors are monotone in the tolerance: bisect
        mid = (low + high) // 2
        if float((_share(run_d, float(candidates[mid])) * ratio).sum()) >= survivors:
            high = mid
        else:
            low = mid + 1
    return float(candidates[low])


def _next_replicated(
    simulate: Simulator,
    observed: np.ndarray,
    prior: Prior,
    scale: np.ndarray,
    last: Generation,
    keep: float,
    seed: int,
    moves: int,
    metric: Metric,
    remaining: int,
) -> Generation | None:
    """:func:`_next_generation` for particles judged on several runs (pseudo-marginal; None: over the budget).

    The tolerance is the smallest at which ``keep`` of the particles are expected to stay. A particle stays with
    the probability that its share of runs within the new tolerance bears to its share within the last
    (a rejection step: the survivors are a sample at the new tolerance); the others are refilled from the
    survivors and moved by Metropolis-Hastings steps accepted with the ratio of the shares.
    """
    assert last.run_stats is not None and last.run_distances is not None
    number = last.number + 1
    rng = np.random.default_rng([seed, number])
    n, k, m = last.run_stats.shape
    order = np.argsort(last.distances, kind="stable")
    before = _share(last.run_distances, last.tolerance)
    tolerance = _tolerance(last.run_distances, before, max(2, round(keep * n)))
    now = _share(last.run_distances, tolerance)
    stays = rng.random(n) < np.divide(now, before, out=np.zeros(n), where=before > 0)
    stays[order[:2]] |= now[order[:2]] > 0  # at least two survivors to refill from
    kept = np.flatnonzero(stays)
    if len(kept) < 2:
        kept = order[:2]
    refill = rng.choice(kept, size=n - len(kept), replace=True)
    moves = min(moves, remaining // max(1, len(refill) * k))
    if moves < 1 or not len(refill):
        return None  # over the budget, or nothing to refill (the tolerance cannot go further)
    cov = 2.0 * np.atleast_2d(np.cov(last.particles[kept], rowvar=False))
    cov += np.diag(1e-12 + 1e-9 * (prior.high - prior.low) ** 2)  # never singular
    here, runs, run_d = last.particles[refill], last.run_stats[refill], last.run_distances[refill]
    share = now[refill]
    accepted = 0
    for _ in range(moves):
        steps = rng.multivariate_normal(np.zeros(len(prior.names)), cov, len(refill))
        proposals = prior.reflect(here + steps)
        stats = np.asarray(simulate(np.repeat(proposals, k, axis=0), number), dtype=float).reshape(len(refill), k, m)
        d = metric(stats.reshape(-1, m), observed, scale).reshape(len(refill), k)
        new = _share(d, tolerance)
        # uniform prior, symmetric (reflected) walk: accept with the ratio of the estimated likelihoods
        moved = (new > 0) & (rng.random(len(refill)) * share < new)
        here = np.where(moved[:, None], proposals, here)
        runs = np.where(moved[:, None, None], stats, runs)
        run_d = np.where(moved[:, None], d, run_d)
        share = np.where(moved, new, share)
        accepted += int(moved.sum())
    all_runs = np.concatenate([last.run_stats[kept], runs])
    all_d = np.concatenate([last.run_distances[kept], run_d])
    return Generation(number, np.vstack([last.particles[kept], here]), np.median(all_d, axis=1), tolerance,
                      moves * len(refill) * k, accepted / (moves * len(refill)), _within(all_runs, all_d, tolerance),
                      all_runs, all_d)  # fmt: skip


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
