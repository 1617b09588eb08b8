"""Running the model: one run, and replications with common random numbers.

The experiment layer is separate from the model (as in EMA Workbench): it
takes a scenario, runs :class:`sim.model.SalesOrgModel`, and returns a
:class:`RunResult` of plain tables that can be written, compared or plotted.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.levers import derive
from sim.config.params import params_to_dict
from sim.config.scenario import Scenario, load_scenario, scenario_to_dict
from sim.experiments.files import atomic_write, write_json
from sim.measure.summary import KPIS, per_team, summarize_model
from sim.model.model import SalesOrgModel


@dataclass
class RunResult:
    """Everything one run produced.

    Attributes:
        scenario: the resolved scenario.
        seed: the root seed used.
        summary: KPI name -> value.
        daily: one row per simulated day.
        leads: one row per lead (the lead log).
        warnings: things the user should know about the organization.
    """

    scenario: Scenario
    seed: int
    summary: dict[str, float]
    daily: pd.DataFrame
    leads: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @functools.cached_property
    def teams(self) -> pd.DataFrame:
        """Per-team funnel and service level (worked out when first asked for)."""
        return per_team(self.leads)

    def manifest(self, command: str | None = None) -> dict[str, Any]:
        """What is needed to reproduce this run."""
        return {
            "scenario": scenario_to_dict(self.scenario),
            "behavior": params_to_dict(derive(self.scenario)),
            "seed": self.seed,
            "days": int(self.daily["day"].max()) if len(self.daily) else 0,
            "versions": versions(),
            "command": command or " ".join(sys.argv),
        }


def versions() -> dict[str, str]:
    """Versions of salesim and the libraries that shape its numbers."""
    return {pkg: version(pkg) for pkg in ("salesim", "mesa", "numpy", "pandas")} | {"python": sys.version.split()[0]}


def organization_warnings(scenario: Scenario) -> list[str]:
    """Degenerate set-ups that run but deserve a word."""
    org = scenario.organization
    notes = []
    if org.inside_reps > 0 and org.field_reps == 0:
        notes.append("inside reps but no field reps: qualified leads have nowhere to go")
    if org.inside_reps == 0 and org.field_reps == 0:
        notes.append("no reps at all: inquiries arrive and nobody answers")
    if scenario.market.inbound_leads_per_day == 0:
        notes.append("no inbound leads: only outbound and field prospecting create leads")
    return notes


def run(
    scenario: Scenario | str | Path,
    seed: int | None = None,
    days: int | None = None,
    overrides: tuple[str, ...] | list[str] = (),
) -> RunResult:
    """Simulate one scenario once.

    Args:
        scenario: a Scenario, a path to a scenario file or a built-in name.
        seed: root seed (default: the scenario's ``simulation.seed``).
        days: working days to simulate (default: the scenario's).
        overrides: ``dotted.key=value`` changes to the scenario.

    Returns:
        The run's summary, daily table, lead log and per-team table.
    """
    scenario = resolve(scenario, days, overrides, seed=seed)
    seed = scenario.simulation.seed
    model = SalesOrgModel(scenario, seed=seed).run()
    leads = model.book.to_frame(model.team_names)
    daily = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return RunResult(
        scenario=scenario,
        seed=seed,
        summary=summarize_model(model, leads),
        daily=daily,
        leads=leads,
        warnings=organization_warnings(scenario),
    )


def write_run(result: RunResult, out: Path, command: str | None = None) -> None:
    """Write summary.json, daily.csv, leads.parquet, teams.csv and manifest.json to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "summary.json", result.summary)
    atomic_write(out / "daily.csv", lambda tmp: result.daily.to_csv(tmp, index=False))
    atomic_write(out / "teams.csv", lambda tmp: result.teams.to_csv(tmp, index=False))
    atomic_write(out / "leads.parquet", lambda tmp: result.leads.to_parquet(tmp, index=False))
    write_json(out / "manifest.json", result.manifest(command))


# ------------------------------------------------------------- replications


def replication_seeds(seed: int, n: int) -> list[int]:
    """Seeds of replications 0..n-1: children of one SeedSequence, stable in ``n``.

    Replication ``i`` gets the same seed whatever ``n`` is and whatever the
    scenario, so scenarios compared replication by replication meet the same
    markets (common random numbers).
    """
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def summary_of(task: tuple[Scenario, int]) -> dict[str, float]:
    """Run one (scenario, seed) and keep its KPIs (a picklable task for executors)."""
    scenario, seed = task
    return run(scenario, seed=seed).summary


SATISFACTION_BINS = np.linspace(0, 100, 21)  # 5-point bins
# The inside-facing funnel (inbound and outbound leads): the stamp each stage sets.
FUNNEL_STAGES = ("created", "contacted", "qualified", "handed off", "accepted", "opportunity", "won")
FUNNEL_STAMPS = (
    "created_at",
    "contacted_at",
    "qualified_at",
    "handed_off_at",
    "accepted_at",
    "opportunity_at",
)
RESPONSE_BINS = np.array([0, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 40, np.inf])  # working hours


def digest_of(task: tuple[Scenario, int]) -> dict[str, Any]:
    """Run one (scenario, seed) and keep what comparisons plot: KPIs, curves, histograms."""
    scenario, seed = task
    result = run(scenario, seed=seed)
    leads = result.leads
    inbound = leads[leads["source"] == "inbound"]
    response = (inbound["first_attempt_at"] - inbound["created_at"]).dropna().to_numpy()
    inside_facing = leads[leads["source"] != "field"]
    return {
        "summary": result.summary,
        "funnel": np.array(
            [
                *(inside_facing[c].notna().sum() for c in FUNNEL_STAMPS),
                (inside_facing["outcome"] == "won").sum(),
            ]
        ),
        "revenue": result.daily["revenue"].to_numpy(),
        "satisfaction": np.histogram(leads["satisfaction"].to_numpy(), SATISFACTION_BINS)[0],
        "response": np.histogram(response, RESPONSE_BINS)[0],
    }


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@functools.cache
def settle_process() -> None:
    """Take the objects alive now (the imported libraries) out of the cyclic collector's rounds.

    Python's collector otherwise walks every object of numpy, pandas, mesa and
    the rest (about 130,000) at each full collection: about 80 ms on the
    benchmark machine, nearly half a default one-year run, spent at random
    moments. Garbage is collected first, so none is frozen; frozen objects are
    still freed when nothing refers to them, but reference cycles among them
    (a model, for one) would never be. So this is for the start of a process
    that will run models, before any model exists: the ``salesim`` command and
    each worker of a pool call it; a notebook or script may, right after its
    imports. Later calls do nothing. See docs/PERFORMANCE.md.
    """
    gc.collect()
    gc.freeze()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of worker processes ready to run models.

    Workers start from a fork server (no fork of a process with threads) and
    settle themselves before their first run.
    """
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=settle_process)


def map_runs(
    tasks: list[Any],
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    desc: str = "runs",
    fn: Callable[[Any], Any] = summary_of,
) -> list[Any]:
    """``fn`` of every task, in task order, serial or in parallel.

    Args:
        tasks: what ``fn`` takes; for the default, (scenario, seed) pairs.
        fn: what to compute per task (a module-level function: it is pickled);
            default the KPIs, :func:`digest_of` for comparisons.
        workers: processes for a local pool (default: all cores; 1 runs serially).
        executor: any ``concurrent.futures.Executor`` to use instead of a local pool.
        progress: show a progress bar.
        desc: label of the progress bar.

    Returns:
        One result per task, in the order of ``tasks``; identical whatever runs them.
    """
    from tqdm import tqdm  # here: a single run (`salesim run`) needs no progress bar

    workers = default_workers() if workers is None else workers
    bar_options = {"total": len(tasks), "desc": desc, "unit": "run", "disable": not progress, "leave": False}
    if executor is None and (workers <= 1 or len(tasks) <= 1):
        return [fn(task) for task in tqdm(tasks, **bar_options)]
    # Batches of a few runs keep each task well above the pool's overhead, and
    # at least ~16 batches per worker keep the workers busy to the end.
    chunk = max(1, len(tasks) // (16 * max(workers, 1)))
    if executor is not None:
        return list(tqdm(executor.map(fn, tasks, chunksize=chunk), **bar_options))
    with process_pool(workers) as pool:
        return list(tqdm(pool.map(fn, tasks, chunksize=chunk), **bar_options))


def resolve(scenario: Scenario | str | Path, days: int | None, overrides, seed: int | None = None) -> Scenario:
    """A validated scenario from a Scenario, a path or a built-in name, plus changes."""
    if not isinstance(scenario, Scenario):
        return load_scenario(scenario, overrides, seed=seed, days=days)
    if not overrides and days is None and seed is None:
        return scenario
    from sim.config.scenario import apply_overrides, validate, with_values

    simulation = {f"simulation.{k}": v for k, v in (("seed", seed), ("days", days)) if v is not None}
    return validate(with_values(apply_overrides(scenario_to_dict(scenario), overrides), simulation), scenario.name)


def replicate(
    scenario: Scenario | str | Path,
    n: int = 20,
    seed: int | None = None,
    days: int | None = None,
    overrides: tuple[str, ...] | list[str] = (),
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run ``n`` replications of a scenario with common random numbers.

    Args:
        scenario: a Scenario, a path or a built-in name.
        n: number of replications.
        seed: root seed (default: the scenario's); replication seeds derive from it.
        days: working days per run (default: the scenario's).
        overrides: ``dotted.key=value`` changes to the scenario.
        workers: processes (default: all cores).
        executor: a ``concurrent.futures.Executor`` to run on instead.
        progress: show a progress bar.

    Returns:
        One row per replication: scenario, replication, seed and every KPI.
    """
    scenario = resolve(scenario, days, overrides)
    root = scenario.simulation.seed if seed is None else seed
    seeds = replication_seeds(root, n)
    rows = map_runs([(scenario, s) for s in seeds], workers, executor, progress, scenario.name)
    return replication_frame(scenario.name, seeds, rows)


def replication_frame(name: str, seeds: list[int], summaries: list[dict[str, float]]) -> pd.DataFrame:
    """One row per replication of one scenario: scenario, replication, seed and every KPI."""
    frame = pd.DataFrame(summaries, columns=list(KPIS))
    frame.insert(0, "seed", seeds)
    frame.insert(0, "replication", range(len(seeds)))
    frame.insert(0, "scenario", name)
    return frame
