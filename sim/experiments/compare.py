"""Comparing scenarios on common random numbers, and explaining the gap lever by lever.

:func:`compare` runs every scenario ``n`` times, replication ``i`` of every
scenario on the same seed (the same market), and reports each KPI's mean
with a 95% interval and its paired difference against the first scenario.
:func:`explain` switches each lever that differs between two scenarios
alone, to answer "which misalignment costs us the most?".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.levers import derive
from sim.config.params import BEHAVIOR_NAMES
from sim.config.scenario import Scenario, ScenarioError, lever_leaves, scenario_to_dict, validate, with_values
from sim.experiments.plan import (  # ExperimentError, check_arms, lever_differences: also used from here
    ExperimentError,
    arms_label,
    arms_work,
    check_arms,
    check_explain,
    distinct_runs,
    lever_differences,
    levers_of,
    timeline_steps,
)

__all__ = ["ExperimentError", "check_arms", "compare", "explain", "lever_differences"]
from sim.experiments.runner import RunFailed, Task, failures, require_ok, run_tasks
from sim.experiments.runs import digest, replication_frame, replication_seeds, resolve
from sim.experiments.stats import mean_ci, paired_difference
from sim.measure.kpis import EXPLAIN_KPIS, KPI_NAMES


@dataclass
class Explanation:
    """The effect of switching each differing lever alone, BASE -> TARGET.

    Attributes:
        base: the scenario the levers are switched in.
        target: the scenario the new lever values come from.
        levers: (dotted key, base value, target value) of each differing lever.
        table: lever, base_value, target_value, kpi, effect, ci_low, ci_high, share.
        effects: lever, kpi, replication, effect: each replication's paired effect (levers,
            "all levers together" and "interaction"), to tell levers apart pair by pair.
        mechanisms: where asked for, each lever's effect through each behaviour parameter it
            moves, switched alone in BASE (lever, parameter, base_value, target_value, kpi,
            effect, ci_low, ci_high, share_of_lever; a "together beyond their sum" row per lever).
        steps: a timeline of several dated steps, in sequence: each step's effect once the steps
            before it are in place, and the effect of the steps so far (step, day, changes, kpi,
            effect, ci_low, ci_high, so_far, so_far_ci_low, so_far_ci_high); each step alone is
            a lever of ``table`` ("timeline day 91").
    """

    base: Scenario
    target: Scenario
    levers: list[tuple[str, Any, Any]]
    table: pd.DataFrame
    effects: pd.DataFrame | None = None
    mechanisms: pd.DataFrame | None = None
    steps: pd.DataFrame | None = None


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
    known = _reusable(reuse)
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


RUNS_FILE = ".salesim-runs.parquet"  # a folder's runs, for the next command there to reuse
MAX_KEPT_RUNS = 20_000  # more are not kept (their daily paths would fill the disk)


def run_key(arm: Scenario) -> str:
    """What makes a run's numbers (levers and versions, not the arm's name): runs with one key are the same."""
    import hashlib
    import json

    from sim.experiments.runs import versions

    text = levers_of(arm) + json.dumps(versions(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _reusable(reuse: pd.DataFrame | None) -> dict[tuple[str, int], dict[str, Any]]:
    """(run key, seed) -> the row of each successful run of ``reuse``."""
    if reuse is None or not len(reuse) or not {"run_key", "seed", "status"} <= set(reuse.columns):
        return {}
    ok = reuse[reuse["status"] == "ok"].drop(columns=["scenario", "replication"], errors="ignore")
    return {(str(r["run_key"]), int(r["seed"])): r for r in ok.to_dict(orient="records")}


def write_runs(comparison: Comparison, folder: Path) -> None:
    """Keep the comparison's runs in ``folder`` (hidden) for the next command there to reuse."""
    from sim.experiments.files import atomic_write

    runs = comparison.runs
    if runs is None or len(runs) > MAX_KEPT_RUNS:
        return
    kept = runs[runs["status"] == "ok"].drop_duplicates(["run_key", "seed"])
    atomic_write(folder / RUNS_FILE, lambda tmp: kept.to_parquet(tmp, index=False))


def read_runs(folder: Path) -> pd.DataFrame | None:
    """The runs an earlier command kept in ``folder`` (None if none, or unreadable: they are run again)."""
    path = folder / RUNS_FILE
    if not path.is_file():
        return None
    try:
        table = pd.read_parquet(path)
    except Exception:  # a damaged file costs its runs, nothing else
        return None
    for column in ("revenue_path", "profit_path", "funnel", "satisfaction_histogram", "won_by_source",
                   "response_histogram"):  # fmt: skip
        if column in table:
            table[column] = [np.asarray(v) for v in table[column]]
    return table


def derived_name(name: str, limit: int = 80) -> str:
    """A name salesim builds (an arm, a folder) within the scenario name's limit, still unique.

    Longer names keep their start and end with a hash of the whole in between.
    """
    if len(name) <= limit:
        return name
    import hashlib

    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    keep = (limit - len(digest) - 2) // 2
    return f"{name[:keep]}-{digest}-{name[-(limit - keep - len(digest) - 2) :]}"


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


# ----------------------------------------------------------------------- vary

VARY_KPI = "profit"


def vary_arms(base: Scenario, key: str, values: list[Any]) -> list[Scenario]:
    """BASE as it is, then BASE with ``key`` set to each other value (validated like any override).

    A value equal to BASE's own is BASE itself: it is not run again as an arm of its own
    (:func:`best_values` counts BASE among the values when ``include_base``).
    """
    import re

    if not values:
        raise ExperimentError(f"--vary {key}: give the values to try, e.g. --vary {key}=2,4,8")
    if len(values) != len({repr(v) if isinstance(v, list | dict) else v for v in values}):
        raise ExperimentError(f"--vary {key}: each value once")
    own = lever_values(base).get(key)
    arms = [base]
    for value in values:
        if value == own:
            continue
        tag = re.sub(r"[^A-Za-z0-9_\-.]", "_", f"{key.rsplit('.', 1)[-1]}-{value}")
        data = with_values(scenario_to_dict(base), {key: value, "name": derived_name(f"{base.name}-{tag}")})
        arms.append(validate(data, source=f"--vary {key}={value}"))
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        raise ExperimentError(f"--vary {key}: each value once")
    return arms


def base_is_tried(base: Scenario, key: str, values: list[Any]) -> bool:
    """Whether BASE's own value of ``key`` is among the values tried (BASE then stands for it)."""
    return lever_values(base).get(key) in values


Z95 = 1.96  # the normal quantile of a two-sided 95% interval


def replications_to_separate(differences: np.ndarray) -> float:
    """Replications after which a paired difference this size would be told from zero, about.

    With the paired standard deviation ``sd`` and the mean difference ``d``, an interval of
    half-width 1.96 sd / sqrt(n) excludes zero when n ~ (2 x 1.96 x sd / d)^2 (twice: so that it
    usually does, not half the time). Infinite when the runs do not differ at all.
    """
    diffs = differences[~np.isnan(differences)]
    if len(diffs) < 2:
        return math.inf
    d, sd = abs(float(np.mean(diffs))), float(np.std(diffs, ddof=1))
    if d == 0:
        return math.inf
    return float(max(2, math.ceil((2 * Z95 * sd / d) ** 2)))


def best_values(comparison: Comparison, kpi_name: str = VARY_KPI, include_base: bool = False) -> pd.DataFrame:
    """Each tried value's mean and paired change against the base, and whether it is among the best.

    The best is the value with the highest mean (lowest for a KPI where less is better); a
    value is "among the best" when the 95% interval of its paired difference from the best
    includes zero: on these markets it cannot be told apart from the best, and
    ``replications_to_separate`` says about how many replications would tell them apart
    (:func:`replications_to_separate`). With ``include_base``, BASE is one of the values (its own).
    """
    from sim.measure.kpis import kpi as kpi_info

    reps = comparison.replications
    arms = comparison.names if include_base else comparison.names[1:]
    values = {a: reps[reps["scenario"] == a].sort_values("replication")[kpi_name].to_numpy(float) for a in arms}
    sign = -1.0 if kpi_info(kpi_name).good < 0 else 1.0
    best = max(arms, key=lambda a: sign * np.nanmean(values[a]))
    table = comparison.table.set_index(["scenario", "kpi"])
    rows = []
    for a in arms:
        r = table.loc[(a, kpi_name)]
        _, low, high = paired_difference(values[a], values[best])
        tied = a == best or (low <= 0 <= high)
        separate = replications_to_separate(values[a] - values[best]) if tied and a != best else math.nan
        rows.append((a, r["mean"], r["ci_low"], r["ci_high"], r["delta"], r["delta_ci_low"], r["delta_ci_high"],
                     a == best, tied, separate))  # fmt: skip
    columns = ["scenario", "mean", "ci_low", "ci_high", "delta", "delta_ci_low", "delta_ci_high", "best", "among_best",
               "replications_to_separate"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------- explain


def lever_values(scenario: Scenario) -> dict[str, Any]:
    """Dotted key -> value of every lever of the scenario (its ``simulation`` settings too)."""
    data = scenario_to_dict(scenario)
    return {f"simulation.{k}": v for k, v in data.get("simulation", {}).items()} | lever_leaves(data)


def _with_lever(base: Scenario, key: str, value: Any) -> Scenario:
    data = with_values(scenario_to_dict(base), {key: value, "name": derived_name(f"{base.name}__{key}")})
    return validate(data, source=f"{base.name} with {key} switched")


def lever_mechanisms(base: Scenario, key: str, value: Any) -> list[tuple[str, Any, Any]]:
    """(parameter, base value, value with the lever switched) of each behaviour parameter a lever moves.

    Only numbers ``behavior:`` may set are returned: a choice is the lever itself.
    """
    before, after = derive(base), derive(_with_lever(base, key, value))
    moved = []
    for name in BEHAVIOR_NAMES:
        old, new = getattr(before, name), getattr(after, name)
        if old != new and not isinstance(old, str | bool):
            moved.append((name, old, new))
    return moved


def _with_behavior(base: Scenario, key: str, name: str, value: Any) -> Scenario:
    data = scenario_to_dict(base)
    data["behavior"] = {**data.get("behavior", {}), name: value}
    data["name"] = derived_name(f"{base.name}__{key}__{name}")
    return validate(data, source=f"{base.name} with {key} acting through {name} only")


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


@dataclass
class ExplainStudy:
    """The arms of an explanation (BASE, TARGET and BASE with each differing lever switched) and its arithmetic.

    Shared by :func:`explain` and what runs the same arms otherwise (a comparison that explains
    too, an uncertainty study of each lever).

    Attributes:
        base: BASE, resolved.
        target: TARGET, resolved.
        levers: (dotted key, base value, target value) of every lever that differs.
        switched: BASE with each of those levers switched to TARGET's value, in that order.
        kpis: the KPIs explained.
    """

    base: Scenario
    target: Scenario
    levers: list[tuple[str, Any, Any]]
    switched: list[Scenario]
    kpis: tuple[str, ...]
    # (lever key, parameter, base value, lever's value, BASE with only that parameter moved)
    through: list[tuple[str, str, Any, Any, Scenario]] = field(default_factory=list)
    # (day, BASE with TARGET's timeline up to that day): the steps of a re-organization in sequence
    sequence: list[tuple[int, Scenario]] = field(default_factory=list)

    @classmethod
    def of(
        cls, base, target, n: int, days: int | None, kpis: tuple[str, ...] = EXPLAIN_KPIS, mechanisms: bool = False
    ) -> ExplainStudy:
        """The study of BASE and TARGET (scenarios, paths or names); ExperimentError if nothing differs."""
        base_s, target_s = resolve(base, days, ()), resolve(target, days, ())
        levers = check_explain(base_s, target_s, n)
        levers, switched, sequence = _steps(base_s, target_s, levers)
        through = []
        if mechanisms:
            for key, _, new in levers:
                if key.startswith(STEP):
                    continue  # a step is dated changes of levers, explained by those levers' own runs
                moved = lever_mechanisms(base_s, key, new)
                if len(moved) > 1:  # a lever acting through one parameter is its own mechanism
                    through += [(key, p, old, value, _with_behavior(base_s, key, p, value)) for p, old, value in moved]
        study = cls(base_s, target_s, levers, switched, kpis, through, sequence)
        arms_work(study.arms, n).check(long=True, flag="")
        return study

    @property
    def arms(self) -> list[Scenario]:
        """Every scenario to run: BASE, TARGET, each switched arm, each lever's parameters, the steps in sequence."""
        return [self.base, self.target, *self.switched, *(t[-1] for t in self.through), *(s for _, s in self.sequence)]

    def explanation(self, runs: pd.DataFrame) -> Explanation:
        """Each lever's effect, all levers together and their interaction, from the runs of :attr:`arms`."""

        def values(name: str, kpi: str) -> np.ndarray:
            return runs[runs["scenario"] == name].sort_values("replication")[kpi].to_numpy(dtype=float)

        base, target = self.base.name, self.target.name
        rows, effects = [], []
        for kpi in self.kpis:
            b = values(base, kpi)
            total = values(target, kpi) - b
            singles = np.zeros_like(b)
            for (key, old, new), arm in zip(self.levers, self.switched, strict=True):
                diff = values(arm.name, kpi) - b
                singles = singles + diff
                rows.append((key, _show(old), _show(new), kpi, *mean_ci(diff)))
                effects += [(key, kpi, i, d) for i, d in enumerate(diff)]
            rows.append(("all levers together", base, target, kpi, *mean_ci(total)))
            rows.append(("interaction", "", "", kpi, *mean_ci(total - singles)))
            effects += [("all levers together", kpi, i, d) for i, d in enumerate(total)]
            effects += [("interaction", kpi, i, d) for i, d in enumerate(total - singles)]
        columns = ["lever", "base_value", "target_value", "kpi", "effect", "ci_low", "ci_high"]
        table = pd.DataFrame(rows, columns=columns)
        totals = table[table["lever"] == "all levers together"].set_index("kpi")["effect"]
        table["share_of_total"] = table["effect"] / table["kpi"].map(totals).replace(0, np.nan)
        per_replication = pd.DataFrame(effects, columns=["lever", "kpi", "replication", "effect"])
        mechanisms = self._mechanisms(values) if self.through else None
        steps = self._sequence(values) if self.sequence else None
        return Explanation(self.base, self.target, self.levers, table, per_replication, mechanisms, steps)

    def _sequence(self, values: Callable[[str, str], np.ndarray]) -> pd.DataFrame:
        """Each step of the timeline once those before it are in place, and the effect of the steps so far."""
        changes = {int(key.removeprefix(STEP)): new for key, _, new in self.levers if key.startswith(STEP)}
        rows = []
        for kpi in self.kpis:
            b = values(self.base.name, kpi)
            before = np.zeros_like(b)
            for step, (day, arm) in enumerate(self.sequence, start=1):
                so_far = values(arm.name, kpi) - b
                rows.append((step, day, _show(changes.get(day)), kpi, *mean_ci(so_far - before), *mean_ci(so_far)))
                before = so_far
        columns = ["step", "day", "changes", "kpi", "effect", "ci_low", "ci_high", "so_far", "so_far_ci_low",
                   "so_far_ci_high"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def _mechanisms(self, values: Callable[[str, str], np.ndarray]) -> pd.DataFrame:
        """Each lever's effect through each parameter it moves, and what they add together beyond their sum."""
        arm_of = {key: arm for (key, _, _), arm in zip(self.levers, self.switched, strict=True)}
        rows = []
        for kpi in self.kpis:
            b = values(self.base.name, kpi)
            for key in dict.fromkeys(t[0] for t in self.through):
                lever = values(arm_of[key].name, kpi) - b
                summed = np.zeros_like(b)
                for _, name, old, new, arm in (t for t in self.through if t[0] == key):
                    diff = values(arm.name, kpi) - b
                    summed = summed + diff
                    rows.append((key, name, _show(old), _show(new), kpi, *mean_ci(diff)))
                rows.append((key, "together beyond their sum", "", "", kpi, *mean_ci(lever - summed)))
                rows.append((key, "the lever (all of them)", "", "", kpi, *mean_ci(lever)))
        columns = ["lever", "parameter", "base_value", "target_value", "kpi", "effect", "ci_low", "ci_high"]
        table = pd.DataFrame(rows, columns=columns)
        whole = table[table["parameter"] == "the lever (all of them)"].set_index(["lever", "kpi"])["effect"]
        keys = pd.MultiIndex.from_frame(table[["lever", "kpi"]])
        table["share_of_lever"] = table["effect"].to_numpy() / whole.reindex(keys).replace(0, np.nan).to_numpy()
        return table


STEP = "timeline day "  # the lever of one dated step of a timeline explained step by step


def _steps(
    base: Scenario, target: Scenario, levers: list[tuple[str, Any, Any]]
) -> tuple[list[tuple[str, Any, Any]], list[Scenario], list[tuple[int, Scenario]]]:
    """The levers, their switched arms and the steps in sequence: a timeline of several days is a step a day.

    Each day's changes alone are a lever ("timeline day 91"); the steps in sequence are BASE
    with TARGET's timeline up to each day. A step that cannot stand alone (an exit of reps an
    earlier step hires) keeps the whole timeline one lever.
    """
    days = timeline_steps(base, target)
    plain = [(k, o, n) for k, o, n in levers if not (days and k == "timeline")]
    switched = [_with_lever(base, key, new) for key, _, new in plain]
    if not days:
        return plain, switched, []
    entries = [c.model_dump(mode="json", exclude_none=True) for c in target.timeline]
    try:
        alone = [_with_timeline(base, [e for e in entries if e["day"] == d], f"day{d}") for d in days]
        sequence = [(d, _with_timeline(base, [e for e in entries if e["day"] <= d], f"to-day{d}")) for d in days]
    except ScenarioError:
        return levers, [_with_lever(base, key, new) for key, _, new in levers], []
    steps: list[tuple[str, Any, Any]] = [(f"{STEP}{d}", [], [e for e in entries if e["day"] == d]) for d in days]
    return plain + steps, switched + alone, sequence


def _with_timeline(base: Scenario, entries: list[dict[str, Any]], tag: str) -> Scenario:
    data = with_values(scenario_to_dict(base), {"name": derived_name(f"{base.name}__timeline_{tag}")})
    data["timeline"] = entries
    return validate(data, source=f"{base.name} with its timeline's step {tag}")


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_show_item(t) for t in value)
    return "-" if value is None else str(value)


def _show_item(item: Any) -> str:
    """A team as ``name: reps``, a channel as ``name: share``, a dated change as ``day 91: set key=value``."""
    if isinstance(item, dict) and "name" in item:
        return f"{item['name']}: {item.get('field_reps', item.get('share'))}"
    if isinstance(item, dict) and "day" in item:
        what = next((k for k in ("set", "hire", "exit", "move") if item.get(k) is not None), None)
        if what is None:
            return f"day {item['day']}"
        value = item[what]
        if isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
        else:
            text = str(value)
        return f"day {item['day']}: {what} {text}"
    return str(item)
