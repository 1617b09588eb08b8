"""Running the model: one run now; replications and comparisons build on it.

The experiment layer is separate from the model (as in EMA Workbench): it
takes a scenario, runs :class:`sim.model.SalesOrgModel`, and returns a
:class:`RunResult` of plain tables that can be written, compared or plotted.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from sim.levers import derive, params_to_dict
from sim.metrics import per_team, summarize_model
from sim.model import SalesOrgModel
from sim.scenario import Scenario, load_scenario, scenario_to_dict


@dataclass
class RunResult:
    """Everything one run produced.

    Attributes:
        scenario: the resolved scenario.
        seed: the root seed used.
        summary: KPI name -> value.
        daily: one row per simulated day.
        leads: one row per lead (the lead log).
        teams: per-team funnel and service level.
        warnings: things the user should know about the organization.
    """

    scenario: Scenario
    seed: int
    summary: dict[str, float]
    daily: pd.DataFrame
    leads: pd.DataFrame
    teams: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

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
    return {pkg: version(pkg) for pkg in ("salesim", "mesa", "numpy", "pandas")} | {
        "python": sys.version.split()[0]
    }


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
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides, seed=seed, days=days)
    elif overrides or seed is not None or days is not None:
        from sim.scenario import apply_overrides, validate

        extra = [f"simulation.{k}={v}" for k, v in (("seed", seed), ("days", days)) if v is not None]
        data = apply_overrides(scenario_to_dict(scenario), [*overrides, *extra])
        scenario = validate(data, source=scenario.name)
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
        teams=per_team(leads),
        warnings=organization_warnings(scenario),
    )


# ------------------------------------------------------------------ writing


def atomic_write(path: Path, write) -> None:
    """Write a file through a temporary sibling and a rename: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically, NaN written as null."""

    def clean(x: Any) -> Any:
        if isinstance(x, float) and x != x:
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    text = json.dumps(clean(data), indent=2, default=_json_default) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_run(result: RunResult, out: Path, command: str | None = None) -> None:
    """Write summary.json, daily.csv, leads.parquet, teams.csv and manifest.json to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "summary.json", result.summary)
    atomic_write(out / "daily.csv", lambda tmp: result.daily.to_csv(tmp, index=False))
    atomic_write(out / "teams.csv", lambda tmp: result.teams.to_csv(tmp, index=False))
    atomic_write(out / "leads.parquet", lambda tmp: result.leads.to_parquet(tmp, index=False))
    write_json(out / "manifest.json", result.manifest(command))
