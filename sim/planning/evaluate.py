"""Every plan on the same assumption sets and markets, and what its runs say about it.

The assumption sets are drawn once per spec (a Latin hypercube over the plausible ranges,
scaled; the market's range; a fitted company's posterior), the markets are replication seeds,
and every plan meets the same ones (common random numbers): two plans differ only by their
decisions. A plan's runs are kept in the store (parquet parts written atomically, one per
batch the runner finishes), so a search killed half-way runs none of them again.

Robustness, per KPI: the plan's value in each set (the mean over its markets), then across the
sets their mean, P10, median and P90, and the regret: in each set, how far the plan falls
short of the best plan evaluated there, averaged and at its worst over the sets.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.experiments.files import atomic_write
from sim.experiments.runner import Task
from sim.experiments.runs import replication_seeds
from sim.experiments.sweep import KeepKPIs
from sim.experiments.uncertainty import draw_sets, drawn_parameters, posterior_draws, with_assumptions
from sim.planning.spec import PlanSpec

STORE = "runs.parquet"
TODAY = "today"  # the key of today's organization in the store


@dataclass
class Design:
    """The assumption sets and markets every plan is evaluated on.

    Attributes:
        sets: one row per assumption set (``set`` and each drawn value).
        seeds: the markets' seeds (the same in every set).
        kpis: what each run keeps.
    """

    sets: pd.DataFrame
    seeds: list[int]
    kpis: tuple[str, ...]

    def tasks(self, key: str, scenario: Scenario, markets: range) -> list[Task]:
        """The runs of one plan on every set and the given markets."""
        measure = KeepKPIs(self.kpis)
        tasks = []
        for row in self.sets.to_dict(orient="records"):
            k = int(row.pop("set"))
            assumed = with_assumptions(scenario, row, f"assumption set {k}")
            tasks += [Task(assumed, self.seeds[m], {"plan": key, "set": k, "market": m}, measure) for m in markets]
        return tasks


def design(spec: PlanSpec, base: Scenario) -> Design:
    """The spec's assumption sets (behaviour values the plan decides are not drawn) and markets."""
    decided = {k.removeprefix("behavior.") for k in spec.levers if k.startswith("behavior.")}
    params = [p for p in drawn_parameters([base]) if p.name not in decided]
    u = spec.uncertainty
    sets = draw_sets(params, u.sets, spec.seed, u.range_scale, market=u.market)
    fitted = posterior_draws([base], u.sets, spec.seed)
    if fitted is not None:
        sets = pd.concat([sets, fitted], axis=1)
    return Design(sets, replication_seeds(spec.seed, u.markets), spec.kpis)


class Store:
    """The runs done so far, kept in parquet parts under ``folder/runs.parquet``."""

    def __init__(self, folder: Path) -> None:
        """Read every finished run of ``folder`` (none if it is new)."""
        self.path = folder / STORE
        parts = sorted(self.path.glob("part-*.parquet")) if self.path.is_dir() else []
        frames = [pd.read_parquet(p) for p in parts]
        self.runs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        self.done = set(zip(self.runs["plan"], self.runs["set"], self.runs["market"], strict=True)) if frames else set()

    def record(self, rows: list[dict[str, Any]]) -> None:
        """Keep a finished batch: one part, written atomically."""
        frame = pd.DataFrame(rows)
        name = hashlib.sha256(repr([(r["plan"], r["set"], r["market"]) for r in rows]).encode()).hexdigest()[:20]
        atomic_write(self.path / f"part-{name}.parquet", lambda tmp: frame.to_parquet(tmp, index=False))
        self.runs = pd.concat([self.runs, frame], ignore_index=True) if len(self.runs) else frame
        self.done |= {(r["plan"], r["set"], r["market"]) for r in rows}

    def missing(self, tasks: list[Task]) -> list[Task]:
        """The tasks not run yet."""
        return [t for t in tasks if (t.labels["plan"], t.labels["set"], t.labels["market"]) not in self.done]

    def per_set(self, key: str, kpi: str, markets: int | None = None) -> pd.Series:
        """A plan's KPI in each assumption set: the mean over its first ``markets`` markets (failed runs left out)."""
        if not len(self.runs):
            return pd.Series(dtype=float)
        mine = self.runs[(self.runs["plan"] == key) & (self.runs["status"] == "ok")]
        if markets is not None:
            mine = mine[mine["market"] < markets]
        # in market order, whatever order the runs were stored in: a resumed search sums the same floats the same way
        return mine.sort_values(["set", "market"]).groupby("set", sort=True)[kpi].mean()


def statistic(values: pd.Series | np.ndarray, stat: str) -> float:
    """A statistic across the sets: mean, p10, median or p90 (NaN when nothing is defined)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return math.nan
    if stat == "mean":
        return float(x.mean())
    return float(np.percentile(x, {"p10": 10, "median": 50, "p90": 90}[stat]))


def robustness(store: Store, key: str, kpis: tuple[str, ...], rivals: list[str], maximise: dict[str, bool]) -> dict:
    """A plan's mean, P10, median, P90 and regret of each KPI across the sets.

    Args:
        store: the runs.
        key: the plan.
        kpis: the KPIs.
        rivals: the plans its regret is measured against (itself among them).
        maximise: KPI -> whether more is better.
    """
    out: dict[str, dict[str, float]] = {}
    for name in kpis:
        mine = store.per_set(key, name)
        table = pd.DataFrame({r: store.per_set(r, name) for r in rivals}).reindex(mine.index)
        best = table.max(axis=1) if maximise.get(name, True) else table.min(axis=1)
        regret = (best - mine).abs()
        out[name] = {s: statistic(mine, s) for s in ("mean", "p10", "median", "p90")}
        out[name] |= {"regret_mean": statistic(regret, "mean"), "regret_max": float(regret.max())}
    return out
