"""A folder's runs kept for the next command there: a report refined with ``--uncertainty`` runs nothing twice.

Each run is keyed by what makes its numbers (its levers and the versions, not the arm's
name, :func:`run_key`); a command that finds a run with its key and seed in the folder's
hidden ``.salesim-runs.parquet`` takes it from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.experiments.plan import levers_of

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison


RUNS_FILE = ".salesim-runs.parquet"  # a folder's runs, for the next command there to reuse
MAX_KEPT_RUNS = 20_000  # more are not kept (their daily paths would fill the disk)


def run_key(arm: Scenario) -> str:
    """What makes a run's numbers (levers and versions, not the arm's name): runs with one key are the same."""
    import hashlib
    import json

    from sim.experiments.runs import versions

    text = levers_of(arm) + json.dumps(versions(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def reusable_runs(reuse: pd.DataFrame | None) -> dict[tuple[str, int], dict[str, Any]]:
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
