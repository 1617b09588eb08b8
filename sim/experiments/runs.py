"""Running the model: one run, and replications with common random numbers.

The experiment layer is separate from the model (as in EMA Workbench): it
takes a scenario, runs :class:`sim.model.SalesOrgModel`, and returns a
:class:`RunResult` of plain tables that can be written, compared or plotted.
"""

from __future__ import annotations

import functools
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import SalesimError
from sim.config.levers import derive
from sim.config.params import PARAM_INFO, params_to_dict
from sim.config.scenario import Scenario, load_scenario, scenario_to_dict
from sim.experiments.files import atomic_write, write_json
from sim.experiments.plan import MAX_LEADS, check_size  # noqa: F401  (here since before the plan)
from sim.measure.funnel import inquiries, inside_funnel, prospects, response_delays
from sim.measure.kpis import KPI_NAMES
from sim.measure.summary import field_by_team, per_channel, per_team, summarize_model
from sim.model.leads import SOURCES
from sim.model.market import inbound_channels
from sim.model.model import RunTimeLimit, SalesOrgModel


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
        field: each field team's capacity at the end (reps, utilisation, open opportunities per rep).
    """

    scenario: Scenario
    seed: int
    summary: dict[str, float]
    daily: pd.DataFrame
    leads: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    field: pd.DataFrame | None = None

    @functools.cached_property
    def teams(self) -> pd.DataFrame:
        """Per-team funnel, service level and field capacity (worked out when first asked for)."""
        teams = per_team(self.leads)
        return teams if self.field is None else teams.merge(self.field, on="team", how="left")

    @functools.cached_property
    def channels(self) -> pd.DataFrame:
        """Each inbound channel's marketing cost and what its prospects became (``channels.csv``)."""
        channels = inbound_channels(self.scenario.market, derive(self.scenario))
        return per_channel(self.leads, channels, self.summary["marketing_cost"])

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
    cycle = scenario.behavior.get("cycle_days", PARAM_INFO["cycle_days"].default)
    if scenario.simulation.days < cycle:
        notes.append(
            f"the run ({scenario.simulation.days} days) is shorter than a sales cycle (about {cycle:g} days): "
            "few deals close within it, so revenue, profit and ROI say little"
        )
    return notes


def run(
    scenario: Scenario | str | Path,
    seed: int | None = None,
    days: int | None = None,
    overrides: tuple[str, ...] | list[str] = (),
    time_limit: float | None = None,
) -> RunResult:
    """Simulate one scenario once.

    Args:
        scenario: a Scenario, a path to a scenario file or a built-in name.
        seed: root seed (default: the scenario's ``simulation.seed``).
        days: days to simulate (default: the scenario's).
        overrides: ``dotted.key=value`` changes to the scenario.
        time_limit: wall-clock seconds the run may take (``RunTimeLimit`` past it; default none).

    Returns:
        The run's summary, daily table, lead log and per-team table.
    """
    scenario = resolve(scenario, days, overrides, seed=seed)
    check_size(scenario)
    seed = scenario.simulation.seed
    with deadline(time_limit):
        model = SalesOrgModel(scenario, seed=seed).run(time_limit=time_limit)
    leads = model.book.to_frame(model.team_names, [c.name for c in model.market.channels])
    capacity = field_by_team(model)
    daily = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return RunResult(
        scenario=scenario,
        seed=seed,
        summary=summarize_model(model, leads),
        daily=daily,
        leads=leads,
        warnings=organization_warnings(scenario),
        field=capacity,
    )


SIM_ROOT = str(Path(__file__).resolve().parent.parent)  # salesim's own code: sim/


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Stop what runs inside at ``seconds`` of wall time (``RunTimeLimit``), mid-day if need be.

    A timer signal interrupts the run within milliseconds of the limit, however long its day;
    the model's own check, once a simulated day, stays for threads other than the main one
    (a Dask worker's), where signals cannot be used.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds is None or not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        # Raised only in salesim's own code, where it unwinds the run: in a library's code it could land in a
        # garbage collector's callback, which swallows exceptions ("Exception ignored in ..."); try again soon
        if frame is None or not frame.f_code.co_filename.startswith(SIM_ROOT):
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            return
        raise RunTimeLimit(
            f"the run passed its time limit of {seconds:g} s (stopped at once); its parameters may make it too slow"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def write_run(result: RunResult, out: Path, command: str | None = None) -> None:
    """Write summary.json, daily.csv, leads.parquet, teams.csv, channels.csv and manifest.json to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "summary.json", result.summary)
    atomic_write(out / "daily.csv", lambda tmp: result.daily.to_csv(tmp, index=False))
    atomic_write(out / "teams.csv", lambda tmp: result.teams.to_csv(tmp, index=False))
    atomic_write(out / "channels.csv", lambda tmp: result.channels.to_csv(tmp, index=False))
    atomic_write(out / "leads.parquet", lambda tmp: result.leads.to_parquet(tmp, index=False))
    write_json(out / "manifest.json", result.manifest(command))


# ------------------------------------------------------------- replications


def replication_seeds(seed: int, n: int) -> list[int]:
    """Seeds of replications 0..n-1: children of one SeedSequence, stable in ``n``.

    Replication ``i`` gets the same seed whatever ``n`` is and whatever the
    scenario, so scenarios compared replication by replication meet the same
    markets (common random numbers).
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SalesimError(f"seed {seed!r}: a seed is a whole number, 0 or more")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise SalesimError(f"n {n!r}: the number of replications is a whole number, 1 or more")
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


SATISFACTION_BINS = np.linspace(0, 100, 21)  # 5-point bins
RESPONSE_BINS = np.array([0, 0.1, 0.25, 0.5, 1, 2, 4, 8, 24, 72, np.inf])  # hours


def digest(result: RunResult) -> dict[str, Any]:
    """A measure for the runner: every KPI, and the curves and histograms comparisons plot."""
    leads = result.leads
    response = response_delays(inquiries(leads)).dropna().to_numpy()
    return {
        **result.summary,
        "funnel": np.array(inside_funnel(leads)),  # by INSIDE_STAGES (sim.model.funnel)
        "revenue_path": result.daily["revenue"].to_numpy(),
        "profit_path": (result.daily["revenue"] - result.daily["cost_of_sales"]).to_numpy(),
        # bins closed on the right, as "40 or less" is: a prospect at exactly 40 falls left of the line at 40
        "satisfaction_histogram": np.histogram(-prospects(leads)["satisfaction"].to_numpy(), -SATISFACTION_BINS[::-1])[
            0
        ][::-1],
        "won_by_source": np.array([(leads["outcome"] == "won")[leads["source"] == s].sum() for s in SOURCES]),
        "response_histogram": np.histogram(response, RESPONSE_BINS)[0],
    }


def resolve(scenario: Scenario | str | Path, days: int | None, overrides, seed: int | None = None) -> Scenario:
    """A validated scenario from a Scenario, a path or a built-in name, plus changes."""
    overrides = (overrides,) if isinstance(overrides, str) else overrides  # one "k=v", not its characters
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
        days: days per run (default: the scenario's).
        overrides: ``dotted.key=value`` changes to the scenario.
        workers: processes (default: all cores).
        executor: a ``concurrent.futures.Executor`` to run on instead.
        progress: show a progress bar.

    Returns:
        One row per replication: scenario, replication, seed and every KPI.
    """
    from sim.experiments.runner import require_ok, run_tasks

    scenario = resolve(scenario, days, overrides)
    root = scenario.simulation.seed if seed is None else seed
    tasks = replication_tasks(scenario, replication_seeds(root, n))
    table = require_ok(run_tasks(tasks, workers, executor, progress, scenario.name), scenario.name)
    return replication_frame(table)


def replication_tasks(scenario: Scenario, seeds: list[int], measure=None) -> list:
    """The runner's tasks for replications of one scenario (labels: scenario, replication)."""
    from sim.experiments.runner import Task, summary

    return [
        Task(scenario, s, {"scenario": scenario.name, "replication": i}, measure or summary)
        for i, s in enumerate(seeds)
    ]


def replication_frame(table: pd.DataFrame) -> pd.DataFrame:
    """replications.csv from a runner table: scenario, replication, seed and every KPI."""
    return table[["scenario", "replication", "seed", *KPI_NAMES]].reset_index(drop=True)
