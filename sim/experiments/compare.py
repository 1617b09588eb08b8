"""Comparing scenarios on common random numbers, and explaining the gap lever by lever.

:func:`compare` runs every scenario ``n`` times, replication ``i`` of every
scenario on the same seed (the same market), and reports each KPI's mean
with a 95% interval and its paired difference against the first scenario.
:func:`explain` switches each lever that differs between two scenarios
alone, to answer "which misalignment costs us the most?".

The parts live beside it: the explanation's arms and arithmetic in
``explanation.py``, ``--vary`` in ``vary.py``, a folder's runs kept for reuse in
``reuse.py``, derived names in ``names.py``; their names are importable from here too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.experiments.explanation import (
    STEP,
    ExplainStudy,
    Explanation,
    lever_mechanisms,
    lever_values,
)
from sim.experiments.names import derived_name
from sim.experiments.plan import (  # ExperimentError, check_arms, lever_differences: also used from here
    ExperimentError,
    arms_label,
    arms_work,
    check_arms,
    check_explain,
    distinct_runs,
    lever_differences,
    levers_of,
)
from sim.experiments.reuse import MAX_KEPT_RUNS, RUNS_FILE, read_runs, reusable_runs, run_key, write_runs
from sim.experiments.runner import RunFailed, Task, failures, require_ok, run_tasks
from sim.experiments.runs import digest, replication_frame, replication_seeds, resolve
from sim.experiments.stats import mean_ci, paired_difference
from sim.experiments.vary import VARY_KPI, base_is_tried, best_values, replications_to_separate, vary_arms
from sim.measure.kpis import EXPLAIN_KPIS, KPI_NAMES

__all__ = [
    "MAX_KEPT_RUNS",
    "RUNS_FILE",
    "STEP",
    "VARY_KPI",
    "Comparison",
    "ExperimentError",
    "ExplainStudy",
    "Explanation",
    "arms_work",
    "base_is_tried",
    "best_values",
    "breakeven_days",
    "breakeven_words",
    "check_arms",
    "check_explain",
    "compare",
    "derived_name",
    "explain",
    "lever_differences",
    "lever_mechanisms",
    "lever_values",
    "read_runs",
    "replications_to_separate",
    "run_arms",
    "run_key",
    "vary_arms",
    "write_runs",
]


@dataclass
class Comparison:
    """Replications of several scenarios on the same seeds, and their summary.

    Attributes:
        scenarios: the scenarios, the first being the baseline.
        n: replications per scenario.
        seed: root seed; ``seeds`` are the replication seeds derived from it.
        replications: one row per scenario and replication with every KPI.
        table: comparison.csv (scenario, kpi, mean, ci_low, ci_high, delta,
            delta_ci_low, delta_ci_high, delta_pct).
        revenue: scenario -> cumulative revenue by day, one row per replication.
        satisfaction: scenario -> lead counts per 5-point satisfaction bin.
        response: scenario -> inbound lead counts per response-time bin.
        funnel: scenario -> mean inside-facing funnel counts (by ``sim.model.funnel.INSIDE_STAGES``).
        won_by_source: scenario -> mean deals won per lead source (``sim.model.leads.SOURCES``).
        profit: scenario -> cumulative profit (revenue less the cost of sales) by day, one row per replication.
        explanation: the lever-by-lever explanation, when one was asked for.
        failed: arms left out because runs of theirs failed -> why (the baseline's failures raise).
        runs: the runner's table of every run (a ``run_key`` each), for a later command to reuse
            (:func:`write_runs`, :func:`read_runs`).
    """

    scenarios: list[Scenario]
    n: int
    seed: int
    seeds: list[int]
    replications: pd.DataFrame
    table: pd.DataFrame
    revenue: dict[str, np.ndarray]
    satisfaction: dict[str, np.ndarray]
    response: dict[str, np.ndarray]
    funnel: dict[str, np.ndarray]
    won_by_source: dict[str, np.ndarray] = field(default_factory=dict)
    profit: dict[str, np.ndarray] = field(default_factory=dict)
    explanation: Explanation | None = field(default=None)
    failed: dict[str, str] = field(default_factory=dict)
    runs: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def names(self) -> list[str]:
        """Scenario names, baseline first."""
        return [s.name for s in self.scenarios]


def run_arms(
    arms: list[Scenario],
    seeds: list[int],
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    spare: tuple[str, ...] = (),
    scenarios: int | None = None,
    reuse: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every arm on every seed in one batch of runs: the runner's table, one row per (arm, replication).

    Arms with the same levers (e.g. the baseline of a comparison and of an
    explanation) share their runs. A failed run raises RunFailed, unless its arm is
    named in ``spare`` (its rows are kept, failed, for the caller to leave the arm out).
    ``scenarios``: how many of the arms (the first) are the scenarios asked for, the rest
    their variants (for the progress bar). ``reuse``: rows of an earlier table (its
    ``run_key`` and ``seed``): a run found there is taken from it, not run again.
    """
    arms, runs = distinct_runs(arms)
    keys = {name: run_key(arm) for name, arm in ((a.name, a) for a in runs.values())}
    tasks = [
        Task(arm, s, {"scenario": arm.name, "replication": i}, digest)
        for arm in runs.values()
        for i, s in enumerate(seeds)
    ]
    known = reusable_runs(reuse)
    rows: list[dict[str, Any] | None] = [None] * len(tasks)
    todo = []
    for i, task in enumerate(tasks):
        found = known.get((keys[task.labels["scenario"]], task.seed))
        if found is None:
            todo.append(i)
        else:
            rows[i] = {**found, **task.labels, "seed": task.seed}
    phase = f"simulating {arms_label(arms, runs, scenarios)} x {len(seeds)} markets"
    if len(todo) < len(tasks):
        phase += f" ({len(tasks) - len(todo)} runs reused)"
    fresh = run_tasks([tasks[i] for i in todo], workers, executor, progress, phase)
    for i, row in zip(todo, fresh.to_dict(orient="records"), strict=True):
        rows[i] = row
    table = pd.DataFrame(rows)
    table["run_key"] = table["scenario"].map(keys)
    require_ok(table[~table["scenario"].isin(spare)], "comparison")
    parts = [table[table["scenario"] == runs[levers_of(arm)].name].assign(scenario=arm.name) for arm in arms]
    return pd.concat(parts, ignore_index=True)


def kpi_table(replications: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """comparison.csv: each KPI's mean and interval, and its paired change vs ``names[0]``."""
    base = replications[replications["scenario"] == names[0]].set_index("replication")
    rows = []
    for name in names:
        arm = replications[replications["scenario"] == name].set_index("replication")
        for kpi in KPI_NAMES:
            mean, low, high = mean_ci(arm[kpi])
            if name == names[0]:
                delta, d_low, d_high = 0.0, 0.0, 0.0
            else:
                delta, d_low, d_high = paired_difference(arm[kpi], base[kpi].reindex(arm.index))
            pct = percent_change(delta, base[kpi], replications[kpi])
            rows.append((name, kpi, mean, low, high, delta, d_low, d_high, pct))
    columns = [
        "scenario",
        "kpi",
        "mean",
        "ci_low",
        "ci_high",
        "delta",
        "delta_ci_low",
        "delta_ci_high",
        "delta_pct",
    ]
    return pd.DataFrame(rows, columns=columns)


def percent_change(delta: float, base: pd.Series, values: pd.Series) -> float:
    """``delta`` as a percentage of the baseline's mean, or NaN where a percentage would mislead.

    A percentage is given only of a quantity that is never negative in any run of the
    comparison, against a positive baseline: of a profit that crosses zero, "-128%" or
    "+760%" says nothing about the change.
    """
    base_mean = float(base.mean())
    if not base_mean > 0 or float(values.min()) < 0:  # NaN fails the first test
        return math.nan
    return 100.0 * delta / base_mean


def compare(
    scenarios: Sequence[Scenario | str | Path],
    n: int = 20,
    seed: int = 1,
    days: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    explain: tuple[Scenario | str | Path, Scenario | str | Path] | None = None,
    reuse: pd.DataFrame | None = None,
) -> Comparison:
    """Replicate several scenarios on common random numbers and compare them.

    Args:
        scenarios: Scenarios, paths or built-in names; the first is the baseline.
        n: replications per scenario (at least 2).
        seed: root seed of the replication seeds (shared by every scenario).
        days: days per run (default: each scenario's own).
        workers: processes (default: all cores).
        executor: a ``concurrent.futures.Executor`` to run on instead.
        progress: show a progress bar.
        explain: (BASE, TARGET) to explain lever by lever as well, in the same batch of runs
            (arms the comparison already has are not run twice).
        reuse: runs of an earlier command (:func:`read_runs`): those with the same levers,
            versions and seed are taken from it, not run again.

    Returns:
        The comparison: replications, the KPI table, curves and histograms.
    """
    if isinstance(scenarios, str | Path | Scenario):  # not the characters of a name
        name = str(getattr(scenarios, "name", scenarios))
        raise ExperimentError(f"scenarios: a list, e.g. compare(['misaligned', {name!r}])")
    resolved = [resolve(s, days, ()) for s in scenarios]
    check_arms(resolved, n)
    seeds = replication_seeds(seed, n)
    study = ExplainStudy.of(*explain, n=n, days=days) if explain else None
    spare = tuple(s.name for s in resolved[1:] if not study or s.name not in {a.name for a in study.arms})
    arms = [*resolved, *(study.arms if study else ())]
    runs = run_arms(arms, seeds, workers, executor, progress, spare, len(resolved), reuse)
    failed = {
        name: f"{len(bad)} of {n} runs failed; first: {bad['error'].iloc[0]}"
        for name, bad in failures(runs).groupby("scenario", sort=False)
    }
    if len(failed) == len(resolved) - 1:
        raise RunFailed(f"comparison: every arm but the baseline failed; {next(iter(failed.items()))}")
    resolved = [s for s in resolved if s.name not in failed]  # one crashing arm never sinks the others
    runs = runs[~runs["scenario"].isin(failed)]
    names = [s.name for s in resolved]
    replications = replication_frame(runs[runs["scenario"].isin(names)])
    by_arm = {name: runs[runs["scenario"] == name] for name in names}
    return Comparison(
        scenarios=resolved,
        n=n,
        seed=seed,
        seeds=seeds,
        replications=replications,
        table=kpi_table(replications, names),
        revenue={k: np.vstack(v["revenue_path"].tolist()) for k, v in by_arm.items()},
        profit={k: np.vstack(v["profit_path"].tolist()) for k, v in by_arm.items()},
        satisfaction={k: np.sum(v["satisfaction_histogram"].tolist(), axis=0) for k, v in by_arm.items()},
        response={k: np.sum(v["response_histogram"].tolist(), axis=0) for k, v in by_arm.items()},
        funnel={k: np.mean(v["funnel"].tolist(), axis=0) for k, v in by_arm.items()},
        won_by_source={k: np.mean(v["won_by_source"].tolist(), axis=0) for k, v in by_arm.items()},
        explanation=study.explanation(runs) if study else None,
        failed=failed,
        runs=runs,
    )


def explain(
    base: Scenario | str | Path,
    target: Scenario | str | Path,
    n: int = 20,
    seed: int = 1,
    days: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    kpis: tuple[str, ...] = EXPLAIN_KPIS,
    mechanisms: bool = False,
) -> Explanation:
    """The effect of each differing lever switched alone from BASE to TARGET.

    Every arm runs on the same seeds. Besides one row per lever, the table has
    "all levers together" (TARGET - BASE) and "interaction" (what is left when
    the single-lever effects are subtracted, per replication): the part that
    only appears when levers combine. With ``mechanisms``, each lever that moves more
    than one behaviour parameter is also switched one parameter at a time: where
    its dollars come from (:attr:`Explanation.mechanisms`).

    Returns:
        The explanation, with a table sorted by the size of the revenue effect.
    """
    study = ExplainStudy.of(base, target, n=n, days=days, kpis=kpis, mechanisms=mechanisms)
    seeds = replication_seeds(seed, n)
    return study.explanation(run_arms(study.arms, seeds, workers, executor, progress, scenarios=2))


# ------------------------------------------------------------------ breakeven


def breakeven_days(comparison: Comparison, target: str) -> np.ndarray:
    """Each replication's breakeven day of TARGET against the baseline (NaN: not within the run).

    From that day on, TARGET's cumulative profit never falls behind the baseline's on the same market.
    """
    base, arm = comparison.profit[comparison.names[0]], comparison.profit[target]
    days = []
    for gap in arm - base:
        behind = np.flatnonzero(gap < 0)
        if len(behind) == 0:
            days.append(1.0)
        elif behind[-1] == len(gap) - 1:
            days.append(np.nan)
        else:
            days.append(float(behind[-1] + 2))  # the day after the last day behind (days count from 1)
    return np.array(days)


def breakeven_words(comparison: Comparison, target: str) -> str:
    """The breakeven day in words, with its interval, or how many markets it is not within the run."""
    days = breakeven_days(comparison, target)
    base, run = comparison.names[0], comparison.scenarios[0].simulation.days
    never = int(np.isnan(days).sum())
    if never == len(days):
        return f"{target} does not catch up with {base}'s cumulative profit within the run ({run} days)"
    mean, low, high = mean_ci(days[~np.isnan(days)])
    interval = "" if np.isnan(low) else f" (95% interval {max(1.0, low):.0f} to {high:.0f})"
    tail = f"; in {never} of {len(days)} markets not within the run" if never else ""
    return f"{target} is ahead of {base} in cumulative profit for good from day {mean:.0f}{interval}{tail}"
