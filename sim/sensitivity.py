"""Sensitivity analysis of a finished sweep (SALib; scipy for rank correlations).

* ``sobol``: first-order and total indices with 95% intervals;
* ``morris``: mu* (with its interval) and sigma of the elementary effects;
* ``grid``: the KPI over two chosen parameters, as a heatmap;
* ``lhs``: Spearman rank correlation of each parameter with the KPI.

Replications of a design point are averaged first (failed runs dropped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sim.plots import STYLE
from sim.sweep import SweepError, SweepSpec, read_results, salib_problem


@dataclass
class Sensitivity:
    """The table and figure of a sensitivity analysis."""

    table: pd.DataFrame
    figure: Figure
    method: str


def _load(folder: Path, kpi: str) -> tuple[SweepSpec, dict, pd.DataFrame, pd.Series]:
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise SweepError(f"{folder}: not a sweep folder (no manifest.json)")
    manifest = json.loads(manifest_path.read_text())
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


def analyze(folder: str | Path, kpi: str, x: str | None = None, y: str | None = None) -> Sensitivity:
    """Sensitivity of ``kpi`` to the swept parameters of the sweep in ``folder``."""
    folder = Path(folder)
    spec, manifest, points, values = _load(folder, kpi)
    names = list(spec.parameters)
    if spec.design == "grid":
        return _heatmap(spec, points, values, kpi, x or names[0], y or (names[1] if len(names) > 1 else names[0]))
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
        return Sensitivity(table, _bars(table, ["S1", "ST"], kpi, "Sobol indices (95% interval)"), "sobol")
    if spec.design == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, samples, values.to_numpy(), num_levels=spec.levels, seed=spec.seed)
        table = pd.DataFrame(
            {"parameter": names, "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]}
        )
        return Sensitivity(table, _bars(table, ["mu_star", "sigma"], kpi, "Morris elementary effects"), "morris")
    rows = []
    for i, name in enumerate(names):
        rho, p = stats.spearmanr(samples[:, i], values.to_numpy())
        rows.append({"parameter": name, "spearman_rho": rho, "p_value": p})
    table = pd.DataFrame(rows)
    return Sensitivity(table, _bars(table, ["spearman_rho"], kpi, "Rank correlation with the KPI"), "lhs")


def _bars(table: pd.DataFrame, columns: list[str], kpi: str, title: str) -> Figure:
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(10, 0.5 * len(table) + 2.5))
        ax = fig.subplots()
        height = 0.8 / len(columns)
        y = np.arange(len(table))
        for j, col in enumerate(columns):
            err = table.get(f"{col}_conf")
            ax.barh(y + j * height, table[col], height=height * 0.9, label=col,
                    xerr=None if err is None else err.to_numpy(), capsize=3)  # fmt: skip
        ax.set_yticks(y + height * (len(columns) - 1) / 2, table["parameter"])
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel(f"sensitivity of {kpi.replace('_', ' ')}")
        ax.set_title(title)
        ax.legend(frameon=False)
        fig.tight_layout()
    return fig


def _heatmap(spec: SweepSpec, points: pd.DataFrame, values: pd.Series, kpi: str, x: str, y: str) -> Sensitivity:
    for name in (x, y):
        if name not in spec.parameters:
            raise SweepError(f"{name}: not a swept parameter; swept: {', '.join(spec.parameters)}")
    frame = points.assign(**{kpi: values.to_numpy()})
    table = frame.groupby([y, x], sort=False)[kpi].mean().unstack(x)
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(1.2 * table.shape[1] + 4, 0.7 * table.shape[0] + 2.5))
        ax = fig.subplots()
        image = ax.imshow(table.to_numpy(dtype=float), cmap="viridis", aspect="auto")
        ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
        ax.set_yticks(range(table.shape[0]), [str(i) for i in table.index])
        for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
            ax.text(j, i, f"{v:,.3g}", ha="center", va="center", color="white", fontsize=9)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        fig.colorbar(image, ax=ax, label=f"{kpi.replace('_', ' ')} (mean over replications)")
        ax.set_title(f"{kpi.replace('_', ' ')} over {x} and {y}")
        fig.tight_layout()
    return Sensitivity(table.reset_index(), fig, "grid")
