"""Sensitivity analysis of a finished sweep (SALib; scipy for rank correlations).

* ``sobol``: first-order and total indices with 95% intervals;
* ``morris``: mu* (with its interval) and sigma of the elementary effects;
* ``grid``: the KPI over two chosen parameters, as a heatmap;
* ``lhs``: Spearman rank correlation of each parameter with the KPI.

Replications of a design point are averaged first (failed runs dropped).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiments.sweep import SweepError, SweepSpec, read_manifest, read_results, salib_problem


@dataclass
class Sensitivity:
    """The result of a sensitivity analysis (figures: :func:`sim.present.figures.sensitivity_figure`).

    Attributes:
        table: one row per parameter (indices), or the grid's KPI by its two parameters.
        method: "sobol", "morris", "lhs" or "grid".
        kpi: the KPI analysed.
        columns: the table's columns a bar chart shows (not for grids).
        title: what the indices are, for people.
        axes: the grid's (x, y) parameters.
    """

    table: pd.DataFrame
    method: str
    kpi: str
    columns: tuple[str, ...] = ()
    title: str = ""
    axes: tuple[str, str] = ("", "")


def _load(folder: Path, kpi: str) -> tuple[SweepSpec, dict, pd.DataFrame, pd.Series]:
    manifest = read_manifest(folder)
    spec = SweepSpec.model_validate(manifest["spec"])
    if kpi not in spec.kpis:
        raise SweepError(f"--kpi {kpi}: this sweep kept {', '.join(spec.kpis)}")
    results = read_results(folder)
    points = pd.DataFrame(manifest["points"])
    if results.empty:
        raise SweepError(f"{folder}: no finished runs yet")
    ok = results[results["status"] == "ok"]
    y = ok.groupby("point_id")[kpi].mean().reindex(points["point_id"])
    return spec, manifest, points, y


def analyze(
    folder: str | Path, kpi: str, x: str | None = None, y: str | None = None, average: tuple[str, ...] = ()
) -> Sensitivity:
    """Sensitivity of ``kpi`` to the swept parameters of the sweep in ``folder``.

    A grid over more than its two axes averages the cells over the other parameters only
    when ``average`` names them (never silently).
    """
    folder = Path(folder)
    spec, manifest, _, values = _load(folder, kpi)
    names = list(spec.parameters)
    if spec.design == "grid":
        runs = read_results(folder)
        runs = runs[runs["status"] == "ok"]
        x, y = x or names[0], y or (names[1] if len(names) > 1 else names[0])
        return _grid(spec, runs, kpi, x, y, average)
    if values.isna().any():
        missing = int(values.isna().sum())
        raise SweepError(f"{folder}: {missing} design points have no finished run; resume the sweep first")
    if np.isclose(values.std(), 0.0):
        raise SweepError(f"{kpi} does not vary across the design ({values.iloc[0]:g} everywhere): nothing to attribute")
    problem = salib_problem(spec)
    samples = np.asarray(manifest["unit_samples"])
    if spec.design == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, values.to_numpy(), calc_second_order=False, seed=spec.seed)
        table = pd.DataFrame(
            {"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]}
        )
        return Sensitivity(table, "sobol", kpi, ("S1", "ST"), "Sobol indices (95% interval)")
    if spec.design == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, samples, values.to_numpy(), num_levels=spec.levels, seed=spec.seed)
        table = pd.DataFrame(
            {"parameter": names, "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]}
        )
        return Sensitivity(table, "morris", kpi, ("mu_star", "sigma"), "Morris elementary effects")
    rows = []
    for i, name in enumerate(names):
        rho, p = stats.spearmanr(samples[:, i], values.to_numpy())
        rows.append({"parameter": name, "spearman_rho": rho, "p_value": p})
    table = pd.DataFrame(rows)
    return Sensitivity(table, "lhs", kpi, ("spearman_rho",), "Rank correlation with the KPI")


def _grid(spec: SweepSpec, runs: pd.DataFrame, kpi: str, x: str, y: str, average: tuple[str, ...]) -> Sensitivity:
    """The KPI's mean and 95% interval over the runs of each (y, x) cell."""
    from sim.experiments.stats import mean_ci

    for name in (x, y, *average):
        if name not in spec.parameters:
            raise SweepError(f"{name}: not a swept parameter; swept: {', '.join(spec.parameters)}")
    others = [p for p in spec.parameters if p not in (x, y)]
    silent = [p for p in others if p not in average]
    if silent:
        raise SweepError(
            f"a grid of {x} by {y} would average over {', '.join(silent)}: "
            f"name it with --average-over {silent[0]}, or choose it as --x or --y"
        )
    rows = []
    for (vy, vx), part in runs.groupby([y, x], sort=False):
        mean, low, high = mean_ci(part[kpi])
        rows.append({y: vy, x: vx, "mean": mean, "ci_low": low, "ci_high": high, "runs": len(part)})
    table = pd.DataFrame(rows)
    return Sensitivity(table, "grid", kpi, axes=(x, y), title=", ".join(others))
