"""Scenario discovery: the conditions under which a change does not pay, found with PRIM.

PRIM (Friedman & Fisher 1999) peels a box, one range of one input at a time, around the
cases of interest (here: the assumption sets or sweep points where the KPI's gain is at or
below a threshold, "alignment does not pay") until most cases in the box are of interest.
EMA Workbench implements it (Kwakkel 2017); salesim uses that implementation, installed
with the ``discover`` extra. Of the boxes along PRIM's peeling trajectory, the one chosen
holds the most cases of interest (coverage) among those where at least ``density`` of the
cases are of interest; the box's restricted ranges are said in words.

Inputs: a folder written by ``compare`` or ``report`` with ``--uncertainty`` (each
assumption set's values and gains, ``assumption_sets.csv``), or by ``sweep`` (each design
point's values, and the KPI's mean over its replications).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.config.errors import SalesimError
from sim.measure.kpis import KPI_NAMES, kpi


class DiscoveryError(SalesimError):
    """A folder or a question discovery cannot work on (exit code 2)."""


@dataclass
class Discovery:
    """The box PRIM found.

    Attributes:
        what: the question in words ("profit gain of aligned over misaligned at or below $0").
        limits: one row per restricted input: input, low, high, and the full range's min and max.
        coverage: share of the cases of interest inside the box.
        density: share of the cases in the box that are of interest.
        mass: share of all cases inside the box.
        cases: cases of interest and cases in all.
        trajectory: PRIM's peeling trajectory (coverage, density, mass, restricted inputs per box).
    """

    what: str
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    cases: tuple[int, int]
    trajectory: pd.DataFrame

    def sentence(self) -> str:
        """The box in words."""
        interest, total = self.cases
        if self.limits.empty:
            return f"{self.what}: in {interest} of {total} cases, with no range of the inputs that sets them apart."
        ranges = " and ".join(_range(r) for r in self.limits.itertuples())
        return (
            f"{self.what} in {self.density:.0%} of the cases where {ranges}. That box holds {self.mass:.0%} of all "
            f"{total} cases and {self.coverage:.0%} of the {interest} where it happens."
        )


def _range(row) -> str:
    if isinstance(row.low, str):
        return f"{row.input} is {row.low}"
    if row.low > row.min and row.high < row.max:
        return f"{row.input} is between {row.low:.3g} and {row.high:.3g}"
    if row.low > row.min:
        return f"{row.input} is above {row.low:.3g}"
    return f"{row.input} is below {row.high:.3g}"


def cases(folder: Path, kpi_name: str, scenario: str | None = None) -> tuple[pd.DataFrame, pd.Series, str]:
    """The inputs and the KPI (a gain, or a sweep's value) of each case in the folder."""
    if kpi_name not in KPI_NAMES:
        raise DiscoveryError(f"--kpi {kpi_name}: not a KPI (one of {', '.join(KPI_NAMES)})")
    sets = folder / "assumption_sets.csv"
    if sets.is_file():
        table = pd.read_csv(sets)
        gains = [c for c in table.columns if c.startswith(f"gain_{kpi_name}__")]
        if not gains:
            kept = sorted({c.split("__")[0].removeprefix("gain_") for c in table.columns if c.startswith("gain_")})
            raise DiscoveryError(f"{sets}: no gain in {kpi_name} (this study kept {', '.join(kept)})")
        names = [c.split("__", 1)[1] for c in gains]
        if scenario is None and len(names) > 1:
            raise DiscoveryError(f"{sets}: several scenarios ({', '.join(names)}); name one with --scenario")
        name = scenario or names[0]
        if name not in names:
            raise DiscoveryError(f"--scenario {name}: not in {sets} (one of {', '.join(names)})")
        base = json.loads((folder / "manifest.json").read_text())["scenarios"][0]["name"]
        inputs = table.drop(columns=["set", *[c for c in table.columns if c.startswith("gain_")]])
        return inputs, table[f"gain_{kpi_name}__{name}"], f"the {kpi(kpi_name).label} gain of {name} over {base}"
    results = folder / "results.parquet"
    if results.is_dir() or results.is_file():
        from sim.experiments.sweep import read_results

        runs = read_results(folder)
        spec = json.loads((folder / "manifest.json").read_text())["spec"]
        if kpi_name not in runs.columns:
            raise DiscoveryError(f"{folder}: the sweep did not keep {kpi_name} (it kept {', '.join(spec['kpis'])})")
        names = list(spec["parameters"])
        ok = runs[runs["status"] == "ok"]
        points = ok.groupby("point_id").agg({**dict.fromkeys(names, "first"), kpi_name: "mean"})
        return points[names], points[kpi_name], f"{kpi(kpi_name).label} (mean over each point's replications)"
    raise DiscoveryError(
        f"{folder}: no assumption_sets.csv (compare or report with --uncertainty) nor results.parquet (sweep)"
    )


def discover(inputs: pd.DataFrame, values: pd.Series, what: str, below: float = 0.0, density: float = 0.8):
    """PRIM's box around the cases whose value is at or below ``below``."""
    try:
        with warnings.catch_warnings():  # EMA Workbench warns on import about evaluators salesim does not use
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise DiscoveryError("salesim discover needs EMA Workbench's PRIM: pip install 'salesim[discover]'") from None
    keep = values.notna().to_numpy()
    x = inputs[keep].reset_index(drop=True)
    y = values[keep].to_numpy(dtype=float) <= below
    x = x.loc[:, x.nunique() > 1]  # an input that never varied restricts nothing
    what = f"{what[0].upper()}{what[1:]} is at or below {below:g}"
    if y.sum() == 0:
        raise DiscoveryError(f"{what} in none of the {len(y)} cases: nothing to discover")
    if y.all():
        return Discovery(what, pd.DataFrame(columns=["input", "low", "high", "min", "max"]), 1.0, 1.0, 1.0,
                         (int(y.sum()), len(y)), pd.DataFrame())  # fmt: skip
    for column in x.columns:  # PRIM takes text inputs as categories
        if x[column].dtype == object or x[column].dtype == bool:
            x[column] = x[column].astype(str).astype("category")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, mass_min=0.05).find_box()
    trajectory = box.peeling_trajectory.copy()
    dense = trajectory[trajectory["density"] >= density]
    chosen = (
        int(dense.sort_values(["coverage", "density"]).index[-1]) if len(dense) else int(trajectory["density"].idxmax())
    )
    box.select(chosen)
    first, now = box.box_lims[0], box.box_lims[chosen]
    rows: list[tuple[str, object, object, object, object]] = []  # a category's words, or numbers
    for column in x.columns:
        if isinstance(x[column].dtype, pd.CategoricalDtype):
            kept = now[column].iloc[0]
            if set(kept) != set(first[column].iloc[0]):
                rows.append((column, ", ".join(sorted(map(str, kept))), "", "", ""))
            continue
        low, high = float(now[column].iloc[0]), float(now[column].iloc[1])
        lo0, hi0 = float(first[column].iloc[0]), float(first[column].iloc[1])
        slack = 0.05 * (hi0 - lo0)  # a bound peeled by less than this restricts nothing worth saying
        low, high = (low if low > lo0 + slack else lo0), (high if high < hi0 - slack else hi0)
        if low > lo0 or high < hi0:
            rows.append((column, low, high, lo0, hi0))
    limits = pd.DataFrame(rows, columns=["input", "low", "high", "min", "max"])
    stats = trajectory.loc[chosen]
    return Discovery(
        what=what,
        limits=limits,
        coverage=float(stats["coverage"]),
        density=float(stats["density"]),
        mass=float(stats["mass"]),
        cases=(int(y.sum()), len(y)),
        trajectory=trajectory,
    )
