"""Simulation-based calibration of the fit (Talts et al. 2018): does its 90% interval hold the truth 90% of the time?

Many companies of known behaviour are drawn from the fit's prior; each is run once, as its export would
show it, and fitted by the fit's engine (:func:`sim.experiments.abc.abc_smc`, each candidate judged on
:data:`sim.experiments.fit.REPLICATES` seeds, the last population regression-adjusted) on the fit's
statistics (:func:`sim.experiments.fit.fit_measure`, the practice statistics left out as the fit leaves
them out). A calibrated fit puts each truth at a uniformly distributed rank among its posterior draws,
and inside its 90% interval nine times in ten; a fit too sure of itself puts the truths at the extreme
ranks, one too cautious in the middle. The levelling rounds of a fit (:mod:`sim.experiments.fit_levels`)
are left out: a simulated company's volume and deal sizes are its own.

The companies are small and short (:data:`SBC_COMPANY`: ``defined``'s practices, 3 inside and 6 field
reps, 12 inquiries a working day, 90 days) so that many fits fit in minutes. ``python -m
sim.experiments.fit_calibration --truths 30 --figure docs/figures/fit_sbc.png`` draws docs/CRM.md's figure.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario, load_scenario, scenario_to_dict, validate, with_values
from sim.experiments.abc import abc_smc, judged, regression_adjust, scales
from sim.experiments.fit import (
    MIN_ACCEPTANCE,
    MOST_MOVES,
    REPLICATES,
    STATISTICS,
    executor_for,
    fit_measure,
    prior_of,
    reachable_target,
    with_behavior,
)
from sim.experiments.runner import Task, run_tasks

SBC_COMPANY: dict[str, Any] = {
    "simulation.days": 90,
    "simulation.warmup_days": 14,
    "market.inbound_leads_per_day": 12,
    "organization.inside_reps": 3,
    "organization.field_teams": [{"name": "east", "field_reps": 3}, {"name": "west", "field_reps": 3}],
}
NAMES = ("win_logit", "cycle_days")


def company(base: str = "defined") -> Scenario:
    """The small company every truth is a variant of."""
    return validate(with_values(scenario_to_dict(load_scenario(base)), SBC_COMPANY), source=f"{base}, small")


def calibrate_fit(
    truths: int = 20,
    *,
    budget: int = 120,
    population: int = 20,
    replicates: int = REPLICATES,
    names: tuple[str, ...] = NAMES,
    seed: int = 0,
    workers: int = 2,
    progress: bool = False,
) -> pd.DataFrame:
    """Fit ``truths`` companies drawn from the prior: a row each with its truth, posterior interval and rank.

    Returns:
        A table: ``truth`` (its number), then per parameter ``<name>`` (the truth), ``<name>_p05``,
        ``<name>_median``, ``<name>_p95``, ``<name>_rank`` (posterior draws below the truth, 0 to
        ``draws``), ``<name>_inside`` (within the 90% interval); and ``draws``.
    """
    prior = prior_of(names)
    base = company()
    drawn = prior.sample(np.random.default_rng([seed, 1]), truths)
    rows = []
    with executor_for(workers, "processes", None) as pool:

        def simulate(thetas: np.ndarray, tag: int) -> np.ndarray:
            seeds = np.random.default_rng([seed, tag, 7]).integers(0, 2**31 - 1, len(thetas))
            tasks = [Task(with_behavior(base, names, theta, "calibration"), int(s), {"particle": i}, fit_measure)
                     for i, (theta, s) in enumerate(zip(thetas, seeds, strict=True))]  # fmt: skip
            table = run_tasks(tasks, workers, pool, progress, f"calibration, batch {tag}")
            stats = np.full((len(tasks), len(STATISTICS)), np.nan)
            ok = (table["status"] == "ok").to_numpy()
            stats[ok] = table.loc[ok, list(STATISTICS)].to_numpy(dtype=float)
            return stats

        for i, truth in enumerate(drawn):
            observed = simulate(truth[None, :], 1_000_000 + i)[0]  # the company's export: one run at the truth

            def fitted(thetas: np.ndarray, number: int, i: int = i) -> np.ndarray:
                return simulate(thetas, 1000 * (i + 1) + number)

            first = abc_smc(fitted, observed, prior, population=population, budget=population * replicates,
                            seed=seed + i, replicates=replicates)  # fmt: skip
            aimed = reachable_target(observed, first[0])
            rescored = judged(first[0], aimed, scales(first[0].all_stats()))
            generations = abc_smc(fitted, aimed, prior, population=population, budget=budget, seed=seed + i,
                                  done=[rescored], replicates=replicates, min_acceptance=MIN_ACCEPTANCE,
                                  most_moves=MOST_MOVES)  # fmt: skip
            last = generations[-1]
            draws = regression_adjust(last.particles, last.stats, aimed, prior)
            row: dict[str, Any] = {"truth": i, "draws": len(draws)}
            for j, name in enumerate(names):
                p05, median, p95 = np.quantile(draws[:, j], [0.05, 0.5, 0.95])
                row |= {name: float(truth[j]), f"{name}_p05": float(p05), f"{name}_median": float(median),
                        f"{name}_p95": float(p95), f"{name}_rank": int((draws[:, j] < truth[j]).sum()),
                        f"{name}_inside": bool(p05 <= truth[j] <= p95)}  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows)


def coverage(table: pd.DataFrame, names: tuple[str, ...] = NAMES) -> dict[str, float]:
    """Each parameter's share of truths inside their 90% interval."""
    return {n: float(table[f"{n}_inside"].mean()) for n in names}


def save_figure(table: pd.DataFrame, path: Path, names: tuple[str, ...] = NAMES) -> None:
    """Rank histograms (uniform when calibrated) and each truth against its 90% interval."""
    from matplotlib.figure import Figure

    from sim.experiments.files import atomic_write

    draws = int(table["draws"].min())
    fig = Figure(figsize=(12, 8), dpi=100)
    axes = fig.subplots(2, len(names), squeeze=False)
    bins = min(10, draws + 1)
    for j, name in enumerate(names):
        ax = axes[0][j]
        ranks = table[f"{name}_rank"].to_numpy() / draws
        ax.hist(ranks, bins=np.linspace(0, 1, bins + 1), color="#2e75b6", edgecolor="white")
        expected = len(table) / bins
        band = 1.645 * math.sqrt(expected * (1 - 1 / bins))
        ax.axhspan(max(0.0, expected - band), expected + band, color="#b0b0b0", alpha=0.4,
                   label="uniform: 90% band")  # fmt: skip
        ax.set_xlabel(f"rank of the true {name} among its posterior draws (share below it)")
        ax.set_ylabel("companies (truths)")
        ax.set_title(f"{name}: {table[f'{name}_inside'].mean():.0%} of truths inside their 90% interval")
        ax.legend(loc="upper right", frameon=False)
        ax = axes[1][j]
        order = np.argsort(table[name].to_numpy())
        y = np.arange(len(table))
        inside = table[f"{name}_inside"].to_numpy()[order]
        ax.hlines(y, table[f"{name}_p05"].to_numpy()[order], table[f"{name}_p95"].to_numpy()[order],
                  color=np.where(inside, "#2e75b6", "#c0504d"), linewidth=3, label="90% interval")  # fmt: skip
        ax.plot(table[name].to_numpy()[order], y, "k|", markersize=10, label="truth")
        ax.set_xlabel(f"{name} (prior {prior_of(names).low[j]:g} to {prior_of(names).high[j]:g})")
        ax.set_ylabel("company, by its true value")
        ax.legend(loc="lower right", frameon=False)
    fig.suptitle(f"Simulation-based calibration of salesim fit: {len(table)} companies drawn from the prior, "
                 f"each fitted on {draws} posterior draws", fontsize=13)  # fmt: skip
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))


def main() -> None:
    """``python -m sim.experiments.fit_calibration``: the calibration table and figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truths", type=int, default=30)
    parser.add_argument("--budget", type=int, default=160)
    parser.add_argument("--population", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--figure", type=Path, default=Path("fit_sbc.png"))
    parser.add_argument("--table", type=Path, default=None)
    args = parser.parse_args()
    table = calibrate_fit(args.truths, budget=args.budget, population=args.population, workers=args.workers,
                          progress=True)  # fmt: skip
    if args.table:
        table.to_csv(args.table, index=False)
    save_figure(table, args.figure)
    print(f"coverage of the 90% intervals: {coverage(table)}; figure: {args.figure}")


if __name__ == "__main__":
    main()
