"""Validation against published evidence (docs/FACTS.md, shipped as sim/config/data/FACTS.md).

The statistics, their bands and roles are the calibration's registry
(:mod:`sim.experiments.calibration_facts`). :func:`check` runs the reference runs with
replications and reports, per statistic, the model's mean with a 95% interval and whether
it lands inside the published band, on both sides. Fitted and held-out statistics are
reported apart, each with its share inside; a statistic the run does not record is
"not measured" and one that is not like with like "not comparable": both are listed and
never counted.

Reference runs:

* ``defined``: the calibration organization. The SiriusDecisions-style
  waterfall presupposes a defined lead standard, and its two-team routing
  gives the response profile of the average firm in Oldroyd et al.
* ``response``: ``aligned`` with inquiries routed slowly and plenty of inside
  reps, so first attempts spread from minutes to days: the natural
  experiment of Oldroyd et al. (HBR 2011).
* ``misaligned`` and ``aligned``: the alignment gap (FACTS section 4, not comparable).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.experiments.calibration_facts import MEASURES, STATISTICS, Statistic
from sim.experiments.calibration_measures import DELAY_BINS, share_ratio
from sim.experiments.runner import Task, require_ok, run_tasks
from sim.experiments.runs import replication_seeds, resolve
from sim.experiments.stats import mean_ci

# first attempts spread smoothly from minutes to days: a slow pickup, no batches (the measuring device)
RESPONSE_OVERRIDES = ("behavior.lead_routing_hours=3", "behavior.crm_sync_hours=0.01", "organization.inside_reps=30")
FACTS = STATISTICS  # the name the packaging checks know
POOLED = {"qualify_1h_vs_1_2h": (0, 1), "qualify_1h_vs_24h": (0, 3)}  # ratios of shares pooled over replications


def published_facts() -> str:
    """The published facts the calibration is checked against: the text of docs/FACTS.md, as the package ships it."""
    return (resources.files("sim.config") / "data" / "FACTS.md").read_text(encoding="utf-8")


def verdict(fact: Statistic, value: float) -> bool | None:
    """Is the model's value inside the fact's band? An infinite ratio is outside; None: not comparable."""
    return fact.inside(value)


def reference_scenarios(behavior: Sequence[str] = ()) -> dict[str, Scenario]:
    """The organization and response runs, with ``behavior.`` overrides (a parameter set under calibration)."""
    return {
        "organization": resolve("defined", None, tuple(behavior)),
        "response": resolve("aligned", None, (*RESPONSE_OVERRIDES, *behavior)),
    }


def reference_tasks(kind: str, scenario: Scenario, seeds: list[int], **labels: object) -> list[Task]:
    """Tasks of one reference run (``kind``: organization, response or alignment) on every seed."""
    return [Task(scenario, s, {"arm": kind, **labels, "replication": i}, MEASURES[kind]) for i, s in enumerate(seeds)]


def pooled_ratio(response: pd.DataFrame, a: int, b: int) -> float:
    """A ratio of qualified shares over all replications' leads (late leads qualify rarely: one run may hold none)."""
    qualified = np.array([response[f"qualified_{i}"].sum() for i in range(len(DELAY_BINS) - 1)])
    attempted = np.array([response[f"attempted_{i}"].sum() for i in range(len(DELAY_BINS) - 1)])
    return share_ratio(qualified, attempted, a, b, corrected=False)


def summarize(data: np.ndarray, pooled: float | None = None) -> tuple[float, float, float]:
    """Mean and 95% interval of the replications' values (a pooled ratio keeps its runs' spread around it)."""
    finite = data[np.isfinite(data)]
    if pooled is not None:
        if len(finite) < 2 or not np.isfinite(pooled):
            return pooled, np.nan, np.nan
        _, low, high = mean_ci(finite)
        centre = float(np.mean(finite))
        return pooled, pooled + low - centre, pooled + high - centre
    if not len(finite):
        return np.nan, np.nan, np.nan
    if len(finite) < len(data):  # a ratio with an empty denominator in some runs: report the median
        middle = float(np.median(data))
        return middle, middle, middle
    return mean_ci(finite)


@dataclass
class Validation:
    """The validation table and the response-time curve behind it.

    Attributes:
        table: key, fact, published, source, role, model, ci_low, ci_high, low, high, inside, status, note, why.
        qualified_by_delay: pooled share of attempted inquiries qualified per DELAY_BINS bucket.
        n: replications per reference run.
    """

    table: pd.DataFrame
    qualified_by_delay: np.ndarray
    n: int

    def shares(self) -> dict[str, tuple[int, int]]:
        """(inside, counted) of the fitted and of the held-out statistics."""
        return shares_inside(self.table)


def shares_inside(table: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(inside, counted) per role; statistics not measured or not comparable are not counted."""
    counted = table[table["status"].isin(["inside", "outside"])]
    return {role: (int((part["status"] == "inside").sum()), len(part))
            for role, part in ((r, counted[counted["role"] == r]) for r in ("fit", "holdout"))}  # fmt: skip


def status(stat: Statistic, model: float) -> str:
    """inside, outside, not measured or not comparable."""
    if not stat.comparable:
        return "not comparable"
    if np.isnan(model):
        return "not measured"
    return "inside" if stat.inside(model) else "outside"


def run_reference(
    n: int,
    seed: int,
    workers: int | None,
    executor: Executor | None,
    progress: bool,
    behavior: Sequence[str],
    alignment: bool,
) -> pd.DataFrame:
    """Every reference run ``n`` times on common seeds: one row per run."""
    seeds = replication_seeds(seed, n)
    runs = reference_scenarios(behavior)
    tasks = [*reference_tasks("response", runs["response"], seeds),
             *reference_tasks("organization", runs["organization"], seeds)]  # fmt: skip
    if alignment:
        for org in ("misaligned", "aligned"):
            tasks += reference_tasks("alignment", resolve(org, None, tuple(behavior)), seeds, org=org)
    return require_ok(run_tasks(tasks, workers, executor, progress, "calibration"), "calibration")


def values_of(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each statistic's values over the replications."""
    values: dict[str, np.ndarray] = {}
    for stat in STATISTICS:
        part = table[table["arm"] == stat.run]
        if stat.run == "alignment" and "org" in part and len(part):
            revenue = part.pivot(index="replication", columns="org", values="revenue")
            values[stat.key] = (revenue["aligned"] / revenue["misaligned"] - 1).to_numpy(dtype=float)
        elif stat.key in part:
            values[stat.key] = part[stat.key].to_numpy(dtype=float)
    return values


def check(
    n: int = 10,
    seed: int = 1,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    behavior: Sequence[str] = (),
    alignment: bool = True,
) -> Validation:
    """Run the reference runs ``n`` times and compare every statistic with its published band.

    Args:
        n: replications of each reference run.
        seed: the replications' root seed.
        workers: processes (None: one per core).
        executor: any ``concurrent.futures`` executor (a Dask client's) instead of a local pool.
        progress: show a progress bar.
        behavior: ``behavior.NAME=VALUE`` overrides of every reference run (a calibrated parameter set).
        alignment: also run misaligned and aligned (the alignment gap, listed as not comparable).
    """
    table = run_reference(n, seed, workers, executor, progress, behavior, alignment)
    values = values_of(table)
    response = table[table["arm"] == "response"]
    rows = []
    for stat in STATISTICS:
        pooled = pooled_ratio(response, *POOLED[stat.key]) if stat.key in POOLED else None
        model, low, high = summarize(values.get(stat.key, np.array([np.nan])), pooled)
        verdict_now = status(stat, model)
        rows.append(
            {"key": stat.key, "fact": stat.fact, "published": stat.published, "source": stat.source,
             "role": stat.role, "model": model, "ci_low": low, "ci_high": high, "low": stat.low, "high": stat.high,
             "inside": {"inside": True, "outside": False}.get(verdict_now), "status": verdict_now,
             "note": stat.note, "why": stat.why}
        )  # fmt: skip
    qualified = np.array([response[f"qualified_{i}"].sum() for i in range(len(DELAY_BINS) - 1)])
    attempted = np.array([response[f"attempted_{i}"].sum() for i in range(len(DELAY_BINS) - 1)])
    shares = np.divide(qualified, attempted, out=np.full(len(qualified), np.nan), where=attempted > 0)
    return Validation(table=pd.DataFrame(rows), qualified_by_delay=shares, n=n)
