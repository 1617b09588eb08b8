"""What a comparison is worth given what we do not know: the gain across the assumptions' ranges.

Most behaviour parameters are assumptions with a plausible range (``salesim show``). A
comparison's intervals cover simulation noise only, at the defaults. :func:`uncertainty`
draws ``sets`` assumption sets from the ranges (a Latin hypercube, scipy.stats.qmc), runs
every arm on each set and each replication seed (common random numbers across arms and
across sets), and reports the distribution of each arm's gain over the baseline across
the sets: median, P10-P90 and the probability that it is positive. The assumptions the
answer depends on most are ranked by the Spearman rank correlation between each
assumption's value and the set's gain (a correlation counts as told apart from noise only above
the Bonferroni bound for all the assumptions ranked: with N sets and m assumptions, the normal
quantile of 1 - 0.05/(2m) over sqrt(N - 1), about 0.8 for 20 sets of 140; see :func:`noise_bound`) in
size is not told apart from noise).

A value the scenario sets itself under ``behavior:`` is the user's: it is never drawn, unless
the scenario was fitted to a company's data (``posterior:``, written by ``salesim fit``): the
fitted parameters are then drawn jointly from the posterior's draws for every arm fitted to it,
so a what-if on the fitted company carries what the data left uncertain.
``scale`` shrinks every range towards its default (0: every set is the default, and the
gain is the noise-only comparison's; 1: the full ranges).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.params import PARAM_INFO, ParamInfo
from sim.config.scenario import Scenario, scenario_to_dict, validate, with_values
from sim.experiments.plan import MAX_SETS, ExperimentError, check_arms, study_work
from sim.experiments.runner import Task, failures, run_tasks
from sim.experiments.runs import replication_seeds, resolve

# The market is uncertain too: each set scales every arm's inquiries a day and its median deal by a
# multiple drawn from these ranges (assumption: a market half or twice as busy as planned, deals a
# third smaller or larger), so discovery can say in which markets a change pays.
MARKET_RANGES = {
    "market_volume": ("market.inbound_leads_per_day", 0.5, 2.0),
    "market_deal_size": ("market.deal_value_median", 0.75, 1.33),
}
GAIN_KPIS = ("revenue", "operating_profit", "profit", "prospect_satisfaction", "deals_won", "cac")
RANKED = 10  # assumptions listed per gain


@dataclass
class Uncertainty:
    """An arm-by-arm comparison repeated over assumption sets.

    Attributes:
        scenarios: the arms, the baseline first.
        n: replications per arm and set; ``seeds`` their seeds (the same for every set).
        sets: one row per assumption set (``set`` and every drawn parameter).
        runs: one row per arm, set and replication with the gain KPIs.
        gains: one row per target arm, set and KPI: the mean paired gain over the replications.
        table: per target arm and KPI: median, p10, p90, p_positive, mean of the sets.
        ranking: per target arm and KPI: the assumptions by |Spearman rho| with the gain.
        scale: the share of each range drawn from (1: the full ranges).
        failed: set -> the first error of a set left out because a run failed in it.
    """

    scenarios: list[Scenario]
    n: int
    seed: int
    seeds: list[int]
    scale: float
    sets: pd.DataFrame
    runs: pd.DataFrame
    gains: pd.DataFrame
    table: pd.DataFrame
    ranking: pd.DataFrame
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Scenario names, baseline first."""
        return [s.name for s in self.scenarios]

    def manifest(self) -> dict[str, Any]:
        """What reproduces the study: the seeds, the scale and every assumption set."""
        return {
            "uncertainty": {
                "sets": len(self.sets),
                "replications": self.n,
                "seed": self.seed,
                "replication_seeds": self.seeds,
                "range_scale": self.scale,
                "method": "Latin hypercube over each assumption's plausible range (scipy.stats.qmc), the "
                "parameters of a fitted scenario drawn jointly from its posterior (posterior:... columns); "
                "ranking by Spearman rank correlation of each assumption with the gain",
                "assumption_sets": self.sets.to_dict(orient="records"),
                "failed_sets": {str(k): v for k, v in self.failed.items()},
            }
        }


def drawn_parameters(scenarios: list[Scenario]) -> list[ParamInfo]:
    """The parameters with a plausible range that no arm sets itself (the ones we do not know)."""
    fixed = {key for s in scenarios for key in s.behavior}
    return [
        info
        for info in PARAM_INFO.values()
        if info.overridable and not info.derived and info.low is not None and info.name not in fixed
    ]


def draw_sets(params: list[ParamInfo], sets: int, seed: int, scale: float = 1.0, market: bool = True) -> pd.DataFrame:
    """``sets`` Latin-hypercube points over the ranges, each ``scale`` of the way from the default.

    With ``market``, the last columns are the market's multiples (:data:`MARKET_RANGES`, default 1).
    """
    from scipy.stats import qmc

    extra = list(MARKET_RANGES.values()) if market else []
    low = np.array([p.low for p in params] + [lo for _, lo, _ in extra], dtype=float)
    high = np.array([p.high for p in params] + [hi for _, _, hi in extra], dtype=float)
    default = np.array([p.default for p in params] + [1.0] * len(extra), dtype=float)
    unit = qmc.LatinHypercube(d=len(low), rng=np.random.default_rng(seed)).random(sets)
    values = default + scale * (low + unit * (high - low) - default)
    names = [p.name for p in params] + (list(MARKET_RANGES) if market else [])
    table = pd.DataFrame(values, columns=names)
    table.insert(0, "set", np.arange(sets))
    return table


POSTERIOR_PREFIX = "posterior:"  # a column of the sets drawn from the posterior, not from a range


def posterior_draws(scenarios: list[Scenario], sets: int, seed: int) -> pd.DataFrame | None:
    """``sets`` joint draws of the fitted parameters from the arms' posterior (None when no arm was fitted).

    Columns are ``posterior:<parameter>``; arms fitted to another posterior are refused.
    """
    paths = {s.posterior for s in scenarios if s.posterior is not None}
    if not paths:
        return None
    if len(paths) > 1:
        raise ExperimentError(f"the arms were fitted to different posteriors ({', '.join(sorted(paths))})")
    path = paths.pop()
    try:
        draws = pd.read_parquet(path)
    except Exception as exc:  # an unreadable file is the user's to fix, not a bug
        raise ExperimentError(f"{path}: cannot read the posterior ({type(exc).__name__}: {exc})") from None
    unknown = sorted(set(draws.columns) - set(PARAM_INFO))
    if unknown or draws.empty:
        what = f"unknown parameters {', '.join(unknown)}" if unknown else "no draws"
        raise ExperimentError(f"{path}: not a posterior of salesim's behaviour parameters ({what})")
    rng = np.random.default_rng([seed, 19])
    rows = rng.choice(len(draws), size=sets, replace=len(draws) < sets)
    picked = draws.iloc[rows].reset_index(drop=True).astype(float)
    return picked.rename(columns=lambda c: f"{POSTERIOR_PREFIX}{c}")


def with_assumptions(scenario: Scenario, values: dict[str, float], label: str) -> Scenario:
    """The scenario with these behaviour values (its own ``behavior:`` values kept) and market multiples.

    Posterior columns (``posterior:<parameter>``) apply to an arm fitted to that posterior only,
    and override the fitted values its ``behavior:`` holds.
    """
    data = scenario_to_dict(scenario)
    changes = {f"behavior.{k}": float(v) for k, v in values.items() if k not in MARKET_RANGES and ":" not in k}
    if scenario.posterior is not None:
        changes |= {
            f"behavior.{k.removeprefix(POSTERIOR_PREFIX)}": float(v)
            for k, v in values.items()
            if k.startswith(POSTERIOR_PREFIX)
        }
    for column, (key, _, _) in MARKET_RANGES.items():
        if column in values:
            section, field_name = key.split(".")
            changes[key] = float(data[section][field_name]) * float(values[column])
    return validate(with_values(data, changes), source=f"{scenario.name} under {label}")


def gain_measure(result) -> dict[str, float]:
    """What each run keeps: the gain KPIs."""
    return {k: result.summary[k] for k in GAIN_KPIS}


def check_uncertainty(sets: int, n: int, scale: float) -> None:
    """Refuse a study that cannot be run as asked (ExperimentError, exit 2)."""
    if not 2 <= sets <= MAX_SETS:
        raise ExperimentError(f"--uncertainty {sets}: between 2 and {MAX_SETS} assumption sets")
    if not 0.0 <= scale <= 1.0:
        raise ExperimentError(f"--range-scale {scale:g}: between 0 (the defaults) and 1 (the full ranges)")
    if n < 1:
        raise ExperimentError(f"-n {n}: at least 1 replication per assumption set")


def uncertainty(
    scenarios: list[Scenario | str | Path],
    sets: int = 20,
    n: int = 4,
    seed: int = 1,
    days: int | None = None,
    scale: float = 1.0,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> Uncertainty:
    """Compare the arms on ``sets`` assumption sets, ``n`` replications each.

    Args:
        scenarios: the arms (Scenarios, paths or built-in names); the first is the baseline.
        sets: assumption sets drawn (at least 2).
        n: replications per arm and set (the same seeds for every set).
        seed: root seed of the replication seeds and of the draw.
        days: days per run (default: each scenario's own).
        scale: share of each range drawn from (0: the defaults; 1: the full ranges).
        workers: processes (default: all cores).
        executor: a ``concurrent.futures.Executor`` to run on instead.
        progress: show a progress bar.
    """
    check_uncertainty(sets, n, scale)
    resolved = [resolve(s, days, ()) for s in scenarios]
    if len(resolved) < 2:
        raise ExperimentError("uncertainty needs a baseline and at least one scenario to compare with it")
    check_arms(resolved, 2)
    study_work(resolved, sets, n).check(long=True, flag="")  # counted before anything is built
    params = drawn_parameters(resolved)
    table = draw_sets(params, sets, seed, scale)
    fitted = posterior_draws(resolved, sets, seed)
    if fitted is not None:
        table = pd.concat([table, fitted], axis=1)
    seeds = replication_seeds(seed, n)

    def tasks() -> Iterator[Task]:  # made as the runner sends them: a large study never holds them all
        for row in table.to_dict(orient="records"):
            k = int(row.pop("set"))
            for arm in resolved:
                scenario = with_assumptions(arm, row, f"assumption set {k}")
                for i, s in enumerate(seeds):
                    yield Task(scenario, s, {"scenario": arm.name, "set": k, "replication": i}, gain_measure)

    phase = f"simulating {len(resolved)} organizations x {sets:,} assumption sets x {n:,} markets"
    frames: list[pd.DataFrame] = []  # each batch's rows as columns: a few numbers a run, not a dict of them
    total = len(table) * len(resolved) * n
    run_tasks(tasks(), workers, executor, progress, phase, lambda rows: frames.append(pd.DataFrame(rows)),
              total=total, keep=False)  # fmt: skip
    runs = _in_task_order(frames, [a.name for a in resolved])
    failed = failures(runs)
    broken = sorted({int(k) for k in failed["set"]})  # a set where any run failed is left out whole
    if len(broken) == sets:
        raise ExperimentError(f"every assumption set failed; first: {failed.iloc[0]['error']}")
    runs = runs[~runs["set"].isin(broken)].reset_index(drop=True)
    gains = set_gains(runs, [a.name for a in resolved])
    return Uncertainty(
        scenarios=resolved,
        n=n,
        seed=seed,
        seeds=seeds,
        scale=scale,
        sets=table,
        runs=runs,
        gains=gains,
        table=gain_table(gains),
        ranking=rank_assumptions(gains, table[~table["set"].isin(broken)]),
        failed={int(r["set"]): r["error"] for _, r in failed.drop_duplicates("set").iterrows()},
    )


def _in_task_order(frames: list[pd.DataFrame], names: list[str]) -> pd.DataFrame:
    """The batches' rows as one table in the order of the tasks (set, arm, replication), whatever the executor."""
    runs = pd.concat(frames, ignore_index=True)
    arm = runs["scenario"].map({name: i for i, name in enumerate(names)})
    runs = runs.iloc[np.lexsort((runs["replication"], arm, runs["set"]))].reset_index(drop=True)
    first = ["scenario", "set", "replication", "seed", "status", "error"]
    return runs[first + [c for c in runs.columns if c not in first]]


def set_gains(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Each target arm's mean paired gain over the baseline, per assumption set and KPI."""
    keyed = runs.set_index(["scenario", "set", "replication"])
    base = keyed.loc[names[0]]
    rows = []
    for name in names[1:]:
        diff = (keyed.loc[name][list(GAIN_KPIS)] - base[list(GAIN_KPIS)]).groupby(level="set").mean()
        for kpi in GAIN_KPIS:
            rows += [(name, int(k), kpi, float(v)) for k, v in diff[kpi].items()]
    return pd.DataFrame(rows, columns=["scenario", "set", "kpi", "gain"])


def gain_table(gains: pd.DataFrame) -> pd.DataFrame:
    """uncertainty.csv: the gain's distribution across the sets, per target arm and KPI."""
    rows = []
    for (name, kpi), part in gains.groupby(["scenario", "kpi"], sort=False):
        g = part["gain"].dropna().to_numpy()
        if len(g) == 0:
            rows.append((name, kpi, *[math.nan] * 5, 0))
            continue
        p10, median, p90 = np.percentile(g, [10, 50, 90])
        rows.append((name, kpi, float(median), float(p10), float(p90), float((g > 0).mean()), float(g.mean()), len(g)))
    columns = ["scenario", "kpi", "median", "p10", "p90", "p_positive", "mean", "sets"]
    return pd.DataFrame(rows, columns=columns)


def rank_assumptions(gains: pd.DataFrame, sets: pd.DataFrame, top: int = RANKED) -> pd.DataFrame:
    """The assumptions each gain depends on most: |Spearman rho| of the value with the gain, largest first."""
    from scipy.stats import ConstantInputWarning, spearmanr

    params = [c for c in sets.columns if c != "set"]
    rows = []
    for (name, kpi), part in gains.groupby(["scenario", "kpi"], sort=False):
        joined = sets.merge(part[["set", "gain"]], on="set")
        gain = joined["gain"].to_numpy(dtype=float)
        if np.isfinite(gain).sum() < 3 or np.nanstd(gain) == 0:  # (a KPI undefined in every set: no ranking)
            continue
        found = []
        for p in params:
            x = joined[p].to_numpy(dtype=float)
            if np.std(x) == 0:
                continue
            with warnings.catch_warnings():  # a gain constant over the sets has no correlation (nan, skipped)
                warnings.simplefilter("ignore", ConstantInputWarning)
                rho = float(spearmanr(x, gain, nan_policy="omit").statistic)
            if not math.isnan(rho):
                found.append((name, kpi, p, rho))
        found.sort(key=lambda r: -abs(r[3]))
        rows += [(*r, rank + 1) for rank, r in enumerate(found[:top])]
    noise = noise_bound(len(sets), len(params))
    table = pd.DataFrame(rows, columns=["scenario", "kpi", "assumption", "spearman_rho", "rank"])
    table["beyond_noise"] = table["spearman_rho"].abs() > noise
    return table


def noise_bound(sets: int, assumptions: int) -> float:
    """|rho| that pure noise exceeds for any of ``assumptions`` in fewer than 5% of studies of ``sets`` sets.

    Under no relation a rank correlation over N sets is about normal with variance 1/(N - 1); with m
    assumptions ranked, the top one is the largest of m of them, so the bound is Bonferroni's.
    """
    from scipy.stats import norm

    if sets < 3:
        return math.inf
    return float(norm.ppf(1 - 0.05 / (2 * max(assumptions, 1))) / math.sqrt(sets - 1))


TOLD_RHO = 0.5  # a rank correlation worth naming: the sets asked for should tell one this size from noise


def sets_to_rank(assumptions: int, rho: float = TOLD_RHO) -> int:
    """Assumption sets needed to tell a rank correlation of ``rho`` from noise among ``assumptions`` ranked.

    The inverse of :func:`noise_bound`: the smallest N whose bound is at most ``rho``.
    """
    from scipy.stats import norm

    z = float(norm.ppf(1 - 0.05 / (2 * max(assumptions, 1))))
    return math.ceil((z / rho) ** 2) + 1


def can_rank(study: Uncertainty) -> bool:
    """Whether the study has sets enough to tell any assumption from noise (its noise bound under 1)."""
    return noise_bound(len(study.sets), len(study.sets.columns) - 1) < 1


def ranking_sentence(study: Uncertainty) -> str:
    """One sentence on why no ranking is given, and how many sets would give one."""
    assumptions = len(study.sets.columns) - 1
    return (
        f"With {len(study.sets)} assumption sets no assumption can be told from noise among the {assumptions} "
        f"varied (a rank correlation would have to pass {noise_bound(len(study.sets), assumptions):.2f}); "
        f"about {sets_to_rank(assumptions)} sets would tell one of {TOLD_RHO:g} apart."
    )


def write_uncertainty(study: Uncertainty, folder: Path) -> None:
    """uncertainty.csv, assumption_sets.csv (each set's values and gains), assumption_ranking.csv."""
    from sim.experiments.files import atomic_write

    wide = study.gains.pivot_table(index="set", columns=["scenario", "kpi"], values="gain")
    wide.columns = [f"gain_{kpi}__{name}" for name, kpi in wide.columns]
    sets = study.sets.merge(wide.reset_index(), on="set", how="left")
    for name, frame in (
        ("uncertainty.csv", study.table),
        ("assumption_sets.csv", sets),
        ("assumption_ranking.csv", study.ranking),
    ):
        atomic_write(folder / name, lambda tmp, f=frame: f.to_csv(tmp, index=False))  # type: ignore[misc]  # mypy cannot infer a lambda with a default


def lever_uncertainty(study: Uncertainty, levers: list[tuple[str, Any, Any]]) -> pd.DataFrame:
    """Explain --uncertainty: each lever's effect alone across the assumption sets, and the interaction.

    ``study`` ran an explanation's arms (BASE, TARGET, then BASE with each lever switched, in the
    order of ``levers``); per set, the interaction is the total less the single-lever effects.
    """
    target, switched = study.names[1], study.names[2 : 2 + len(levers)]  # (then a timeline's steps in sequence)
    gains = study.gains.pivot_table(index=["kpi", "set"], columns="scenario", values="gain")
    rows = []
    for k in GAIN_KPIS:
        if k not in gains.index.get_level_values("kpi"):
            continue
        part = gains.loc[k]
        series = {key: part[arm] for (key, _, _), arm in zip(levers, switched, strict=True)}
        series["all levers together"] = part[target]
        series["interaction"] = part[target] - sum(part[arm] for arm in switched)
        for lever, g in series.items():
            g = g.dropna().to_numpy(dtype=float)
            p10, median, p90 = np.percentile(g, [10, 50, 90])
            rows.append((lever, k, float(median), float(p10), float(p90), float((g > 0).mean()), len(g)))
    return pd.DataFrame(rows, columns=["lever", "kpi", "median", "p10", "p90", "p_positive", "sets"])
