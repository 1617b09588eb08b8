"""The recommended plan on assumption sets and markets the search never saw, against other organizations.

The search chose its plan on its own sets and markets, so its figures there flatter it (the
winner's curse). Here the plan and its rivals (the built-ins, or any scenarios) run on fresh
sets and markets, drawn from another seed, all on the same ones (paired). Each arm's KPI in a
set is its mean over the markets; the comparison is the difference of their P10 across the sets,
with a 95% interval from resampling the sets (the same sets for both arms: paired bootstrap).
"""

from __future__ import annotations

from concurrent.futures import Executor

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario, ScenarioError, builtin_names, load_scenario
from sim.experiments.runner import require_ok, run_tasks
from sim.planning.evaluate import design, statistic
from sim.planning.spec import PlanSpec

HELD_OUT_SEED = 1_000_003  # added to the spec's seed: sets and markets the search never met
RESAMPLES = 2000


def builtin_rivals(days: int) -> list[Scenario]:
    """Every built-in that runs over ``days`` (one whose timeline does not fit is left out)."""
    rivals = []
    for name in builtin_names():
        try:
            rivals.append(load_scenario(name, days=days))
        except ScenarioError:
            continue
    return rivals


def held_out(
    spec: PlanSpec,
    base: Scenario,
    plan: Scenario,
    rivals: list[Scenario],
    kpi: str = "operating_profit",
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """The plan against each rival on held-out sets and markets: P10 of ``kpi`` across the sets, paired.

    Returns:
        One row per rival, the best rival (highest P10) first: ``rival``, ``plan_p10``, ``rival_p10``,
        ``difference`` and its 95% interval (``ci_low``, ``ci_high``), ``sets``, ``markets``.
    """
    fresh = spec.model_copy(update={"seed": spec.seed + HELD_OUT_SEED})
    sets = design(fresh, base)
    sets.kpis = (kpi,)
    markets = range(spec.uncertainty.markets)
    arms = {"plan": plan} | {r.name: r for r in rivals}
    tasks = [t for name, arm in arms.items() for t in sets.tasks(name, arm, markets)]
    table = require_ok(run_tasks(tasks, workers, executor, progress, "held-out sets and markets"), "held-out check")
    per_set = table.sort_values(["set", "market"]).groupby(["plan", "set"])[kpi].mean().unstack("plan")
    rng = np.random.default_rng(fresh.seed)
    draws = rng.integers(0, len(per_set), size=(RESAMPLES, len(per_set)))
    mine = per_set["plan"].to_numpy()
    rows = []
    for rival in rivals:
        theirs = per_set[rival.name].to_numpy()
        boot = [statistic(mine[d], "p10") - statistic(theirs[d], "p10") for d in draws]
        low, high = np.percentile(boot, [2.5, 97.5])
        rows.append(
            {
                "rival": rival.name,
                "plan_p10": statistic(mine, "p10"),
                "rival_p10": statistic(theirs, "p10"),
                "difference": statistic(mine, "p10") - statistic(theirs, "p10"),
                "ci_low": float(low),
                "ci_high": float(high),
                "sets": len(per_set),
                "markets": len(markets),
            }
        )
    return pd.DataFrame(rows).sort_values("rival_p10", ascending=False, ignore_index=True)
